"""Settings for the scrutiny tracker.

Everything that differs between a laptop and a council's server comes from the
environment (django-environ: one well-kept parser for DATABASE_URL, booleans and
lists instead of hand-written os.environ plumbing). With nothing set, the app runs
in development mode on an embedded SQLite database.
"""

import ipaddress
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# The fallback key is only ever usable with DEBUG on: production must set SECRET_KEY.
# Without a key, commands that sign nothing (check, makemigrations, migrate) still run,
# but the app will not serve: scrutiny.wsgi and scrutiny.asgi refuse to start, and
# anything that signs (sessions, CSRF, password resets) raises ImproperlyConfigured.
_DEV_SECRET_KEY = "development-only-insecure-key-never-use-in-production"
SECRET_KEY = env("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_forms_gds",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "tracker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # WhiteNoise serves the collected static files from gunicorn: no separate web server needed.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Responses a proxy may keep (the public register's) go out without cookies.
    "scrutiny.middleware.PublicResponsesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Around everything that answers a signed-in person: "Cache-Control: private, no-store".
    "scrutiny.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A form in an encoding other than UTF-8 gets a 400 page before the CSRF check reads it.
    "scrutiny.middleware.UnreadableFormMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "tracker.middleware.NumberOutOfRangeMiddleware",
    "tracker.middleware.NulInAdminFilterMiddleware",
    # A lost database connection answers 503 "try again", not the server-error page.
    "tracker.unavailable.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into a clear refusal.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "scrutiny.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tracker.context_processors.council",
            ],
        },
    },
]

WSGI_APPLICATION = "scrutiny.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Every write is one transaction in tracker.services; pages that only read need none.
# Connections are kept for a minute and checked before each request, so the app carries
# on by itself after the database restarts.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database queues writers instead of failing them ("database is locked"):
    # a write transaction takes the lock when it begins (BEGIN IMMEDIATE), so two writers
    # never deadlock upgrading a read; a writer waits up to 30 s for its turn; and the
    # write-ahead log lets pages read while someone writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # GOV.UK Frontend from npm (package.json, installed by bin/setup), served as /static/govuk/.
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

# Files attached to evidence are kept through Django's storage API, where FILE_STORAGE says:
# "filesystem" (the default): in MEDIA_ROOT, on this machine's disk;
# "database": in the database itself (tracker.storage), so every app server reads them and
#   pg_dump backs them up with the rows: for more than one machine without a bucket;
# "s3" (the default when ATTACHMENTS_S3_BUCKET is set): in an S3-compatible bucket
#   (django-storages), kept private and read back through the app.
ATTACHMENTS_S3_BUCKET = env("ATTACHMENTS_S3_BUCKET", default="")
FILE_STORAGE = env("FILE_STORAGE", default="s3" if ATTACHMENTS_S3_BUCKET else "filesystem").strip().lower()
if FILE_STORAGE not in ("filesystem", "database", "s3"):
    raise ImproperlyConfigured(f"FILE_STORAGE must be filesystem, database or s3, not {FILE_STORAGE!r}")
if (FILE_STORAGE == "s3") != bool(ATTACHMENTS_S3_BUCKET):
    raise ImproperlyConfigured(
        "FILE_STORAGE=s3 needs ATTACHMENTS_S3_BUCKET" if FILE_STORAGE == "s3" else
        f"ATTACHMENTS_S3_BUCKET is set but FILE_STORAGE is {FILE_STORAGE}: unset one of them"
    )
if FILE_STORAGE == "s3":
    _DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": ATTACHMENTS_S3_BUCKET,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "location": env("ATTACHMENTS_S3_PREFIX", default=""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif FILE_STORAGE == "database":
    _DEFAULT_STORAGE = {"BACKEND": "tracker.storage.DatabaseStorage"}
else:
    _DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
# The largest file that may be attached (bytes); the form says it in words ("smaller than 10 MB").
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
# An upload above this is written to a temporary file instead of held in memory; the rest of a
# form (its fields, not its files) may be at most DATA_UPLOAD_MAX_MEMORY_SIZE.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o640

