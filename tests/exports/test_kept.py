"""Large API downloads kept as files until the archive changes (archive/exports/kept.py).

The threshold is lowered to a few rows so a small archive behaves as a large one: the
first download streams and is kept, later ones are the kept file (no query of the
archive's tables), a change to the archive is never served stale, and a download that is
abandoned or refused keeps nothing. On SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from archive import models
from archive.exports.kept import KeptExport, worth_keeping
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept_folder(settings, tmp_path) -> Path:
    folder = tmp_path / "exports"
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    # Any download is large enough (a planner never expects fewer than one row).
    settings.EXPORT_KEEP_ROWS = 1
    cache.clear()
    return folder


@pytest.fixture
def articles():
    issue = f.IssueFactory(publication=f.PublicationFactory(slug="organiser"))
    other = f.IssueFactory(publication=f.PublicationFactory(slug="other-paper"))
    rows = [
        f.ArticleFactory(issue=issue, title=f"Kept article {n}", date="1989-11-0" + str(n + 1))
        for n in range(5)
    ]
    rows += [f.ArticleFactory(issue=other, title=f"Other paper {n}") for n in range(4)]
    f.ArticleFactory(issue=issue, title="A draft, never exported", status=models.Status.DRAFT)
    return rows


def kept_files(folder: Path) -> list[Path]:
    """Finished files (a download being written is a hidden ``.partial-`` file)."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def partial_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob(".partial-*") if p.is_file())


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def download(url: str) -> tuple[object, bytes]:
    response = APIClient().get(url)
    assert response.status_code == 200, response.content
    return response, body(response)


def titles(data: bytes) -> list[str]:
    return sorted(row["title"] for row in csv.DictReader(io.StringIO(data.decode())))


def test_a_large_download_is_kept_and_later_readers_get_the_file(kept_folder, articles):
    url = "/api/articles/?format=csv&publication=organiser"
    first, first_bytes = download(url)
    assert isinstance(first, StreamingHttpResponse)
    assert titles(first_bytes) == [f"Kept article {n}" for n in range(5)]
    [kept] = kept_files(kept_folder)
    assert kept.read_bytes() == first_bytes
    assert kept.parent.name == str(models.ContentVersion.objects.get(pk=1).value)

    with CaptureQueriesContext(connection) as queries:
        again, again_bytes = download(url)
    assert isinstance(again, FileResponse)
    assert again_bytes == first_bytes
    assert again["Content-Length"] == str(len(first_bytes))
    assert again["Content-Disposition"] == first["Content-Disposition"]
    assert again["Content-Type"] == first["Content-Type"]
    # The filter's publication and the content version are read: no article, no COPY.
    sql = [q["sql"] for q in queries]
    assert not [s for s in sql if "archive_article" in s or "COPY" in s]
    assert sum("archive_contentversion" in s for s in sql) == 1
    assert len(sql) == 2

    # The same download however its parameters are written: one file.
    _, reordered = download("/api/articles/?publication=organiser&page_size=7&format=csv")
    assert reordered == first_bytes
    assert len(kept_files(kept_folder)) == 1


def test_kept_bytes_are_the_bytes_of_an_unkept_download(kept_folder, articles, settings):
    urls = [
        "/api/articles/?format=csv",
        "/api/articles/?format=jsonl&ordering=-date",
        "/api/articles/?format=csv&full_text=true",
        "/api/people/?format=csv",
    ]
    f.PersonFactory.create_batch(4)
    settings.EXPORT_KEEP_ROWS = 0
    fresh = {url: download(url)[1] for url in urls}
    assert not kept_files(kept_folder)
    settings.EXPORT_KEEP_ROWS = 1
    for url in urls:
        assert download(url)[1] == fresh[url]  # streamed and kept
        assert download(url)[1] == fresh[url]  # the kept file
    # One file per download: format, order, full text and resource each change the bytes.
    assert len(kept_files(kept_folder)) == len(urls)
    assert fresh["/api/articles/?format=csv"] != fresh["/api/articles/?format=csv&full_text=true"]


