"""Hypothesis's settings for the fuzz tests of what users upload: the same examples on every
run (CI is deterministic), none kept between runs, and no deadline (a slow machine is no
failure)."""

from hypothesis import HealthCheck, settings


def deterministic(max_examples: int) -> settings:
    """Return the settings of a fuzz test that tries `max_examples` examples."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
