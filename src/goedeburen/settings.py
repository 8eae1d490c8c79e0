"""Settings, read from the environment.

Safe for production by default: DEBUG is off, and then SECRET_KEY, ALLOWED_HOSTS and
EMAIL_URL must be set or the process refuses to start with a message that says which.
`make run` switches DEBUG on for the local demo. A management command that does not serve
the web, on the embedded SQLite (no DATABASE_URL), needs none of them either: it runs on the
checkout's own data with the key kept under var/ and mail to the console (`LOCAL`).
"""

import datetime as dt
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
VAR_DIR = Path(env.str("GOEDEBUREN_VAR_DIR", default=str(BASE_DIR / "var")))
# This checkout's own data: DEBUG on, or a command that serves no web page (`goedeburen`
# says so: `__main__.LOCAL_COMMAND`) on the embedded SQLite. A deployment has a
# DATABASE_URL, and then every process needs the deployment's SECRET_KEY: its sealed
# secrets open only with that key.
LOCAL = DEBUG or (
    env.bool("GOEDEBUREN_LOCAL_COMMAND", default=False) and not env.str("DATABASE_URL", default="")
)


def _required(name: str, hint: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is off: {hint}")
    return value


def _local_secret_key() -> str:
    """Return a per-checkout key under var/ so that a debug run needs no secret in the repo."""
    from django.core.management.utils import get_random_secret_key

    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


if LOCAL:
    SECRET_KEY = env.str("SECRET_KEY", default="") or _local_secret_key()
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
else:
    SECRET_KEY = _required("SECRET_KEY", "a long random string, e.g. from `openssl rand -hex 32`.")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[]) or [
        _required("ALLOWED_HOSTS", "the host names this site answers to, comma-separated.")
    ]

# Older keys still accepted after a key change (signed links, sealed outbox secrets).
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "rules.apps.AutodiscoverRulesConfig",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "goedeburen.common",
    "goedeburen.events",
    "goedeburen.registration",
    "goedeburen.payments",
    "goedeburen.mail",
    "goedeburen.matching",
    "goedeburen.accounts",
    "goedeburen.checkin",
    "goedeburen.privacy",
    "goedeburen.survey",
    "goedeburen.api",
    "goedeburen.public",
    "goedeburen.backoffice",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages go out compressed to a browser that asks (the programme: 114 KB, 12 KB gzipped),
    # whether or not a proxy in front compresses. After WhiteNoise, which sends the static
    # files compressed at build time; Django adds random padding against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # The API speaks what its client asks for in Accept-Language (Dutch otherwise).
    "goedeburen.api.middleware.ApiLanguageMiddleware",
    # After the language is known, so that the 400 page speaks it; before any view.
    "goedeburen.common.middleware.RefuseControlCharactersMiddleware",
    # Inside the language, so that the 405 page speaks it.
    "goedeburen.public.middleware.MethodNotAllowedPageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "goedeburen.backoffice.middleware.BackofficeSecurityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a lockout during sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "goedeburen.urls"
WSGI_APPLICATION = "goedeburen.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

# One DATABASE_URL; SQLite under var/ is the embedded default.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'goedeburen.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of deadlocking.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# The hot paths' compiled reads are prepared on the server once per connection
# (`common.prepared`); off behind a pooler in transaction mode (docs/scaling.md).
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

