"""What the mail tests share: the event and ticket, a worker process, and (from
`tests/smtp.py`, a plugin of the whole suite) the real SMTP server."""

import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests import forkserver
from tests.factories import (
    OpenEventFactory,
    QuotaFactory,
    TicketTypeFactory,
)
from tests.processes import child_env


def part(message: EmailMessage, content_type: str) -> str:
    """Return the body of the `text/plain` or `text/html` part of `message`."""
    return message.get_body(preferencelist=(content_type.split("/")[1],)).get_content()


@pytest.fixture
def event(db):
    return OpenEventFactory(contact_email="secretariaat@example.org")


@pytest.fixture
def ticket(event):
    ticket = TicketTypeFactory(event=event, name_nl="Deelname", name_en="Participation")
    # Room for the bulk tests' thousands (`many_registrations`).
    QuotaFactory(event=event, size=5000, ticket_types=[ticket])
    return ticket


ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition, *, seconds: float = 30, every: float = 0.1) -> None:
    """Wait until `condition()` holds, or fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("gave up waiting")
        time.sleep(every)


def _worker_env(smtp) -> dict[str, str]:
    return child_env(EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}", EMAIL_TIMEOUT="5")


@pytest.fixture
def drain(smtp, tmp_path):
    """Return a function that runs `goedeburen worker --burst` on the test database until
    the task queue is empty; it returns the worker's output.

    Counting after a drain needs no waiting: nothing is left that could still run.
    Keywords are extra environment variables (such as a test seam's): such a drain is a
    new `python -m goedeburen worker --burst`; any other is forked from a process that has
    loaded Django already (`tests/forkserver.py`), 1.5 s sooner.
    """
    runs = []

    def _drain(**env: str) -> str:
        log = tmp_path / f"drain-{len(runs)}.log"
        runs.append(log)
        if env:
            with log.open("wb") as out:
                code = subprocess.run(  # noqa: S603 - our own command
                    [sys.executable, "-m", "goedeburen", "worker", "--burst"],
                    cwd=ROOT,
                    env={**_worker_env(smtp), **env},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    timeout=600,
                    check=False,
                ).returncode
        else:
            code = forkserver.drain(_worker_env(smtp), str(log))
        output = log.read_text()
        assert code == 0, output
        return output

    return _drain


@pytest.fixture
def start_worker(smtp, tmp_path):
    """Return a function that starts `python -m goedeburen worker` on the test database,
    sending to `smtp`; every worker still running at the end is stopped."""
    processes = []

    def _start() -> subprocess.Popen:
        env = _worker_env(smtp)
        log = open(tmp_path / f"worker-{len(processes)}.log", "wb")  # noqa: SIM115 - closed below
        process = subprocess.Popen(
            [sys.executable, "-m", "goedeburen", "worker"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        processes.append((process, log))
        return process

    yield _start
    for process, log in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()
