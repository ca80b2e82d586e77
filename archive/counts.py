"""Stored counts shown on the A–Z indexes, kept exact by database triggers.

The people, organisations, places and publications indexes show how often each record is
mentioned or how many articles it holds. Counting live per row reads every mention of a
place (2,000 at a million articles) for each of the 60 rows shown; stored counts make a page
cost the same whatever the size of the archive.

What is counted is the model layer's visibility rule (``public_q()``), with one exception
that keeps a count meaningful while its record is being prepared: *a record's own status
never counts toward its own figures* (it is only shown when public anyway, and publishing it
must not change what it counts):

- ``Person/Organisation/Place.mention_count``: its mentions that ``Mention.public_q(target=…)``
  admits, whatever the record's own status: not rejected, in a published article of a
  published issue of a published publication;
- ``Publication.issue_count``: its published issues (``Issue.public_q()`` but for itself);
- ``Publication.article_count``: the articles that ``Article.public_q()`` admits but for the
  publication's own status: published articles in its published issues. So a draft
  publication already counts the articles it will show once published.

:func:`counted` builds these querysets from the models' own ``public_q()`` (dropping the
record's own condition), so they cannot drift from the rule the pages use;
:func:`count_mismatches` and :func:`refresh_counts` use them. The trigger SQL below is the
same rule written over the four tables of the chain (mention → article → issue →
publication); ``tests/models/test_counts.py`` checks, on both engines and after random status
changes at every level, that the stored figures equal the querysets.

Why triggers and not a refresh called by each writer: records change through the admin,
services (``records_set_status``, ``entity_merge``), bulk ``update()``, the importer and
linker, fixtures and release loads, and raw SQL. A trigger sees every one of them, so no
writer can forget. Each trigger applies the *difference* a statement makes (rows added
minus rows removed, counted only where the rule holds along the whole chain), so:

- publishing or withdrawing an article, an issue or a publication moves the counts of
  everything under it: each of the four tables has triggers;
- on PostgreSQL they are statement-level triggers over transition tables: a bulk load or a
  ``DELETE`` of a million mentions costs one grouped query, not a million;
- on SQLite (no statement-level triggers) they are row-level triggers running the same SQL
  over the one changed row;
- either order of inserts and deletes gives the same result: a mention inserted before its
  article is counted when the article arrives; a record inserted after what points at it
  counts it on insert.

Concurrent writers (PostgreSQL, read committed): a trigger that reads a parent's status
first waits for any concurrent change of that status, so neither side misses the other's
rows: it takes a share lock on the article and issue rows it reads, and a shared advisory
lock per publication (the publication row itself receives count updates, so a row share
lock there would make two writers deadlock); changing a publication's status takes that
advisory lock exclusively. Rare interleavings of long transactions can still deadlock;
PostgreSQL then aborts one of them, which never leaves a wrong count.

ORM ``save()`` never writes the stored counts (see :class:`StoredCounts`), so an instance
loaded before a change cannot overwrite the trigger's figure with a stale one.
:func:`refresh_counts` recomputes everything from scratch: run after loads that write rows
with counts in them (``collection_loaded`` does it).

Migrations hold frozen copies of the SQL below (0006, then 0011). Changing a trigger here
changes nothing in an existing database: add a migration that drops and re-creates the
triggers with the new :func:`trigger_sql` output (a test compares the installed triggers
with this module's).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

TARGETS = ("person", "organisation", "place")
PUBLISHED = "'published'"
REJECTED = "'rejected'"

#: Class id of the advisory locks that order publication status changes against writers
#: under the publication (PostgreSQL); the second key is the publication id.
ADVISORY_CLASS = zlib.crc32(b"archive.counts.publication") & 0x7FFFFFFF


@dataclass(frozen=True)
class Level:
    """One table of the visibility chain: its rows are counted only where ``rule`` holds."""

    name: str
    table: str
    alias: str
    parent_fk: str | None
    rule: str  # over ``{a}``, the row's alias
    watched: tuple[str, ...]  # the columns whose change can move a count


#: The chain, child first: a mention hangs from an article, which hangs from an issue, …
LEVELS = (
    Level("mention", "archive_mention", "m", "article_id", f"{{a}}.status <> {REJECTED}",
          ("person_id", "organisation_id", "place_id", "article_id", "status")),
    Level("article", "archive_article", "a", "issue_id", f"{{a}}.status = {PUBLISHED}",
          ("issue_id", "status")),
    Level("issue", "archive_issue", "i", "publication_id", f"{{a}}.status = {PUBLISHED}",
          ("publication_id", "status")),
    Level("publication", "archive_publication", "p", None, f"{{a}}.status = {PUBLISHED}",
          ("status",)),
)  # fmt: skip
MENTION, ARTICLE, ISSUE, PUBLICATION = range(4)


@dataclass(frozen=True)
class Count:
    """``table.column`` counts rows of level ``root`` whose ``key`` column (on level
    ``key_level``) is the record's id, where the rules of the ``ruled`` levels hold."""

    table: str
    column: str
    root: int
    key_level: int
    key: str
    ruled: tuple[int, ...]

    @property
    def top(self) -> int:
        return max(self.key_level, *self.ruled)


