"""Read the environment in one place, so every setting has one documented source.

Each variable is listed in ``docs/configuration.md`` with its development and production
defaults; a test checks that the two lists agree.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

#: Seconds a production worker keeps its database connection (``DATABASE_CONN_MAX_AGE``).
#: The search benchmark measures requests with it too: a new connection per request pays
#: the connection and the new backend's catalog reads on every request.
#: Counted from when the connection opened, not from its last use: at 60 s each of a
#: server's threads paid a new connection every minute, and a search on a new connection
#: took 15-30 ms longer (the search table's sixteen partitions and their indexes are read
#: into the new backend's catalog cache). Ten minutes makes that one request in hundreds;
#: a connection is health-checked before reuse either way.
PRODUCTION_CONN_MAX_AGE = 600

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}

# name -> one-line description; the docs test reads this mapping.
VARIABLES: dict[str, str] = {
    "DJANGO_SETTINGS_MODULE": "settings module: config.settings.local, .test or .production",
    "DATABASE_URL": "database, e.g. sqlite:///var/archive.sqlite3 or postgres://user@host/db",
    "SECRET_KEY": "cryptographic signing key; required in production",
    "DEBUG": "show tracebacks and serve static files from the app (never in production)",
    "ALLOWED_HOSTS": "comma-separated host names the site answers to",
    "CSRF_TRUSTED_ORIGINS": "comma-separated origins (scheme://host) trusted for unsafe requests",
    "API_ANON_THROTTLE": "anonymous API request rate, e.g. 120/min",
    "DATASET_ROOT": "folder where bulk data releases are written and served from",
    "SITE_URL": "absolute base URL used in citations, sitemaps and OAI-PMH identifiers",
    "PAGE_CACHE_SECONDS": "how long a cached public page or API list may live (0: no cache)",
    "DATABASE_CONN_MAX_AGE": "seconds a worker keeps its database connection open (0: per request)",
    "EXPORT_KEEP_ROWS": "rows from which an API download is kept until the archive changes",
    "EXPORT_KEEP_MAX_BYTES": "bytes of kept downloads per content version, at most",
    "STORAGE_BUCKET": "S3-compatible bucket: releases, uploads, kept downloads (empty: local disk)",
    "STORAGE_ENDPOINT_URL": "object storage endpoint, for S3-compatible services other than AWS",
    "STORAGE_REGION": "object storage region, e.g. eu-west-1",
    "STORAGE_ADDRESSING_STYLE": "object storage addressing: path or virtual (default: automatic)",
    "STORAGE_URL_SECONDS": "how long a signed download URL from object storage stays valid",
    "TASKS_BACKEND": "where imports and release builds run: immediate (inline) or database",
    "CACHE_URL": "Redis shared by every application server for the page cache (empty: per process)",
    "DATABASE_REPLICA_URL": "PostgreSQL streaming replica that serves public reads (empty: none)",
    "DATABASE_REPLICA_LAG_SECONDS": "seconds a client reads the primary after it wrote",
    "WEB_CONCURRENCY": "gunicorn worker processes (config/gunicorn.conf.py)",
    "GUNICORN_THREADS": "threads per gunicorn worker: requests one worker serves at once",
    "GUNICORN_TIMEOUT": "seconds a gunicorn worker may stop heartbeating before it is killed",
    "GUNICORN_STALL_TIMEOUT": "seconds a request may go without sending a byte before it is cut",
}


def env_str(name: str, default: str | None = None) -> str:
    """Return a string variable; raise a readable error if it is required and missing."""
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    """Return a boolean variable; an unrecognised value stops start-up."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false).")


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated list variable, ignoring blanks."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int, minimum: int = 0) -> int:
    """Return an integer variable; a non-number or a value below ``minimum`` stops start-up."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} is below the minimum {minimum}.")
    return value
