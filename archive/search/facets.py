"""Facet counts over a search's hits: publication, kind, decade (with an "undated" bucket),
year, and the people, organisations, places and events the hits mention.

Each facet value is a value of one of the ``ArticleFilterSet``'s parameters, and counts the
hits that choosing it would keep: dates count by *overlap*, like the date filters (an
article dated "1989/1991" counts in the 1980s and in the 1990s), so a decade's count is the
number of hits ``?decade=`` leaves. An article with no date counts in "Undated"
(``?undated=true``): every hit is in the decade facet. A date open at one end counts in the
decade (year) of its known end only.

Mentions count when public (``Mention.objects.public(target=…)``: not rejected, article and
target public); an event also counts the articles linked to it
(``Event.public_article_links()``), as the ``event`` filter keeps them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, IntegerField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from archive import statements
from archive.models import Article, Event, Mention

from .engine import id_set

__all__ = ["ENTITY_FACETS", "Facet", "FacetValue", "facets"]

#: Entity facets: (parameter, label, field holding the displayed name), top values only.
ENTITY_FACETS = (
    ("person", "Person", "name"),
    ("organisation", "Organisation", "name"),
    ("place", "Place", "name"),
    ("event", "Event", "title"),
)
TOP = 15
#: Entity facet parameter → the field holding the displayed name.
NAME_FIELDS = {param: name_field for param, _label, name_field in ENTITY_FACETS}


@dataclass
class FacetValue:
    """One value: the parameter and value that select it, its label and count."""

    param: str
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class Facet:
    param: str
    label: str
    values: list[FacetValue]
    #: Parameters replaced when a value is chosen (a new decade drops the chosen year).
    clears: tuple[str, ...] = field(default_factory=tuple)


def _span(start, end, unit: int) -> range:
    """The years (``unit=1``) or decades (``unit=10``) a date's bounds may fall in."""
    low = (start or end).year // unit * unit
    high = (end or start).year // unit * unit
    return range(low, high + 1, unit)


def _ids(values: Any) -> set[int]:
    return set(values or [])


def facets(ids: Sequence[int], chosen: Mapping[str, Any]) -> list[Facet]:
    """Counts over the hits ``ids`` (public articles); ``chosen`` is the FilterSet's
    cleaned data, to mark the values in use. A fixed number of queries."""
    if not ids:
        return []
    id_list = id_set(ids)
    publications: Counter = Counter()
    titles: dict[int, tuple[str, str]] = {}
    kinds: Counter = Counter()
    decades: Counter = Counter()
    years: Counter = Counter()
    undated = 0
    rows = Article.objects.filter(pk__in=id_list).order_by().values_list(
        "issue__publication_id", "issue__publication__slug", "issue__publication__title",
        "kind", "date_source", "effective_date_start", "effective_date_end",
    )  # fmt: skip
    for pub, slug, title, kind, source, start, end in rows:
        publications[pub] += 1
        titles[pub] = (slug, title)
        kinds[kind] += 1
        if source == Article.DateSource.UNDATED:
            undated += 1
        elif start is not None or end is not None:
            decades.update(_span(start, end, 10))
            years.update(_span(start, end, 1))

    picked_kinds = set(chosen.get("kind") or [])
    result = [
        Facet(
            "publication", "Publication",
            [
                FacetValue("publication", titles[pk][0], titles[pk][1], n,
                           pk in _ids(chosen.get("publication")))
                for pk, n in sorted(publications.items(), key=lambda kv: (-kv[1], titles[kv[0]]))
            ],
            ("publication",),
        ),
        Facet(
            "kind", "Kind",
            [
                FacetValue("kind", k, str(Article.Kind(k).label), n, k in picked_kinds)
                for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))
            ],
            ("kind",),
        ),
    ]  # fmt: skip

    decade = chosen.get("decade")
    date_values = [
        FacetValue("decade", str(d), f"{d}s", n, decade is not None and decade.start.year == d)
        for d, n in sorted(decades.items())
    ]
    if undated:
        date_values.append(
            FacetValue("undated", "true", "Undated", undated, chosen.get("undated") is True)
        )
    result.append(Facet("decade", "Decade", date_values, ("decade", "year", "undated")))
    year = chosen.get("year")
    if decade is not None or year is not None:
        # Years are offered inside a chosen decade (or beside a chosen year): a decade at a
        # time keeps the list short.
        first = decade.start.year if decade is not None else year.start.year // 10 * 10
        result.append(
            Facet(
                "year", "Year",
                [
                    FacetValue("year", str(y), str(y), n,
                               year is not None and year.start.year == y)
                    for y, n in sorted(years.items()) if first <= y < first + 10
                ],
                ("year", "undated"),
            )
        )  # fmt: skip

    entity_counts = _entity_counts(ids, rows.db)
    for param, label, _name_field in ENTITY_FACETS:
        picked = _ids(chosen.get(param))
        result.append(
            Facet(
                param, label,
                [
                    FacetValue(param, slug, name, n, pk in picked)
                    for pk, slug, name, n in entity_counts[param]
                ],
                (param,),
            )
        )  # fmt: skip
    return [f for f in result if f.values]