COUNTS = (
    *(
        Count(f"archive_{t}", "mention_count", MENTION, MENTION, f"{t}_id",
              (MENTION, ARTICLE, ISSUE, PUBLICATION))
        for t in TARGETS
    ),
    Count("archive_publication", "issue_count", ISSUE, ISSUE, "publication_id", (ISSUE,)),
    Count("archive_publication", "article_count", ARTICLE, ISSUE, "publication_id",
          (ARTICLE, ISSUE)),
)  # fmt: skip
COUNTED_TABLES = ("archive_person", "archive_organisation", "archive_place", "archive_publication")


def _rule(level: int, alias: str) -> str:
    return LEVELS[level].rule.format(a=alias)


def _join(
    level: int, alias: str, link: str, conditions: list[str], columns: list[str], lateral: bool
) -> tuple[str, list[str]]:
    """Join the table of ``level`` as ``alias`` by ``link``; return the join and the
    ``conditions`` left for the WHERE clause.

    ``lateral`` (PostgreSQL): as a lateral subquery by ``link`` alone, which the planner can
    neither flatten nor push conditions into (``OFFSET 0``): the table is always reached from
    the rows in hand through the index on the linking column, one lookup per row, and the
    status rule is checked on the row found. Right after a bulk load the statistics may say
    that no article is published, and a plain join then walked the status index and tested
    every published article for each changed row (8 s for 10,000 mentions, minutes for more).
    """
    table = LEVELS[level].table
    if not lateral:
        return f"JOIN {table} {alias} ON {' AND '.join([link, *conditions])}", []
    cols = ", ".join(f"{alias}.{c}" for c in dict.fromkeys(columns))
    return (
        f"CROSS JOIN LATERAL (SELECT {cols} FROM {table} {alias} WHERE {link} OFFSET 0) AS {alias}",
        conditions,
    )


