"""The seed collection for a module's tests: loaded once per test session on SQLite.

``manage.py load_collection`` takes about 2.5 s on SQLite and 4.5 s on PostgreSQL, and some
fifteen modules read the seed. On SQLite's in-memory test database the database as the first
load left it is kept whole, page for page (SQLite's backup API: the rows, the triggers, the FTS5
index, the history rows and the id counters), and later modules get that copy back in a few
milliseconds; after the module, the database as it was before is put back the same way. So each
module still starts from exactly what ``load_collection`` writes, and leaves nothing behind.

On PostgreSQL the first load is kept as the rows it wrote, table by table (``COPY``), with the
tables as they were before it. A later module whose tables are as they were before the first
load gets those rows back by ``COPY``, triggers off (they already ran: the search index, the
history and the counts are among the rows), and the id counters moved past them; then it rolls
back like any other. A module whose tables differ from that starting point loads anew.

Anywhere else (a SQLite file, or inside a transaction) each module loads it anew, in a
transaction rolled back afterwards, as it always did.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import StringIO

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction

#: The in-memory SQLite database as ``load_collection`` left it, once it has run.
_loaded: sqlite3.Connection | None = None


@dataclass
class _Rows:
    """What the first load wrote on PostgreSQL: each table it changed, as before and after."""

    before: dict[str, bytes]
    after: dict[str, bytes]
    sequences: dict[str, int]


#: PostgreSQL's first load, per database name.
_written: dict[str, _Rows] = {}


def _copyable() -> bool:
    return (
        connection.vendor == "sqlite"
        and connection.is_in_memory_db()
        and not connection.in_atomic_block
    )


def _copy(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    source.backup(target)
    # Content type ids are cached per process; the copy may number them otherwise.
    ContentType.objects.clear_cache()


@contextmanager
def _swapped_in() -> Iterator[None]:
    """The loaded seed in the database for the block; the database as before, afterwards."""
    global _loaded
    connection.ensure_connection()
    database = connection.connection
    before = sqlite3.connect(":memory:")
    _copy(database, before)
    try:
        if _loaded is None:
            call_command("load_collection", stdout=StringIO())
            _loaded = sqlite3.connect(":memory:", check_same_thread=False)
            _copy(database, _loaded)
        else:
            _copy(_loaded, database)
        yield
    finally:
        _copy(before, database)
        before.close()


def _tables(cursor) -> list[str]:
    """Every table holding rows (partitions, not their partitioned parents)."""
    cursor.execute(
        "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind = 'r' AND n.nspname = current_schema() ORDER BY 1"
    )
    return [row[0] for row in cursor.fetchall()]


def _dump(cursor, tables: list[str]) -> dict[str, bytes]:
    out = {}
    for table in tables:
        buffer = bytearray()
        # Sorted by the whole row: the same rows give the same bytes whatever their order.
        with cursor.copy(f"COPY (SELECT * FROM {table} t ORDER BY t) TO STDOUT") as copy:
            for chunk in copy:
                buffer += chunk
        out[table] = bytes(buffer)
    return out


def _sequences(cursor) -> dict[str, int]:
    cursor.execute(
        "SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences"
        " WHERE schemaname = current_schema() AND last_value IS NOT NULL"
    )
    return dict(cursor.fetchall())


def _load_on_postgresql() -> None:
    """``load_collection``, or the rows of the first one where the tables start alike."""
    key = connection.settings_dict["NAME"]
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg's own, for COPY
        rows = _written.get(key)
        # Turning triggers off takes a superuser (the throwaway server's user is one); as
        # another user, every module loads the seed itself.
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        if not cursor.fetchone()[0]:
            call_command("load_collection", stdout=StringIO())
            return
        if rows is not None and _dump(cursor, list(rows.before)) == rows.before:
            cursor.execute("SET LOCAL session_replication_role = replica")
            for table, data in rows.after.items():
                cursor.execute(f"DELETE FROM {table}")
                with cursor.copy(f"COPY {table} FROM STDIN") as copy:
                    copy.write(data)
            cursor.execute("SET LOCAL session_replication_role = origin")
            for sequence, value in rows.sequences.items():
                cursor.execute(
                    "SELECT setval(%s, GREATEST(%s, (SELECT last_value FROM " + sequence + ")))",
                    [sequence, value],
                )
            return
        if rows is not None:  # tables that start otherwise: a load of their own
            call_command("load_collection", stdout=StringIO())
            return
        tables = _tables(cursor)
        before = _dump(cursor, tables)
        call_command("load_collection", stdout=StringIO())
        after = _dump(cursor, tables)
        changed = [t for t in tables if after[t] != before[t]]
        _written[key] = _Rows(
            before={t: before[t] for t in changed},
            after={t: after[t] for t in changed},
            sequences=_sequences(cursor),
        )


def load_seed() -> None:
    """What ``manage.py load_collection`` writes, in the caller's transaction; on PostgreSQL
    the first load's rows where the tables start as they did then."""
    if connection.vendor == "postgresql":
        _load_on_postgresql()
    else:
        call_command("load_collection", stdout=StringIO())


@contextmanager
def seed_collection() -> Iterator[None]:
    """The seed collection for the block, inside a transaction rolled back afterwards (for a
    module-scoped fixture, under ``django_db_blocker.unblock()``)."""
    if _copyable():
        with _swapped_in(), transaction.atomic():
            yield
            transaction.set_rollback(True)
        return
    with transaction.atomic():
        load_seed()
        yield
        transaction.set_rollback(True)


@contextmanager
def committed_seed_collection() -> Iterator[bool]:
    """The seed collection committed, for tests whose servers read it on other connections
    (the browser tests). Yields whether it is taken away again afterwards; when not (on
    PostgreSQL), the caller removes what the module wrote."""
    if _copyable():
        with _swapped_in():
            yield True
        return
    call_command("load_collection", stdout=StringIO())
    yield False