# Background work: the database backend (with `goedeburen worker`) unless Redis is configured.
if REDIS_URL:
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
    INSTALLED_APPS.append("django_rq")
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def _email_settings(url: str) -> dict:
    """Return Django's mail settings from EMAIL_URL, or refuse it with a message.

    `?tls=True` asks for STARTTLS (port 587), `?ssl=True` for TLS from the start (465), as
    the deploy guide says. django-environ knows these only as `email_use_tls` and
    `email_use_ssl` (and then as the strings "True" and "False", both true): it keeps
    `tls=True` as an unused option, and the mail went out without TLS, the password in
    clear. An option this site does not read is refused rather than ignored.
    """
    config = environ.Env.email_url_config(url)
    options = {key.lower(): str(value) for key, value in config.pop("OPTIONS", {}).items()}
    for short, name in (("tls", "EMAIL_USE_TLS"), ("ssl", "EMAIL_USE_SSL")):
        given = options.pop(short, None)
        if name in config:
            given = str(config[name])
        if given is None:
            continue
        if given.strip().lower() not in _TRUE | _FALSE:
            raise ImproperlyConfigured(f"EMAIL_URL: {short}= takes True or False, not {given!r}.")
        config[name] = given.strip().lower() in _TRUE
    if options:
        raise ImproperlyConfigured(
            f"EMAIL_URL has options this site does not read: {', '.join(sorted(options))} "
            "(it reads tls=True for STARTTLS or ssl=True for TLS from the start)."
        )
    if config.get("EMAIL_USE_TLS") and config.get("EMAIL_USE_SSL"):
        raise ImproperlyConfigured("EMAIL_URL: give tls=True or ssl=True, not both.")
    return config


# Mail: EMAIL_URL such as smtp://user:password@host:587/?tls=True; the console locally.
# A stuck SMTP server must not hold a worker forever (Django's default is no timeout).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    globals().update(_email_settings(EMAIL_URL))
elif LOCAL:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    _required("EMAIL_URL", "e.g. smtp://user:password@mail.example.org:587/?tls=True")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Goede buren <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where the site is reached from outside: links in mail are built on it (no request there).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Mollie: one API key per organiser (its short name), never in the repository:
# MOLLIE_API_KEYS="meedoen-naar-vermogen=test_abc…,other-organiser=live_def…". A key that
# starts with test_ makes test payments; the back office says which kind is in use.
MOLLIE_API_KEYS = env.dict("MOLLIE_API_KEYS", default={})
# Only for tests and local fakes of Mollie's API; empty means Mollie's own endpoint.
MOLLIE_API_ENDPOINT = env.str("MOLLIE_API_ENDPOINT", default="")
# Whether webhooks may go to loopback, private or link-local addresses (`api.webhooks`):
# on a local demo, or a site whose receivers are on its own network; never by default.
WEBHOOK_PRIVATE_ADDRESSES = env.bool("WEBHOOK_PRIVATE_ADDRESSES", default=DEBUG)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a sign-in while its user name and address are locked out.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "backoffice:login"
LOGIN_REDIRECT_URL = "backoffice:dashboard"
LOGOUT_REDIRECT_URL = "backoffice:login"

