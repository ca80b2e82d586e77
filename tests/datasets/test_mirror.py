"""The mirror kit: each release's SQLite file, opened with Datasette as a reader would.

Datasette (a dev dependency) serves the file with its metadata file; the test asks it what a
reader asks: the licence and source, a full-text search (with the seed's own strings), a
view, and every table's rows, which must be the release's CSV rows, cell for cell.
"""

from __future__ import annotations

import asyncio
import csv
import json
import sqlite3
from decimal import Decimal

import pytest
from datasette.app import Datasette

from archive.datasets.mirror import FULL_TEXT, VIEWS
from archive.datasets.releases import build_release, mirror_names
from archive.exports.base import neutralise

pytestmark = pytest.mark.django_db


def datasette_get(path, database, metadata, url: str) -> dict | list:
    """GET ``url`` from Datasette serving ``path`` with ``metadata``, as JSON."""

    async def fetch():
        ds = Datasette([str(path)], metadata=metadata)
        await ds.invoke_startup()
        response = await ds.client.get(url)
        assert response.status_code == 200, (url, response.text[:300])
        return response.json()

    return asyncio.run(fetch())


@pytest.fixture
def mirror(small_archive, dataset_root):
    release = build_release().release
    database, metadata_file = mirror_names(release.name)
    path = release.path / database
    metadata = json.loads((release.path / metadata_file).read_text())
    return release, path, path.stem, metadata


def test_datasette_opens_the_mirror_with_its_licence_and_source(mirror):
    release, path, name, metadata = mirror
    served = datasette_get(path, name, metadata, "/-/metadata.json")
    assert served["license"] == "Creative Commons Attribution 4.0"
    assert served["source_url"].endswith("/")
    tables = {t["name"] for t in datasette_get(path, name, metadata, f"/{name}.json")["tables"]}
    assert {"articles", "people", "mentions", "articles_fts", "_metadata"} <= tables
    with sqlite3.connect(path) as db:
        stored = dict(db.execute("SELECT key, value FROM _metadata"))
    assert stored["release"] == release.name
    assert stored["licence_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert stored["changes_last_seq"] == str(release.last_seq)


def test_datasette_answers_full_text_queries(mirror, small_archive):
    _release, path, name, metadata = mirror
    found = datasette_get(
        path, name, metadata, f"/{name}/articles.json?_search=Trotsky&_shape=array"
    )
    assert [row["id"] for row in found] == [small_archive["public_articles"][0].pk]
    # Without diacritics, through a variant name as printed in the source.
    people = datasette_get(path, name, metadata, f"/{name}/people.json?_search=walesa&_shape=array")
    assert [row["name"] for row in people] == ["Lech Wałęsa"]
    # A draft never reaches the mirror: not a row, not a word in the index.
    hidden = datasette_get(
        path, name, metadata, f"/{name}/articles.json?_search=draft&_shape=array"
    )
    assert hidden == []
    authors = datasette_get(path, name, metadata, f"/{name}/article_authors.json?_shape=array")
    assert [(a["article_title"], a["person_name"]) for a in authors] == [
        ("The risen people", "Lech Wałęsa")
    ]


def test_every_table_holds_the_rows_of_its_csv(mirror):
    release, path, name, metadata = mirror
    package = json.loads((release.path / "datapackage.json").read_text())
    counted = 0
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA foreign_keys = ON")
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        for resource in (r for r in package["resources"] if r["format"] == "csv"):
            types = [f["type"] for f in resource["schema"]["fields"]]
            with open(release.path / resource["path"], encoding="utf-8", newline="") as handle:
                rows = list(csv.reader(handle))
            header, csv_rows = rows[0], rows[1:]
            columns = [r[1] for r in db.execute(f'PRAGMA table_info("{resource["name"]}")')]
            assert columns == header
            table = db.execute(f'SELECT * FROM "{resource["name"]}" ORDER BY id').fetchall()
            assert len(table) == len(csv_rows), resource["name"]
            served = datasette_get(path, name, metadata, f"/{name}/{resource['name']}.json")
            assert served["filtered_table_rows_count"] == len(csv_rows)
            for ours, theirs in zip(table, csv_rows, strict=True):
                assert [_cell(v, t) for v, t in zip(ours, types, strict=True)] == [
                    _csv(v, t) for v, t in zip(theirs, types, strict=True)
                ], (resource["name"], ours[0])
            counted += len(table)
    assert counted > 20


def test_the_mirror_is_listed_checksummed_and_documented(mirror):
    release, path, _name, _metadata = mirror
    entry = release.file(path.name)
    assert entry is not None and entry["kind"] == "mirror"
    assert f"  {path.name}\n" in (release.path / "SHA256SUMS").read_text()
    assert set(FULL_TEXT) <= {r["name"] for r in release.manifest["resources"]}
    with sqlite3.connect(path) as db:
        views = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='view'")}
    assert views == set(VIEWS)


def _cell(value, kind: str):
    """A mirror value in the form the CSV cell holds it."""
    if value is None:
        return ""
    if kind == "number":
        return Decimal(repr(value))
    if kind == "string":
        return neutralise(value)
    return str(value)


def _csv(text: str, kind: str):
    return Decimal(text) if kind == "number" and text else text