def test_a_change_to_the_archive_is_never_served_from_an_older_file(kept_folder, articles):
    url = "/api/articles/?format=csv&publication=organiser"
    download(url)
    [old] = kept_files(kept_folder)
    article = articles[0]
    article.title = "Corrected title"
    article.save()
    draft = models.Article.objects.get(title="A draft, never exported")
    draft.status = models.Status.PUBLISHED
    draft.save()

    _, changed = download(url)
    assert "Corrected title" in titles(changed)
    assert "A draft, never exported" in titles(changed)
    assert "Kept article 0" not in titles(changed)
    # The new version's file replaced the old version's folder.
    [new] = kept_files(kept_folder)
    assert new.parent != old.parent and not old.parent.exists()
    assert new.read_bytes() == changed
    assert download(url)[1] == changed


def test_a_small_download_is_not_kept(kept_folder, articles, settings):
    settings.EXPORT_KEEP_ROWS = 10**9
    download("/api/articles/?format=csv")
    assert not kept_files(kept_folder)


def test_the_threshold_is_the_number_of_rows(kept_folder, articles, settings):
    queryset = models.Article.objects.all()
    rows = queryset.count()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the planner's estimate of a whole table
            cursor.execute("ANALYZE archive_article")
    settings.EXPORT_KEEP_ROWS = rows
    assert worth_keeping(queryset)
    settings.EXPORT_KEEP_ROWS = rows + 1
    assert not worth_keeping(queryset)
    settings.EXPORT_KEEP_ROWS = 0
    assert not worth_keeping(queryset)


@pytest.mark.django_db(transaction=True)  # autocommit, as a server's connection is
def test_an_abandoned_download_keeps_nothing(kept_folder, articles):
    response = APIClient().get("/api/articles/?format=csv")
    stream = iter(response.streaming_content)
    assert next(stream)
    response.close()  # the reader went away before the end: the server closes the response
    assert not kept_files(kept_folder) and not partial_files(kept_folder)
    # The export's transaction ended with it; nothing is left half-written, and the next
    # reader keeps the whole download.
    _, whole = download("/api/articles/?format=csv")
    [kept] = kept_files(kept_folder)
    assert kept.read_bytes() == whole
    assert len(titles(whole)) == 9


def test_a_refused_download_keeps_nothing(kept_folder, articles):
    response = APIClient().get("/api/articles/?format=csv&decade=1985")
    assert response.status_code == 400
    assert [e["parameter"] for e in response.json()["errors"]] == ["decade"]
    assert not kept_files(kept_folder) and not partial_files(kept_folder)


def article_export(**parameters) -> KeptExport:
    return KeptExport.of(
        "articles", "csv", {"format": ["csv"], **parameters}, "full_text=False", "default"
    )


def test_readers_of_a_download_being_built_wait_for_its_file(kept_folder, articles):
    kept = article_export()
    builder_lock = kept.build_lock()
    assert builder_lock.acquire()
    builder = kept.keeping(iter([b"id,title\n", b"1,built once\n"]), builder_lock)
    assert next(builder) == b"id,title\n"

    # A second reader (another worker: a lock of its own) finds it being built...
    reader_lock = kept.build_lock()
    assert not reader_lock.acquire() and reader_lock.held_elsewhere()
    own = iter([b"the reader's own export"])
    follower = kept.following(reader_lock, own)
    assert next(follower) == b""  # waiting: nothing sent
    assert next(follower) == b""
    # ...and once the builder has finished, is sent the builder's file, not its own export.
    assert list(builder) == [b"1,built once\n"]
    assert not reader_lock.held_elsewhere()
    assert b"".join(follower) == b"id,title\n1,built once\n"
    assert next(own) == b"the reader's own export"  # never read
    assert [p.read_bytes() for p in kept_files(kept_folder)] == [b"id,title\n1,built once\n"]


