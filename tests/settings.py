"""Test settings: the production settings module with test-only values from the environment.

`scripts/run-tests` sets DATABASE_URL to PostgreSQL when one is reachable. Subprocesses
(the worker, gunicorn) started by tests use this module too, and GOEDEBUREN_TEST_DB_NAME
points them at the test database pytest-django created.
"""

import os
import tempfile
import uuid

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("EMAIL_URL", "smtp://127.0.0.1:2525")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_COOKIES", "false")
# The tests' webhook receivers listen on 127.0.0.1 (tests/api/test_webhooks.py turns it off).
os.environ.setdefault("WEBHOOK_PRIVATE_ADDRESSES", "true")
os.environ.setdefault("MEDIA_ROOT", os.path.join(tempfile.gettempdir(), "goedeburen-test-media"))

from goedeburen.settings import *  # noqa: E402, F403

_db = DATABASES["default"]  # noqa: F405
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that worker and server subprocesses see the same data.
    _db["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405
if _db["ENGINE"] == "django.db.backends.postgresql":
    # Emptied by DELETE between transactional tests (tests/postgresql/base.py says why).
    _db["ENGINE"] = "tests.postgresql"
    # A commit need not wait for the disk: a test database is thrown away, never recovered.
    _db.setdefault("OPTIONS", {}).setdefault("options", "-c synchronous_commit=off")
if os.environ.get("GOEDEBUREN_TEST_DB_NAME"):
    _db["NAME"] = os.environ["GOEDEBUREN_TEST_DB_NAME"]

# Both task backends under aliases of their own, whatever REDIS_URL says, so that the worker
# tests can enqueue to either. The RQ one gets a queue of this test process's own (passed on
# to the worker subprocess in GOEDEBUREN_TEST_RQ_QUEUE), because Redis is shared with other
# test runs and workers. Not written to os.environ: xdist workers would inherit one name.
TEST_REDIS_URL = REDIS_URL or "redis://127.0.0.1:6379/0"  # noqa: F405
RQ_TEST_QUEUE = (
    os.environ.get("GOEDEBUREN_TEST_RQ_QUEUE") or f"goedeburen-test-{uuid.uuid4().hex[:12]}"
)
TASKS["database"] = {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}  # noqa: F405
TASKS["rq"] = {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [RQ_TEST_QUEUE]}  # noqa: F405
RQ_QUEUES = {
    **globals().get("RQ_QUEUES", {}),
    RQ_TEST_QUEUE: {"URL": TEST_REDIS_URL, "DEFAULT_TIMEOUT": 60},
}
if "django_rq" not in INSTALLED_APPS:  # noqa: F405
    INSTALLED_APPS.append("django_rq")  # noqa: F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The test seams (tests/seams.py): the negative control of
# tests/concurrency/test_registration_http.py starts gunicorn with
# GOEDEBUREN_TEST_NO_QUOTA_LOCK=1 to take the quota row lock away and show the quota oversold.
INSTALLED_APPS.append("tests.seams.SeamsConfig")  # noqa: F405
