"""The seed collection for a module's tests: loaded once per test session on SQLite.

``manage.py load_collection`` takes about 2.5 s on SQLite and 4.5 s on PostgreSQL, and some
fifteen modules read the seed. On SQLite's in-memory test database the database as the first
load left it is kept whole, page for page (SQLite's backup API: the rows, the triggers, the FTS5
index, the history rows and the id counters), and later modules get that copy back in a few
milliseconds; after the module, the database as it was before is put back the same way. So each
module still starts from exactly what ``load_collection`` writes, and leaves nothing behind.

Anywhere else (PostgreSQL, a SQLite file, or inside a transaction) each module loads it anew,
in a transaction rolled back afterwards, as it always did.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction

#: The in-memory SQLite database as ``load_collection`` left it, once it has run.
_loaded: sqlite3.Connection | None = None


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
        call_command("load_collection", stdout=StringIO())
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
