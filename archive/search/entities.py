"""Names of people, organisations and places close to a query, even when misspelt.

The search page lists them beside the articles: trigram similarity on PostgreSQL
(``pg_trgm``), a similarity ratio over folded names on SQLite. Only public records, by the
models' own rule (``public()``), and only variant names of public records.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.db import connection, connections, router
from django.db.models import Model, Q

from archive.text import fold

__all__ = ["EntityMatch", "match_entities"]


@dataclass
class EntityMatch:
    kind: str
    name: str
    url: str
    score: float
    matched: str = ""
    id: int | None = None  # the record's primary key (the admin links to it)


def match_entities(query: str, limit: int = 8, *, public_only: bool = True) -> list[EntityMatch]:
    """People, organisations and places whose name or a variant name is close to the query
    (trigram similarity on PostgreSQL, a similarity ratio on SQLite). ``public_only=False``
    (the admin's near-duplicate warning) looks at drafts too."""
    text = " ".join(w for w in query.replace('"', " ").split() if not w.startswith("-"))
    key = fold(text.replace("*", ""))
    if len(key) < 3:
        return []
    if connection.vendor == "postgresql":
        return _match_entities_pg(key, limit, public_only)
    return _match_entities_python(key, limit, public_only=public_only)


def _targets() -> tuple[tuple[str, type[Model]], ...]:
    from archive.models import Organisation, Person, Place

    return (("person", Person), ("organisation", Organisation), ("place", Place))


def _public_ids_sql(model: type[Model], public_only: bool = True) -> tuple[str, tuple]:
    """The ids of ``model``'s public records, as SQL: the visibility rule stays the model's."""
    rows = model.objects.public() if public_only else model.objects.all()
    sql, params = rows.order_by().values("pk").query.sql_with_params()
    return sql, tuple(params)


#: Around the names statement: scans in table order off, then back to what they were.
_SEQSCAN_OFF = (
    "SELECT set_config('archive.enable_seqscan', current_setting('enable_seqscan'), true), "
    "set_config('enable_seqscan', 'off', true)"
)
_SEQSCAN_BACK = (
    "SELECT set_config('enable_seqscan', current_setting('archive.enable_seqscan'), true)"
)


def _match_entities_pg(key: str, limit: int, public_only: bool = True) -> list[EntityMatch]:
    """One statement over the three entity tables and their variant names (a query per
    table cost more in round trips than in matching)."""
    from archive.models import Alias

    # Each part matches names first, alone (``OFFSET 0`` keeps the planner from merging the
    # match into a walk of the whole table in id order, to join it with the public ids), then
    # keeps the public records among the few matches. Ties (every name containing the query
    # scores 1) are cut by name, the order the matches are shown in, so the LIMIT keeps the
    # same names the final sort would.
    matched = "(name_folded %% %s OR %s <%% name_folded)"
    score = "GREATEST(similarity(name_folded, %s), word_similarity(%s, name_folded))"
    parts, params = [], []
    for kind, model in _targets():
        table = model._meta.db_table
        public_sql, public_params = _public_ids_sql(model, public_only)
        parts.append(
            f"(SELECT '{kind}', e.id, e.name, e.slug, '', e.score FROM (SELECT id, name, slug, "
            f"{score} AS score FROM {table} WHERE {matched} OFFSET 0) e "
            f"WHERE e.id IN ({public_sql}) ORDER BY e.score DESC, e.name LIMIT %s)"
        )
        params += [key, key, key, key, *public_params, limit]
        parts.append(
            f"(SELECT '{kind}', e.id, e.name, e.slug, a.name, a.score FROM (SELECT {kind}_id, "
            f"name, {score} AS score FROM {Alias._meta.db_table} WHERE {matched} OFFSET 0) a "
            f"JOIN {table} e ON e.id = a.{kind}_id "
            f"WHERE e.id IN ({public_sql}) ORDER BY a.score DESC, e.name LIMIT %s)"
        )
        params += [key, key, key, key, *public_params, limit]
    models = dict(_targets())
    found: dict[tuple[str, int], EntityMatch] = {}
    # Entity tables are read where the router sends public reads (a replica, if configured).
    with connections[router.db_for_read(Alias)].cursor() as cursor:
        # Through the trigram indexes only: the planner prices `%` and `<%` like an equality,
        # so for a few thousand names it read them all in order, computing the trigrams of
        # every name (15-25 ms for 2,000 people, against under 2 ms through the GIN index;
        # the same rows either way). The setting is local and put back by the third
        # statement; the three go in one round trip (simple query protocol: one implicit
        # transaction when none is open).
        cursor.execute(f"{_SEQSCAN_OFF}; {' UNION ALL '.join(parts)}; {_SEQSCAN_BACK}", params)
        cursor.nextset()
        for kind, pk, name, slug, alias, score in cursor.fetchall():
            old = found.get((kind, pk))
            if old is None or old.score < score:
                url = models[kind](slug=slug).get_absolute_url()
                found[(kind, pk)] = EntityMatch(kind, name, url, float(score), alias, pk)
    return sorted(found.values(), key=lambda m: (-m.score, m.name))[:limit]


def _similarity(key: str, name: str) -> float:
    """Best ratio between the query and the whole name or any run of as many words."""
    best = difflib.SequenceMatcher(None, key, name).ratio()
    words, n = name.split(), max(1, len(key.split()))
    for i in range(max(1, len(words) - n + 1)):
        part = " ".join(words[i : i + n])
        best = max(best, difflib.SequenceMatcher(None, key, part).ratio())
    return best


#: The similarity of two folded names (0–1), for callers outside search that compare names
#: the way the SQLite path does (the admin's near-duplicate warning for event titles).
name_similarity = _similarity


def _match_entities_python(
    key: str, limit: int, threshold: float = 0.75, *, public_only: bool = True
) -> list[EntityMatch]:
    from archive.models import Alias

    found: dict[tuple[str, int], EntityMatch] = {}
    for kind, model in _targets():
        rows = model.objects.public() if public_only else model.objects.all()
        for pk, name, folded, slug in rows.values_list("pk", "name", "name_folded", "slug"):
            score = _similarity(key, folded)
            if score >= threshold:
                found[(kind, pk)] = EntityMatch(
                    kind, name, model(slug=slug).get_absolute_url(), score, id=pk
                )
        aliases = Alias.objects.filter(
            model.public_q(f"{kind}__") if public_only else Q(**{f"{kind}__isnull": False})
        )
        for pk, name, slug, alias, folded in aliases.values_list(
            f"{kind}_id", f"{kind}__name", f"{kind}__slug", "name", "name_folded"
        ):
            score = _similarity(key, folded)
            old = found.get((kind, pk))
            if score >= threshold and (old is None or old.score < score):
                found[(kind, pk)] = EntityMatch(
                    kind, name, model(slug=slug).get_absolute_url(), score, alias, pk
                )
    return sorted(found.values(), key=lambda m: (-m.score, m.name))[:limit]