def _chain(count: Count, changed: int | None, lateral: bool = False) -> tuple[str, str, str]:
    """FROM, WHERE and the key expression of ``count`` over its chain of levels.

    With ``changed`` set, that level's rows come from a source aliased ``r`` (changed rows
    with a ``sign``) and the others are joined to it; without, the chain starts at the
    level that holds the record's id (the live count, one record's rows reached through
    its index). Each joined level carries the columns the next one and the rule need.
    """
    start = count.key_level if changed is None else changed
    alias = {j: ("r" if j == changed else LEVELS[j].alias) for j in range(4)}
    key = f"{alias[count.key_level]}.{count.key}"
    joins, where = [], []
    if changed is None:
        joins.append(f"{LEVELS[start].table} {alias[start]}")
    if start in count.ruled:
        where.append(_rule(start, alias[start]))
    if count.key_level == start and changed is not None:
        where.append(f"{key} IS NOT NULL")

    def join(j: int, link: str) -> None:
        conditions = [_rule(j, alias[j])] if j in count.ruled else []
        conditions += [f"{key} IS NOT NULL"] if j == count.key_level else []
        columns = ["id", *([LEVELS[j].parent_fk] if LEVELS[j].parent_fk else []), "status"]
        columns += [count.key] if j == count.key_level else []
        sql, left = _join(j, alias[j], link, conditions, columns, lateral)
        joins.append(sql)
        where.extend(left)

    for j in range(start - 1, count.root - 1, -1):  # down to the counted rows
        join(j, f"{alias[j]}.{LEVELS[j].parent_fk} = {alias[j + 1]}.id")
    for j in range(start + 1, count.top + 1):  # up to the last parent whose rule applies
        join(j, f"{alias[j]}.id = {alias[j - 1]}.{LEVELS[j - 1].parent_fk}")
    return " ".join(joins), " AND ".join(where), key


def live_sql(count: Count, vendor: str = "sqlite") -> str:
    """The count as a correlated subquery over ``{id}`` (the record's id)."""
    joins, where, key = _chain(count, None, lateral=vendor == "postgresql")
    return f"SELECT count(*) FROM {joins} WHERE {key} = {{id}}" + (f" AND {where}" if where else "")


def live(vendor: str) -> dict[tuple[str, str], str]:
    """``(table, column) -> live SQL`` on ``vendor``: what a record inserted after its rows
    counts (and what :func:`sql_mismatches` compares with)."""
    return {(c.table, c.column): live_sql(c, vendor) for c in COUNTS}


#: The live SQL of each count, as SQLite runs it (PostgreSQL's joins are lateral).
LIVE = live("sqlite")


def _delta_statements(changed: int, src: str, vendor: str) -> list[str]:
    """Statements adding what rows of level ``changed`` (``src``: columns and ``sign``)
    add to or take from every count they can move.

    On PostgreSQL the changed rows are computed once per statement (``MATERIALIZED``) and
    every other table is reached from them through an index (see :func:`_join`).
    """
    pg = vendor == "postgresql"
    out = []
    for count in COUNTS:
        if not count.root <= changed <= count.top:
            continue
        joins, where, key = _chain(count, changed, lateral=pg)
        rows = "r" if pg else f"({src}) AS r"
        delta = (
            (f"WITH r AS MATERIALIZED ({src}) " if pg else "")
            + f"SELECT {key} AS id, sum(r.sign) AS n FROM {rows}"
            + (f" {joins}" if joins else "")
            + (f" WHERE {where}" if where else "")
            + f" GROUP BY {key}"
        )
        out.append(
            f"UPDATE {count.table} SET {count.column} = {count.column} + d.n FROM ({delta}) AS d "
            f"WHERE {count.table}.id = d.id AND d.n <> 0"
        )
    # Publication figures first: they take the publication row's lock before the advisory
    # lock (as a status change of the publication does), so the two cannot wait on each other.
    return sorted(out, key=lambda s: not s.startswith("UPDATE archive_publication"))


def _self_statements(table: str, src: str, vendor: str) -> list[str]:
    """A newly inserted record counts what already points at it (out-of-order loads)."""
    return [
        f"UPDATE {table} SET {column} = ({sql.format(id=f'{table}.id')}) "
        f"WHERE {table}.id IN (SELECT id FROM ({src}) AS r)"
        for (t, column), sql in live(vendor).items()
        if t == table
    ]