def _entity_counts(ids: Sequence[int], using: str) -> dict[str, list[tuple]]:
    """``{param: [(id, slug, name, hits), …]}``: the most frequent public people,
    organisations, places and events among the hits, in one query whatever the number of
    facets (one per facet cost more in planning than in counting).

    The hits are public articles already (the engine searches ``Article.objects.public()``),
    so the mentions' and the event links' visibility leaves out the article's own chain
    (``Mention.objects.public(article_public=True)``, ``Event.public_q``): re-joining
    article, issue and publication for ids known to be public cost about 4 ms of planning
    per facet at a million articles and changed no count.

    Counted and cut to the top ``TOP`` of each kind in SQL: 500 hits mention some 900
    records, and reading every one of them into Python to keep sixty took longer than
    counting them.

    The statement is the same for every search but its ids: it is kept compiled
    (``archive.statements``; Django took 3 ms to compile it)."""
    statement = statements.kept(("entity-facets",), using, lambda: _entity_statement(using))
    counts: dict[str, list[tuple]] = {param: [] for param in NAME_FIELDS}
    for *keys, slug, name, n in statements.run(statement, ids, using):
        param, pk = next((p, pk) for p, pk in zip(NAME_FIELDS, keys, strict=True) if pk is not None)
        counts[param].append((pk, slug, name, n))
    return counts


def _entity_statement(using: str) -> tuple[str, list, dict]:
    id_list = RawSQL(statements.ids_subquery(using), (statements.IDS,))  # noqa: S611
    ends = [f"f_{param}" for param in NAME_FIELDS]  # the target's id, one per kind
    columns = [*ends, "fslug", "fname", "farticle"]
    # One row per (record, hit) from the mentions, and per (event, hit) from the event
    # links: an event also counts the articles linked to it, each article once.
    mentioned = (
        Mention.objects.using(using)
        .public(article_public=True)
        .filter(article_id__in=id_list)
        .order_by()
        .annotate(
            **{f"f_{param}": F(f"{param}_id") for param in NAME_FIELDS},
            fslug=Coalesce(*(F(f"{param}__slug") for param in NAME_FIELDS)),
            fname=Coalesce(*(F(f"{param}__{field}") for param, field in NAME_FIELDS.items())),
            farticle=F("article_id"),
        )
        .values_list(*columns)
    )
    linked = (
        Event.articles.through.objects.using(using)
        .filter(Event.public_q("event__"))
        .filter(article_id__in=id_list)
        .order_by()
        .annotate(
            **{f"f_{param}": Value(None, IntegerField()) for param in NAME_FIELDS},
            fslug=F("event__slug"),
            fname=F("event__title"),
            farticle=F("article_id"),
        )
        .annotate(f_event=F("event_id"))
        .values_list(*columns)
    )
    query = mentioned.union(linked, all=True).query
    sql, params = query.get_compiler(using=using).as_sql()
    kind = " ".join(f"WHEN {end} IS NOT NULL THEN {i}" for i, end in enumerate(ends))
    kind = f"CASE {kind} END"
    keys = ", ".join(ends)
    statement = (
        f"SELECT {keys}, fslug, fname, n FROM ("
        f"SELECT g.*, {kind} AS k, ROW_NUMBER() OVER (PARTITION BY {kind} "
        f"ORDER BY n DESC, fname, {keys}) AS rk FROM ("
        f"SELECT {keys}, fslug, fname, COUNT(DISTINCT farticle) AS n FROM ({sql}) AS u "
        f"GROUP BY {keys}, fslug, fname) AS g) AS r WHERE rk <= %s ORDER BY k, rk"
    )
    return statement, [*params, TOP], {}
