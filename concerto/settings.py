"""Concerto settings, read from the environment (see README)."""

import datetime
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from concerto.core.env import env_bool, env_int, env_list, env_str, served_base_url

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key" if DEBUG else None)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "concerto.core",
    "concerto.organizations",
    "concerto.plans",
    "concerto.reports",
    "concerto.accounts",
    "concerto.notifications",
    "concerto.campaigns",
    "concerto.audit",
    "concerto.cases",
    "concerto.recommendations",
    "concerto.ciq",
    "concerto.opinions",
    "concerto.groups",
    "concerto.activities",
    "concerto.information",
    "concerto.backups",
    "concerto.pathway",
    "concerto.jobs",
    "concerto.api",
    "django_tasks",
    # The database queue of the background jobs, under a French name.
    "concerto.core.vendor_apps.TasksDatabaseConfig",
    "simple_history",
    # django-axes, under a French name (concerto.core.vendor_apps.AxesConfig).
    "concerto.core.vendor_apps.AxesConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files, served from the app processes before any other work.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "concerto.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records who made each change in the audit trail.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Must be last: locks out after repeated login failures.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "concerto.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "concerto" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "concerto.core.context_processors.language_switch",
                "concerto.plans.navigation.navigation",
            ],
        },
    },
]

# Every form is drawn the same way, in the design system (concerto.core.forms).
FORM_RENDERER = "concerto.core.forms.FormRenderer"

WSGI_APPLICATION = "concerto.wsgi.application"

_database_url = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
if DATABASES["default"]["ENGINE"] not in (
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
):
    raise ImproperlyConfigured("DATABASE_URL must be a sqlite:/// or postgres:// URL.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Statements run through concerto.core.sql.prepared_cursor (the measure
    # page's) are prepared on their first use, once per connection. The ORM's
    # cursors bind on the client: psycopg keeps count of their statements (at
    # most 100 per connection) but never prepares them. Behind a pooler in
    # transaction mode that does not follow prepared statements (PgBouncer
    # without max_prepared_statements), set CONCERTO_DB_PREPARE=false.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
        0 if env_bool("CONCERTO_DB_PREPARE", True) else None
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "concerto" / "locale"]
TIME_ZONE = "America/Toronto"
USE_I18N = True
USE_TZ = True

# Uploaded documents live outside the web root and are served only through
# views that check who may read them.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "documents")))
CONCERTO_UPLOAD_MAX_BYTES = 10 * 1024 * 1024

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [
    BASE_DIR / "concerto" / "static",
    # The Québec government design system, installed from npm by `make setup`.
    ("sdg", BASE_DIR / "node_modules" / "qc-trousse-sdg" / "dist"),
]

LOGIN_URL = "login"
# Everyone lands on what they must do; a `next` parameter still wins.
LOGIN_REDIRECT_URL = "my-tasks"
LOGOUT_REDIRECT_URL = "home"

# Sessions end after 8 hours, or when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login lockout (django-axes, with concerto.accounts.lockout), two counts over
# the same 15-minute window:
# - per account and address: 5 failures lock that account from that address
#   (someone guessing one person's password; the owner, from elsewhere or
#   after a password reset, still gets in);
# - per address, whatever the account: 30 failures lock every login from that
#   address (one address trying a few passwords on many accounts). 30 is well
#   above what a busy office behind one address produces by mistake: each
#   person stops at 5 on their own account, so it takes six people locked out
#   at once, or many more with a typo or two each, within 15 minutes; an
#   attacker is held to 30 guesses per 15 minutes per address instead of 5 per
#   account. 0 turns the per-address count off.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
CONCERTO_ADDRESS_FAILURE_LIMIT = env_int("CONCERTO_ADDRESS_FAILURE_LIMIT", 30)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "concerto.accounts.lockout.LockoutHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_LOCKOUT_CALLABLE = "concerto.accounts.lockout.lockout_response"

# E-mail goes through Django's backends: console by default, SMTP from the environment.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Concerto <concerto@opq.gouv.qc.ca>")

# Where people write about Concerto (the « Nous joindre » page); the sender
# address of Concerto's e-mails when empty.
CONCERTO_CONTACT_EMAIL = env_str("CONCERTO_CONTACT_EMAIL", "")