def _pg_locks(changed: int, src: str) -> tuple[list[str], list[str]]:
    """(row locks, advisory locks) to take before reading the parents' status.

    Each parent is reached from the distinct ids in hand through its primary key (a lateral
    lookup, for the reason given in :func:`_join`).
    """
    rows, advisory = [], []
    if changed == PUBLICATION:
        advisory.append(
            f"PERFORM pg_advisory_xact_lock({ADVISORY_CLASS}, (d.id % 2147483647)::int) "
            f"FROM (SELECT DISTINCT r.id FROM ({src}) AS r ORDER BY r.id) AS d"
        )
        return rows, advisory
    ids = f"SELECT DISTINCT r.{LEVELS[changed].parent_fk} AS id FROM ({src}) AS r"
    for j in range(changed + 1, PUBLICATION):
        table, fk, x = LEVELS[j].table, LEVELS[j].parent_fk, f"x{j}"
        rows.append(
            f"PERFORM 1 FROM ({ids}) AS d{j} CROSS JOIN LATERAL (SELECT {x}.id FROM {table} {x} "
            f"WHERE {x}.id = d{j}.id OFFSET 0 FOR SHARE) AS {x}"
        )
        ids = (
            f"SELECT DISTINCT {x}.{fk} AS id FROM ({ids}) AS d{j} CROSS JOIN LATERAL "
            f"(SELECT {x}.{fk} FROM {table} {x} WHERE {x}.id = d{j}.id OFFSET 0) AS {x}"
        )
    advisory.append(
        f"PERFORM pg_advisory_xact_lock_shared({ADVISORY_CLASS}, (d.id % 2147483647)::int) "
        f"FROM (SELECT y.id FROM ({ids}) AS y WHERE y.id IS NOT NULL ORDER BY y.id) AS d"
    )
    return rows, advisory


def _pg_sql() -> list[str]:
    out = []

    def function(name: str, body: list[str], guard: str = "") -> None:
        text = "".join(f"  {s};\n" for s in body)
        out.append(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n{guard}{text}  RETURN NULL;\nEND $$"
        )

    def trigger(name: str, table: str, event: str, referencing: str) -> None:
        out.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        out.append(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )

    for changed, level in enumerate(LEVELS):
        cols = ("id", *((level.parent_fk,) if level.parent_fk else ()), *level.watched)
        cols = tuple(dict.fromkeys(cols))
        changed_pair = " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in level.watched)
        pair = f"FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {changed_pair}"
        sources = {
            "ins": f"SELECT {', '.join(cols)}, 1 AS sign FROM new_rows",
            "del": f"SELECT {', '.join(cols)}, -1 AS sign FROM old_rows",
            "upd": (
                f"SELECT {', '.join(f'o.{c}' for c in cols)}, -1 AS sign {pair} UNION ALL "
                f"SELECT {', '.join(f'n.{c}' for c in cols)}, 1 AS sign {pair}"
            ),
        }
        short = level.table.removeprefix("archive_")
        for op, src in sources.items():
            # An update that moved nothing counted (an edited title, a count bump on a
            # publication) returns at once.
            guard = f"  IF NOT EXISTS (SELECT 1 {pair}) THEN RETURN NULL; END IF;\n"
            rows, advisory = _pg_locks(changed, src)
            statements = _delta_statements(changed, src, "postgresql")
            split = sum(s.startswith("UPDATE archive_publication") for s in statements)
            body = rows + statements[:split] + advisory + statements[split:]
            function(f"archive_counts_{short}_{op}", body, guard if op == "upd" else "")
        trigger(f"archive_counts_{short}_ins", level.table, "INSERT", "NEW TABLE AS new_rows")
        trigger(f"archive_counts_{short}_del", level.table, "DELETE", "OLD TABLE AS old_rows")
        both = "OLD TABLE AS old_rows NEW TABLE AS new_rows"
        trigger(f"archive_counts_{short}_upd", level.table, "UPDATE", both)
    for table in COUNTED_TABLES:
        short = table.removeprefix("archive_")
        self_sql = _self_statements(table, "SELECT id FROM new_rows", "postgresql")
        function(f"archive_counts_{short}_self", self_sql)
        trigger(f"archive_counts_{short}_self", table, "INSERT", "NEW TABLE AS new_rows")
    return out


