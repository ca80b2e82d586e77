"""Data releases: contents, schema, checksums, change counts, skipping, pruning, atomicity."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from archive import models
from archive.datasets import releases
from archive.datasets.releases import build_release, list_releases
from archive.exports.release import release_exporters, restored_fields
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
FRICTIONLESS = str(Path(sys.executable).with_name("frictionless"))
RESOURCES = [
    "publications", "issues", "articles", "people", "organisations", "places", "events",
    "mentions", "authorships", "aliases", "illustrations", "event_participants",
    "event_places", "event_articles",
]  # fmt: skip


def jsonl(release, resource) -> list[dict]:
    text = (release.path / f"{resource}.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def ids(release, resource) -> list[int]:
    return [row["id"] for row in jsonl(release, resource)]


def test_release_holds_every_resource_in_csv_and_jsonl(small_archive, dataset_root):
    release = build_release().release
    assert release.path.parent == dataset_root
    assert releases.RELEASE_NAME.match(release.name)
    names = {p.name for p in release.path.iterdir()}
    for resource in RESOURCES:
        assert {f"{resource}.csv", f"{resource}.jsonl"} <= names
    assert {"datapackage.json", "README.md", "CHANGELOG.md", "removed-ids.csv", "SHA256SUMS",
            "release.json", f"archive-data-{release.name}.zip"} <= names  # fmt: skip
    # CSV and JSON Lines hold the same rows, in id order.
    for resource in RESOURCES:
        with open(release.path / f"{resource}.csv", encoding="utf-8", newline="") as handle:
            csv_ids = [int(row["id"]) for row in csv.DictReader(handle)]
        assert csv_ids == ids(release, resource) == sorted(csv_ids)
    counts = {r["name"]: r["rows"] for r in release.manifest["resources"]}
    assert counts == {resource: len(ids(release, resource)) for resource in RESOURCES}


def test_release_carries_only_what_the_public_may_see(small_archive, dataset_root):
    release = build_release().release
    public = [a.pk for a in small_archive["public_articles"]]
    assert ids(release, "articles") == public
    people = {row["name"] for row in jsonl(release, "people")}
    assert people == {"Lech Wałęsa", "Nicolae Ceaușescu"}
    # Links to a hidden record are dropped, or the reference is emptied.
    assert {row["article_id"] for row in jsonl(release, "authorships")} == {public[0]}
    assert {row["name"] for row in jsonl(release, "aliases")} == {"Walesa", "Ceauşescu"}
    assert {row["article_id"] for row in jsonl(release, "event_articles")} == {public[1]}
    assert {row["article_id"] for row in jsonl(release, "mentions")} == set(public)
    assert "rejected" not in {row["status"] for row in jsonl(release, "mentions")}
    assert len(jsonl(release, "event_participants")) == 2
    organiser = next(
        r for r in jsonl(release, "publications") if r["title"] == "Socialist Organiser"
    )
    assert organiser["publisher_id"] is None  # its publisher is a draft
    assert all(row["caption"] != "Hidden caption" for row in jsonl(release, "illustrations"))


def test_text_is_exact_in_jsonl_and_neutralised_in_csv(small_archive, dataset_root):
    release = build_release().release
    first = jsonl(release, "articles")[0]
    assert first["body"].endswith("=SUM(A1) is not a formula.")
    assert "Trotsky’s heirs & Wałęsa’s union." in first["body"]
    # No dateline: a reprint is dated by its first publication, never by the issue.
    held = restored_fields(release_exporters()["articles"])
    date, source = held["effective_date"], held["date_source"]
    assert (first[date], first[source], first["dateline"]) == ("1989-12", "first_published", None)
    with open(release.path / "articles.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[1]["title"] == "Stalinism <collapses> & “after”"
    assert rows[1]["dateline"] == "1991-08~"
    assert rows[1]["first_published_in_issue_id"] == str(first["issue_id"])


def test_datapackage_describes_every_file_with_keys(small_archive, dataset_root):
    release = build_release().release
    package = json.loads((release.path / "datapackage.json").read_text(encoding="utf-8"))
    by_name = {r["name"]: r for r in package["resources"]}
    assert set(by_name) == set(RESOURCES) | {f"{r}-jsonl" for r in RESOURCES}
    models.Authorship.objects.all().delete()
    release = build_release().release
    package = json.loads((release.path / "datapackage.json").read_text(encoding="utf-8"))
    by_name = {r["name"]: r for r in package["resources"]}
    assert "authorships" in by_name and "authorships-jsonl" not in by_name
    articles = by_name["articles"]
    assert articles["path"] == "articles.csv"
    assert articles["schema"]["primaryKey"] == ["id"]
    fields = {f["name"]: f for f in articles["schema"]["fields"]}
    assert fields["updated"]["type"] == "datetime" and fields["date_start"]["type"] == "date"
    assert all(f["description"] for f in articles["schema"]["fields"])
    assert {"fields": "issue_id", "reference": {"resource": "issues", "fields": "id"}} in (
        articles["schema"]["foreignKeys"]
    )
    # An empty resource is described once, by its CSV (header only).
    empty = [r["name"] for r in release.manifest["resources"] if r["rows"] == 0]
    assert all(name in by_name and f"{name}-jsonl" not in by_name for name in empty)
    digest = hashlib.sha256((release.path / "articles.csv").read_bytes()).hexdigest()
    assert articles["hash"] == f"sha256:{digest}"
    assert package["licenses"][0]["name"]


def test_frictionless_validates_the_release(small_archive, dataset_root, tmp_path):
    release = build_release().release
    ok = subprocess.run([FRICTIONLESS, "validate", "datapackage.json"], cwd=release.path,
                        capture_output=True, text=True, timeout=120)  # fmt: skip
    assert ok.returncode == 0, ok.stdout[-3000:]
    # The validator really checks keys: point an article at a missing issue.
    broken = tmp_path / "broken"
    shutil.copytree(release.path, broken)
    text = (broken / "articles.csv").read_text(encoding="utf-8")
    header, first, rest = text.split("\n", 2)
    columns = header.split(",")
    cells = first.split(",")
    cells[columns.index("issue_id")] = "999999"
    (broken / "articles.csv").write_text("\n".join([header, ",".join(cells), rest]))
    package = json.loads((broken / "datapackage.json").read_text())
    for resource in package["resources"]:
        resource.pop("hash"), resource.pop("bytes")
    (broken / "datapackage.json").write_text(json.dumps(package))
    bad = subprocess.run([FRICTIONLESS, "validate", "datapackage.json"], cwd=broken,
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert bad.returncode != 0
    assert "foreign-key" in bad.stdout


def test_checksums_readme_and_zip(small_archive, dataset_root):
    release = build_release().release
    lines = (release.path / "SHA256SUMS").read_text().splitlines()
    listed = {}
    for line in lines:
        digest, name = line.split("  ")
        listed[name] = digest
        assert hashlib.sha256((release.path / name).read_bytes()).hexdigest() == digest
    assert {f"{r}.jsonl" for r in RESOURCES} | {"datapackage.json", "README.md"} <= set(listed)
    with zipfile.ZipFile(release.path / release.manifest["zip"]) as archive:
        names = archive.namelist()
        assert sorted(names) == sorted(f"{release.name}/{name}" for name in [*listed, "SHA256SUMS"])
        assert (
            archive.read(f"{release.name}/articles.jsonl")
            == (release.path / "articles.jsonl").read_bytes()
        )
    readme = (release.path / "README.md").read_text(encoding="utf-8")
    for needle in (
        "## Licence",
        "## How to cite",
        "pd.read_json",
        "/api/articles/",
        "load_dataset",
    ):
        assert needle in readme
    assert "&lt;" not in readme  # Markdown, not HTML-escaped text


def test_unchanged_archive_is_not_rebuilt_unless_forced(small_archive, dataset_root):
    first = build_release()
    assert not first.skipped
    again = build_release()
    assert again.skipped and again.release.name == first.release.name
    assert len(list_releases()) == 1
    forced = build_release(force=True)
    assert not forced.skipped and forced.release.version == 2
    # Any change to a released record makes the next build run.
    person = small_archive["walesa"]
    person.description = "Electrician, strike leader."
    person.save()
    assert not build_release().skipped
    assert [r.version for r in list_releases()] == [3, 2, 1]


def test_command_reports_skip_and_prunes(small_archive, dataset_root):
    out = io.StringIO()
    call_command("build_dataset", stdout=out)
    assert "Built release" in out.getvalue()
    out = io.StringIO()
    call_command("build_dataset", stdout=out)
    assert "not rebuilt" in out.getvalue()
    for _ in range(3):
        call_command("build_dataset", "--force", stdout=io.StringIO())
    assert len(list_releases()) == 4
    call_command("build_dataset", "--force", "--keep", "2", stdout=io.StringIO())
    assert [r.version for r in list_releases()] == [5, 4]
    assert not list(dataset_root.glob(".tmp-*"))
    with pytest.raises(CommandError, match="at least 1"):
        call_command("build_dataset", "--keep", "0")


def test_changelog_counts_added_changed_removed(small_archive, dataset_root):
    first = build_release().release
    article = small_archive["public_articles"][1]
    article.title = "Stalinism collapses"
    article.save()
    PersonFactory(name="Leon Trotsky")
    removed = models.Event.objects.get()
    removed_ids = {
        "events": [removed.pk],
        "event_places": ids(first, "event_places"),
        "event_articles": ids(first, "event_articles"),
        "event_participants": ids(first, "event_participants"),
        "mentions": [m.pk for m in removed.mentions.all()],
    }
    removed.status = models.Status.DRAFT
    removed.save()
    second = build_release().release
    changes = {r["name"]: r for r in second.manifest["resources"]}
    assert (changes["articles"]["added"], changes["articles"]["changed"]) == (0, 1)
    assert (changes["people"]["added"], changes["people"]["changed"]) == (1, 0)
    assert changes["events"]["removed"] == 1
    assert changes["publications"] == {**changes["publications"], "added": 0, "changed": 0,
                                       "removed": 0}  # fmt: skip
    with open(second.path / "removed-ids.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    found: dict[str, list[int]] = {}
    for row in rows:
        found.setdefault(row["resource"], []).append(int(row["id"]))
    assert found == removed_ids
    changelog = (second.path / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"Compared with release {first.name}." in changelog
    assert "| articles | 2 | 0 | 1 | 0 |" in changelog
    assert changelog.count("## ") == 2  # this release, then the previous one's section


def test_failed_build_leaves_no_release(small_archive, dataset_root, monkeypatch):
    build_release()
    written = []
    real = releases._write_file

    def failing(path, chunks):
        if len(written) == 5:
            raise RuntimeError("disk full")
        written.append(path.name)
        return real(path, chunks)

    monkeypatch.setattr(releases, "_write_file", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        build_release(force=True)
    assert [r.version for r in list_releases()] == [1]
    assert sorted(p.name for p in dataset_root.iterdir()) == [
        ".build.lock",
        list_releases()[0].name,
    ]


def test_a_build_in_progress_blocks_another(small_archive, dataset_root):
    import fcntl

    dataset_root.mkdir(parents=True)
    with open(dataset_root / ".build.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        with pytest.raises(CommandError, match="Another dataset build is running"):
            call_command("build_dataset")
    assert list_releases() == []


def test_every_model_field_is_released_derived_or_documented():
    from archive.datasets.loader import _Plan

    for exporter in release_exporters().values():
        _Plan(exporter)  # raises when a stored field has no column and no documented reason


def test_listing_ignores_half_written_and_foreign_folders(small_archive, dataset_root):
    release = build_release().release
    (dataset_root / ".tmp-2026-01-01-v9-abc").mkdir()
    (dataset_root / "2026-01-01-v8").mkdir()  # no release.json: never completed
    (dataset_root / "notes").mkdir()
    assert [r.name for r in list_releases()] == [release.name]


KILLED_BUILD = """
import time
import django
django.setup()
from archive.datasets import releases
real = releases._HashingFile.write
def slow(self, data):
    time.sleep(0.3)
    return real(self, data)
releases._HashingFile.write = slow
releases.build_release()
"""


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_build_killed_midway_leaves_no_release(small_archive, dataset_root):
    """SIGKILL a real build process while it writes files: no release appears, ever."""
    db = connection.settings_dict
    host = quote(db["HOST"] or "localhost", safe="")
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{host}:{db['PORT'] or 5432}/{db['NAME']}",
        "DATASET_ROOT": str(dataset_root),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    process = subprocess.Popen([sys.executable, "-c", KILLED_BUILD], cwd=settings.BASE_DIR, env=env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            partial = list(dataset_root.glob(".tmp-*/*")) if dataset_root.exists() else []
            if len(partial) >= 4:
                break
            assert process.poll() is None, "the build ended before it could be killed"
            time.sleep(0.05)
        else:
            pytest.fail("the build never started writing files")
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert list_releases() == []
    assert [p.name for p in dataset_root.iterdir() if not p.name.startswith(".")] == []
    # The next build clears what the killed one left and publishes a whole release.
    release = build_release().release
    assert not list(dataset_root.glob(".tmp-*"))
    assert [r.name for r in list_releases()] == [release.name]
