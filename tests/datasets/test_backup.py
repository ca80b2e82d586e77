"""backup → empty database → restore: every table's rows come back, drafts, history and users
included (PostgreSQL: pg_dump custom format and pg_restore; SQLite: the online backup API).

The backup and the restore run as ``manage.py`` commands in their own processes, against
their own databases, as an operator runs them; the test then compares every table of the
restored database with the original, row for row (and on PostgreSQL every sequence).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from archive import changes, models, services
from archive.backup import BackupError, backup, check
from tests.factories import (
    AliasFactory,
    ArticleFactory,
    AuthorshipFactory,
    IssueFactory,
    MentionFactory,
    PersonFactory,
    UserFactory,
)

MANAGE = Path(settings.BASE_DIR) / "manage.py"


def an_archive_with_everything() -> None:
    """Public records, drafts, records in review, history with reasons, a merge, users."""
    curator = UserFactory(username="curator", is_superuser=True)
    UserFactory(username="contributor", is_staff=False)
    walesa = PersonFactory(name="Lech Wałęsa", slug="lech-walesa", sort_name="Wałęsa, Lech")
    duplicate = PersonFactory(name="Lech Walesa", slug="walesa")
    AliasFactory(person=walesa, name="Wałęsa")
    article = ArticleFactory(title="Trotsky’s heirs", body="=SUM(A1) is not a formula.")
    ArticleFactory(title="A draft", issue=article.issue, status=models.Status.DRAFT)
    ArticleFactory(title="In review", issue=IssueFactory(status=models.Status.REVIEW))
    AuthorshipFactory(article=article, person=duplicate)
    MentionFactory(article=article, person=walesa, context="Wałęsa’s union")
    article.curator_notes = "Dateline doubtful; see the printed original."
    article._change_reason = "Checked against the printed original"
    article.save()
    changes.record_changes()
    services.entity_merge(survivor=walesa, duplicates=[duplicate], user=curator)
    changes.record_changes()


def manage(*args: str, database_url: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    return subprocess.run(
        [sys.executable, str(MANAGE), *args], env=env, capture_output=True, text=True, check=False
    )


# -- PostgreSQL ---------------------------------------------------------------------------------


def _pg_url(name: str) -> str:
    params = connection.settings_dict
    user = quote(params["USER"] or "", safe="")
    password = f":{quote(params['PASSWORD'], safe='')}" if params.get("PASSWORD") else ""
    host = quote(params["HOST"] or "", safe="")
    port = f":{params['PORT']}" if params.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{name}"


def _pg_snapshot(name: str) -> tuple[dict[str, list[str]], dict[str, int | None]]:
    import psycopg

    params = connection.settings_dict
    with psycopg.connect(
        dbname=name,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        user=params["USER"] or None,
        password=params.get("PASSWORD") or None,
    ) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        rows = {
            t: sorted(r[0] for r in conn.execute(f'SELECT t::text FROM "{t}" t')) for t in tables
        }
        sequences = dict(
            conn.execute(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
            ).fetchall()
        )
    return rows, sequences


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip_on_postgresql(tmp_path):
    an_archive_with_everything()
    source = connection.settings_dict["NAME"]
    dump = tmp_path / "archive.dump"
    made = manage("backup", "--output", str(dump), database_url=_pg_url(source))
    assert made.returncode == 0, made.stderr
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    assert (tmp_path / "archive.dump.sha256").read_text().split()[0] == check(dump)

    target = f"{source}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
        cursor.execute(f'CREATE DATABASE "{target}"')
    try:
        restored = manage("restore", str(dump), database_url=_pg_url(target))
        assert restored.returncode == 0, restored.stderr
        before, before_sequences = _pg_snapshot(source)
        after, after_sequences = _pg_snapshot(target)
        assert sorted(after) == sorted(before)
        for table in before:
            assert after[table] == before[table], table
        assert after_sequences == before_sequences
        # What a release leaves out is all there: drafts, history with its reasons, users.
        assert len(before["auth_user"]) == 2
        assert any("A draft" in row for row in after["archive_article"])
        assert any(
            "Checked against the printed original" in r for r in after["archive_historicalarticle"]
        )
        assert any("Merged" in r and "Lech Walesa" in r for r in after["archive_historicalperson"])
        # The restored database is a working archive: migrations up to date.
        checked = manage("migrate", "--check", database_url=_pg_url(target))
        assert checked.returncode == 0, checked.stdout + checked.stderr
        # A second restore into it is refused: it is not empty.
        again = manage("restore", str(dump), database_url=_pg_url(target))
        assert again.returncode != 0 and "empty database" in again.stderr
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')


# -- SQLite -------------------------------------------------------------------------------------


def _sqlite_snapshot(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    tables = [
        r[0]
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    ]
    return {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"'))) for t in tables}


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip_on_sqlite(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite backup (the PostgreSQL one is tested above)")
    an_archive_with_everything()
    # The test database lives in memory, shared with this process only: the backup runs
    # here; the restore runs as an operator runs it, into a new database file.
    copy = backup(tmp_path / "archive.sqlite3")
    assert copy.sha256 == check(copy.path)
    target = tmp_path / "restored.sqlite3"
    restored = manage("restore", str(copy.path), database_url=f"sqlite:///{target}")
    assert restored.returncode == 0, restored.stderr
    # Read the original as plain SQLite values too (Django's connection converts dates).
    name = connection.settings_dict["NAME"]
    with sqlite3.connect(name, uri=str(name).startswith("file:")) as conn:
        before = _sqlite_snapshot(conn)
    with sqlite3.connect(target) as conn:
        after = _sqlite_snapshot(conn)
    assert sorted(after) == sorted(before)
    for table in before:
        assert after[table] == before[table], table
    assert len(before["auth_user"]) == 2
    assert len(before["archive_historicalperson"]) > 0


@pytest.mark.django_db(transaction=True)
def test_a_restore_refuses_a_database_with_tables_and_an_altered_backup(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("checked once; the PostgreSQL refusal is in the round trip")
    PersonFactory(name="Rosa Luxemburg")
    copy = backup(tmp_path / "archive.sqlite3")
    with pytest.raises(CommandError, match="empty database"):
        call_command("restore", str(copy.path))
    data = bytearray(copy.path.read_bytes())
    data[200] ^= 0x01
    copy.path.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="does not match"):
        check(copy.path)
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", "--output", str(copy.path))
    assert get_user_model().objects.count() == 0
