"""Django settings for clientpm, read from the environment.

Every knob is a ``CLIENTPM_*`` environment variable (plus the conventional ``DATABASE_URL`` and
``REDIS_URL``); this module is the only place allowed to read the environment (ruff enforces it).
Set ``CLIENTPM_ENV=production`` to get production behaviour: DEBUG off, a mandatory secret key,
secure cookies and compressed static files.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

SRC_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("CLIENTPM_BASE_DIR", SRC_DIR.parent.parent)).resolve()
VAR_DIR = Path(os.environ.get("CLIENTPM_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

ENVIRONMENT = os.environ.get("CLIENTPM_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = os.environ.get("CLIENTPM_DEBUG", "0" if PRODUCTION else "1") == "1"


def _dev_secret_key() -> str:
    """A random key kept in var/ so development sessions survive restarts without a fixed secret."""
    path = VAR_DIR / "secret-key"
    if not path.exists():
        import secrets

        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


if PRODUCTION:
    SECRET_KEY = os.environ.get("CLIENTPM_SECRET_KEY", "")
    if len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "CLIENTPM_ENV=production needs CLIENTPM_SECRET_KEY (at least 32 characters)."
        )
else:
    SECRET_KEY = os.environ.get("CLIENTPM_SECRET_KEY") or _dev_secret_key()

ALLOWED_HOSTS = os.environ.get("CLIENTPM_ALLOWED_HOSTS", "" if PRODUCTION else "*").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CLIENTPM_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "clientpm.core",
    "clientpm.accounts",
    "clientpm.customers",
    "clientpm.projects",
    "clientpm.resources",
    "clientpm.interchange",
    "clientpm.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "clientpm.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "clientpm.core.middleware.AuditSourceMiddleware",
]

ROOT_URLCONF = "clientpm.urls"
WSGI_APPLICATION = "clientpm.wsgi.application"
ASGI_APPLICATION = "clientpm.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
# SQLite (WAL) is the embedded default; DATABASE_URL=postgres://… switches to PostgreSQL (psycopg 3,
# pooled). IMMEDIATE transactions stop SQLite writers from deadlocking on lock upgrades.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'clientpm.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    if os.environ.get("CLIENTPM_DB_POOL", "1") == "1":
        DATABASES["default"]["OPTIONS"] = {"pool": {"min_size": 1, "max_size": 20, "timeout": 10}}
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("CLIENTPM_TEST_DB_NAME")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time ------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [SRC_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True
DEFAULT_CURRENCY = "CNY"

# --- Static files (npm packages are served straight from node_modules) -----------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("CLIENTPM_STATIC_ROOT", BASE_DIR / "staticfiles"))
WHITENOISE_AUTOREFRESH = DEBUG  # development serves straight from the finders; no collectstatic needed
NODE_MODULES = Path(os.environ.get("CLIENTPM_NODE_MODULES", BASE_DIR / "node_modules"))
STATICFILES_DIRS = [
    SRC_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/sortablejs", NODE_MODULES / "sortablejs"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    ("vendor/frappe-gantt", NODE_MODULES / "frappe-gantt" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("CLIENTPM_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

# --- Security ---------------------------------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("CLIENTPM_MAX_BODY_BYTES", 2 * 1024 * 1024))
# Projects with more tasks than this are re-scheduled by a background job instead of in the request.
CLIENTPM_SCHEDULE_INLINE_MAX_TASKS = int(os.environ.get("CLIENTPM_SCHEDULE_INLINE_MAX_TASKS", 2000))
CLIENTPM_SIMULATION_INLINE_MAX = int(os.environ.get("CLIENTPM_SIMULATION_INLINE_MAX", 20_000_000))
CLIENTPM_IMPORT_MAX_BYTES = int(os.environ.get("CLIENTPM_IMPORT_MAX_BYTES", 20 * 1024 * 1024))
# Project documents: the largest upload and the file types accepted (comma-separated extensions).
CLIENTPM_MAX_DOCUMENT_BYTES = int(os.environ.get("CLIENTPM_MAX_DOCUMENT_BYTES", 25 * 1024 * 1024))
CLIENTPM_DOCUMENT_EXTENSIONS = tuple(
    e.strip().lower()
    for e in os.environ.get(
        "CLIENTPM_DOCUMENT_EXTENSIONS",
        "pdf,doc,docx,xls,xlsx,ppt,pptx,txt,md,csv,png,jpg,jpeg,gif,zip,vsd,vsdx,mpp,xml",
    ).split(",")
    if e.strip()
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("CLIENTPM_HSTS_SECONDS", "0"))

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("CLIENTPM_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("CLIENTPM_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("CLIENTPM_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("CLIENTPM_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CLIENTPM_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("CLIENTPM_EMAIL_TLS", "0") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("CLIENTPM_EMAIL_FROM", "clientpm <noreply@localhost>")

# --- Background jobs (Huey): SQLite storage by default, Redis when REDIS_URL is set -------------
REDIS_URL = os.environ.get("REDIS_URL", "")
HUEY_IMMEDIATE = os.environ.get("CLIENTPM_HUEY_IMMEDIATE", "0") == "1"
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "clientpm",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "clientpm",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
    }

# --- API --------------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 200

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CLIENTPM_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

ADMIN_SITE_HEADER = _("clientpm administration")
