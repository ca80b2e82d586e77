"""Cursor pagination over the FilterSet's own ordering, with a validated ``page_size`` and
the number of matching records.

Counting every match of a filter at a million articles costs as much as reading them, so the
count is exact where that is cheap and PostgreSQL's planner estimate otherwise, said so:

* up to :data:`EXACT_COUNT_LIMIT` matches the count is exact, read by a count bounded with
  ``LIMIT`` (it stops at the limit however many rows match), on both databases;
* on SQLite (the embedded default, a small archive) the count is always exact;
* on PostgreSQL, above the limit, an estimate is given with ``count_exact: false``: the
  planner's estimate of the filtered query (``EXPLAIN``, not run) scaled by how far the
  planner is off on the unfiltered list, whose exact size is counted once per content
  version (the planner misjudges the joins of the visibility chain alike with and without
  filters; the ratio keeps what it judges well, the filters' selectivity). An estimate that
  is not clearly above the limit is not trusted (a planner that thinks the answer is small
  when the bounded count proved otherwise is wrong about this query): then the rows are
  counted;
* only filters the planner judges within 10 % (checked on generated data by
  ``tests/api/test_counts.py``) are estimated: none, or a kind (:data:`ESTIMATED_FILTERS`).
  Dates (the planner takes a record's start and end as independent and misses by half), a
  language (matched case-insensitively, an expression it has no statistics for), a
  publication or any record reached through a join (it assumes every publication is the
  same size) are counted exactly, whatever it costs;
* a filtered list's count is kept per content version and filters (:func:`kept_count`):
  its next pages, and the same list in another order, do not count again;
* a list with no filter at all is the whole resource: its size is counted once per content
  version (:func:`exact_total`) and given exactly, on every page and in every order (a
  bounded count and two planner estimates cost 11 of the 30 ms of ``/api/articles/`` at a
  million articles);
* a full-text search (``q``) lists its ranked hits, and its count is the search engine's
  total of matches (``Candidates.total``, exact or estimated), the one the search page shows.
"""

from __future__ import annotations

import re
from collections import OrderedDict

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, connections, transaction
from django.db.models import QuerySet
from rest_framework.exceptions import ErrorDetail, NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from archive.models.base import (
    earliest_start_by_dates,
    first_key_by_dates,
    latest_start_by_dates,
    planner_rows,
)
from archive.search import engine

from .errors import NOT_FOUND
from .fields import FREE_TEXT_PATTERN

MAX_PAGE_SIZE = 1000
#: Up to this many matches a list's count is exact (a bounded count stops here).
EXACT_COUNT_LIMIT = 10_000
#: An estimate is only trusted this far above the limit; nearer, the rows are counted.
ESTIMATE_MARGIN = 1.5
#: Query parameters that never narrow a list: with only these, it is the whole resource.
NOT_FILTERS = frozenset({"ordering", "page_size", "cursor", "format", "full_text"})
#: Query parameters that leave a list estimable: no filter, or filters on one column of the
#: resource's own table, which the planner's statistics describe. (``language`` is matched
#: case-insensitively, an expression without statistics: counted.)
ESTIMATED_FILTERS = NOT_FILTERS | {"kind", "undated", "word_count_min", "word_count_max"}
#: How long a filtered list's count is kept (a change to the archive retires it sooner).
KEPT_COUNT_SECONDS = 3600


def count_matches(
    queryset: QuerySet,
    unfiltered: QuerySet | None = None,
    limit: int | None = None,
    *,
    estimable: bool = True,
) -> tuple[int, bool]:
    """``(count, exact)`` for the records of ``queryset``, a filtered ``unfiltered`` (see the
    module docstring); ``estimable=False`` when its filters are not :data:`ESTIMATED_FILTERS`."""
    limit = EXACT_COUNT_LIMIT if limit is None else limit
    unordered = queryset.order_by()
    if connections[queryset.db].vendor != "postgresql" or not estimable:
        return unordered.count(), True
    bounded = unordered.values("pk")[: limit + 1].count()
    if bounded <= limit:
        return bounded, True
    estimate = planner_rows(unordered)
    if estimate is not None and unfiltered is not None:
        whole = planner_rows(unfiltered.order_by())
        if whole:
            estimate = round(estimate * exact_total(unfiltered) / whole)
    if estimate is None or estimate < limit * ESTIMATE_MARGIN:
        return unordered.count(), True
    return estimate, False


def exact_total(unfiltered: QuerySet) -> int:
    """The size of a resource's unfiltered public list, counted once per content version."""
    return _kept_per_version(unfiltered, (), lambda: unfiltered.order_by().count(), None)


def kept_count(request, queryset: QuerySet, count) -> tuple[int, bool]:
    """``count()`` for a filtered list, kept per content version and filters: the next
    pages of the list, and the same list in another order or format, have the same count,
    and counting a filter over hundreds of thousands of rows cost half a second at a
    million articles on every page. Any change to the archive moves the version."""
    filters = sorted(
        (name, value)
        for name, values in request.query_params.lists()
        if name not in NOT_FILTERS
        for value in values
    )
    return tuple(_kept_per_version(queryset, filters, count, KEPT_COUNT_SECONDS))


