"""Running a full-text search: which public articles match, in which order, with what rank.

The API's ``ArticleFilterSet`` (``archive/api/filters/articles.py``) is the one place that
turns request parameters into a search, for ``/api/articles/?q=`` and the search page alike:
it narrows the public articles by its filters, asks :func:`find` for the matching ids in the
requested order (the engines' tuned plans, at most ``RANK_CAP`` of them), then lists those
rows with :func:`hits`, which carry ``search_rank`` and are ordered by the same keys. So the
page, the API's JSON pages and its CSV / JSON Lines list the same ids in the same order.

:func:`filter_articles` is the plain filter (every match, unordered), for callers that order
by something the engines do not (title, word count, id).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import F, FloatField, QuerySet
from django.db.models.expressions import Expression, RawSQL

from archive import statements
from archive.statements import array_literal

from .backends import INDEXED_YEARS, ORDERINGS, RANK_CAP, Candidates, get_backend
from .query import ParsedQuery, parse

__all__ = [
    "ORDERINGS",
    "RANK_CAP",
    "Candidates",
    "RankOf",
    "ValueOf",
    "attach_snippets",
    "filter_articles",
    "find",
    "hits",
    "id_set",
    "index_articles",
    "rebuild_index",
    "remove_articles",
    "snippets",
    "span_years",
]


def id_set(ids: Sequence[int]) -> Any:
    """``ids`` for an ``__in`` lookup. On PostgreSQL one array parameter: 500 placeholders
    cost more to build and parse (in Django and psycopg) than the facet query itself."""
    if connection.vendor == "postgresql":
        sql, ids = statements.ids_subquery("default"), statements.ids_parameter("default", ids)
        return RawSQL(sql, (ids,))  # noqa: S611 (constant SQL; the ids are a parameter)
    return list(ids)


class ValueOf(Expression):
    """``values[pk]`` for each row: a figure the engine computed (a rank), as a column that
    can be ordered and filtered on (cursor pages compare it)."""

    output_field = FloatField()

    def __init__(self, values: dict[int, float], pk: Any = None):
        super().__init__()
        self.values = dict(values)
        self.pk = pk if pk is not None else F("pk")

    def get_source_expressions(self) -> list:
        return [self.pk]

    def set_source_expressions(self, exprs) -> None:
        (self.pk,) = exprs

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.pk)
        if not self.values:
            return "NULL", []
        whens = " ".join("WHEN %s THEN %s" for _ in self.values)
        flat = [item for pair in self.values.items() for item in pair]
        return f"CASE {column} {whens} END", [*params, *flat]

    def as_postgresql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.pk)
        return (
            f"(%s::float8[])[array_position(%s::bigint[], {column})]",
            [array_literal(self.values.values()), array_literal(self.values.keys()), *params],
        )


class RankOf(Expression):
    """The rank of each row for ``parsed`` (a correlated subquery into the index), for lists
    not ordered by relevance: computed only for the rows read."""

    output_field = FloatField()

    def __init__(self, parsed: ParsedQuery, pk: Any = None):
        super().__init__()
        self.parsed = parsed
        self.pk = pk if pk is not None else F("pk")

    def get_source_expressions(self) -> list:
        return [self.pk]

    def set_source_expressions(self, exprs) -> None:
        (self.pk,) = exprs

    def as_sql(self, compiler, connection, **extra):
        column, column_params = compiler.compile(self.pk)
        sql, params = get_backend().rank_sql(self.parsed, column)
        return sql, [*params, *column_params]

    @property
    def identity(self) -> tuple:
        # ParsedQuery is a dataclass holding lists (unhashable): identify it by its terms.
        return (type(self), repr(self.parsed.groups), self.pk)


def filter_articles(queryset: QuerySet, query: str) -> QuerySet:
    """Articles of ``queryset`` matching ``query`` (web-search syntax), annotated with
    ``search_rank`` (higher is better, computed for the rows read). An empty or syntax-only
    query matches nothing. Every match, unordered: the API uses it when ``q`` comes with an
    ordering the engines do not produce (title, word count, id)."""
    parsed = parse(query)
    if not parsed:
        return queryset.none().annotate(search_rank=ValueOf({}))
    ids_sql, ids_params = get_backend().matching_ids_sql(parsed)
    # The SQL is built from constants; user text travels only as parameters.
    return queryset.filter(pk__in=RawSQL(ids_sql, ids_params)).annotate(  # noqa: S611
        search_rank=RankOf(parsed)
    )


#: A date span whose years are handed to the engine as an index hint: longer spans narrow
#: too little to be worth it (and the years of an open span are unbounded).
MAX_HINT_YEARS = 50


def span_years(first: date | None, last: date | None) -> list[int]:
    """The years from ``first`` to ``last`` (a date filter's span), for the engines' index
    of the years each article's date may fall in; empty when the span is open or long."""
    if first is None or last is None or not 0 <= last.year - first.year < MAX_HINT_YEARS:
        return []
    low, high = INDEXED_YEARS
    return sorted({min(high, max(low, year)) for year in range(first.year, last.year + 1)})


def find(
    parsed: ParsedQuery,
    base: QuerySet,
    ordering: str,
    *,
    narrowed: bool,
    years: Sequence[int] = (),
    keys: Mapping[str, Sequence] | None = None,
) -> Candidates:
    """The matching ids of ``base`` in ``ordering`` (``relevance``, ``date`` or ``-date``),
    at most ``RANK_CAP``, with the total (exact or estimated).

    ``base`` must be public articles (``Article.objects.public()``, narrowed by filters);
    ``narrowed`` says whether filters narrowed it, ``years`` (:func:`span_years`) the
    years its date filters keep, and ``keys`` the publications and kinds its filters keep
    (``{"publication": [ids], "kind": [values]}``): they change the PostgreSQL plan only,
    never the hits.
    """
    if ordering not in ORDERINGS:
        raise ValueError(f"The search engines order by {', '.join(ORDERINGS)}, not {ordering!r}")
    if not parsed:
        return Candidates(ids=[], ranks={}, total=0, exact=True, ranked_all=True)
    return get_backend().candidates(
        parsed, base, ordering, filtered=narrowed, years=years, keys=keys
    )


def hits(queryset: QuerySet, found: Candidates, parsed: ParsedQuery, ordering: str) -> QuerySet:
    """The rows of ``found`` out of ``queryset``, annotated with ``search_rank``: the ranks
    the engine computed when ordered by relevance (so ordering by them repeats its order),
    else each row's own rank, computed only for the rows read. Unordered: the caller orders
    by the keys of ``ordering``."""
    if not found.ids:
        return queryset.none().annotate(search_rank=ValueOf({}))
    rank = ValueOf(found.ranks) if ordering == "relevance" else RankOf(parsed)
    return queryset.filter(pk__in=id_set(found.ids)).annotate(search_rank=rank)


def snippets(parsed: ParsedQuery, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """``{id: (title_html, snippet_html)}``: the title and a passage of the body with the
    matching words in ``<mark>``, everything else escaped. One query for all ``ids``."""
    if not parsed or not ids:
        return {}
    return get_backend().snippets(parsed, list(ids))


def attach_snippets(articles: Iterable[Any], query: str) -> list[Any]:
    """Set ``search_snippet`` on each article (``None`` when there is no query), one query
    for them all: the API's list pages call it for the rows they show."""
    articles = list(articles)
    found = snippets(parse(query), [a.pk for a in articles]) if query else {}
    for article in articles:
        article.search_snippet = found[article.pk][1] if article.pk in found else None
    return articles


def rebuild_index() -> None:
    """Recompute every article's search vectors (after a bulk load with raw saves)."""
    get_backend().index(None)


def index_articles(ids: Iterable[int]) -> None:
    """Recompute the vectors of these articles (SQLite; PostgreSQL's triggers do it)."""
    get_backend().index(list(ids))


def remove_articles(ids: Iterable[int]) -> None:
    get_backend().remove(list(ids))
