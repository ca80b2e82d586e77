"""Restore: a release loads back with every id, and rebuilding gives byte-identical files."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from archive import models
from archive.datasets import loader
from archive.datasets.loader import clear_content, database_is_empty
from archive.datasets.releases import build_release
from archive.exports.release import release_exporters, restored_fields
from tests.factories import ArticleFactory
from tests.seed import load_seed

pytestmark = pytest.mark.django_db
SEED = Path(settings.BASE_DIR) / "fixtures" / "collection.json"


def data_files(release) -> dict[str, bytes]:
    return {
        p.name: p.read_bytes()
        for p in sorted(release.path.iterdir())
        if p.suffix in (".csv", ".jsonl") and p.name not in ("removed-ids.csv", "merged-ids.csv")
    }


def round_trip():
    """Build, empty the database, load the release, build again: return both releases."""
    first = build_release().release
    clear_content()
    assert database_is_empty()
    out = io.StringIO()
    call_command("load_dataset", first.name, stdout=out)
    assert "Loaded" in out.getvalue()
    assert "differed" not in out.getvalue()  # every derived column agrees with the rules
    second = build_release(force=True).release
    return first, second


def test_round_trip_is_byte_identical(small_archive, dataset_root):
    first, second = round_trip()
    before, after = data_files(first), data_files(second)
    assert len(before) == 28
    assert before == after
    walesa = models.Person.objects.get(pk=small_archive["walesa"].pk)
    assert walesa.name_folded == "lech walesa" and walesa.birth_start.isoformat() == "1943-09-29"
    assert walesa.status == models.Status.PUBLISHED
    article = models.Article.objects.get(pk=small_archive["public_articles"][0].pk)
    assert (
        article.date == "" and article.word_count == small_archive["public_articles"][0].word_count
    )
    assert article.updated == small_archive["public_articles"][0].updated
    assert (article.effective_date, article.date_source) == ("1989-12", "first_published")
    assert article.effective_date_start.isoformat() == "1989-12-01"


def test_round_trip_of_the_seed_collection(dataset_root):
    assert SEED.exists(), f"the seed collection is missing: {SEED}"
    load_seed()
    assert models.Article.objects.public().exists()
    dates = list(models.Article.objects.values_list("pk", "effective_date", "date_source"))
    first, second = round_trip()
    # The effective dates are restored as the rule gives them, undated ones included.
    assert list(models.Article.objects.values_list("pk", "effective_date", "date_source")) == dates
    assert models.Article.objects.undated().exists()
    assert data_files(first) == data_files(second)
    # The real collection (quotes, line breaks, diacritics, EDTF intervals) validates too.
    frictionless = Path(sys.executable).with_name("frictionless")
    checked = subprocess.run([frictionless, "validate", "datapackage.json"], cwd=second.path,
                             capture_output=True, text=True, timeout=120)  # fmt: skip
    assert checked.returncode == 0, checked.stdout[-3000:]
    assert [r["rows"] for r in first.manifest["resources"]] == [
        r["rows"] for r in second.manifest["resources"]
    ]


def test_new_records_after_a_restore_get_fresh_ids(small_archive, dataset_root):
    """As in a fresh database, the id counters start low; the loader moves them past the ids."""
    release = build_release().release
    clear_content()
    with connection.cursor() as cursor:
        for model in loader.content_models():
            table = model._meta.db_table
            if connection.vendor == "postgresql":
                cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), 1, false)", [table])
            else:
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
    loader.load_release(release.name)
    highest = max(a.pk for a in small_archive["public_articles"])
    issue = models.Issue.objects.first()
    assert ArticleFactory(issue=issue, position=99).pk > highest
    assert models.EventParticipant.objects.create(
        event=models.Event.objects.get(), person=small_archive["walesa"], role="subject"
    ).pk > max(p.pk for p in models.EventParticipant.objects.exclude(role="subject"))


def test_non_empty_database_is_refused_unless_replace(small_archive, dataset_root):
    release = build_release().release
    before = models.Article.objects.count()
    with pytest.raises(CommandError, match=r"already holds archive records.*--replace"):
        call_command("load_dataset", release.name)
    assert models.Article.objects.count() == before
    call_command("load_dataset", release.name, "--replace", stdout=io.StringIO())
    # The draft records were replaced by the release's published ones.
    assert models.Article.objects.count() == 2
    assert not models.Person.objects.filter(status=models.Status.DRAFT).exists()
    assert data_files(build_release(force=True).release) == data_files(release)


@pytest.mark.parametrize("damage", ["flip", "truncate", "delete", "no-sums", "bad-line"])
def test_corrupted_release_is_refused_and_nothing_written(small_archive, dataset_root, damage):
    release = build_release().release
    clear_content()
    target = release.path / "mentions.jsonl"
    if damage == "flip":
        data = bytearray(target.read_bytes())
        data[10] ^= 0x01
        target.write_bytes(bytes(data))
        message = "corrupted: mentions.jsonl does not match its SHA-256"
    elif damage == "truncate":
        target.write_bytes(target.read_bytes()[:-20])
        message = "corrupted: mentions.jsonl"
    elif damage == "delete":
        target.unlink()
        message = "incomplete: mentions.jsonl is missing"
    elif damage == "no-sums":
        (release.path / "SHA256SUMS").unlink()
        message = "no SHA256SUMS"
    else:
        sums = release.path / "SHA256SUMS"
        sums.write_text(sums.read_text() + "oops ../../etc/passwd\n")
        message = "malformed"
    with pytest.raises(CommandError, match=message):
        call_command("load_dataset", str(release.path))
    assert database_is_empty()


def test_unknown_release_is_refused(dataset_root):
    with pytest.raises(CommandError, match="No release folder"):
        call_command("load_dataset", "2020-01-01-v1")


def test_failure_while_loading_rolls_everything_back(small_archive, dataset_root, monkeypatch):
    release = build_release().release
    clear_content()
    real = loader._load_resource

    def failing(exporter, path, notes):
        if exporter.resource == "mentions":
            raise RuntimeError("power cut")
        return real(exporter, path, notes)

    monkeypatch.setattr(loader, "_load_resource", failing)
    with pytest.raises(RuntimeError, match="power cut"):
        call_command("load_dataset", release.name)
    assert database_is_empty()


def test_every_release_resource_is_loaded(small_archive, dataset_root):
    release = build_release().release
    clear_content()
    counts = loader.load_release(release.name)
    assert list(counts) == list(release_exporters())
    assert counts == {r["name"]: r["rows"] for r in release.manifest["resources"]}


def _rewrite(release, edit_package, edit_row=None) -> None:
    """Edit a built release's datapackage.json (and each JSON Lines row), then its checksums,
    as another version of the archive would have written it."""
    package_file = release.path / "datapackage.json"
    package = json.loads(package_file.read_text(encoding="utf-8"))
    edit_package(package)
    package_file.write_text(json.dumps(package), encoding="utf-8")
    if edit_row is not None:
        for resource in package["resources"]:
            name, data = resource["name"], release.path / resource["path"]
            if name.endswith("-jsonl"):
                rows = [
                    edit_row(name.removesuffix("-jsonl"), json.loads(line)) for line in data.open()
                ]
                data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
            else:
                with data.open(newline="", encoding="utf-8") as handle:
                    rows = [edit_row(name, row) for row in csv.DictReader(handle)]
                with data.open("w", newline="", encoding="utf-8") as handle:
                    writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else [])
                    writer.writeheader()
                    writer.writerows(rows)
    sums = release.path / "SHA256SUMS"
    lines = []
    for line in sums.read_text().splitlines():
        name = line.split("  ", 1)[1]
        lines.append(f"{hashlib.sha256((release.path / name).read_bytes()).hexdigest()}  {name}\n")
    sums.write_text("".join(lines))


def test_release_of_another_format_is_refused(small_archive, dataset_root):
    release = build_release().release
    clear_content()
    exporter = release_exporters()["articles"]
    read = restored_fields(exporter)["title"]  # a column a restore reads

    def drop_title(package):
        for resource in package["resources"]:
            if resource["name"] == "articles":
                fields = resource["schema"]["fields"]
                fields[:] = [f for f in fields if f["name"] != read]

    _rewrite(release, drop_title)
    with pytest.raises(CommandError, match="another version of the archive"):
        call_command("load_dataset", str(release.path))
    assert database_is_empty()


def test_a_release_made_before_the_name_columns_still_restores(small_archive, dataset_root):
    """Names beside ids (issue_label, person_names…) are for readers; a restore reads the ids,
    so a release without those columns loads and gives the same archive."""
    release = build_release().release
    exporters = release_exporters()
    read = {r: set(restored_fields(e).values()) for r, e in exporters.items()}
    names = {"issue_label", "person_names", "organisation_names", "article_title",
             "entity_name", "predecessor_title", "predecessor_name",
             "first_published_in_publication_title"}  # fmt: skip
    dropped: set[str] = set()

    def drop_names(package):
        for resource in package["resources"]:
            base = resource["name"].removesuffix("-jsonl")
            fields = resource["schema"]["fields"]
            gone = {f["name"] for f in fields if f["name"] in names and f["name"] not in read[base]}
            dropped.update(f"{base}.{n}" for n in gone)
            fields[:] = [f for f in fields if f["name"] not in gone]

    def drop_row(resource, row):
        return {k: v for k, v in row.items() if f"{resource}.{k}" not in dropped}

    _rewrite(release, drop_names, drop_row)
    assert "articles.issue_label" in dropped, sorted(dropped)
    clear_content()
    counts = loader.load_release(release.name)
    assert counts == {r["name"]: r["rows"] for r in release.manifest["resources"]}
    assert all(counts.values())


def test_release_loads_from_its_unzipped_download(small_archive, dataset_root, tmp_path):
    release = build_release().release
    with zipfile.ZipFile(release.path / release.manifest["zip"]) as archive:
        archive.extractall(tmp_path / "download")
    clear_content()
    call_command("load_dataset", str(tmp_path / "download" / release.name), stdout=io.StringIO())
    assert data_files(build_release(force=True).release) == data_files(release)