# Signing in (docs/deploy.md, "Signing in"). Ten wrong passwords for one user name from one
# address lock that pair out until the cool-down ends or an owner unlocks it; the lockout
# reads the same for a user name that does not exist.
AXES_FAILURE_LIMIT = 10
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=30))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "goedeburen.backoffice.views.auth.locked_out"
AXES_CLIENT_IP_CALLABLE = "goedeburen.accounts.network.client_ip"
AXES_VERBOSE = False
# The audit log records sign-ins; axes keeps only its counters, without what was typed.
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]
# How many proxies in front of the site add to X-Forwarded-For (nginx in docs/deploy.md: 1);
# 0 trusts only the connection's own address.
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)
# Seats one client address may book in an hour without paying online (free tickets, invoice,
# bank transfer); a registration past it awaits the organiser's approval
# (`registration.services.abuse`).
REGISTRATION_REVIEW_SEATS_PER_HOUR = env.int("REGISTRATION_REVIEW_SEATS_PER_HOUR", default=10)
# A session lasts 8 hours from sign-in at most, and 30 minutes without a request for roles
# that see money or special-category data (`backoffice.middleware`).
SESSION_COOKIE_AGE = 8 * 60 * 60
# Database sessions that take a cookie with a character no key has as no session (a NUL
# byte would reach PostgreSQL: a 500).
SESSION_ENGINE = "goedeburen.common.sessions"
SESSION_IDLE_SECONDS = 30 * 60
# Second factors (django-otp): TOTP apps, recovery codes, passkeys (django-otp-webauthn) as a
# second step after the password, never instead of it.
OTP_TOTP_ISSUER = "Goede buren"
# The Django admin neither shows an app's key nor draws its QR code: the key is sealed
# (`accounts.models.AppDevice`), and an app is set up in the back office.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
OTP_WEBAUTHN_RP_NAME = "Goede buren"
OTP_WEBAUTHN_RP_ID_CALLABLE = "goedeburen.accounts.network.webauthn_rp_id"
# The site's origin (https, or http://localhost for a local demo: browsers offer passkeys only
# on those, and never for an IP address such as 127.0.0.1).
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list(
    "WEBAUTHN_ORIGINS",
    default=[SITE_URL if SITE_URL.startswith("https://") else "http://localhost:8000"],
)
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
# An invitation to a team works this many days.
INVITATION_DAYS = 7
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Amsterdam"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# The package's own static folder: `goedeburen` is not an app, so no app finder looks there.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Files only a view may hand out after checking who asks (the publication): never under
# MEDIA_ROOT, which the web server serves to anyone. With PROTECTED_ACCEL_PREFIX set (e.g.
# "/protected/", an nginx `internal` location aliased to PROTECTED_ROOT) the view answers
# with X-Accel-Redirect and nginx sends the file; otherwise Django streams it.
PROTECTED_ROOT = Path(env.str("PROTECTED_ROOT", default=str(VAR_DIR / "protected")))
PROTECTED_ACCEL_PREFIX = env.str("PROTECTED_ACCEL_PREFIX", default="")
# A back-office export of more rows than this is made by the worker, with a progress page;
# its file is kept (under PROTECTED_ROOT) for EXPORT_FILE_HOURS, then deleted.
EXPORT_WORKER_ROWS = env.int("EXPORT_WORKER_ROWS", default=2000)
# A ZIP of invoices renders each one's PDF (2.6 ms each in bench/invoices.py): from this
# many on, by the worker.
EXPORT_WORKER_FILES = env.int("EXPORT_WORKER_FILES", default=200)
EXPORT_FILE_HOURS = env.int("EXPORT_FILE_HOURS", default=24)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# WhiteNoise serves a file by its hashed name (styles.<hash>.css, what {% static %} writes with
# the manifest storage) as `max-age=315360000, public, immutable`, and by its plain name for
# 60 s (WHITENOISE_MAX_AGE's default): tests/test_settings.py checks both.

# Security. Everything strict unless DEBUG; a TLS-terminating proxy sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
# What `check --deploy` asks for. A site whose domain has subdomains that are not (yet) all on
# HTTPS sets both to false, and then sees the two warnings that say what it gives up.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "goedeburen.public.views.errors.csrf_failure"  # the site's 403 page
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])

# No inline scripts or styles anywhere: every script and stylesheet is a static file.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Every line is written with the secrets of links masked (manage, participant … links: a
# "Not Found: /…/manage/<code>/<token>/" must not put the token in the log).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_secrets": {"()": "goedeburen.common.log_masking.MaskSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_secrets"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
    # Django's own request and server loggers write through the root's handler (masked).
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        # The MT940 library logs each field it cannot read as an error, with the field's
        # text (payers' names and IBANs); the import refuses such a file with its own message.
        "mt940": {"handlers": [], "level": "CRITICAL", "propagate": True},
    },
}

# The REST API (`goedeburen.api`): tokens for programs, the session for our own pages.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "goedeburen.api.rest.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["goedeburen.api.rest.ScopedPermission"],
    "DEFAULT_PAGINATION_CLASS": "goedeburen.api.rest.Pagination",
    "DEFAULT_THROTTLE_CLASSES": ["goedeburen.api.rest.TokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env.str("API_RATE", default="1200/min")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "goedeburen.api.errors.problem_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["goedeburen.api.rest.JSONParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Goede buren API",
    "DESCRIPTION": (
        "Events, programme, registrations, payments, invoices, mail, assignment and "
        "check-ins of one organiser. Authenticate with `Authorization: Bearer <token>`; "
        "errors are RFC 9457 problem details with a stable `code`."
    ),
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Programs use tokens; the session is for our own pages only, so it is not documented.
    "AUTHENTICATION_WHITELIST": ["goedeburen.api.rest.TokenAuthentication"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "goedeburen.api.schema.add_problem_responses",
    ],
}
