"""Cursor pagination over the FilterSet's own ordering, with a validated ``page_size``."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, transaction
from rest_framework.exceptions import ErrorDetail, NotFound, ValidationError
from rest_framework.pagination import CursorPagination

from .errors import NOT_FOUND
from .fields import FREE_TEXT_PATTERN

MAX_PAGE_SIZE = 1000


class ArchiveCursorPagination(CursorPagination):
    """Stable pages however large the table: a cursor, never an offset.

    The order is whatever the FilterSet applied (``ordering`` or the resource's default,
    always ending in ``id``), so JSON pages and CSV/JSON Lines downloads list the same rows
    in the same order.
    """

    page_size = 50
    max_page_size = MAX_PAGE_SIZE
    page_size_query_param = "page_size"
    page_size_query_description = f"Records per page, 1 to {MAX_PAGE_SIZE} (default 50), e.g. 200."
    cursor_query_description = "Opaque position from a previous page's next or previous link."
    ordering = ("id",)

    def get_ordering(self, request, queryset, view):
        return tuple(queryset.query.order_by) or self.ordering

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if not raw:  # absent or empty (an empty parameter means "not given", as filters do)
            return self.page_size
        if not re.fullmatch(r"[0-9]+", raw) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {"page_size": [f"{raw!r} is not a page size: use a whole number from 1 to "
                               f"{self.max_page_size}."]}
            )  # fmt: skip
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        """A cursor whose position does not fit the ordering (a hand-made ``p=abc`` for a
        date, an id beyond 64 bits) names no page: 404 naming ``cursor``, not a 500. The page
        is read in a savepoint so such a failed query leaves the transaction usable."""
        try:
            with transaction.atomic(using=queryset.db):
                return super().paginate_queryset(queryset, request, view)
        except (DjangoValidationError, DataError, ValueError, TypeError, OverflowError) as exc:
            cursor = getattr(self, "cursor", None)
            if cursor is None or cursor.position is None:
                raise  # not the cursor's fault
            raise self._cursor_not_found() from exc

    def _cursor_not_found(self) -> ValidationError:
        message = "Invalid cursor: use the next or previous link of a page."
        return ValidationError({"cursor": [ErrorDetail(message, code=NOT_FOUND)]})

    def decode_cursor(self, request):
        """A cursor is an opaque reference to a page: one that points nowhere (garbled, or
        from another ordering) is a 404 naming ``cursor``, like an unknown id."""
        try:
            return super().decode_cursor(request)
        except NotFound as exc:
            raise self._cursor_not_found() from exc

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer", "minimum": 1, "maximum": self.max_page_size,
                }  # fmt: skip
            elif parameter["name"] == self.cursor_query_param:
                parameter["schema"] = {"type": "string", "pattern": FREE_TEXT_PATTERN}
        return parameters
