"""Settings shared by every environment. Environment variables are read through config.env."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "archive.admin_site.ArchiveAdminConfig",  # django.contrib.admin, with the archive's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "simple_history",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "archive",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "archive.middleware.RejectNulBytesMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Readers without a session get cached pages while the content version is unchanged.
    "archive.caching.PublicPageCacheMiddleware",
    # A 404 for a record that was public once answers 410 Gone, or 301 after a merge.
    "archive.tombstones.TombstoneMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "archive.middleware.DatabaseOutageMiddleware",
]

# Axes checks the lockout first; ModelBackend then checks the password. (Since django-axes 8,
# AxesBackend only checks the lockout and never authenticates, so on its own no password
# login could succeed.)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'archive.sqlite3'}"),
        # A new PostgreSQL connection costs a server process fork and an authentication
        # round trip on every request; production keeps each worker's connection (see
        # production.py). Health checks make a reused connection that died (database
        # restart) reconnect at the start of the next request instead of failing it.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
# More than one machine (docs/deployment.md): public reads from a streaming replica. The
# router sends them there and everything else (writes, the admin, sessions, a client's reads
# for DATABASE_REPLICA_LAG_SECONDS after it wrote) to the primary; see archive/db_routers.py.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
REPLICA_LAG_SECONDS = env_int("DATABASE_REPLICA_LAG_SECONDS", 10)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["archive.db_routers.ReplicaRouter"]
    MIDDLEWARE.insert(1, "archive.db_routers.ReplicaRoutingMiddleware")

# Public pages and API lists are cached until the archive changes (archive/caching.py).
# Each process keeps its own cache unless CACHE_URL names a Redis that every application
# server shares; either way the version that keys the cache is in the database.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
CACHE_URL = env_str("CACHE_URL", "")


def shared_cache(url: str) -> dict:
    """The Redis cache at ``url`` (redis://, rediss:// or unix://); anything else stops
    start-up. Short timeouts: a Redis that does not answer costs a request half a second
    and a cache miss (archive.caching.SharedPageCache fails open), never an error."""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"CACHE_URL={url!r} is not a Redis URL (redis://, rediss:// or unix://)."
        )
    return {
        "BACKEND": "archive.caching.SharedPageCache",
        "LOCATION": url,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }


CACHES = {
    "default": shared_cache(CACHE_URL)
    if CACHE_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
WHITENOISE_AUTOREFRESH = True  # overridden in production, where collectstatic runs
DATASET_ROOT = Path(env_str("DATASET_ROOT", str(VAR_DIR / "datasets")))
# Releases and the admin's uploads on S3-compatible object storage when STORAGE_BUCKET is set
# (archive/storage.py; docs/deployment.md, "Object storage"); otherwise on local disk, as on
# one machine: releases under DATASET_ROOT, uploads under var/uploads. Credentials come from
# the usual AWS variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) or the machine's role.
STORAGE_BUCKET = env_str("STORAGE_BUCKET", "")
_OBJECT_STORAGE = {
    "bucket_name": STORAGE_BUCKET,
    "endpoint_url": env_str("STORAGE_ENDPOINT_URL", "") or None,
    "region_name": env_str("STORAGE_REGION", "") or None,
    "addressing_style": env_str("STORAGE_ADDRESSING_STYLE", "") or None,
    # /downloads/ answers with a signed URL valid this long.
    "querystring_expire": env_int("STORAGE_URL_SECONDS", 600, minimum=1),
    "signature_version": "s3v4",  # AWS regions since 2014 and MinIO accept only SigV4
    "file_overwrite": True,
}
if STORAGE_BUCKET:
    from botocore.config import Config

    # An unreachable bucket costs a page that cites a release seconds, not minutes.
    _OBJECT_STORAGE["client_config"] = Config(
        connect_timeout=3, read_timeout=60, retries={"max_attempts": 3, "mode": "standard"}
    )
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "uploads": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**_OBJECT_STORAGE, "location": "uploads"},
        }
        if STORAGE_BUCKET
        else {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(VAR_DIR / "uploads")},
        }
    ),
}
if STORAGE_BUCKET:
    STORAGES["releases"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_OBJECT_STORAGE, "location": "releases"},
    }
# Large API downloads kept as files until the archive changes (archive/exports/kept.py):
# under var/exports on one machine, in the bucket's exports/ prefix when there is one.
STORAGES["exports"] = (
    {"BACKEND": "storages.backends.s3.S3Storage",
     "OPTIONS": {**_OBJECT_STORAGE, "location": "exports"}}
    if STORAGE_BUCKET
    else {"BACKEND": "django.core.files.storage.FileSystemStorage",
          "OPTIONS": {"location": str(VAR_DIR / "exports")}}
)  # fmt: skip
# A CSV or JSON Lines download of at least this many rows is kept, and served from the
# kept file until the archive changes; 0 keeps none.
EXPORT_KEEP_ROWS = env_int("EXPORT_KEEP_ROWS", 10_000)
# At most this many bytes of kept downloads per content version; past it, downloads stream
# without being kept until the archive changes.
EXPORT_KEEP_MAX_BYTES = env_int("EXPORT_KEEP_MAX_BYTES", 10 * 1024**3, minimum=1)
# Imports and release builds: inline, in the request or command, unless TASKS_BACKEND is
# "database" (a queue in the database, run by `manage.py db_worker`; archive/tasks.py).
TASKS_BACKEND = env_str("TASKS_BACKEND", "immediate").strip().lower()
_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND={TASKS_BACKEND!r} is not immediate or database.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND]}}
# Licence written into every data release (datapackage.json and README); see docs/data.md.
DATASET_LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
# Records per OAI-PMH ListRecords/ListIdentifiers response before a resumption token.
OAI_PAGE_SIZE = 100

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env_str("API_ANON_THROTTLE", "600/min")},
    "EXCEPTION_HANDLER": "archive.api.errors.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Archive of political publications API",
    "DESCRIPTION": "Read-only API over the archive's published records.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # A public read-only API: no security schemes, so the docs show no padlock or Authorize.
    "AUTHENTICATION_WHITELIST": [],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "archive.api.schema.document_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "PublicationKindEnum": "archive.models.publications.PublicationKind",
        "ArticleKindEnum": "archive.models.publications.ArticleKind",
        "OrganisationKindEnum": "archive.models.entities.OrganisationKind",
        "PlaceKindEnum": "archive.models.entities.PlaceKind",
        "EventKindEnum": "archive.models.events.EventKind",
    },
}

# Read-only cross-origin access for browser-based research tools.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["Content-Disposition", "Retry-After"]

# Content-Security-Policy (django-csp), sent in every environment so tests see what production
# sends. No inline scripts: script-src is 'self' plus a per-request nonce, which templates
# put on the rare <script> they need (e.g. JSON-LD data) as nonce="{{ request.csp_nonce }}".
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Five wrong passwords are answered with the normal error; the sixth locks the account out
# from that address for AXES_COOLOFF_TIME, and then even the right password is refused.
AXES_FAILURE_LIMIT = 6
AXES_COOLOFF_TIME = 1  # hours
AXES_RESET_ON_SUCCESS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"archive": {"handlers": ["console"], "level": "INFO"}},
}
