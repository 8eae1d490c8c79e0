"""`make run` without its venv step: migrate, load the demo, make the demo account, serve.

Runs the real commands in subprocesses, as a fresh checkout would: DEBUG on, no
DATABASE_URL (SQLite under a temporary var dir), none of the test settings.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import dateformat, timezone, translation
from django.utils.text import capfirst

from goedeburen.events.demo import upcoming_date

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.worker,
    pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds child processes in /proc"),
    # So that one worker prepares the var dir once for all of them. (pytest-xdist 3.8 ignores
    # the group under pytest 9.2, pytest-xdist#1386: then each worker prepares its own.)
    pytest.mark.xdist_group("serve"),
]

SETTINGS_FROM_OUTSIDE = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")


def _env(var_dir: Path) -> dict[str, str]:
    env = {name: os.environ[name] for name in SETTINGS_FROM_OUTSIDE if name in os.environ}
    return {**env, "DEBUG": "true", "GOEDEBUREN_VAR_DIR": str(var_dir), "PYTHONUNBUFFERED": "1"}


def _goedeburen(var_dir: Path, *args: str) -> str:
    """Run a `goedeburen` command to its end; return what it printed."""
    done = subprocess.run(
        [sys.executable, "-m", "goedeburen", *args],
        env=_env(var_dir),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stderr) == (0, "")
    return done.stdout


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory):
    """A var dir after `make run`'s steps up to `serve`, with what each step printed."""
    var_dir = tmp_path_factory.mktemp("var")
    _goedeburen(var_dir, "migrate", "--noinput", "--verbosity", "0")
    printed = SimpleNamespace(
        demo=_goedeburen(var_dir, "demo", "--upcoming"),
        demo_account=_goedeburen(var_dir, "demo_account"),
    )
    return SimpleNamespace(path=var_dir, printed=printed)


def test_demo_loads_once_and_then_is_up_to_date(var_dir):
    again = _goedeburen(var_dir.path, "demo", "--upcoming")

    assert var_dir.printed.demo.startswith("Demo conference 'Goede buren' on ")
    assert var_dir.printed.demo.rstrip().endswith(" rows written.")
    assert again.rstrip().endswith(": already up to date.")


def test_demo_account_prints_the_login(var_dir):
    lines = [line.strip() for line in var_dir.printed.demo_account.splitlines()]

    assert "user name: organisator" in lines
    assert "password:  goedeburen" in lines


def _dutch_date(date) -> str:
    with translation.override("nl"):
        return capfirst(dateformat.format(date, "l j F Y"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _descendants(pid: int) -> dict[int, str]:
    """Return the living processes below `pid`, with their command lines."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state, parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:2]
        except OSError:
            continue
        if state != "Z":
            children.setdefault(int(parent), []).append(int(entry.name))
    found, todo = {}, [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            try:
                found[child] = (
                    (Path("/proc") / str(child) / "cmdline").read_text().replace("\0", " ")
                )
            except OSError:
                continue
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_for(condition, timeout: float = 30):
    """Return the first true result of `condition`, or its last one after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not (result := condition()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return result


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - http://127.0.0.1
            return response.status == 200
    except OSError:
        return False


class _Serve:
    """`goedeburen serve` in its own process group, as a terminal's foreground job."""

    def __init__(self, var_dir: Path, log: Path):
        self.seen: set[int] = set()  # every process below serve, to clean up after a failure
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "goedeburen", "serve", "--port", str(self.port)],
            env=_env(var_dir),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            process_group=0,
        )

    def wait_until_serving(self) -> dict[int, str]:
        """Wait for the site to answer and the worker to run; return the processes below."""

        def ready():
            if self.process.poll() is not None:
                pytest.fail(f"serve stopped:\n{self.log.read_text()}")
            below = _descendants(self.process.pid)
            commands = " ".join(below.values())
            return below if "runserver" in commands and " worker" in commands else None

        assert _wait_for(lambda: _answers(self.url + "/")), self.log.read_text()
        below = _wait_for(ready)
        assert below, self.log.read_text()
        self.seen.update(below)
        return below

    def close(self) -> None:
        left = {self.process.pid, *self.seen, *_descendants(self.process.pid)}
        for pid in left:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        self.process.wait()
        self._log.close()


@pytest.fixture
def serve(var_dir, tmp_path):
    started = []

    def start() -> _Serve:
        started.append(_Serve(var_dir.path, tmp_path / "serve.log"))
        return started[-1]

    yield start
    for server in started:
        server.close()


def test_serve_shows_the_conference_and_ctrl_c_stops_web_server_and_worker(serve, var_dir, browser):
    server = serve()
    below = server.wait_until_serving()
    calendar = var_dir.path / "media" / "calendars" / "goede-buren.ics"

    tab = browser.new_page()
    try:
        tab.goto(server.url + "/")
        shown = (
            tab.evaluate("() => location.pathname"),
            tab.locator("html").get_attribute("lang"),
            tab.locator("h1").inner_text(),
            tab.locator(".utrecht-heading-group p").inner_text(),
            tab.locator(".key-facts dd").first.inner_text(),
            tab.evaluate("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)"),
            tab.evaluate(  # the stylesheets load
                "() => getComputedStyle(document.querySelector('.site-header')).borderBottomWidth"
            ),
        )
    finally:
        tab.close()
    rendered = _wait_for(calendar.exists)
    os.killpg(server.process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    code = server.process.wait(timeout=10)
    _wait_for(lambda: not any(map(_alive, below)), timeout=5)

    assert shown == (
        "/goede-buren/",
        "nl",
        "Goede buren",
        "Wat werkt in woongebouwen waar verschillende groepen mensen samen wonen?",
        _dutch_date(upcoming_date(timezone.localdate())),
        True,
        "4px",
    )
    assert rendered is True
    assert (code, [below[pid] for pid in below if _alive(pid)]) == (0, [])


def test_serve_stops_web_server_and_worker_on_sigterm(serve):
    server = serve()
    below = server.wait_until_serving()

    server.process.terminate()
    code = server.process.wait(timeout=10)
    _wait_for(lambda: not any(map(_alive, below)), timeout=5)

    assert (code, [below[pid] for pid in below if _alive(pid)]) == (0, [])


@pytest.mark.parametrize("port", ["abc", "0", "70000", "-1"])
def test_serve_refuses_a_port_that_is_not_one_before_starting_anything(var_dir, port):
    done = subprocess.run(
        [sys.executable, "-m", "goedeburen", "serve", "--port", port],
        env=_env(var_dir.path),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 2
    assert "is not a port number (1 to 65535)" in done.stderr
    assert "Serving on" not in done.stdout
