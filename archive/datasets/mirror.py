"""The mirror kit: each release as one SQLite file that opens in Datasette or sqlite-utils.

A CSV per resource is the most durable format, but a reader who wants to *use* the archive
offline (search it, join it, serve it on their own site) wants one database. So every release
also ships ``archive-<release>.sqlite3``, built from the release's own JSON Lines files (the
exact values) and its schema, so its rows are the release's rows:

* one table per resource, named like the files, columns in the same order with SQLite types
  (integers, reals, text; dates and timestamps as the ISO text the files hold), the primary
  key and every foreign key the data package declares;
* full-text search tables (FTS5, external content, ``unicode61`` tokenizer with diacritics
  folded, so "walesa" finds "Walęsa"; "ł" is a letter of its own, and the variant names
  indexed with a person, "Walesa", make "walesa" find "Wałęsa"):
  ``articles_fts`` (title, subtitle, body), ``people_fts``, ``organisations_fts``,
  ``places_fts``, ``events_fts``, ``publications_fts``, which Datasette uses for ``?_search=``;
* views for the joins people ask for most: ``article_authors``, ``article_mentions``,
  ``articles_in_issues``, ``event_places_named``;
* ``_metadata``: the release name, version, licence, source and citation, and a Datasette
  metadata file beside it (``archive-<release>.metadata.json``) with the same and every
  table's and column's description: ``datasette archive-….sqlite3 -m archive-….metadata.json``.

The file is checked for foreign-key integrity (``PRAGMA foreign_key_check``) before it is
kept: a release whose files point at rows they do not hold is not published.
"""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

SQL_TYPES = {
    "integer": "INTEGER",
    "number": "REAL",
    "boolean": "INTEGER",
    "string": "TEXT",
    "date": "TEXT",
    "datetime": "TEXT",
}
#: Resource → the text columns its full-text table indexes (only those the schema has).
FULL_TEXT = {
    "articles": ("title", "subtitle", "body"),
    "people": ("name", "sort_name", "variant_names", "description"),
    "organisations": ("name", "acronym", "variant_names", "description"),
    "places": ("name", "variant_names", "description"),
    "events": ("title", "description"),
    "publications": ("title", "description"),
}
VIEWS = {
    "article_authors": (
        "Each article with its public authors, editors and translators, in credit order.",
        """SELECT au.article_id, a.title AS article_title, a.date AS article_date,
       a.publication_title, au.person_id, p.name AS person_name, p.sort_name,
       au.role, au."order"
FROM authorships au
JOIN articles a ON a.id = au.article_id
JOIN people p ON p.id = au.person_id""",
    ),
    "article_mentions": (
        "Who and what each article mentions, with the article's date and publication.",
        """SELECT m.id AS mention_id, m.article_id, a.title AS article_title,
       a.date AS article_date, a.date_source, a.publication_title,
       m.target_type, m.target_id, m.target_name, m.count, m.context
FROM mentions m
JOIN articles a ON a.id = m.article_id""",
    ),
    "articles_in_issues": (
        "Articles with their issue and publication.",
        """SELECT a.id AS article_id, a.title, a.subtitle, a.kind, a.date, a.date_source,
       a.position, p.id AS publication_id, p.title AS publication_title,
       i.id AS issue_id, i.volume, i.number, i.title AS issue_title, i.date AS issue_date,
       a.word_count
FROM articles a
JOIN issues i ON i.id = a.issue_id
JOIN publications p ON p.id = i.publication_id""",
    ),
    "event_places_named": (
        "Where each event happened, by name.",
        """SELECT e.id AS event_id, e.title AS event_title, e.date AS event_date,
       pl.id AS place_id, pl.name AS place_name, pl.latitude, pl.longitude
FROM event_places ep
JOIN events e ON e.id = ep.event_id
JOIN places pl ON pl.id = ep.place_id""",
    ),
}


class MirrorError(Exception):
    """The SQLite file could not be built faithfully."""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "number":
        return float(value) if isinstance(value, Decimal) else value
    if kind == "boolean":
        return 1 if value else 0
    return value


