"""Full-text search over articles and typo-tolerant matching of entity names.

One interface, two engines (PostgreSQL full-text search; SQLite FTS5 for the embedded
default), chosen by the database in use. Callers:

- :func:`filter_articles` narrows any article queryset to those matching a query and
  annotates ``search_rank`` (the API's ``q`` filter uses it);
- :func:`search` answers the search page: ranked or dated hits with highlighted snippets,
  facet counts, and entity names that match even when misspelt.

See docs/search.md for the syntax, the ranking and the limits.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, F, FloatField, QuerySet
from django.db.models.expressions import RawSQL

from archive.text import fold

from .backends import RANK_CAP, get_backend
from .query import MAX_QUERY_LENGTH, parse

__all__ = [
    "SearchError",
    "SearchParams",
    "SearchResults",
    "filter_articles",
    "match_entities",
    "parse",
    "rebuild_index",
    "search",
]

SORTS = ("relevance", "date")
PER_PAGE = 20
MAX_PAGE = RANK_CAP // PER_PAGE


class SearchError(ValueError):
    """A search parameter is unusable; ``name`` says which and ``reason`` why."""

    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


def filter_articles(queryset: QuerySet, query: str) -> QuerySet:
    """Articles of ``queryset`` matching ``query`` (web-search syntax), annotated with
    ``search_rank`` (higher is better). An empty or syntax-only query matches nothing.

    The rank is computed per returned row, so paginating (by id, date…) stays cheap; order
    by ``-search_rank`` only on small result sets.
    """
    parsed = parse(query)
    if not parsed:
        return queryset.none()
    backend = get_backend()
    ids_sql, ids_params = backend.matching_ids_sql(parsed)
    rank_sql, rank_params = backend.rank_sql(parsed)
    # The SQL is built from constants; user text travels only as parameters.
    return queryset.filter(pk__in=RawSQL(ids_sql, ids_params)).annotate(  # noqa: S611
        search_rank=RawSQL(rank_sql, rank_params, output_field=FloatField())  # noqa: S611
    )


def rebuild_index() -> None:
    """Recompute every article's search vectors (after a bulk load with raw saves)."""
    get_backend().index(None)


def index_articles(ids) -> None:
    get_backend().index(list(ids))


def remove_articles(ids) -> None:
    get_backend().remove(list(ids))


# --- the search page --------------------------------------------------------------------


@dataclass
class SearchParams:
    """The search page's parameters, validated (a bad one is a 400 naming it)."""

    query: str = ""
    sort: str = "relevance"
    publication: str = ""
    kind: str = ""
    decade: int | None = None
    year: int | None = None
    person: str = ""
    organisation: str = ""
    page: int = 1

    @classmethod
    def from_query_dict(cls, data: Mapping[str, str]) -> SearchParams:
        from archive.models import Article

        params = cls(query=(data.get("q") or "").strip())
        if len(params.query) > MAX_QUERY_LENGTH:
            raise SearchError("q", f"longer than {MAX_QUERY_LENGTH} characters")
        params.sort = data.get("sort") or "relevance"
        if params.sort not in SORTS:
            raise SearchError("sort", "use 'relevance' or 'date'")
        params.kind = data.get("kind") or ""
        if params.kind and params.kind not in Article.Kind.values:
            raise SearchError("kind", f"unknown article kind {params.kind!r}")
        for name in ("decade", "year"):
            value = data.get(name)
            if value:
                if not value.isdigit() or not 1000 <= int(value) <= 2999:
                    raise SearchError(name, "use a four-digit year, e.g. 1980")
                if name == "decade" and int(value) % 10:
                    raise SearchError(name, "a decade starts with a year ending in 0")
                setattr(params, name, int(value))
        for name in ("publication", "person", "organisation"):
            setattr(params, name, (data.get(name) or "").strip())
        page = data.get("page") or "1"
        if not page.isdigit() or not 1 <= int(page) <= MAX_PAGE:
            raise SearchError("page", f"use a page number from 1 to {MAX_PAGE}")
        params.page = int(page)
        return params

    def options(self) -> dict[str, Any]:
        return {
            "sort": self.sort,
            "publication": self.publication,
            "kind": self.kind,
            "decade": self.decade,
            "year": self.year,
            "person": self.person,
            "organisation": self.organisation,
            "page": self.page,
        }


@dataclass
class Hit:
    article: Any
    rank: float
    title_html: str
    snippet_html: str


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class Facet:
    param: str
    label: str
    values: list[FacetValue]


@dataclass
class EntityMatch:
    kind: str
    name: str
    url: str
    score: float
    matched: str = ""


@dataclass
class SearchResults:
    query: str
    hits: list[Hit]
    total: int
    exact: bool
    ranked_all: bool
    page: int
    pages: int
    sort: str
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


