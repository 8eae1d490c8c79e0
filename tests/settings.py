"""Test settings: the production settings module with test-only values from the environment.

`scripts/run-tests` sets DATABASE_URL to PostgreSQL when one is reachable. Subprocesses
(the worker, gunicorn) started by tests use this module too, and GOEDEBUREN_TEST_DB_NAME
points them at the test database pytest-django created.
"""

import os
import tempfile

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("EMAIL_URL", "smtp://127.0.0.1:2525")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault("MEDIA_ROOT", os.path.join(tempfile.gettempdir(), "goedeburen-test-media"))

from goedeburen.settings import *  # noqa: E402, F403

_db = DATABASES["default"]  # noqa: F405
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that worker and server subprocesses see the same data.
    _db["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405
if os.environ.get("GOEDEBUREN_TEST_DB_NAME"):
    _db["NAME"] = os.environ["GOEDEBUREN_TEST_DB_NAME"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# TEST-ONLY: the negative control of tests/concurrency/test_registration_http.py starts
# gunicorn with this variable to switch the quota row lock off and show the quota oversold.
REGISTRATION_LOCK_QUOTAS = os.environ.get("GOEDEBUREN_TEST_NO_QUOTA_LOCK", "") != "1"
