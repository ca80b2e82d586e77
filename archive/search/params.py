"""The search page's parameters: the API's ``ArticleFilterSet`` plus ``page``.

The page has no parameter parser of its own: ``q``, every filter (``publication``, ``kind``,
``person``, ``organisation``, ``place``, ``event``, ``date_after``/``date_before``, ``year``,
``decade``, ``undated``, …) and ``ordering`` are read and validated by the same FilterSet as
``/api/articles/``, so a bad value is refused with the same reason on both, and the page's
"this list as data" links are the page's own query string minus ``page``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.utils.http import urlencode

from .backends import RANK_CAP
from .engine import ORDERINGS

__all__ = ["MAX_PAGE", "PAGE_ORDERINGS", "PER_PAGE", "SearchError", "SearchParams"]

PER_PAGE = 20
MAX_PAGE = RANK_CAP // PER_PAGE
#: The orders the page offers, with their labels: those the engines produce (at most
#: RANK_CAP hits each).
PAGE_ORDERINGS = (
    ("relevance", "Relevance"),
    ("-date", "Date (newest first)"),
    ("date", "Date (oldest first)"),
)


class SearchError(ValueError):
    """A search parameter is unusable; ``name`` says which (several joined by commas) and
    ``reason`` why."""

    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


def as_query_dict(data: Mapping[str, Any]) -> QueryDict:
    """``data`` (a QueryDict, or a dict whose values are strings, numbers or lists of
    them) as an immutable QueryDict, the form the FilterSet reads repeated values from."""
    if isinstance(data, QueryDict):
        return data
    query = QueryDict(mutable=True)
    for name, value in data.items():
        if value is None:
            continue
        values = value if isinstance(value, list | tuple) else [value]
        query.setlist(name, [str(v) for v in values])
    query._mutable = False
    return query


@dataclass
class SearchParams:
    """The page's request, validated: the bound FilterSet and the page number."""

    filterset: Any  # archive.api.filters.ArticleFilterSet, valid
    page: int = 1

    @classmethod
    def from_query_dict(cls, data: Mapping[str, Any]) -> SearchParams:
        """Validate ``data`` (a request's GET); a bad parameter raises :class:`SearchError`
        naming it, with the FilterSet's own reason."""
        from archive.api.filters import ArticleFilterSet
        from archive.models import Article

        query = as_query_dict(data).copy()
        page_text = query.pop("page", ["1"])[-1] or "1"
        if not (page_text.isascii() and page_text.isdigit() and 1 <= int(page_text) <= MAX_PAGE):
            raise SearchError("page", f"use a page number from 1 to {MAX_PAGE}")
        filterset = ArticleFilterSet(query, queryset=Article.objects.public())
        if not filterset.is_valid():
            errors = filterset.errors
            reasons = list(dict.fromkeys(m for name in errors for m in errors[name]))
            raise SearchError(", ".join(errors), " ".join(reasons))
        ordering = filterset.form.cleaned_data.get("ordering")
        if ordering and ordering not in ORDERINGS:
            raise SearchError(
                "ordering",
                f"the search page lists hits by {', '.join(ORDERINGS)}; "
                f"{ordering!r} is for /api/articles/",
            )
        return cls(filterset=filterset, page=int(page_text))

    @property
    def data(self) -> Mapping[str, Any]:
        return self.filterset.form.cleaned_data

    @property
    def query(self) -> str:
        return self.data.get("q") or ""

    @property
    def ordering(self) -> str:
        return self.filterset.resolved_ordering

    def kept(self, *without: str) -> list[tuple[str, str]]:
        """The request's parameters but ``page``, as ``(name, value)`` pairs (every value of
        a repeated one), minus ``without``: what the search form carries as hidden fields."""
        return [
            (name, value)
            for name, values in self.filterset.data.lists()
            if name not in without
            for value in values
            if value
        ]

    def query_string(self, *without: str) -> str:
        """The request's query string minus ``page`` and ``without``; with nothing removed it
        is the page's "this list as data" query for ``/api/articles/``."""
        return urlencode(self.kept(*without))