STORAGES = {
    "default": _DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The open data API (/api/v1/, tracker.api): read-only public facts for anyone, so no sign-in,
# no session, no cookie; JSON only (machines read it; people have the public register).
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Scrutiny tracking open data",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "The published facts of the council's scrutiny recommendations, for anyone to read and reuse: "
        "committees, inquiries, recommendations, meetings, evidence of progress, assessments, categories "
        "and published meeting packs. Only what the council has published is here: evidence once a "
        "published pack printed it, proposals once their pack is out, decisions once the committee's "
        "decisions are recorded, and only for committees the council has put on its public register. "
        "Lists come 100 to a page (up to 1000 with page_size). To collect only what changed, ask for "
        "changed_since a date and time you last read. The same facts are also CSV files: "
        "recommendations.csv, evidence.csv, assessments.csv and meetings.csv."
    ),
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": False,
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="scrutiny@localhost")
# GOV.UK Notify (django-gov-notify), for councils that send with it: with an API key set, every
# e-mail goes through Notify's API instead of EMAIL_URL, as the plain text of a Notify template
# that has just ((subject)) and ((body)). Notify chooses the sender (DEFAULT_FROM_EMAIL is ignored).
GOVUK_NOTIFY_API_KEY = env("GOVUK_NOTIFY_API_KEY", default="")
GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID = env("GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID", default="")
if GOVUK_NOTIFY_API_KEY:
    if not GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID:
        raise ImproperlyConfigured(
            "GOVUK_NOTIFY_API_KEY is set: set GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID to the id of a Notify "
            "template whose subject is ((subject)) and whose body is ((body))."
        )
    EMAIL_BACKEND = "django_gov_notify.backends.NotifyEmailBackend"
# Where the service is, for the links in e-mails sent outside a request (reminders, the pack).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# How often a message that could not be delivered is tried before it is left as failed.
MESSAGE_ATTEMPTS = env.int("MESSAGE_ATTEMPTS", default=5)

# Background work (django-tasks, Django's tasks framework): tasks wait in the database (SQLite
# or PostgreSQL, whichever DATABASE_URL names) until `manage.py db_worker` runs them; bin/worker
# runs it, with the daily schedule (`manage.py run_schedule`). Several workers, on several
# machines, can share one PostgreSQL queue.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Security -------------------------------------------------------------------------
# Production defaults; DEBUG (local development on http://127.0.0.1) relaxes only what
# plain HTTP needs.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# A load balancer's health check may come over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
# The proxies (addresses or networks) whose X-Forwarded-For is believed when they pass a
# request on; the client's own address is the one sign-in lock-outs count
# (scrutiny.lockout.client_address). With none, every request's address is its REMOTE_ADDR.
TRUSTED_PROXIES = [
    proxy.strip()
    for proxy in env.list("TRUSTED_PROXIES", default=["127.0.0.1", "::1"] if BEHIND_PROXY else [])
    if proxy.strip()
]
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or network (e.g. 127.0.0.1,10.0.0.0/8)"
        ) from None
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Sessions end after a working day of inactivity and when the browser closes.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# How long a proxy or browser may keep a page of the public register (/public/) before asking again.
PUBLIC_CACHE_SECONDS = env.int("PUBLIC_CACHE_SECONDS", default=300)

# Content-Security-Policy (django-csp): everything is self-hosted, nothing inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Lock-out after repeated failed sign-ins (django-axes, scrutiny.lockout), counted by the
# client's own address (TRUSTED_PROXIES): 5 failures for one username from one address
# lock that pair, so a stranger elsewhere cannot lock a named person out; 20 failures from
# one address, whatever the usernames, lock that address. Each lasts 30 minutes.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=20)  # this project's, read by the handler
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "scrutiny.lockout.SignInLockoutHandler"
AXES_CLIENT_IP_CALLABLE = "scrutiny.lockout.client_address"
AXES_LOCKOUT_CALLABLE = "scrutiny.lockout.locked_out"
AXES_RESET_ON_SUCCESS = True

# A password reset link works once, for this long (seconds); the email says how long.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=2 * 60 * 60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# A record's history is read in the admin, never "reverted" there: a revert would skip the
# rules, the version check and the meeting cycle that tracker.services applies.
SIMPLE_HISTORY_REVERT_DISABLED = True