def _base_queryset(opts: dict[str, Any]) -> QuerySet:
    from archive.models import Article

    qs = Article.objects.published().filter(
        issue__status="published", issue__publication__status="published"
    )
    if opts.get("publication"):
        qs = qs.filter(issue__publication__slug=opts["publication"])
    if opts.get("kind"):
        qs = qs.filter(kind=opts["kind"])
    if opts.get("year"):
        y = opts["year"]
        qs = qs.filter(date_start__year__lte=y, date_end__year__gte=y)
    elif opts.get("decade"):
        d = opts["decade"]
        qs = qs.filter(date_start__year__lte=d + 9, date_end__year__gte=d)
    if opts.get("person"):
        qs = qs.filter(
            mentions__person__slug=opts["person"], mentions__person__status="published"
        ).exclude(mentions__status="rejected")
    if opts.get("organisation"):
        qs = qs.filter(
            mentions__organisation__slug=opts["organisation"],
            mentions__organisation__status="published",
        ).exclude(mentions__status="rejected")
    return qs


def _id_set(ids: list[int]):
    """``ids`` for an ``__in`` lookup. On PostgreSQL one array parameter: 500 placeholders
    cost more to build and parse (in Django and psycopg) than the facet query itself."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (list(ids),))
    return ids


def _facets(ids: list[int], opts: dict[str, Any]) -> list[Facet]:
    """Counts per facet value over the matching (ranked) articles, a few grouped queries."""
    from archive.models import Article, Mention

    if not ids:
        return []
    id_set = _id_set(ids)
    # Publication, kind and year from one pass over the candidates' rows.
    pubs: Counter = Counter()
    kind_counts: Counter = Counter()
    year_counts: Counter = Counter()
    labels: dict[str, str] = {}
    for slug, title, kind, start in Article.objects.filter(pk__in=id_set).values_list(
        "issue__publication__slug", "issue__publication__title", "kind", "date_start"
    ):
        pubs[slug] += 1
        labels[slug] = title
        kind_counts[kind] += 1
        if start is not None:
            year_counts[start.year] += 1
    facets = [
        Facet(
            "publication",
            "Publication",
            [
                FacetValue(slug, labels[slug], n, slug == opts.get("publication"))
                for slug, n in sorted(pubs.items(), key=lambda kv: (-kv[1], labels[kv[0]]))
            ],
        )
    ]
    kinds = dict(Article.Kind.choices)
    facets.append(
        Facet(
            "kind",
            "Kind",
            [
                FacetValue(k, str(kinds.get(k, k)), n, k == opts.get("kind"))
                for k, n in sorted(kind_counts.items(), key=lambda kv: (-kv[1], kv[0]))
            ],
        )
    )
    decades: Counter = Counter()
    years = []
    for y, n in sorted(year_counts.items()):
        decades[y // 10 * 10] += n
        years.append(FacetValue(str(y), str(y), n, y == opts.get("year")))
    facets.append(
        Facet(
            "decade",
            "Decade",
            [
                FacetValue(str(d), f"{d}s", n, d == opts.get("decade"))
                for d, n in sorted(decades.items())
            ],
        )
    )
    facets.append(Facet("year", "Year", years))
    # The articles are published hits already; the rule of Mention.published() that is
    # left is "not rejected, target published", applied per target without its 4-way OR.
    mentions = (
        Mention.objects.filter(article_id__in=id_set)
        .exclude(status=Mention.Status.REJECTED)
        .order_by()
    )
    for target, label in (("person", "Person"), ("organisation", "Organisation")):
        rows = (
            mentions.filter(**{f"{target}__status": "published"})
            .values(fslug=F(f"{target}__slug"), flabel=F(f"{target}__name"))
            .annotate(n=Count("article_id", distinct=True))
            .order_by("-n", "flabel")[:15]
        )
        facets.append(
            Facet(
                target,
                label,
                [
                    FacetValue(r["fslug"], r["flabel"], r["n"], r["fslug"] == opts.get(target))
                    for r in rows
                ],
            )
        )
    return [f for f in facets if f.values]


def search(
    query: str,
    *,
    sort: str = "relevance",
    publication: str = "",
    kind: str = "",
    decade: int | None = None,
    year: int | None = None,
    person: str = "",
    organisation: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> SearchResults:
    """Search published articles and entity names. Query count is fixed per call whatever
    the number of matches: candidates, count, facets, one page of articles, snippets."""
    from archive.models import Article

    opts = {
        "publication": publication, "kind": kind, "decade": decade, "year": year,
        "person": person, "organisation": organisation,
    }  # fmt: skip
    parsed = parse(query)
    entities = match_entities(query) if query.strip() else []
    if not parsed:
        return SearchResults(query, [], 0, True, True, 1, 0, sort, [], entities)
    backend = get_backend()
    cands = backend.candidates(
        parsed, _base_queryset(opts), sort, filtered=any(v for v in opts.values())
    )
    pages = max(1, -(-len(cands.ids) // per_page))
    page = min(page, pages)
    shown = cands.ids[(page - 1) * per_page : page * per_page]
    articles = {a.pk: a for a in Article.objects.with_related().filter(pk__in=shown)}
    snippets = backend.snippets(parsed, shown)
    hits = [
        Hit(articles[i], cands.ranks.get(i, 0.0), *snippets.get(i, ("", "")))
        for i in shown
        if i in articles
    ]
    return SearchResults(
        query=query,
        hits=hits,
        total=cands.total,
        exact=cands.exact,
        ranked_all=cands.ranked_all,
        page=page,
        pages=pages if cands.ids else 0,
        sort=sort,
        facets=_facets(cands.ids, opts),
        entities=entities,
    )


# --- entity names, typo-tolerant --------------------------------------------------------


def match_entities(query: str, limit: int = 8) -> list[EntityMatch]:
    """People, organisations and places whose name or a variant name is close to the query
    (trigram similarity on PostgreSQL, a similarity ratio on SQLite)."""
    text = " ".join(w for w in query.replace('"', " ").split() if not w.startswith("-"))
    key = fold(text.replace("*", ""))
    if len(key) < 3:
        return []
    if connection.vendor == "postgresql":
        return _match_entities_pg(key, limit)
    return _match_entities_python(key, limit)


def _targets():
    from archive.models import Organisation, Person, Place

    return (("person", Person), ("organisation", Organisation), ("place", Place))


def _match_entities_pg(key: str, limit: int) -> list[EntityMatch]:
    """One statement over the three entity tables and their variant names (a query per
    table cost more in round trips than in matching)."""
    from archive.models import Alias

    parts, params = [], []
    for kind, model in _targets():
        table = model._meta.db_table
        parts.append(
            f"(SELECT '{kind}', e.id, e.name, e.slug, '', GREATEST(similarity(e.name_folded, "
            f"%s), word_similarity(%s, e.name_folded)) AS score FROM {table} e "
            "WHERE e.status = 'published' AND (e.name_folded %% %s OR %s <%% e.name_folded) "
            "ORDER BY score DESC LIMIT %s)"
        )
        parts.append(
            f"(SELECT '{kind}', e.id, e.name, e.slug, a.name, GREATEST(similarity("
            "a.name_folded, %s), word_similarity(%s, a.name_folded)) AS score "
            f"FROM {Alias._meta.db_table} a JOIN {table} e ON e.id = a.{kind}_id "
            "WHERE e.status = 'published' AND (a.name_folded %% %s OR %s <%% a.name_folded) "
            "ORDER BY score DESC LIMIT %s)"
        )
        params += [key, key, key, key, limit] * 2
    models = dict(_targets())
    found: dict[tuple[str, int], EntityMatch] = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for kind, pk, name, slug, alias, score in cursor.fetchall():
            old = found.get((kind, pk))
            if old is None or old.score < score:
                url = models[kind](slug=slug).get_absolute_url()
                found[(kind, pk)] = EntityMatch(kind, name, url, float(score), alias)
    return sorted(found.values(), key=lambda m: (-m.score, m.name))[:limit]


def _similarity(key: str, name: str) -> float:
    """Best ratio between the query and the whole name or any run of as many words."""
    best = difflib.SequenceMatcher(None, key, name).ratio()
    words, n = name.split(), max(1, len(key.split()))
    for i in range(max(1, len(words) - n + 1)):
        part = " ".join(words[i : i + n])
        best = max(best, difflib.SequenceMatcher(None, key, part).ratio())
    return best


def _match_entities_python(key: str, limit: int, threshold: float = 0.75) -> list[EntityMatch]:
    from archive.models import Alias

    found: dict[tuple[str, int], EntityMatch] = {}
    for kind, model in _targets():
        for pk, name, folded, slug in model.objects.published().values_list(
            "pk", "name", "name_folded", "slug"
        ):
            score = _similarity(key, folded)
            if score >= threshold:
                found[(kind, pk)] = EntityMatch(
                    kind, name, model(slug=slug).get_absolute_url(), score
                )
        for pk, name, slug, alias, folded in Alias.objects.filter(
            **{f"{kind}__status": "published"}
        ).values_list(f"{kind}_id", f"{kind}__name", f"{kind}__slug", "name", "name_folded"):
            score = _similarity(key, folded)
            old = found.get((kind, pk))
            if score >= threshold and (old is None or old.score < score):
                found[(kind, pk)] = EntityMatch(
                    kind, name, model(slug=slug).get_absolute_url(), score, alias
                )
    return sorted(found.values(), key=lambda m: (-m.score, m.name))[:limit]
