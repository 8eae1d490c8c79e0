"""The production settings, as an operator meets them: `goedeburen check --deploy`.

Each test runs the real command in a subprocess with only the variables it names, so
nothing from the test settings (which set DEBUG, SECRET_KEY … for the suite) leaks in.
"""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

import goedeburen
from goedeburen.settings import _email_settings

PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "goedeburen.example.org",
    "EMAIL_URL": "smtp://mailer:password@mail.example.org:587/?tls=True",
    "DATABASE_URL": "postgres://goedeburen@db.example.org:5432/goedeburen",
}


def _goedeburen(tmp_path, *args: str, **variables: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8", "HOME": str(tmp_path)}
    env.update(variables)
    return subprocess.run(
        [sys.executable, "-m", "goedeburen", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({}, id="debug-unset"),
        pytest.param({"DEBUG": "false"}, id="debug-false"),
        pytest.param({"REDIS_URL": "redis://redis.example.org:6379/0"}, id="with-redis"),
    ],
)
def test_check_deploy_passes_with_production_variables(tmp_path, extra):
    result = _goedeburen(
        tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, **extra
    )

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "System check identified no issues (0 silenced).\n"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_URL"])
def test_check_deploy_names_a_missing_variable(tmp_path, missing):
    variables = {name: value for name, value in PRODUCTION.items() if name != missing}

    result = _goedeburen(tmp_path, "check", "--deploy", **variables)

    assert result.returncode == 1
    assert result.stderr.startswith(f"goedeburen: {missing} must be set when DEBUG is off: ")
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mailer:password@mail.example.org:587/?tls=True", {"EMAIL_USE_TLS": True}),
        ("smtp://mailer:password@mail.example.org:465/?ssl=true", {"EMAIL_USE_SSL": True}),
        ("smtp://mail.example.org:25/?tls=False", {"EMAIL_USE_TLS": False}),
        ("smtp://mail.example.org:587/?email_use_tls=False", {"EMAIL_USE_TLS": False}),
        ("smtp+tls://mailer:password@mail.example.org:587", {"EMAIL_USE_TLS": True}),
        ("smtp://mail.example.org:25", {}),
    ],
)
def test_email_url_turns_tls_and_ssl_into_djangos_settings(url, expected):
    # The documented ?tls=True must switch STARTTLS on: django-environ alone kept it as an
    # unused option, and "False" as a string that Django reads as true.
    config = _email_settings(url)

    assert {k: v for k, v in config.items() if k.startswith("EMAIL_USE_")} == expected
    assert "OPTIONS" not in config


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("tsl=True", "EMAIL_URL has options this site does not read: tsl "),
        ("tls=maybe", "EMAIL_URL: tls= takes True or False, not 'maybe'."),
        ("tls=True&ssl=True", "EMAIL_URL: give tls=True or ssl=True, not both."),
    ],
)
def test_email_url_with_an_option_it_cannot_read_stops_the_site_and_says_so(
    tmp_path, query, message
):
    variables = {**PRODUCTION, "EMAIL_URL": f"smtp://mailer:pw@mail.example.org:587/?{query}"}

    result = _goedeburen(
        tmp_path,
        "check",
        "--deploy",
        **variables,
        PYTHONPATH=str(Path(goedeburen.__file__).parents[1]),
    )

    assert result.returncode == 1
    assert result.stderr.startswith(f"goedeburen: {message}")
    assert "Traceback" not in result.stderr


# Run under the production settings: collect the static files as a deploy does, then ask the
# application (WhiteNoise in front) for a stylesheet by its hashed and its plain name.
STATIC_HEADERS = """
import json
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client

call_command("collectstatic", interactive=False, verbosity=0)
client = Client(HTTP_HOST="goedeburen.example.org", HTTP_ACCEPT_ENCODING="gzip")
found = {}
for name in ("goedeburen/styles.css", "goedeburen/favicon.svg"):
    for url in (static(name), "/static/" + name):
        response = client.get(url, secure=True)
        found[url] = [
            response.status_code,
            response.headers.get("Cache-Control"),
            response.headers.get("Content-Encoding"),
        ]
print(json.dumps(found))
"""


def test_hashed_static_files_are_cached_for_good_under_production_settings(tmp_path):
    # A file whose name holds a hash of its content never changes: browsers keep it for a
    # year or more and do not ask again. The plain name may change with the next deploy.
    result = _goedeburen(
        tmp_path,
        "shell",
        "--no-imports",
        "--command",
        STATIC_HEADERS,
        **PRODUCTION,
        GOEDEBUREN_VAR_DIR=str(tmp_path / "var"),
        # The same source as this test process imports (a worktree's src/, say).
        PYTHONPATH=str(Path(goedeburen.__file__).parents[1]),
    )
    assert (result.returncode, result.stderr) == (0, "")
    found = json.loads(result.stdout)

    # Each asked for by its hashed name (/static/goedeburen/styles.<12 hex>.css) and its plain one.
    hashed = [url for url in found if re.search(r"\.[0-9a-f]{12}\.\w+$", url)]
    assert len(hashed) == 2
    forever = [200, "max-age=315360000, public, immutable", "gzip"]
    assert [found[url] for url in hashed] == [forever, forever]
    assert found["/static/goedeburen/styles.css"] == [200, "max-age=60, public", "gzip"]


# A newcomer's checkout: no variables at all, the demo's SQLite under var/.
def _newcomer(tmp_path, *args: str, **variables: str) -> subprocess.CompletedProcess:
    return _goedeburen(
        tmp_path,
        *args,
        GOEDEBUREN_VAR_DIR=str(tmp_path / "var"),
        PYTHONPATH=str(Path(goedeburen.__file__).parents[1]),
        **variables,
    )


def test_a_command_that_serves_no_page_runs_on_the_checkouts_own_data_without_variables(
    tmp_path,
):
    migrated = _newcomer(tmp_path, "migrate", "--noinput", "--verbosity", "0")
    assert (migrated.returncode, migrated.stderr) == (0, "")
    counted = _newcomer(tmp_path, "recount")

    assert (counted.returncode, counted.stderr) == (0, "")
    assert counted.stdout.strip() == "0 differences."
    # The key `make run` (DEBUG on) keeps there too, readable only by its owner.
    key = tmp_path / "var" / "secret_key"
    assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_text().strip()) >= 50


@pytest.mark.parametrize(
    ("args", "variables"),
    [
        pytest.param(("serve",), {}, id="serving"),
        pytest.param(("runserver",), {}, id="runserver"),
        pytest.param(("check", "--deploy"), {}, id="check-deploy"),
        pytest.param(("recount",), {"DATABASE_URL": PRODUCTION["DATABASE_URL"]}, id="database"),
        pytest.param(("recount",), {"DEBUG": "false"}, id="debug-said-off"),
    ],
)
def test_serving_a_deployments_database_or_debug_said_off_still_need_the_secret_key(
    tmp_path, args, variables
):
    result = _newcomer(tmp_path, *args, **variables)

    assert result.returncode == 1
    assert result.stderr.startswith("goedeburen: SECRET_KEY must be set when DEBUG is off: ")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "var" / "secret_key").exists()
