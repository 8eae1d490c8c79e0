"""`goedeburen assign`: the solver on a file; see `matching.solver.cli`.

`goedeburen assign …` never reaches Django (`goedeburen.__main__` runs the solver's command
line first, without settings); this command is for `django-admin assign` and
`call_command("assign", …)`.
"""

from django.core.management.base import BaseCommand

from goedeburen.matching.solver import cli


class Command(BaseCommand):
    help = "Place participants in sessions: read an instance file, write the result file."
    requires_system_checks = []

    def run_from_argv(self, argv):
        cli.main(argv[2:])

    def add_arguments(self, parser):
        parser.add_argument("instance")
        parser.add_argument("--out", required=True)
        parser.add_argument("--time-limit", type=float, default=None)

    def handle(self, *args, instance, out, time_limit, **options):
        extra = [] if time_limit is None else ["--time-limit", str(time_limit)]
        cli.main([instance, "--out", out, *extra])
