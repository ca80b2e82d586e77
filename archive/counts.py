"""Stored counts shown on the A–Z indexes, kept exact by database triggers.

The people, organisations, places and publications indexes show how often each record is
mentioned or how many articles it holds. Counting live per row reads every mention of a
place (2,000 at a million articles) for each of the 60 rows shown; stored counts make a page
cost the same whatever the size of the archive.

What is counted (the public rule, as the pages counted it live):

- ``Person/Organisation/Place.mention_count``: mentions of the record that are not rejected,
  in a published article;
- ``Publication.issue_count``: its published issues;
- ``Publication.article_count``: published articles in any of its issues.

Why triggers and not a refresh called by each writer: records change through the admin,
services (``records_set_status``, ``entity_merge``), bulk ``update()``, the importer and
linker, fixtures and release loads, and raw SQL. A trigger sees every one of them, so no
writer can forget. Each trigger applies the *difference* a statement makes (rows added
minus rows removed, counted only where the rule holds), so:

- on PostgreSQL they are statement-level triggers over transition tables: a bulk load or a
  ``DELETE`` of a million mentions costs one grouped query, not a million;
- on SQLite (no statement-level triggers) they are row-level triggers running the same SQL
  over the one changed row;
- either order of inserts and deletes gives the same result: a mention inserted before its
  article is counted when the article arrives; a record inserted after mentions of it
  counts them on insert.

ORM ``save()`` never writes the stored counts (see :class:`StoredCounts`), so an instance
loaded before a change cannot overwrite the trigger's figure with a stale one.
:func:`refresh_counts` recomputes everything from scratch: run after loads that write rows
with counts in them (``collection_loaded`` does it) and by the migration that adds them.

Migration 0006 holds a frozen copy of the SQL below. Changing a trigger here changes
nothing in an existing database: add a migration that drops and re-creates the triggers
with the new :func:`trigger_sql` output (``tests/models/test_counts.py`` checks that the
installed triggers still give the counts this module computes).
"""

from __future__ import annotations

from django.db import connection, models

TARGETS = ("person", "organisation", "place")
PUBLISHED = "'published'"
REJECTED = "'rejected'"

# The live definitions, as correlated subqueries over ``{id}``.
LIVE = {
    ("archive_person", "mention_count"): (
        "SELECT count(*) FROM archive_mention m JOIN archive_article a ON a.id = m.article_id "
        f"WHERE m.person_id = {{id}} AND m.status <> {REJECTED} AND a.status = {PUBLISHED}"
    ),
    ("archive_organisation", "mention_count"): (
        "SELECT count(*) FROM archive_mention m JOIN archive_article a ON a.id = m.article_id "
        f"WHERE m.organisation_id = {{id}} AND m.status <> {REJECTED} "
        f"AND a.status = {PUBLISHED}"
    ),
    ("archive_place", "mention_count"): (
        "SELECT count(*) FROM archive_mention m JOIN archive_article a ON a.id = m.article_id "
        f"WHERE m.place_id = {{id}} AND m.status <> {REJECTED} AND a.status = {PUBLISHED}"
    ),
    ("archive_publication", "issue_count"): (
        f"SELECT count(*) FROM archive_issue i WHERE i.publication_id = {{id}} "
        f"AND i.status = {PUBLISHED}"
    ),
    ("archive_publication", "article_count"): (
        "SELECT count(*) FROM archive_article a JOIN archive_issue i ON i.id = a.issue_id "
        f"WHERE i.publication_id = {{id}} AND a.status = {PUBLISHED}"
    ),
}


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


def _bump(table: str, column: str, delta_sql: str) -> str:
    """Add per-id deltas (``delta_sql`` yields ``id, n``) to ``table.column``."""
    return (
        f"UPDATE {table} SET {column} = {column} + d.n FROM ({delta_sql}) AS d "
        f"WHERE {table}.id = d.id AND d.n <> 0"
    )


def _mention_statements(src: str) -> list[str]:
    """``src`` yields changed mention rows with a ``sign`` (+1 added, -1 removed)."""
    return [
        _bump(
            f"archive_{t}",
            "mention_count",
            f"SELECT r.{t}_id AS id, sum(r.sign) AS n FROM ({src}) AS r "
            f"JOIN archive_article a ON a.id = r.article_id AND a.status = {PUBLISHED} "
            f"WHERE r.status <> {REJECTED} AND r.{t}_id IS NOT NULL GROUP BY r.{t}_id",
        )
        for t in TARGETS
    ]


