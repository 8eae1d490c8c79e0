from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Run the background worker: the database worker by default, "
        "the RQ worker when REDIS_URL is set."
    )

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="Stop when the queue is empty.")

    def handle(self, *args, burst: bool, **options):
        if settings.REDIS_URL:
            rq_options = {"job_class": "django_tasks_rq.Job", "with_scheduler": not burst}
            if burst:
                rq_options["burst"] = True
            call_command("rqworker", "default", **rq_options)
        else:
            # No autoreloader: a reloader parent would outlive Ctrl-C in `serve`.
            db_options = {"batch": True} if burst else {"reload": False}
            call_command("db_worker", interval=0.5, **db_options)
