"""Request guards that turn infrastructure failures and hostile input into clean answers.

* ``RejectNulBytesMiddleware``: a NUL character (``%00``) in a query parameter is refused
  with HTTP 400 naming the parameter. PostgreSQL cannot store or compare NUL in text, so
  without this guard such a value reaches the driver and becomes a 500.
* ``DatabaseOutageMiddleware``: when the database is unreachable (restart, failover, network
  blip) a request fails with HTTP 503 and ``Retry-After`` instead of a 500 traceback page:
  a small HTML page for readers, the API's JSON error shape under ``/api/``. The broken
  connection is closed so the next request reconnects; the app never needs a restart.
* ``page_not_found``: the ``handler404`` view; JSON under ``/api/``, the site's page elsewhere.
* ``server_error``: the ``handler500`` view. Exceptions raised outside views (in other
  middleware, e.g. a session save) never reach ``process_exception``; Django hands them to
  ``handler500`` while the exception is still being handled, so the same 503 answer is
  given there too.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found as django_page_not_found
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger("archive.reliability")

RETRY_AFTER_SECONDS = 30
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)

OUTAGE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Temporarily unavailable</title></head>
<body><main>
<h1>The archive is temporarily unavailable</h1>
<p>Its database cannot be reached just now. Nothing you were reading has been lost:
please try again in a minute.</p>
</main></body></html>
"""


def is_api_request(request: HttpRequest) -> bool:
    """API clients get JSON errors; everyone else gets HTML."""
    return request.path.startswith("/api/")


def is_database_outage(exc: BaseException | None) -> bool:
    """True for errors that mean "cannot talk to the database", not "bad query".

    psycopg reports a refused or dropped connection (and an administrator shutdown) as
    ``OperationalError``; using a connection that already died raises ``InterfaceError``.
    Integrity and data errors are bugs or bad input and stay 500 / 400.
    """
    return isinstance(exc, OUTAGE_ERRORS)


def _close_broken_connections() -> None:
    """Drop connections that errored so the next request opens a fresh one."""
    for conn in connections.all(initialized_only=True):
        try:
            if conn.connection is not None and not conn.is_usable():
                conn.close()
        except DatabaseError:  # closing a dead socket can itself fail
            conn.connection = None


def api_error(status: int, parameter: str | None, code: str, message: str) -> JsonResponse:
    """The API's one error shape (docs/api.md "Errors"), for answers given outside DRF."""
    return JsonResponse(
        {"status": status, "errors": [{"parameter": parameter, "code": code, "message": message}]},
        status=status,
    )


def outage_response(request: HttpRequest) -> HttpResponse:
    """HTTP 503 with Retry-After: JSON under /api/, a short HTML page elsewhere."""
    if is_api_request(request):
        response: HttpResponse = api_error(
            503,
            None,
            "service_unavailable",
            "The database is temporarily unreachable; retry shortly.",
        )
    else:
        response = HttpResponse(OUTAGE_PAGE, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def bad_request_response(request: HttpRequest, field: str, reason: str) -> HttpResponse:
    """HTTP 400 naming the field and the reason, in the shape the surface expects."""
    message = f"{field}: {reason}"
    if is_api_request(request):
        return api_error(400, field, "invalid_character", message)
    return HttpResponse(
        f"Bad request. {message}".encode(), status=400, content_type="text/plain; charset=utf-8"
    )


class DatabaseOutageMiddleware:
    """Answer 503 + Retry-After when the database is down, and recover by itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_outage(exception):
            return None
        logger.warning("Database unreachable on %s %s: %s", request.method, request.path,
                       exception)  # fmt: skip
        _close_broken_connections()
        return outage_response(request)


class RejectNulBytesMiddleware:
    """Refuse NUL characters in query parameters with HTTP 400.

    Form posts need no guard: Django's form ``CharField`` already refuses NUL with a field
    error, and parsing ``request.POST`` here would run upload handlers before the view.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in v for v in values):
                return bad_request_response(
                    request, name.replace("\x00", "\\0"), "contains a NUL character"
                )
        if "\x00" in request.path:
            return bad_request_response(request, "path", "contains a NUL character")
        return self.get_response(request)


def server_error(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """``handler500``: a database outage anywhere in the stack is a 503, not a 500."""
    exc = sys.exc_info()[1]
    if is_database_outage(exc):
        _close_broken_connections()
        return outage_response(request)
    if is_api_request(request):
        return api_error(500, None, "server_error", "Internal server error.")
    return django_server_error(request, *args, **kwargs)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler404``: a URL under /api/ that matches no route gets the API's JSON error.

    (E.g. ``/api/articles/abc/``: the router's pattern does not match, so the 404 comes from
    Django, not DRF, and would otherwise be the HTML page.)
    """
    if is_api_request(request):
        return api_error(404, None, "not_found", "There is no API resource at this URL.")
    return django_page_not_found(request, exception)
