"""The environment of a process a test starts: a worker, gunicorn, a command."""

import os
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def child_env(*, test_database: bool = True, **extra: str) -> dict[str, str]:
    """Return this process's environment with the test settings and this checkout's code
    first (src/, also where the editable install points to another checkout such as a git
    worktree, then the root for the `tests` package); with `test_database`, the database
    pytest-django made. `extra` adds or replaces variables."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    }
    if test_database:
        env["GOEDEBUREN_TEST_DB_NAME"] = str(connection.settings_dict["NAME"])
    return {**env, **extra}