def test_a_reader_streams_its_own_when_the_builder_gives_up(kept_folder, articles):
    kept = article_export()
    builder_lock = kept.build_lock()
    assert builder_lock.acquire()
    builder = kept.keeping(iter([b"half", b" of it"]), builder_lock)
    next(builder)
    reader_lock = kept.build_lock()
    follower = kept.following(reader_lock, iter([b"own ", b"export"]))
    assert next(follower) == b""
    builder.close()  # its reader left: nothing kept, lock released
    assert b"".join(follower) == b"own export"
    assert not kept_files(kept_folder) and not partial_files(kept_folder)
    # The lock is free again: the next reader builds.
    assert kept.build_lock().acquire()


def test_a_reader_waits_for_a_slow_builder_only_so_long(kept_folder, articles, monkeypatch):
    from archive.exports import kept as kept_module

    monkeypatch.setattr(kept_module, "FOLLOW_SECONDS", 0.3)
    kept = article_export()
    builder_lock = kept.build_lock()
    assert builder_lock.acquire()
    builder = kept.keeping(iter([b"first reader's bytes", b"more"]), builder_lock)
    assert next(builder) == b"first reader's bytes"  # still building
    response = APIClient().get("/api/articles/?format=csv")
    assert response.status_code == 200
    # Its own download, whole, after the wait; it did not write a copy of its own.
    assert len(titles(body(response))) == 9
    assert not kept_files(kept_folder) and len(partial_files(kept_folder)) == 1
    assert list(builder) == [b"more"]
    assert [p.read_bytes() for p in kept_files(kept_folder)] == [b"first reader's bytesmore"]
    assert not partial_files(kept_folder)


def test_a_kept_download_answers_conditional_requests(kept_folder, articles):
    url = "/api/articles/?format=csv"
    download(url)
    again, _ = download(url)
    etag = again["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    response = APIClient().get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    article = articles[1]
    article.title = "Changed again"
    article.save()
    response = APIClient().get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "Changed again" in titles(body(response))


def test_past_the_size_bound_downloads_are_streamed_not_kept(kept_folder, articles, settings):
    _, first = download("/api/articles/?format=csv")
    [kept] = kept_files(kept_folder)
    settings.EXPORT_KEEP_MAX_BYTES = kept.stat().st_size  # full with the one file
    _, other = download("/api/articles/?format=jsonl")
    assert other and other != first
    assert kept_files(kept_folder) == [kept] and not partial_files(kept_folder)
    assert download("/api/articles/?format=csv")[1] == first  # the kept one still served
    # A change to the archive starts the next version with room again.
    article = articles[2]
    article.title = "Room again"
    article.save()
    _, fresh = download("/api/articles/?format=jsonl")
    assert b"Room again" in fresh
    [again] = kept_files(kept_folder)
    assert again.read_bytes() == fresh and again.parent != kept.parent


def test_a_kept_download_can_be_resumed(kept_folder, articles):
    url = "/api/articles/?format=jsonl&full_text=true"
    _, whole = download(url)
    kept, _ = download(url)
    assert kept["Accept-Ranges"] == "bytes"
    half = len(whole) // 2
    rest = APIClient().get(url, HTTP_RANGE=f"bytes={half}-", HTTP_IF_RANGE=kept["ETag"])
    assert rest.status_code == 206
    assert rest["Content-Range"] == f"bytes {half}-{len(whole) - 1}/{len(whole)}"
    assert whole[:half] + body(rest) == whole
    # A range asked against an older file (another ETag) gets the whole current file.
    stale = APIClient().get(url, HTTP_RANGE=f"bytes={half}-", HTTP_IF_RANGE='"older"')
    assert stale.status_code == 200 and body(stale) == whole
    beyond = APIClient().get(url, HTTP_RANGE=f"bytes={len(whole) + 10}-")
    assert beyond.status_code == 416