# Absolute address of the site, for links in e-mails and printed links (never
# the request's Host header). Set it in production. By default, the address
# the development server listens on: `make run HOST=… PORT=…` passes them as
# CONCERTO_SERVE_HOST and CONCERTO_SERVE_PORT (default 127.0.0.1:8000).
CONCERTO_BASE_URL = env_str("CONCERTO_BASE_URL", "") or served_base_url(
    env_str("CONCERTO_SERVE_HOST", "127.0.0.1"), env_int("CONCERTO_SERVE_PORT", 8000)
)
# Reminders are sent this many days before a campaign's deadline.
CONCERTO_REMINDER_DAYS = [int(d) for d in env_list("CONCERTO_REMINDER_DAYS", ["14", "3"])]

# Static files: in production, `collectstatic` writes compressed copies with
# hashed names, which WhiteNoise serves with far-future cache headers; in
# development they are found where they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "concerto.core.staticfiles.StaticFilesStorage"
        )
    },
}

# In development, WhiteNoise serves the files where they are and sees changes.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Security headers, everywhere. The Content-Security-Policy is set by
# concerto.core.middleware.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# In production Concerto is reached only over HTTPS, through a reverse proxy
# or load balancer that terminates TLS and sets X-Forwarded-Proto (and must
# strip it from clients). `make serve-prod` turns the redirect off to try the
# setup over plain HTTP on 127.0.0.1.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
if env_bool("BEHIND_TLS_PROXY", not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Monitoring may probe the health endpoint over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^sante/"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# The preload flag takes effect only once the domain's owner submits the
# domain to the browsers' preload list; turn it off where that is not wanted.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG

# Number of reverse proxies in front of the app that append to
# X-Forwarded-For: the client address used by the rate limits and the login
# lockout is the one the outermost trusted proxy saw. 0: REMOTE_ADDR.
CONCERTO_PROXY_COUNT = env_int("CONCERTO_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "concerto.core.ratelimit.client_address"

# Rate limits per client address, over one minute: the public API and the
# password reset form (which sends e-mail). 0 turns a limit off.
CONCERTO_API_RATE_LIMIT = env_int("CONCERTO_API_RATE_LIMIT", 120)
CONCERTO_PASSWORD_RESET_RATE_LIMIT = env_int("CONCERTO_PASSWORD_RESET_RATE_LIMIT", 5)

# Rendered public pages are kept per process, keyed by the state of the data
# they show (see concerto.core.pagecache), read again at most every
# CONCERTO_PAGE_FRESHNESS seconds: a change is public within that delay.
CONCERTO_PAGE_FRESHNESS = env_int("CONCERTO_PAGE_FRESHNESS", 1)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "concerto-pages",
        "TIMEOUT": 600,
        "OPTIONS": {"MAX_ENTRIES": env_int("CONCERTO_PAGE_CACHE_ENTRIES", 64)},
    },
}

# Background jobs (see concerto.jobs): Django's task framework with its
# database queue, run by `manage.py db_worker` on any node. A failed job is
# tried again CONCERTO_JOB_RETRY_DELAY seconds later (times the attempt
# number); one still running after CONCERTO_JOB_TIMEOUT seconds is taken for
# lost (its worker stopped) and may be queued again.
TASKS = {
    "default": {
        "BACKEND": env_str("CONCERTO_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
CONCERTO_JOB_RETRY_DELAY = env_int("CONCERTO_JOB_RETRY_DELAY", 10)
CONCERTO_JOB_TIMEOUT = env_int("CONCERTO_JOB_TIMEOUT", 3600)

# The plan shown on the home page; the most recent plan when empty.
CONCERTO_HOME_PLAN = env_str("CONCERTO_HOME_PLAN", "")
# Concerto's own key for the admission-pathway pseudonyms, kept outside the database (a file path).
CONCERTO_PATHWAY_KEY_FILE = env_str("CONCERTO_PATHWAY_KEY_FILE", "")
# Largest admission-pathway file an order may upload (a million rows weigh about 230 MiB).
CONCERTO_PATHWAY_UPLOAD_MAX_BYTES = env_int("CONCERTO_PATHWAY_UPLOAD_MAX_BYTES", 512 * 1024 * 1024)
# Labelled demonstration data (`load_demo`): on in development, never in
# production unless asked for explicitly (a training installation, say).
CONCERTO_DEMO_DATA = env_bool("CONCERTO_DEMO_DATA", DEBUG)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    # WeasyPrint logs every layout step at INFO.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
