"""One error shape for every API failure (documented in docs/api.md "Errors").

    {"status": 400, "errors": [{"parameter": "date_after", "code": "invalid_date",
                                "message": "'1991-13' is not a date: month 13 does not exist."}]}

``parameter`` names the query parameter at fault, or is ``null`` when the error is not
about one (404, 429). Headers such as ``Retry-After`` are kept.
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


def exception_handler(exc, context):
    """DRF's handler (status, headers), then the archive's error shape for the body."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    body = {"status": response.status_code, "errors": list(_flatten(detail))}
    response.data = body
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


__all__ = ["error_response", "exception_handler", "status"]
