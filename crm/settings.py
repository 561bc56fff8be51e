"""Settings of the IOD CRM.

One file, every value read from the environment (django-environ) with the embedded default.
``DEBUG`` defaults to False (fails closed): production settings, which refuse the built-in
secret key and a non-HTTPS ``SITE_URL``. ``DEBUG=True`` (set by ``make run``, the Procfile and
the tests) is the development setup on SQLite, a filesystem Celery broker and emails written to
files, with the demonstration and benchmark apps.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("CRM_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()


def _stop(variable: str, message: str) -> None:
    """Stop start-up with one clear line naming the variable (no traceback)."""
    sys.stderr.write(f"Configuration invalide : {variable} {message}\n")
    raise SystemExit(2)


DEBUG = env.bool("DEBUG", default=False)
# DEBUG as configured. The test runner forces settings.DEBUG to False while tests run, so what
# depends on the configuration (demo data, the second factor's enforcement) reads this one.
CRM_DEVELOPPEMENT = DEBUG

_DEV_SECRET = (
    "dev-only-insecure-key-3c1f1f1e0f2d4b5e9a7c6d8e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9"
)
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    _stop("SECRET_KEY", "est obligatoire quand DEBUG=False.")
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    _stop("SECRET_KEY", "est la clé de développement intégrée : interdite quand DEBUG=False.")

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "crm",
    "devis",
    "reclamations",
    "satisfaction",
    "pilotage",
    "rgpd",
    "courrier",
]
if DEBUG:
    # Demo data and the benchmark: development tools, absent from production settings.
    INSTALLED_APPS += ["demonstration", "banc"]
elif env.bool("CRM_BANC", default=False):
    # Only for the benchmark's own measuring process, which runs production settings.
    INSTALLED_APPS += ["banc"]
# Apps installed by configuration alone (the test suite adds its example app this way, see
# pyproject.toml): their contributions reach every page through crm/extensions.py.
CRM_APPLIS_SUPPLEMENTAIRES = env.list("CRM_APPLIS_SUPPLEMENTAIRES", default=[])
INSTALLED_APPS += CRM_APPLIS_SUPPLEMENTAIRES

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "crm.sessions.SessionGlissanteMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(), then the second factor's gate (crm.double_facteur).
    "django_otp.middleware.OTPMiddleware",
    "crm.double_facteur.DoubleFacteurMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"

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
                "crm.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
_DB_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql", "psql"}
_database_url = env.str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
if urlsplit(_database_url).scheme not in _DB_SCHEMES:
    _stop(
        "DATABASE_URL", f"doit commencer par sqlite:// ou postgres:// (reçu « {_database_url} »)."
    )
try:
    _db = environ.Env.db_url_config(_database_url)
except Exception as exc:  # django-environ raises several types on malformed URLs
    _stop("DATABASE_URL", f"est mal formée ({exc}).")
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at BEGIN,
    # so two writers queue (busy timeout) instead of failing with « database is locked ».
    _db.setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Tests use a file, not memory: a real worker or a second process must see the same data.
    # One file per test run, so that two runs on one machine never share it.
    _db["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}
else:
    _db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    _db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "accueil"
LOGOUT_REDIRECT_URL = "login"
# Inactivity timeout (sliding: activity pushes the expiry back, refreshed at most every
# CRM_SESSION_RAFRAICHISSEMENT seconds by crm.sessions so that most pages write nothing), and
# the session also ends when the browser closes and at logout. A deactivated user is refused on
# their next request (the backend's get_user checks is_active).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=2 * 3600)
SESSION_SAVE_EVERY_REQUEST = False
CRM_SESSION_RAFRAICHISSEMENT = env.int("CRM_SESSION_RAFRAICHISSEMENT", default=5 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Absolute lifetime: a session older than this ends whatever the activity (crm.sessions).
CRM_SESSION_DUREE_MAX = env.int("CRM_SESSION_DUREE_MAX", default=12 * 3600)
# Password-reset links are valid one hour (Django's default is three days).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)
# Password-reset requests allowed per client address and per typed email (crm.reinitialisation).
CRM_REINITIALISATION_LIMITE = env.str("CRM_REINITIALISATION_LIMITE", default="5/h")
# Second factor (django-otp, TOTP): a user with a confirmed device passes the code step after
# the password; with this on, a gérant without a device is sent to enrolment first.
CRM_DOUBLE_FACTEUR_OBLIGATOIRE = env.bool("CRM_DOUBLE_FACTEUR_OBLIGATOIRE", default=not DEBUG)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="IOD CRM")

# Login throttling (django-axes): 5 failures for one username lock it out for 15 minutes,
# from one address or spread over many (a distributed guess); failed second-factor codes count
# as failures (crm.double_facteur). The standalone backend comes first so a locked-out
# username never reaches the password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading the user of each request with their roles in one query.
    "crm.authentification.ModelBackendAvecRoles",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
# Reset by crm.double_facteur once the whole sign-in (password and, if any, code) succeeded:
# a reset at the password step would give whoever holds the password endless code guesses.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "registration/verrouillage.html"
AXES_USERNAME_FORM_FIELD = "username"
# Behind a reverse proxy every request comes from the proxy's address: with
# PROXY_DE_CONFIANCE=True the client's address is the one the proxy appended last to
# X-Forwarded-For (the proxy must append it, never pass a client's value alone). One function
# reads it for the login lockout and every rate limit (crm.reseau.adresse_client).
PROXY_DE_CONFIANCE = env.bool("PROXY_DE_CONFIANCE", default=False)
AXES_CLIENT_IP_CALLABLE = "crm.reseau.adresse_client"

# --- Locale ---------------------------------------------------------------------------------
LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
# No automatic thousands separator: it also reaches ids printed in templates (a link built as
# ?organisation={{ org.pk }} became « 1 096 » past 999 — found by a browser test). Amounts are
# formatted by the crm_tags « euros » filter, counts by « intcomma » where wanted.
USE_THOUSAND_SEPARATOR = False

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/fichiers/"  # never served directly: files go through views that check rights
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded files and their folders readable by the app's user alone (backups likewise).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Files prepared in the background (audit file, review, exports): deleted this many days after.
CRM_TRAVAUX_JOURS = env.int("CRM_TRAVAUX_JOURS", default=7)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- Email ----------------------------------------------------------------------------------
_email_url = env.str("EMAIL_URL", default=f"filemail://{VAR_DIR / 'emails'}")
try:
    vars().update(environ.Env.email_url_config(_email_url))
except Exception as exc:
    _stop("EMAIL_URL", f"est mal formée ({exc}).")
if urlsplit(_email_url).scheme == "filemail":
    # django-environ drops the leading slash of an absolute path; relative paths are the project's.
    _parts = urlsplit(_email_url)
    EMAIL_FILE_PATH = str(BASE_DIR / (_parts.netloc + _parts.path))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="IOD <contact@iod.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# The firm's mailbox, set as Reply-To on every email the app sends (the one IMAP_URL reads).
CRM_EMAIL_REPONDRE_A = env.str("EMAIL_REPONDRE_A", default="")

# --- Inbound email (courrier): the mailbox the CRM reads, none by default -------------------
# imaps://utilisateur:motdepasse@imap.exemple.fr:993/INBOX (imap:// for a local server; the
# password URL-encoded). With IMAP_OAUTH2_TOKEN (or IMAP_OAUTH2_TOKEN_FILE, read at each
# connection so a refresher can rotate it) the login is XOAUTH2 and the URL's password unused.
IMAP_URL = env.str("IMAP_URL", default="")
IMAP: dict[str, Any] | None = None
if IMAP_URL:
    _imap = urlsplit(IMAP_URL)
    if _imap.scheme not in {"imap", "imaps"}:
        _stop("IMAP_URL", f"doit commencer par imap:// ou imaps:// (reçu « {_imap.scheme}:// »).")
    try:
        IMAP = {
            "ssl": _imap.scheme == "imaps",
            "hote": _imap.hostname or "",
            "port": _imap.port or (993 if _imap.scheme == "imaps" else 143),
            "utilisateur": unquote(_imap.username or ""),
            "mot_de_passe": unquote(_imap.password or ""),
            "dossier": unquote(_imap.path.strip("/")) or "INBOX",
        }
    except ValueError as exc:
        _stop("IMAP_URL", f"est mal formée ({exc}).")
    if not IMAP or not IMAP["hote"] or not IMAP["utilisateur"]:
        _stop("IMAP_URL", "doit donner l'utilisateur et le serveur (imaps://utilisateur@serveur/).")
IMAP_OAUTH2_TOKEN = env.str("IMAP_OAUTH2_TOKEN", default="")
IMAP_OAUTH2_TOKEN_FILE = env.str("IMAP_OAUTH2_TOKEN_FILE", default="")
# Processed mail is flagged \Seen; with a folder name, it is moved there instead.
CRM_COURRIER_DOSSIER_TRAITES = env.str("CRM_COURRIER_DOSSIER_TRAITES", default="")
CRM_COURRIER_TAILLE_MAX_PJ = env.int("CRM_COURRIER_TAILLE_MAX_PJ", default=10 * 1024 * 1024)
# Above this size only the headers and the start of the text are read (attachments are not).
CRM_COURRIER_TAILLE_MAX_MESSAGE = env.int(
    "CRM_COURRIER_TAILLE_MAX_MESSAGE", default=25 * 1024 * 1024
)
CRM_COURRIER_DELAI_IMAP = env.int("CRM_COURRIER_DELAI_IMAP", default=30)
# Absolute links in emails (digest, survey, acceptance) are built from this base.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
if not DEBUG and not SITE_URL.startswith("https://"):
    _stop("SITE_URL", f"doit commencer par https:// quand DEBUG=False (reçu « {SITE_URL} »).")

# --- Cache (rate limits, throttling): shared through Redis in production ---------------------
if env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("REDIS_URL"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL and urlsplit(REDIS_URL).scheme not in {"redis", "rediss", "unix"}:
    _stop("REDIS_URL", f"doit commencer par redis:// ou rediss:// (reçu « {REDIS_URL} »).")
if REDIS_URL:
    try:
        _port = urlsplit(REDIS_URL).port
    except ValueError as exc:
        _stop("REDIS_URL", f"est mal formée ({exc}).")

CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message to be redelivered
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = False
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # The visibility timeout must exceed the longest task, or Redis redelivers a task that is
    # still running (the time limit above kills it long before).
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, int | str | bool] = {"visibility_timeout": 3600}
else:
    _celery_dir = VAR_DIR / "celery"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{_celery_dir / 'results'}"
CELERY_BEAT_SCHEDULE = {
    "regles-proc020-quotidiennes": {
        "task": "crm.tasks.appliquer_regles",
        "schedule": crontab(hour=7, minute=0),
    },
    "digest-hebdomadaire": {
        "task": "crm.tasks.envoyer_digests_hebdo",
        "schedule": crontab(hour=8, minute=0, day_of_week="mon"),
    },
    "emails-en-echec": {
        "task": "crm.tasks.reessayer_emails",
        "schedule": crontab(minute="*/10"),
    },
}
if IMAP_URL:
    CELERY_BEAT_SCHEDULE["relever-courrier"] = {
        "task": "courrier.tasks.relever",
        "schedule": crontab(minute="*/5"),
    }

# --- Business settings ----------------------------------------------------------------------
# Public holidays: metropolitan France by default; "57" (Moselle) or "6AE" (Alsace) for
# Alsace-Moselle, which adds Good Friday and 26 December.
CRM_JOURS_FERIES_SUBDIVISION = env.str("CRM_JOURS_FERIES_SUBDIVISION", default="") or None
CRM_RELANCE_JOURS_OUVRES = env.int("CRM_RELANCE_JOURS_OUVRES", default=5)
CRM_SANS_SUITE_MOIS = env.int("CRM_SANS_SUITE_MOIS", default=1)
CRM_DEMANDE_QUALIFICATION_JOURS_OUVRES = env.int(
    "CRM_DEMANDE_QUALIFICATION_JOURS_OUVRES", default=2
)
CRM_RECLAMATION_ACCUSE_JOURS_OUVRES = env.int("CRM_RECLAMATION_ACCUSE_JOURS_OUVRES", default=2)
CRM_RECLAMATION_REPONSE_JOURS_OUVRABLES = env.int(
    "CRM_RECLAMATION_REPONSE_JOURS_OUVRABLES", default=5
)
CRM_ENQUETE_VALIDITE_JOURS = env.int("CRM_ENQUETE_VALIDITE_JOURS", default=30)
# A quote's client link can be read this many days after the offer's validity date; then it
# answers « lien expiré » (devis.services.lien).
CRM_DEVIS_LIEN_CONSULTATION_JOURS = env.int("CRM_DEVIS_LIEN_CONSULTATION_JOURS", default=90)
CRM_EMAIL_ESSAIS_MAX = env.int("CRM_EMAIL_ESSAIS_MAX", default=6)
# Rules commit in batches of this size: short transactions, progress kept across a crash.
CRM_REGLES_LOT = env.int("CRM_REGLES_LOT", default=500)
# Lists count and page through this many rows at most (80 pages of 25): the cost of a page no
# longer grows with the history; beyond it, the list asks for a narrower search.
CRM_PAGINATION_LIMITE = env.int("CRM_PAGINATION_LIMITE", default=2_000)

# --- Forms, messages, logging ---------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
from django.contrib.messages import constants as _messages  # noqa: E402

MESSAGE_TAGS = {_messages.ERROR: "danger"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Public-link tokens never reach a log line (crm.journal): on the handler for every logger,
    # and on django.request itself so that any handler added to it gets masked records too.
    "filters": {"jetons": {"()": "crm.journal.MasqueJetons"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["jetons"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        # Its start-up banner on every command; lockouts and failures are still logged.
        "axes.apps": {"level": "WARNING"},
        "django.request": {"filters": ["jetons"]},
    },
}

# --- Security (production when DEBUG=False) -------------------------------------------------
# X-Forwarded-Proto is believed only from a declared proxy: otherwise any client could claim
# HTTPS by sending the header.
if PROXY_DE_CONFIANCE:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
# Cookies only over HTTPS in production; SECURE_COOKIES=False only for the loopback load test.
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True  # templates carry the token (forms, htmx's hx-headers)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp 4): only the app's own files, no inline script or style
# (templates hold none; htmx's indicator styles are switched off in base.html), no plugins,
# no framing. img-src allows data: URIs (Bootstrap's inline SVG icons in its CSS).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}