def _sqlite_sql() -> list[str]:
    out = []

    def trigger(name: str, table: str, event: str, when: str, statements: list[str]) -> None:
        out.append(f"DROP TRIGGER IF EXISTS {name}")
        body = "".join(f"  {s};\n" for s in statements)
        out.append(f"CREATE TRIGGER {name} AFTER {event} ON {table}{when} BEGIN\n{body}END")

    for changed, level in enumerate(LEVELS):
        cols = ("id", *((level.parent_fk,) if level.parent_fk else ()), *level.watched)
        cols = tuple(dict.fromkeys(cols))
        new = "SELECT " + ", ".join(f"NEW.{c} AS {c}" for c in cols) + ", 1 AS sign"
        old = "SELECT " + ", ".join(f"OLD.{c} AS {c}" for c in cols) + ", -1 AS sign"
        moved = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in level.watched)
        short = level.table.removeprefix("archive_")
        trigger(f"archive_counts_{short}_ins", level.table, "INSERT", "",
                _delta_statements(changed, new, "sqlite"))  # fmt: skip
        trigger(f"archive_counts_{short}_del", level.table, "DELETE", "",
                _delta_statements(changed, old, "sqlite"))  # fmt: skip
        trigger(f"archive_counts_{short}_upd", level.table,
                f"UPDATE OF {', '.join(level.watched)}", f" WHEN {moved}",
                _delta_statements(changed, f"{old} UNION ALL {new}", "sqlite"))  # fmt: skip
    for table in COUNTED_TABLES:
        short = table.removeprefix("archive_")
        trigger(f"archive_counts_{short}_self", table, "INSERT", "",
                _self_statements(table, "SELECT NEW.id AS id", "sqlite"))  # fmt: skip
    return out


def trigger_sql(vendor: str) -> list[str]:
    """The statements that install the triggers on ``vendor`` (idempotent)."""
    if vendor == "postgresql":
        return _pg_sql()
    if vendor == "sqlite":
        return _sqlite_sql()
    raise NotImplementedError(f"No stored-count triggers for {vendor}")


def trigger_names() -> list[tuple[str, str]]:
    """``(trigger, table)`` for every stored-count trigger."""
    out = []
    for level in LEVELS:
        short = level.table.removeprefix("archive_")
        out += [(f"archive_counts_{short}_{op}", level.table) for op in ("ins", "del", "upd")]
    for table in COUNTED_TABLES:
        out.append((f"archive_counts_{table.removeprefix('archive_')}_self", table))
    return out


