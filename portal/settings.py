"""Settings of the campaign portal, read from the environment.

Every variable is parsed strictly: a malformed value stops start-up with a message that names
the variable, rather than running with a silently wrong configuration.
With nothing set, the portal runs on the embedded default: SQLite and a filesystem broker
under ``var/``, so ``make run`` needs no server.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false, 1/0), not {raw!r}.")


def env_int(name, default, minimum=None):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    return value


def env_text(name, default, max_length):
    """A line of text shown to users: no control characters, at most ``max_length`` long."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip()
    if any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in value):
        raise ImproperlyConfigured(f"{name} must be one line of text without control characters.")
    if len(value) > max_length:
        raise ImproperlyConfigured(
            f"{name} must be at most {max_length} characters long, not {len(value)}."
        )
    return value


def env_list(name, default):
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_due(name, default):
    """A weekly deadline as (days after the week's Monday, "HH:MM"), from "<days> <HH:MM>":
    "4 17:00" is the week's Friday at 17:00, "7 12:00" the next Monday at noon."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    parts = raw.split()
    try:
        days, clock = int(parts[0]), parts[1]
        hour, minute = (int(x) for x in clock.split(":"))
    except (IndexError, ValueError):
        raise ImproperlyConfigured(
            f'{name} must be "<days after Monday> <HH:MM>", e.g. "4 17:00", not {raw!r}.'
        ) from None
    if len(parts) != 2 or not (0 <= days <= 13 and 0 <= hour <= 23 and 0 <= minute <= 59):
        raise ImproperlyConfigured(
            f"{name}: days 0-13 after the week's Monday and a time 00:00-23:59, not {raw!r}."
        )
    return (days, f"{hour:02d}:{minute:02d}")


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (make run sets DEBUG=true for development)."
        )
    # Development only: never used when DEBUG is off.
    SECRET_KEY = "dev-only-insecure-key-campaign-portal-not-for-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "axes",
    "csp",
    "django_filters",
    "django_celery_beat",
    "core",
    "campaign",
    "hazards",
    "inspections",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.DomainErrorMiddleware",
    # Last, so that it sees the authenticated user and the response of a failed login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "django.template.context_processors.i18n",
                "portal.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
_default_db = f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL") or _default_db)}
except Exception as exc:  # dj-database-url raises several types for a bad URL
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded run has web, worker and beat writing at once: WAL and a generous busy
    # timeout keep SQLite from answering "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so that a Celery worker started by a test sees the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60, minimum=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- People and access ----------------------------------------------------------------------
AUTH_USER_MODEL = "campaign.User"
# The unit model core's job runs, notifications and audit entries point at (the organisation
# tree); core names it only through this setting, as it names users through AUTH_USER_MODEL.
CORE_UNIT_MODEL = "campaign.OrgUnit"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row, nobody anonymous sees anything
GUARDIAN_MONKEY_PATCH_USER = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "campaign:workbench"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock a user name from one address after repeated failures, for a finite time…
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# …and an address after this many wrong passwords across user names (portal/axes.py).
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 30, minimum=1)
AXES_HANDLER = "portal.axes.PortalAxesHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Sessions end after this long without a request (idle timeout).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Production hardening (all on unless DEBUG) ---------------------------------------------
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# /healthz is probed over plain HTTP by load balancers.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content Security Policy, on in every mode so that tests meet what production enforces:
# nothing is loaded from another host and no inline script runs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Numbers with a comma every three digits in Chinese too (intcomma; portal/formats).
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end packages come from npm (make assets) and are served from here, never from a CDN.
_NODE = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", _NODE / "bootstrap" / "dist"),
    ("vendor/htmx", _NODE / "htmx.org" / "dist"),
    ("vendor/chartjs", _NODE / "chart.js" / "dist"),
    # axe-core is a development package: the browser tests inject it into every page they
    # visit; no template loads it, and an install without dev packages leaves it out.
    ("vendor/axe-core", _NODE / "axe-core"),
]
STATICFILES_DIRS = [d for d in STATICFILES_DIRS if (d[1] if isinstance(d, tuple) else d).exists()]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded and produced files live outside the web root and are served only by
# permission-checked views; there is deliberately no MEDIA_URL route.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "files"))
MEDIA_URL = "/files-are-not-served-directly/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "campaign-portal@localhost")
# Daily e-mail digest of notifications: on when set, otherwise on whenever real mail is set up.
HAZARD_EMAIL_DIGEST = env_bool("HAZARD_EMAIL_DIGEST", None)
# Where the portal is reached, for full links in e-mails, e.g. https://anquan.example.gov.cn
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "").rstrip("/")

# --- Celery ---------------------------------------------------------------------------------
# The embedded broker's folder; a test moves it to a private folder of its own.
BROKER_DIR = Path(os.environ.get("CELERY_FS_BROKER_DIR") or VAR_DIR / "broker")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "filesystem://"
if not CELERY_BROKER_URL.startswith(("filesystem://", "redis://", "rediss://", "amqp://")):
    raise ImproperlyConfigured(
        "CELERY_BROKER_URL must start with filesystem://, redis://, rediss:// or amqp://, "
        f"not {CELERY_BROKER_URL!r}."
    )
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        # kombu's default is a relative "control" folder in whatever directory we run from.
        "control_folder": str(BROKER_DIR / "control"),
    }
    if CELERY_BROKER_URL.startswith("filesystem://")
    else {"visibility_timeout": 3600}
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu writes messages into these folders but does not create them.
    for _folder in ("queue", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True  # results live in JobRun rows, not in a result backend
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Run tasks inline only when a test asks for it explicitly; the default is a real broker.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)

# A worker that has not written its heartbeat for this long counts as gone in /healthz.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 30, minimum=5)
WORKER_STALE_SECONDS = env_int("WORKER_STALE_SECONDS", 120, minimum=10)

# Job runs (docs/decisions.md): a worker holds a run for a lease it extends every third of it;
# a run whose lease ran out (its worker died) is re-queued by the sweeper, which runs every
# JOB_SWEEP_SECONDS, until it has been started JOB_MAX_ATTEMPTS times, then it fails.
# A transient database error also counts as an attempt, retried with backoff.
JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 120, minimum=2)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3, minimum=1)
JOB_SWEEP_SECONDS = env_int("JOB_SWEEP_SECONDS", 60, minimum=5)

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

PORTAL_NAME = _("Campus and school-bus safety campaign")
# The issuing bureau, named above the portal's name in every page's header and at its foot
# (UI.md). A proper name, so it is not translated; PORTAL_BUREAU_EN is shown instead in the
# English interface when set. Development runs default to the demo data's bureau; a
# production site names its own (left empty, the header shows the portal's name alone).
_DEMO_BUREAU = DEBUG and "PORTAL_BUREAU" not in os.environ
PORTAL_BUREAU = env_text("PORTAL_BUREAU", "南通市教育局" if _DEMO_BUREAU else "", max_length=60)
PORTAL_BUREAU_EN = env_text(
    "PORTAL_BUREAU_EN",
    "Nantong Municipal Education Bureau" if _DEMO_BUREAU else PORTAL_BUREAU,
    max_length=120,
)

# --- Unannounced inspections ----------------------------------------------------------------
# The office that issues circulars (通报) in the leading group's name, and the prefix of their
# document numbers: 通教安督〔2019〕3号, numbered per city and year without gaps. Proper names,
# set per deployment.
INSPECTION_ISSUING_OFFICE = env_text(
    "INSPECTION_ISSUING_OFFICE",
    "南通市校园和校车安全专项整治工作领导小组办公室" if _DEMO_BUREAU else "",
    max_length=100,
)
INSPECTION_DOC_PREFIX = env_text(
    "INSPECTION_DOC_PREFIX", "通教安督" if _DEMO_BUREAU else "", max_length=20
)
# Days a circular gives the schools to rectify what it lists (the draft's default deadline).
INSPECTION_DEADLINE_DAYS = env_int("INSPECTION_DEADLINE_DAYS", 30, minimum=1)

# --- The reporting systems (reporting/) ---
# Weekly reports (S10), per ISO week in TIME_ZONE: a school's is due on the week's Friday at
# 17:00, a county's on the next Monday at 12:00.
REPORTING_WEEKLY_SCHOOL_DUE = env_due("REPORTING_WEEKLY_SCHOOL_DUE", (4, "17:00"))
REPORTING_WEEKLY_COUNTY_DUE = env_due("REPORTING_WEEKLY_COUNTY_DUE", (7, "12:00"))
# The monthly hazard list for the provincial system (S11): prepared on this day of the month,
# due before the 1st of the next. The uploader: "file" (county staff upload it and confirm
# with the receipt number) or "http" (POSTed to REPORTING_UPLOAD_URL).
REPORTING_MONTHLY_PREPARE_DAY = env_int("REPORTING_MONTHLY_PREPARE_DAY", 25, minimum=1)
if REPORTING_MONTHLY_PREPARE_DAY > 28:
    raise ImproperlyConfigured("REPORTING_MONTHLY_PREPARE_DAY must be from 1 to 28.")
REPORTING_UPLOADER = os.environ.get("REPORTING_UPLOADER", "file")
if REPORTING_UPLOADER not in ("file", "http"):
    raise ImproperlyConfigured(
        f'REPORTING_UPLOADER must be "file" or "http", not {REPORTING_UPLOADER!r}.'
    )
REPORTING_UPLOAD_URL = os.environ.get("REPORTING_UPLOAD_URL", "")
if REPORTING_UPLOADER == "http" and not REPORTING_UPLOAD_URL:
    raise ImproperlyConfigured("REPORTING_UPLOADER=http needs REPORTING_UPLOAD_URL.")
REPORTING_UPLOAD_TOKEN = os.environ.get("REPORTING_UPLOAD_TOKEN", "")
REPORTING_UPLOAD_TIMEOUT_SECONDS = env_int("REPORTING_UPLOAD_TIMEOUT_SECONDS", 30, minimum=1)
REPORTING_UPLOAD_MAX_ATTEMPTS = env_int("REPORTING_UPLOAD_MAX_ATTEMPTS", 4, minimum=1)
# Student casualty incidents (S1): minutes from learning of an incident to reporting it to
# the next level (a school to its county, a county to the city). A death or serious injury
# must be reported within the hour; other incidents within a day.
INCIDENT_REPORT_LIMITS = {
    "serious": env_int("INCIDENT_REPORT_LIMIT_SERIOUS_MINUTES", 60, minimum=1),
    "other": env_int("INCIDENT_REPORT_LIMIT_OTHER_MINUTES", 24 * 60, minimum=1),
}
# Campaign briefings (S13) are issued by INSPECTION_ISSUING_OFFICE too (the leading group's office).
