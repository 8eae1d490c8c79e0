"""Background work of the assignment: a thin wrapper that calls the service."""

from django_tasks import task

from . import services


@task()
def run_assignment(run_id: int) -> str:
    """Carry out a queued assignment run; return its status."""
    run = services.execute_run(run_id)
    return "" if run is None else run.status