def build_sqlite(
    folder: Path,
    path: Path,
    schemas: dict[str, dict[str, Any]],
    metadata: dict[str, str],
) -> dict[str, int]:
    """Write the SQLite mirror of the release files in ``folder`` to ``path``.

    ``schemas`` is resource → Table Schema (in load order), ``metadata`` the release's
    name, licence and source. Returns rows per table.
    """
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        counts = {}
        with db:
            for resource, schema in schemas.items():
                _create_table(db, resource, schema)
                counts[resource] = _load(db, folder / f"{resource}.jsonl", resource, schema)
            for resource, columns in FULL_TEXT.items():
                if resource in schemas:
                    _create_fts(db, resource, schemas[resource], columns)
            for name, (_description, sql) in VIEWS.items():
                db.execute(f"CREATE VIEW {_quote(name)} AS {sql}")
            db.execute("CREATE TABLE _metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            db.executemany("INSERT INTO _metadata VALUES (?, ?)", sorted(metadata.items()))
        broken = db.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            table, rowid, parent, _fk = broken[0]
            raise MirrorError(
                f"{len(broken)} rows point at rows the release does not hold; first: "
                f"{table} row {rowid} → {parent}."
            )
        db.execute("ANALYZE")
        db.commit()
    finally:
        db.close()
    return counts


def _create_table(db: sqlite3.Connection, resource: str, schema: dict[str, Any]) -> None:
    lines = []
    keys = set(schema.get("primaryKey", []))
    for field in schema["fields"]:
        line = f"{_quote(field['name'])} {SQL_TYPES[field['type']]}"
        if field["name"] in keys and len(keys) == 1:
            line += " PRIMARY KEY"
        lines.append(line)
    for fk in schema.get("foreignKeys", []):
        reference = fk["reference"]
        lines.append(
            f"FOREIGN KEY ({_quote(fk['fields'])}) REFERENCES "
            f"{_quote(reference['resource'])} ({_quote(reference['fields'])})"
        )
    db.execute(f"CREATE TABLE {_quote(resource)} (\n  " + ",\n  ".join(lines) + "\n)")
    for fk in schema.get("foreignKeys", []):
        column = fk["fields"]
        db.execute(
            f"CREATE INDEX {_quote(f'{resource}_{column}')} "
            f"ON {_quote(resource)} ({_quote(column)})"
        )


def _load(db: sqlite3.Connection, jsonl: Path, resource: str, schema: dict[str, Any]) -> int:
    fields = [(f["name"], f["type"]) for f in schema["fields"]]
    marks = ", ".join("?" for _ in fields)
    sql = f"INSERT INTO {_quote(resource)} VALUES ({marks})"
    count = 0
    batch: list[tuple] = []
    with open(jsonl, encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            row = json.loads(line, parse_float=Decimal)
            batch.append(tuple(_value(row.get(name), kind) for name, kind in fields))
            if len(batch) >= 1000:
                db.executemany(sql, batch)
                count += len(batch)
                batch = []
    if batch:
        db.executemany(sql, batch)
        count += len(batch)
    return count


def _create_fts(
    db: sqlite3.Connection, resource: str, schema: dict[str, Any], columns: tuple[str, ...]
) -> None:
    present = {f["name"] for f in schema["fields"]}
    indexed = [c for c in columns if c in present]
    if not indexed:
        return
    table = f"{resource}_fts"
    db.execute(
        f"CREATE VIRTUAL TABLE {_quote(table)} USING fts5("
        + ", ".join(_quote(c) for c in indexed)
        + f", content={_quote(resource)}, content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    db.execute(f"INSERT INTO {_quote(table)} ({_quote(table)}) VALUES ('rebuild')")


def datasette_metadata(
    database: str,
    schemas: dict[str, dict[str, Any]],
    metadata: dict[str, str],
    descriptions: dict[str, str],
) -> dict[str, Any]:
    """A Datasette metadata file: licence, source, and every table's and column's meaning."""
    tables: dict[str, Any] = {}
    for resource, schema in schemas.items():
        tables[resource] = {
            "description": descriptions.get(resource, ""),
            "columns": {f["name"]: f.get("description", "") for f in schema["fields"]},
        }
        if resource in FULL_TEXT:
            tables[resource]["fts_table"] = f"{resource}_fts"
            tables[resource]["fts_pk"] = "id"
    for name, (description, _sql) in VIEWS.items():
        tables[name] = {"description": description}
    return {
        "title": metadata["title"],
        "description": metadata["description"],
        "license": metadata["licence"],
        "license_url": metadata["licence_url"],
        "source": metadata["source"],
        "source_url": metadata["source_url"],
        "databases": {database: {"tables": tables}},
    }