def _article_statements(src: str) -> list[str]:
    """``src`` yields changed article rows (id, issue_id, status, sign)."""
    out = [
        _bump(
            "archive_publication",
            "article_count",
            f"SELECT i.publication_id AS id, sum(r.sign) AS n FROM ({src}) AS r "
            f"JOIN archive_issue i ON i.id = r.issue_id WHERE r.status = {PUBLISHED} "
            "GROUP BY i.publication_id",
        )
    ]
    out += [
        _bump(
            f"archive_{t}",
            "mention_count",
            f"SELECT m.{t}_id AS id, sum(r.sign) AS n FROM ({src}) AS r "
            f"JOIN archive_mention m ON m.article_id = r.id "
            f"WHERE r.status = {PUBLISHED} AND m.status <> {REJECTED} "
            f"AND m.{t}_id IS NOT NULL GROUP BY m.{t}_id",
        )
        for t in TARGETS
    ]
    return out


def _issue_statements(src: str) -> list[str]:
    """``src`` yields changed issue rows (id, publication_id, status, sign)."""
    return [
        _bump(
            "archive_publication",
            "issue_count",
            f"SELECT r.publication_id AS id, sum(r.sign) AS n FROM ({src}) AS r "
            f"WHERE r.status = {PUBLISHED} GROUP BY r.publication_id",
        ),
        _bump(
            "archive_publication",
            "article_count",
            f"SELECT r.publication_id AS id, sum(r.sign * ("
            f"SELECT count(*) FROM archive_article a WHERE a.issue_id = r.id "
            f"AND a.status = {PUBLISHED})) AS n FROM ({src}) AS r GROUP BY r.publication_id",
        ),
    ]


def _self_statements(table: str, src: str) -> list[str]:
    """A newly inserted record counts what already points at it (out-of-order loads)."""
    return [
        f"UPDATE {table} SET {column} = ({live.format(id=f'{table}.id')}) "
        f"WHERE {table}.id IN (SELECT id FROM ({src}) AS r)"
        for (t, column), live in LIVE.items()
        if t == table
    ]


# table -> (columns that matter, statement builder)
WATCHED = {
    "archive_mention": (
        ("person_id", "organisation_id", "place_id", "article_id", "status"),
        _mention_statements,
    ),
    "archive_article": (("issue_id", "status"), _article_statements),
    "archive_issue": (("publication_id", "status"), _issue_statements),
}
COUNTED_TABLES = ("archive_person", "archive_organisation", "archive_place", "archive_publication")


def _pg_sql() -> list[str]:
    out = []

    def function(name: str, statements: list[str], lock: str = "") -> None:
        body = "".join(f"  {s};\n" for s in statements)
        out.append(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n{lock}{body}  RETURN NULL;\nEND $$"
        )

    def trigger(name: str, table: str, event: str, referencing: str, fn: str) -> None:
        out.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        out.append(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {fn}()"
        )

    for table, (columns, build) in WATCHED.items():
        cols = ", ".join(("id", *columns))
        changed = " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in columns)
        ins = f"SELECT {cols}, 1 AS sign FROM new_rows"
        dele = f"SELECT {cols}, -1 AS sign FROM old_rows"
        pair = "FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE " + changed
        upd = (
            f"SELECT {', '.join(f'o.{c}' for c in ('id', *columns))}, -1 AS sign {pair} "
            f"UNION ALL SELECT {', '.join(f'n.{c}' for c in ('id', *columns))}, 1 AS sign {pair}"
        )
        # Read committed: a concurrent transaction publishing the parent row must not be
        # missed, so wait for it (a share lock) before reading the parent's status.
        parent = {"archive_mention": "archive_article", "archive_article": "archive_issue"}
        lock = ""
        if table in parent:
            fk = "article_id" if table == "archive_mention" else "issue_id"
            lock = (
                f"  PERFORM 1 FROM {parent[table]} WHERE id IN (SELECT {fk} FROM new_rows) "
                "FOR SHARE;\n"
            )
        short = table.removeprefix("archive_")
        function(f"archive_counts_{short}_ins", build(ins), lock)
        function(f"archive_counts_{short}_del", build(dele))
        function(f"archive_counts_{short}_upd", build(upd), lock)
        trigger(f"archive_counts_{short}_ins", table, "INSERT", "NEW TABLE AS new_rows",
                f"archive_counts_{short}_ins")  # fmt: skip
        trigger(f"archive_counts_{short}_del", table, "DELETE", "OLD TABLE AS old_rows",
                f"archive_counts_{short}_del")  # fmt: skip
        both = "OLD TABLE AS old_rows NEW TABLE AS new_rows"
        trigger(f"archive_counts_{short}_upd", table, "UPDATE", both,
                f"archive_counts_{short}_upd")  # fmt: skip
    for table in COUNTED_TABLES:
        short = table.removeprefix("archive_")
        function(f"archive_counts_{short}_self", _self_statements(table, "SELECT id FROM new_rows"))
        trigger(f"archive_counts_{short}_self", table, "INSERT", "NEW TABLE AS new_rows",
                f"archive_counts_{short}_self")  # fmt: skip
    return out


