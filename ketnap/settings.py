"""Ketnap settings, driven by environment variables (Healthchecks style).

With nothing set: embedded SQLite at var/ketnap.sqlite3, DEBUG off.
DATABASE_URL=postgres://… switches to PostgreSQL.
"""

import json
import os
from pathlib import Path

import dj_database_url

from ketnap.settings_messages import MISSING_SECRET_KEY

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str = "False") -> bool:
    return os.getenv(name, default).strip().lower() in {"1", "true", "yes", "on"}


def envlist(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.getenv(name, default).split(",") if part.strip()]


DEBUG = envbool("DEBUG")
DEV_SECRET_KEY = "ketnap-development-key-not-for-production-use-0123456789abcdefghijklmnop"
# With DEBUG on (make demo, development) a missing key falls back to the development key; with DEBUG off the
# process refuses to start (`ketnap.cli`, `ketnap.wsgi`, and here for every other entry point).
SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(MISSING_SECRET_KEY)
    SECRET_KEY = DEV_SECRET_KEY

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_filters",
    "django_tables2",
    "csp",
    "axes",  # login throttling and lockout per account and per address
    "django_otp",  # two factors: TOTP apps and single-use backup codes
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "ketnap.core",
    "ketnap.accounts",
    "ketnap.orgs",
    "ketnap.people",
    "ketnap.interorg",
    "ketnap.targets",
    "ketnap.papers",  # the forms and letters as DOCX and PDF
    "ketnap.exchange",  # imports from Excel/CSV
    "ketnap.demo",  # `ketnap seed`
    "ketnap.bench",  # `ketnap bench`
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "ketnap.core.middleware.RejectNulMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ketnap.core.middleware.LoginRequiredMiddleware",
    "ketnap.core.middleware.PrivatePagesMiddleware",
    "ketnap.core.middleware.IdleSessionMiddleware",
    "ketnap.accounts.middleware.PasswordChangeRequiredMiddleware",
    "ketnap.accounts.middleware.TwoFactorMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the lockout page
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out account or address
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "ketnap.urls"
WSGI_APPLICATION = "ketnap.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "ketnap" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

VAR_DIR = Path(os.getenv("KETNAP_VAR_DIR", BASE_DIR / "var"))
DATABASE_URL = os.getenv("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # No JIT compilation for the pages' short queries: a list's first page read from an index whose total
        # cost the planner overestimates (it cannot tell the LIMIT stops early) was compiled for 240 ms to run
        # for 9 ms. The rollup rebuild's long aggregates turn it back on (targets.rollups).
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = (options.get("options", "") + " -c jit=off").strip()
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.getenv("SQLITE_PATH", str(VAR_DIR / "ketnap.sqlite3")),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA cache_size=-64000; PRAGMA temp_store=MEMORY;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "ketnap.accounts.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "ketnap.accounts.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "ketnap.accounts.password_validation.CommonPasswordValidator"},
    {"NAME": "ketnap.accounts.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/dang-nhap/"

# Login throttling (django-axes): after KETNAP_LOGIN_FAILURES wrong passwords an account — and, separately, an
# address — is locked for KETNAP_LOCKOUT_MINUTES; a success resets the count; an administrator can unlock.
AXES_FAILURE_LIMIT = int(os.getenv("KETNAP_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = int(os.getenv("KETNAP_LOCKOUT_MINUTES", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "ketnap.accounts.views.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
# Behind a reverse proxy, the number of proxies in front (their X-Forwarded-For) so the client's address counts.
AXES_IPWARE_PROXY_COUNT = int(os.getenv("KETNAP_PROXY_COUNT", "0")) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# Two factors (django-otp): required for the roles listed (comma separated; "all" for every user); optional for
# the others. `make demo` lists none, so the demo users log in without a phone.
KETNAP_2FA_REQUIRED_ROLES = [r.strip() for r in os.getenv("KETNAP_2FA_REQUIRED_ROLES", "committee,admin").split(",")
                             if r.strip()]  # fmt: skip
OTP_TOTP_ISSUER = "Ketnap"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
# Years and ids must never render as "2.026"; counts use |intcomma explicitly.
USE_THOUSAND_SEPARATOR = False
FORMAT_MODULE_PATH = ["ketnap.formats"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "ketnap" / "static"]
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", VAR_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and envbool("KETNAP_MANIFEST_STATIC", "True")
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# A session ends after this many minutes without a request (ketnap.core.middleware.IdleSessionMiddleware keeps it
# alive while the user works), and at the latest when the browser closes.
# Old keys still accepted for sessions, password-reset and signed values while a new SECRET_KEY takes over
# (docs/security.md, rotating keys).
SECRET_KEY_FALLBACKS = envlist("SECRET_KEY_FALLBACKS")
# The key of the audit log's anchored head (an HMAC over the row count and the last hash). Keep it outside the
# database; by default it is derived from SECRET_KEY, so rotating SECRET_KEY means re-anchoring.
KETNAP_AUDIT_KEY = os.getenv("KETNAP_AUDIT_KEY", "")

KETNAP_SESSION_IDLE_MINUTES = int(os.getenv("KETNAP_SESSION_IDLE_MINUTES", "60"))
SESSION_COOKIE_AGE = KETNAP_SESSION_IDLE_MINUTES * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts and everything else from this site only — no inline script, no
# eval; styles may be inline (Tabler's and htmx's indicator styles); nothing may frame the pages.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Permissions-Policy (ketnap.core.middleware.PrivatePagesMiddleware): no camera, microphone, location …
KETNAP_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
if envbool("KETNAP_HTTPS"):
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.getenv("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

EMAIL_BACKEND = os.getenv("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.getenv("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "ketnap@localhost")

# Parameters of the rule book that a deployment may change (JSON), e.g. '{"cert_validity_months": 60}'.
# The city on the place-and-date line of the papers (ketnap/papers).
KETNAP_PAPER_PLACE = os.getenv("KETNAP_PAPER_PLACE", "Thành phố Hồ Chí Minh")
KETNAP_RULE_PARAMS = json.loads(os.getenv("KETNAP_RULE_PARAMS", "") or "{}")

# Background work (large imports): django-tasks with its database backend, no broker. Worker: `ketnap db_worker`.
TASKS = {
    "default": {
        "BACKEND": os.getenv("KETNAP_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# An import with more data rows than this is checked and written by the worker, with a progress bar.
KETNAP_IMPORT_BACKGROUND_ROWS = int(os.getenv("KETNAP_IMPORT_BACKGROUND_ROWS", "300"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
DJANGO_TABLES2_PAGE_RANGE = 7

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
}
