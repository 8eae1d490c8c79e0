"""What every process loads at its start: nothing that only some requests need.

Each `worker --burst`, command and web worker starts Django (3.5 to 4 s of wall time on a
slow 2-core machine); the tests start hundreds of them. The Mollie SDK with httpx (0.55 s
of CPU) and openpyxl with the numpy it loads (0.33 s) were loaded by every one of them.
"""

import subprocess
import sys

from tests.processes import child_env

LOADED_WHEN_NEEDED = ("mollie", "httpx", "openpyxl", "numpy", "highspy")


def _loaded(imports: str, names: tuple[str, ...]) -> dict[str, bool]:
    """Return which of `names` a new process has loaded after `django.setup()` and `imports`."""
    script = (
        "import sys, django\n"
        "django.setup()\n"
        f"{imports}\n"
        f"print(*[name in sys.modules for name in {names!r}])\n"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", script],
        env=child_env(test_database=False),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return dict(zip(names, (word == "True" for word in done.stdout.split()), strict=True))


def test_starting_the_site_loads_no_library_only_some_requests_need():
    loaded = _loaded(
        "import goedeburen.urls, goedeburen.payments.providers.mollie\n"
        "import goedeburen.survey.results, goedeburen.checkin.exports",
        LOADED_WHEN_NEEDED,
    )

    assert loaded == dict.fromkeys(LOADED_WHEN_NEEDED, False)


# Not loaded by a process that serves no page (a worker, a drain, a command) until it
# renders a PDF or the API's OpenAPI document: 0.34 s of CPU each for the PDF libraries
# (1.29 against 0.95 s for `django.setup()`), 0.12 s more for drf-spectacular's extensions.
LOADED_TO_RENDER = ("reportlab", "PIL", "segno", "drf_spectacular.plumbing")


def test_starting_a_worker_or_command_loads_no_pdf_or_api_document_library():
    assert _loaded("", LOADED_TO_RENDER) == dict.fromkeys(LOADED_TO_RENDER, False)
