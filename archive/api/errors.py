"""One error shape for every API failure (documented in docs/api.md "Errors").

    {"status": 400, "errors": [{"parameter": "date_after", "code": "invalid_date",
                                "message": "'1991-13' is not a date: month 13 does not exist."}]}

``parameter`` names the query parameter at fault, or is ``null`` when the error is not
about one (an unknown path, 429). Headers such as ``Retry-After`` are kept.

400 means "malformed": the request breaks the published schema (an unknown parameter, a
value its pattern or enumeration refuses, values that contradict each other). A well-formed
value naming something that does not exist (a filter naming no public record, a stale
cursor) is a 404 naming the parameter, as an unknown id in the path is: the schema cannot
list every record, so schema-driven clients read 404 as "no such thing", never "bad request".
"""

from __future__ import annotations

from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _flatten(detail, parameter=None):
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = None if key in ("non_field_errors", "detail") else key
            yield from _flatten(value, name if parameter is None else parameter)
    elif isinstance(detail, list):
        for item in detail:
            yield from _flatten(item, parameter)
    else:
        yield {
            "parameter": parameter,
            "code": getattr(detail, "code", None) or "error",
            "message": str(detail),
        }


#: The error code of a well-formed value that names nothing (see archive.api.fields).
NOT_FOUND = "not_found"


def exception_handler(exc, context):
    """DRF's handler (status, headers), then the archive's error shape for the body."""
    if isinstance(exc, Http404):
        # Keep the reason ("No Person matches the given query."), in the error shape.
        exc = exceptions.NotFound(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    errors = list(_flatten(detail))
    if (
        isinstance(exc, exceptions.ValidationError)
        and errors
        and all(e["code"] == NOT_FOUND for e in errors)
    ):
        # Only "no such record/page" errors: 404. Any malformed value keeps the 400.
        response.status_code = status.HTTP_404_NOT_FOUND
    response.data = {"status": response.status_code, "errors": errors}
    return response


def error_response(status_code: int, parameter: str | None, code: str, message: str) -> Response:
    """An error in the documented shape, for views that detect one themselves."""
    return Response(
        {
            "status": status_code,
            "errors": [{"parameter": parameter, "code": code, "message": message}],
        },
        status=status_code,
    )


__all__ = ["NOT_FOUND", "error_response", "exception_handler", "status"]
