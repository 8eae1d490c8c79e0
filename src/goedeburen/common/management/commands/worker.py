from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks.exceptions import InvalidTaskBackendError
from django_tasks_db import DatabaseBackend

from goedeburen.common.tasks import worker_starting


class Command(BaseCommand):
    help = (
        "Run the background worker for a task backend: the database worker for the database "
        "backend (the default), an RQ worker for the RQ backend (the default when REDIS_URL is "
        "set). It works on every queue the backend is configured with."
    )

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="Stop when the queue is empty.")
        parser.add_argument(
            "--backend",
            default=DEFAULT_TASK_BACKEND_ALIAS,
            help="The alias in settings.TASKS to work for (default: %(default)s).",
        )

    def handle(self, *args, burst: bool, backend: str, **options):
        try:
            task_backend = task_backends[backend]
        except InvalidTaskBackendError as error:
            raise CommandError(f"No task backend {backend!r} in settings.TASKS.") from error
        queues = sorted(task_backend.queues)
        if not burst:  # a burst worker (cron, tests) drains what is there and no more
            worker_starting()
        if isinstance(task_backend, DatabaseBackend):
            call_command(
                "db_worker",
                backend_name=backend,
                queue_name=",".join(queues),
                interval=0.5,
                batch=burst,
                # The random start-up pause (up to 1 s) spreads many long-running workers
                # started at once; a burst worker drains what is there now, at once.
                startup_delay=not burst,
                # No autoreloader: a reloader parent would outlive Ctrl-C in `serve`.
                reload=False,
            )
            return
        # Imported here: django_tasks_rq needs django_rq, which is only installed with Redis.
        from django_tasks_rq import RQBackend

        if not isinstance(task_backend, RQBackend):
            raise CommandError(f"No worker for {type(task_backend).__name__} ({backend!r}).")
        call_command(
            "rqworker",
            *queues,
            job_class="django_tasks_rq.Job",
            with_scheduler=not burst,
            burst=burst,
        )
