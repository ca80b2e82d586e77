"""Full-text search over articles and typo-tolerant matching of entity names.

One interface, two engines (PostgreSQL full-text search; SQLite FTS5 for the embedded
default), chosen by the database in use. What a search matches, and in which order, is
decided in one place: the API's ``ArticleFilterSet`` (``archive/api/filters/articles.py``),
which calls :mod:`.engine`. The search page is that FilterSet plus a template.

- :mod:`.query`: the web-search syntax, parsed once for both engines;
- :mod:`.backends`: the two engines (index upkeep, candidates, ranks, snippets);
- :mod:`.engine`: running a search (``find``, ``hits``, ``filter_articles``, snippets);
- :mod:`.params`: the search page's parameters (the FilterSet plus ``page``);
- :mod:`.facets`: facet counts over the hits;
- :mod:`.entities`: entity names close to the query;
- :mod:`.results`: the search page's answer (:func:`search`).

See docs/search.md for the syntax, the ranking and the limits.
"""

from __future__ import annotations

from .engine import (
    ORDERINGS,
    attach_snippets,
    filter_articles,
    index_articles,
    rebuild_index,
    remove_articles,
)
from .entities import EntityMatch, match_entities
from .facets import Facet, FacetValue
from .params import MAX_PAGE, PAGE_ORDERINGS, PER_PAGE, SearchError, SearchParams
from .query import parse
from .results import Hit, SearchResults, search

__all__ = [
    "MAX_PAGE",
    "ORDERINGS",
    "PAGE_ORDERINGS",
    "PER_PAGE",
    "EntityMatch",
    "Facet",
    "FacetValue",
    "Hit",
    "SearchError",
    "SearchParams",
    "SearchResults",
    "attach_snippets",
    "filter_articles",
    "index_articles",
    "match_entities",
    "parse",
    "rebuild_index",
    "remove_articles",
    "search",
]