def _sqlite_sql() -> list[str]:
    out = []

    def trigger(name: str, table: str, event: str, when: str, statements: list[str]) -> None:
        out.append(f"DROP TRIGGER IF EXISTS {name}")
        body = "".join(f"  {s};\n" for s in statements)
        out.append(f"CREATE TRIGGER {name} AFTER {event} ON {table}{when} BEGIN\n{body}END")

    for table, (columns, build) in WATCHED.items():
        cols = ("id", *columns)
        new = "SELECT " + ", ".join(f"NEW.{c} AS {c}" for c in cols) + ", 1 AS sign"
        old = "SELECT " + ", ".join(f"OLD.{c} AS {c}" for c in cols) + ", -1 AS sign"
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
        short = table.removeprefix("archive_")
        trigger(f"archive_counts_{short}_ins", table, "INSERT", "", build(new))
        trigger(f"archive_counts_{short}_del", table, "DELETE", "", build(old))
        trigger(f"archive_counts_{short}_upd", table, f"UPDATE OF {', '.join(columns)}",
                f" WHEN {changed}", build(f"{old} UNION ALL {new}"))  # fmt: skip
    for table in COUNTED_TABLES:
        short = table.removeprefix("archive_")
        trigger(f"archive_counts_{short}_self", table, "INSERT", "",
                _self_statements(table, "SELECT NEW.id AS id"))  # fmt: skip
    return out


def trigger_sql(vendor: str) -> list[str]:
    """The statements that install the triggers on ``vendor`` (idempotent)."""
    if vendor == "postgresql":
        return _pg_sql()
    if vendor == "sqlite":
        return _sqlite_sql()
    raise NotImplementedError(f"No stored-count triggers for {vendor}")


def drop_sql(vendor: str) -> list[str]:
    out = []
    tables = [*WATCHED, *COUNTED_TABLES]
    for table in tables:
        short = table.removeprefix("archive_")
        names = ("self",) if table in COUNTED_TABLES else ("ins", "del", "upd")
        for op in names:
            name = f"archive_counts_{short}_{op}"
            if vendor == "postgresql":
                out.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                out.append(f"DROP FUNCTION IF EXISTS {name}()")
            else:
                out.append(f"DROP TRIGGER IF EXISTS {name}")
    return out


def refresh_counts(using=None) -> int:
    """Recompute every stored count from the rows; return how many were wrong.

    Needed only after writes that set counts themselves (fixtures or releases that carry
    them are loaded with raw saves) and when the triggers are first installed.
    """
    conn = connection if using is None else using
    fixed = 0
    with conn.cursor() as cursor:
        for (table, column), live in LIVE.items():
            expr = live.format(id=f"{table}.id")
            cursor.execute(f"UPDATE {table} SET {column} = ({expr}) WHERE {column} <> ({expr})")
            fixed += max(cursor.rowcount, 0)
    return fixed


def count_mismatches() -> list[tuple[str, int, str, int, int]]:
    """(table, id, column, stored, live) for every stored count that disagrees with the rows."""
    out = []
    with connection.cursor() as cursor:
        for (table, column), live in LIVE.items():
            expr = live.format(id=f"{table}.id")
            cursor.execute(f"SELECT id, {column}, ({expr}) FROM {table} WHERE {column} <> ({expr})")
            out += [(table, pk, column, stored, n) for pk, stored, n in cursor.fetchall()]
    return out


def _collection_loaded(sender, **kwargs) -> None:
    refresh_counts()


def connect() -> None:
    """Recount after bulk loads: fixtures and releases may carry counts of their own."""
    from archive.signals import collection_loaded

    collection_loaded.connect(_collection_loaded, dispatch_uid="counts_refresh_after_load")
