"""Production settings: fail closed. No default SECRET_KEY, HTTPS only, strict headers."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from config.env import PRODUCTION_CONN_MAX_AGE, env_bool, env_int, env_str

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY and not DEBUG:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Cookies travel over HTTPS only, are invisible to page scripts and stay on this site.
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# The Content-Security-Policy (no inline scripts; nonce for JSON-LD data blocks) is set in
# base.py so that every environment, and the test suite, sends the same header.
# Each worker keeps its database connection between requests (checked before reuse).
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", PRODUCTION_CONN_MAX_AGE)  # noqa: F405
if "replica" in DATABASES:  # noqa: F405
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]  # noqa: F405
# Without CACHE_URL each worker keeps its own in-memory cache of pages (archive/caching.py).
# The content version lives in the database, so every worker retires its pages at the same
# write. A file cache shared by the workers was measured too: its disk writes stalled
# requests for up to 0.75 s under load. LRU culling keeps the hot pages (lists, searches) in
# memory; 2,000 entries of typically 5-60 KB bound a worker's cache to well under 100 MB.
# With CACHE_URL (more than one machine) base.py's shared Redis cache is kept.
if not CACHE_URL:  # noqa: F405
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }
WHITENOISE_AUTOREFRESH = False
STORAGES = {
    **STORAGES,  # noqa: F405 (releases and uploads as configured)
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