def _kept_per_version(queryset: QuerySet, filters, compute, seconds: int | None):
    """``compute()`` for the list of ``queryset``'s resource narrowed by ``filters``, kept
    under the content version read where the list is read: any change moves it."""
    from archive.caching import content_version, page_cache, versioned_key

    key = versioned_key(
        "count", content_version(queryset.db), queryset.db, queryset.model._meta.label_lower,
        filters,
    )  # fmt: skip
    kept = page_cache().get(key)
    if kept is None:
        kept = compute()
        page_cache().set(key, kept, seconds)
    return kept


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
    #: The last page's ``(count, exact)``.
    count: tuple[int, bool] | None = None

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
                found = getattr(getattr(view, "filterset", None), "found", None)
                page = self.first_page_of_hits(queryset, request, view, found)
                if page is None:
                    page = super().paginate_queryset(
                        self.within_dates(queryset, request, view), request, view
                    )
                if found is not None:
                    # A search: its total is the engine's (the search page shows the same),
                    # not the number of hits it ranked and lists.
                    self.count = (found.total, found.exact)
                else:
                    unfiltered = view.get_queryset() if view is not None else None
                    params = set(request.query_params)
                    if unfiltered is not None and not params - NOT_FILTERS:
                        self.count = (exact_total(unfiltered), True)
                    else:
                        estimable = not params - ESTIMATED_FILTERS
                        self.count = kept_count(
                            request,
                            queryset,
                            lambda: count_matches(queryset, unfiltered, estimable=estimable),
                        )
                return page
        except (DjangoValidationError, DataError, ValueError, TypeError, OverflowError) as exc:
            cursor = getattr(self, "cursor", None)
            if cursor is None or cursor.position is None:
                raise  # not the cursor's fault
            raise self._cursor_not_found() from exc

    def within_dates(self, queryset, request, view) -> QuerySet:
        """The list bounded by its date spans where its order can use it, the same rows.

        In key order, from where the spans' first row can be (``first_key_by_dates``, the
        rule the exports start at): a decade read the table from its first key, half a
        million rows at a million articles before the decade's first (0.5 s). Newest first
        by date, from the spans' last day (``latest_start_by_dates``: no kept row starts
        after it), so the date index is read from there, not from the archive's newest
        row; oldest first, from the earliest start a kept row can have
        (``earliest_start_by_dates``: the span's first day, or before it for the rows over
        it). The count is taken without any of these bounds."""
        first_key = tuple(self.get_ordering(request, queryset, view))[:1]
        if first_key == ("-date_order",):
            latest = latest_start_by_dates(queryset, "effective_date_start")
            return queryset if latest is None else queryset.filter(date_order__lte=latest)
        if first_key == ("date_order",):
            earliest = earliest_start_by_dates(queryset, "effective_date_start")
            return queryset if earliest is None else queryset.filter(date_order__gte=earliest)
        if first_key == ("id",):
            known, first = first_key_by_dates(queryset)
            if known:
                return queryset.filter(pk__gte=first) if first is not None else queryset.none()
        return queryset

    def first_page_of_hits(self, queryset, request, view, found) -> list | None:
        """A search's first page, reading only its rows: ``None`` when this is not one.

        The engine listed the hits in the queryset's own order (``engine.hits``; the search
        page reads its page the same way), so the first page is its first ``page_size``
        ids, plus one to say whether a next page exists. Sorting every hit for them read
        all 500 rows and their issues and publications: 9–11 ms at a million articles for
        a ranked search, against about 1 for the 51. Should a hit have left the queryset
        meanwhile (unpublished between the two statements), the window comes up short and
        the page is read over every hit, as before."""
        if found is None or not found.ids or request.query_params.get(self.cursor_query_param):
            return None
        window = found.ids[: self.get_page_size(request) + 1]
        page = super().paginate_queryset(
            queryset.filter(pk__in=engine.id_set(window)), request, view
        )
        if len(page) + int(self.has_next) == len(window):
            return page
        return None

    def get_paginated_response(self, data):
        count, exact = self.count if self.count is not None else (len(data), True)
        return Response(
            OrderedDict(
                [
                    ("count", count),
                    ("count_exact", exact),
                    ("next", self.get_next_link()),
                    ("previous", self.get_previous_link()),
                    ("results", data),
                ]
            )
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["count", "count_exact", *response.get("required", [])]
        response["properties"] = {
            "count": {
                "type": "integer",
                "minimum": 0,
                "description": "How many records match the filters (every page, not this "
                f"one): exact up to {EXACT_COUNT_LIMIT:,}, above that PostgreSQL's estimate "
                "when count_exact is false.",
                "example": 1234,
            },
            "count_exact": {
                "type": "boolean",
                "description": "true when count is exact, false when it is an estimate.",
            },
            **response["properties"],
        }
        return response

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
