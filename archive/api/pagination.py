"""Cursor pagination over the FilterSet's own ordering, with a validated ``page_size``."""

from __future__ import annotations

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

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
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {"page_size": [f"{raw!r} is not a page size: use a whole number from 1 to "
                               f"{self.max_page_size}."]}
            )  # fmt: skip
        return int(raw)

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound as exc:
            raise ValidationError(
                {"cursor": ["Invalid cursor: use the next or previous link of a page."]}
            ) from exc
