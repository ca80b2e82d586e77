"""The search page's answer: one page of hits with highlighted snippets, the total, facets
and entity names.

The hits are the rows of the ``ArticleFilterSet``'s queryset, exactly as
``/api/articles/`` lists them for the same parameters (a test compares the two on both
databases); this module only cuts a page out of them and adds what a reader needs around
them. A fixed number of queries whatever the number of matches.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from archive.models import Article

from . import params as page_params
from .engine import snippets
from .entities import EntityMatch, match_entities
from .facets import Facet, facets
from .params import SearchParams
from .query import parse

__all__ = ["Hit", "SearchResults", "search"]


@dataclass
class Hit:
    article: Any
    rank: float | None
    title_html: str
    snippet_html: str
    #: The article's kind in words ("Editorial"): ``get_kind_display()`` rebuilds and hashes
    #: the whole list of translated choices on every call, a millisecond a page of hits.
    kind_label: str = ""


@dataclass
class SearchResults:
    query: str
    hits: list[Hit]
    total: int
    exact: bool
    ranked_all: bool
    page: int
    pages: int
    ordering: str
    facets: list[Facet] = field(default_factory=list)
    entities: list[EntityMatch] = field(default_factory=list)

    @property
    def total_label(self) -> str:
        """ "1,234" when counted; "about 600,000" (PostgreSQL's estimate) or "more than
        10,000" (SQLite's capped count) when too many match to count quickly."""
        if self.exact:
            return f"{self.total:,}"
        prefix = "about" if connection.vendor == "postgresql" else "more than"
        return f"{prefix} {self.total:,}"

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def search(
    params: SearchParams | Mapping[str, Any], *, per_page: int | None = None
) -> SearchResults:
    """Search public articles and entity names with the page's parameters (a
    :class:`SearchParams`, or a mapping such as ``{"q": "strike", "decade": 1980}``, which
    is validated first and may raise :class:`~archive.search.params.SearchError`)."""
    if not isinstance(params, SearchParams):
        params = SearchParams.from_query_dict(params)
    per_page = per_page or page_params.PER_PAGE  # read per call: tests shorten pages
    filterset = params.filterset
    query = params.query
    entities = match_entities(query) if query else []
    rows = filterset.qs  # runs the engine once: the hits, in the API's order
    found = filterset.found
    if found is None or not found.ids:
        return SearchResults(query, [], 0, True, True, 1, 0, params.ordering, [], entities)
    pages = max(1, -(-len(found.ids) // per_page))
    page = min(params.page, pages)
    # The page's rows of the FilterSet's queryset, in its order. The engine listed the hits
    # in that order already, so only the page's ids are read, not all of them then sliced;
    # should the two orders ever differ (tests say they do not), the queryset's order wins,
    # as it is the API's.
    start, end = (page - 1) * per_page, page * per_page
    shown = found.ids[start:end]
    # The long texts are left unread: the snippets come from the index's own query.
    rows = rows.defer(*Article.LIST_DEFERRED)
    articles = list(rows.filter(pk__in=shown).with_related())
    if [a.pk for a in articles] != shown:
        articles = list(rows.with_related()[start:end])
    marked = snippets(parse(query), [a.pk for a in articles])
    kinds = {value: str(label) for value, label in Article.Kind.choices}
    hits = [
        Hit(
            a, a.search_rank, *marked.get(a.pk, (html.escape(a.title), "")),
            kinds.get(a.kind, a.kind),
        )
        for a in articles
    ]  # fmt: skip
    return SearchResults(
        query=query,
        hits=hits,
        total=found.total,
        exact=found.exact,
        ranked_all=found.ranked_all,
        page=page,
        pages=pages,
        ordering=params.ordering,
        facets=facets(found.ids, params.data),
        entities=entities,
    )
