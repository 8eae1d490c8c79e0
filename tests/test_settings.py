"""The production settings, as an operator meets them: `goedeburen check --deploy`.

Each test runs the real command in a subprocess with only the variables it names, so
nothing from the test settings (which set DEBUG, SECRET_KEY … for the suite) leaks in.
"""

import os
import secrets
import subprocess
import sys

import pytest

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
