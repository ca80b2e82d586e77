"""Cache public pages and API lists until the archive changes.

The public reads far more than curators write, and every page is a pure function of the
published records (plus the URL). So a rendered page or API list is cached under a key
that includes the **content version** (:class:`archive.models.ContentVersion`), a counter
that database triggers bump in the same transaction as any write to an archive table. When
a curator publishes, edits or merges anything, the version moves on and every cached
answer is simply never asked for again (the cache's own expiry and culling drop it). No
signal handler has to know which pages a record appears on, and writes that bypass Python
(``update()``, ``loaddata``, raw SQL, a restore) invalidate just the same.

What is cached:

* ``PublicPageCacheMiddleware``: ``GET`` of a public HTML/XML page by a reader without a
  session (curators previewing drafts carry a session cookie and always get a fresh page),
  answered 200 without setting a cookie and not marked private. Paths whose answer does
  not come only from the database are never cached: the admin, the API (cached per view,
  below, after its throttle), OAI-PMH (its responses carry the time of the request), the
  downloads and the data page (files on disk).
* :func:`cached_api_data`: the data of an API list page, after DRF has authenticated and
  throttled the request, so the API's rate limit still holds for cached answers.

The page's Content-Security-Policy nonce is per response: it is stored as a placeholder
and each cached answer gets the nonce of its own request.

``PAGE_CACHE_SECONDS`` (environment) bounds an entry's life; 0 switches caching off.

Where the cache lives is configuration (``CACHE_URL``): each process's memory by default,
or one Redis shared by every application server (:class:`SharedPageCache`). The keys are
the same either way; what makes a shared cache safe is that the version in a key is read
from the database the page is then rendered from (:func:`content_version`). A page is
therefore never cached under a version newer than the data it shows, even when public reads
go to a replica that lags behind the primary (archive/db_routers.py).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django.db import connections, router
from django.http import HttpRequest, HttpResponse

from archive.middleware import OUTAGE_ERRORS

logger = logging.getLogger(__name__)

NONCE_PLACEHOLDER = b"\x00csp-nonce\x00"
UNCACHED_PREFIXES = ("/admin/", "/api/", "/oai", "/downloads/", "/data/", "/static/", "/accounts/")
CACHED_CONTENT_TYPES = ("text/html", "application/xml", "text/xml", "text/plain")


def cache_seconds() -> int:
    return settings.PAGE_CACHE_SECONDS


def page_cache():
    return caches["default"]


def content_version(using: str | None = None) -> int:
    """The current content version: one primary-key read (0 if the row was flushed).

    Read from the database this request reads the archive from (the replica for a public
    read when one is configured), so a key never names a version newer than the data a page
    rendered under it shows: both reads see the same, monotonically advancing database.
    ``using`` reads it on that connection instead (an export's, in the export's snapshot).
    """
    from archive.models import ContentVersion

    using = using or router.db_for_read(ContentVersion)
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT value FROM archive_contentversion WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0


def versioned_key(kind: str, version: int, *parts: object) -> str:
    """A short cache key for something derived from the archive at content ``version``:
    any change moves the version, so nothing kept under an older one is read again. The
    parts are hashed, never truncated."""
    digest = hashlib.sha256("\n".join(map(str, parts)).encode()).hexdigest()[:40]
    return f"archive:{kind}:{version}:{digest}"


def cache_key(kind: str, version: int, request: HttpRequest, *extra: str) -> str:
    """A short key for a request (host and scheme included: pages hold absolute links)."""
    return versioned_key(kind, version, request.build_absolute_uri(), *extra)


def is_anonymous_reader(request: HttpRequest) -> bool:
    """No session cookie: not logged in, so the answer is the same for every such reader."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


class PublicPageCacheMiddleware:
    """Serve a reader's ``GET`` from the cache while the content version is unchanged."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.cacheable_request(request):
            return self.get_response(request)
        try:
            version = content_version()
        except OUTAGE_ERRORS:
            # Database down: let the view answer (a 503 from DatabaseOutageMiddleware).
            return self.get_response(request)
        key = cache_key("page", version, request)
        cache = page_cache()
        stored = cache.get(key)
        if stored is not None:
            return self.rebuild(stored, request)
        response = self.get_response(request)
        if self.cacheable_response(response):
            cache.set(key, self.freeze(response, request), cache_seconds())
            response["X-Cache"] = "miss"
        return response

    @staticmethod
    def cacheable_request(request: HttpRequest) -> bool:
        return (
            request.method == "GET"
            and cache_seconds() > 0
            and not request.path.startswith(UNCACHED_PREFIXES)
            and is_anonymous_reader(request)
        )

    @staticmethod
    def cacheable_response(response: HttpResponse) -> bool:
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        control = response.get("Cache-Control", "")
        if any(word in control for word in ("private", "no-store", "no-cache")):
            return False
        return response.get("Content-Type", "").startswith(CACHED_CONTENT_TYPES)

    @staticmethod
    def freeze(response: HttpResponse, request: HttpRequest) -> dict[str, Any]:
        content = response.content
        nonce = getattr(request, "_csp_nonce", None)
        if isinstance(nonce, str) and nonce:
            content = content.replace(nonce.encode(), NONCE_PLACEHOLDER)
        headers = [(k, v) for k, v in response.items() if k.lower() != "content-length"]
        return {"content": content, "headers": headers}

    @staticmethod
    def rebuild(stored: dict[str, Any], request: HttpRequest) -> HttpResponse:
        content = stored["content"]
        if NONCE_PLACEHOLDER in content:
            content = content.replace(NONCE_PLACEHOLDER, str(request.csp_nonce).encode())
        response = HttpResponse(content)
        for name, value in stored["headers"]:
            response[name] = value
        response["X-Cache"] = "hit"
        return response


def cached_api_data(request, key_extra: str, produce: Callable[[], tuple[Any, dict]]):
    """``(data, headers)`` of an API list answer, from the cache when the version allows.

    ``request`` is DRF's (already authenticated and throttled); staff sessions bypass the
    cache like on the pages. ``produce`` renders the answer when it is not cached.
    """
    if cache_seconds() <= 0 or not is_anonymous_reader(request._request):
        return produce()
    key = cache_key("api", content_version(), request._request, key_extra)
    cache = page_cache()
    stored = cache.get(key)
    if stored is not None:
        return stored
    answer = produce()
    cache.set(key, answer, cache_seconds())
    return answer


class SharedPageCache(RedisCache):
    """Django's Redis cache, shared by every application server, that fails open.

    The cache only saves work: when Redis is down, slow or restarting, a read is a miss and a
    write is skipped, so readers get freshly rendered pages instead of errors (and the API's
    rate limit, kept in the same cache, lets requests through rather than refusing them).
    The connection and socket timeouts in ``OPTIONS`` (settings) bound how long a request
    can wait for Redis before that happens.
    """

    @staticmethod
    def _try(operation: str, fallback: Any, method: Callable[..., Any], *args: Any) -> Any:
        from redis.exceptions import RedisError

        try:
            return method(*args)
        except (RedisError, OSError) as exc:
            logger.warning("Shared cache unavailable (%s skipped): %s", operation, exc)
            return fallback

    def get(self, key, default=None, version=None):
        return self._try("get", default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._try("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._try("has_key", False, super().has_key, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._try("set", None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try("set_many", list(data), super().set_many, data, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try("add", False, super().add, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._try("delete", False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        self._try("delete_many", None, super().delete_many, keys, version)

    def clear(self):
        return self._try("clear", False, super().clear)