def drop_sql(vendor: str) -> list[str]:
    out = []
    for name, table in trigger_names():
        if vendor == "postgresql":
            out.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            out.append(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            out.append(f"DROP TRIGGER IF EXISTS {name}")
    return out


# The rule from the model layer ------------------------------------------------------------


def _without(q: models.Q, own: models.Q) -> models.Q:
    """``q`` without the conditions of ``own`` (a record's own visibility rule).

    Only conditions ANDed at the top of ``q`` are dropped, and every one of ``own``'s must be
    found: if the model layer's rule changes shape this fails loudly instead of counting
    something else.
    """
    own_leaves = list(own.children)
    if (
        own.connector != models.Q.AND
        or own.negated
        or not all(isinstance(c, tuple) for c in own_leaves)
    ):
        raise ValueError(f"Cannot take {own!r} out of a count rule")
    if q.connector != models.Q.AND or q.negated:
        raise ValueError(f"Cannot take {own!r} out of {q!r}")
    kept = [c for c in q.children if c not in own_leaves]
    missing = [c for c in own_leaves if c not in q.children]
    if missing:
        raise ValueError(f"{missing!r} not found in {q!r}")
    return models.Q(*kept)


def counted() -> dict[tuple[type[models.Model], str], tuple[models.QuerySet, str]]:
    """``(model, column) -> (counted rows, lookup from a row to the record)``.

    Built from the models' ``public_q()``, minus the counted record's own condition.
    """
    from archive.models import Article, Issue, Mention, Organisation, Person, Place, Publication

    out = {}
    for model in (Person, Organisation, Place):
        kind = model._meta.model_name
        rule = _without(Mention.public_q(target=kind), model.public_q(f"{kind}__"))
        out[(model, "mention_count")] = (Mention._base_manager.filter(rule), kind)
    issues = _without(Issue.public_q(), Publication.public_q("publication__"))
    out[(Publication, "issue_count")] = (Issue._base_manager.filter(issues), "publication")
    articles = _without(Article.public_q(), Publication.public_q("issue__publication__"))
    out[(Publication, "article_count")] = (
        Article._base_manager.filter(articles),
        "issue__publication",
    )
    return out


def _differences(using: str | None = None) -> list[tuple[type[models.Model], str, int, int, int]]:
    """(model, column, id, stored, live) for every stored count that disagrees with the rows.

    One grouped query per count (not one subquery per record), so the cost is one pass over
    the counted rows whatever the planner believes about the tables.
    """
    out = []
    for (model, column), (rows, link) in counted().items():
        live = dict(rows.using(using).order_by().values_list(link).annotate(n=models.Count("pk")))
        stored = model._base_manager.using(using).order_by("pk").values_list("pk", column)
        for pk, figure in stored.iterator(chunk_size=5000):
            if figure != live.get(pk, 0):
                out.append((model, column, pk, figure, live.get(pk, 0)))
    return out


def refresh_counts(using: str | None = None) -> int:
    """Recompute every stored count from the rows; return how many were wrong.

    Needed only after writes that set counts themselves (fixtures or releases that carry
    them are loaded with raw saves) and when the triggers are first installed. On PostgreSQL
    the tables are analysed first: this runs right after bulk loads, when the planner's
    statistics still describe the tables as they were before.
    """
    db = connections[using or DEFAULT_DB_ALIAS]
    if db.vendor == "postgresql":
        tables = dict.fromkeys([*(level.table for level in LEVELS), *COUNTED_TABLES])
        with db.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(tables)}")
    wrong = _differences(using)
    for (model, column), _rows in counted().items():
        fixes = [
            model(pk=pk, **{column: n}) for m, c, pk, _s, n in wrong if (m, c) == (model, column)
        ]
        model._base_manager.using(using).bulk_update(fixes, [column], batch_size=1000)
    return len(wrong)


def count_mismatches() -> list[tuple[str, int, str, int, int]]:
    """(table, id, column, stored, live) for every stored count that disagrees with the rows."""
    return [
        (model._meta.db_table, pk, column, stored, n)
        for model, column, pk, stored, n in _differences()
    ]


def sql_mismatches() -> list[tuple[str, int, str, int, int]]:
    """Like :func:`count_mismatches`, with the triggers' own live SQL (:data:`LIVE`)."""
    out = []
    with connection.cursor() as cursor:
        for (table, column), sql in live(connection.vendor).items():
            expr = sql.format(id=f"{table}.id")
            cursor.execute(f"SELECT id, {column}, ({expr}) FROM {table} WHERE {column} <> ({expr})")
            out += [(table, pk, column, stored, n) for pk, stored, n in cursor.fetchall()]
    return out


class StoredCounts(models.Model):
    """Mixin: ``save()`` of an existing row leaves the trigger-maintained counts alone."""

    STORED_COUNTS: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if (
            not self._state.adding
            and self.pk is not None
            and kwargs.get("update_fields") is None
            and not kwargs.get("force_insert")
            and len(args) == 0
        ):
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in self.STORED_COUNTS
            ]
        super().save(*args, **kwargs)


def _collection_loaded(sender, **kwargs) -> None:
    refresh_counts()


def connect() -> None:
    """Recount after bulk loads: fixtures and releases may carry counts of their own."""
    from archive.signals import collection_loaded

    collection_loaded.connect(_collection_loaded, dispatch_uid="counts_refresh_after_load")
