"""Releases and uploads on S3-compatible object storage, against a real S3 API server.

moto runs in server mode (tests/deploy/services_s3.py): the archive reaches it over HTTP
through django-storages, as it would reach AWS or MinIO. The seed collection is built into a
release that lands in the bucket; /downloads/ redirects to a signed URL whose bytes match
the manifest; verify_releases checks the bucket; load_dataset restores the release from it.
"""

from __future__ import annotations

import hashlib
import io
import json
import urllib.request
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import CommandError, call_command

from archive import models, storage
from archive.datasets.loader import clear_content, database_is_empty
from archive.datasets.releases import MANIFEST, build_release, list_releases
from tests.deploy import services_s3
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db
# The bucket's side (django-storages against a real S3 API) is the same whatever the database,
# so the test command runs these in its SQLite pass only; the build lock below is PostgreSQL's
# advisory lock and stays in the PostgreSQL pass. Marked test by test, not for the module, so
# that lock test is never deselected with them.
engine_independent = pytest.mark.engine_independent
s3_server = services_s3.s3_server
object_storage = services_s3.object_storage


def fetch(url: str) -> tuple[int, dict, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, dict(response.headers), response.read()


@engine_independent
def test_without_a_bucket_releases_stay_on_local_disk():
    assert storage.release_storage() is None


@engine_independent
def test_seed_release_in_the_bucket_is_downloaded_verified_and_restored(
    object_storage, s3_server, client
):
    call_command("load_collection", stdout=io.StringIO())
    articles = sorted(models.Article.objects.values_list("pk", "title", "effective_date"))
    people = models.Person.objects.public().count()

    release = build_release().release
    assert release.stored
    keys = s3_server.keys(f"{object_storage}/releases/{release.name}/")
    names = {key.rsplit("/", 1)[1] for key in keys}
    assert names == {f["name"] for f in release.manifest["files"]} | {MANIFEST}
    assert [r.name for r in list_releases()] == [release.name]

    page = client.get("/downloads/")
    assert page.status_code == 200 and release.name in page.content.decode()

    for name in ("articles.csv", "SHA256SUMS", release.manifest["zip"]):
        entry = release.file(name)
        response = client.get(f"/downloads/{release.name}/{name}")
        assert response.status_code == 302
        assert "no-store" in response["Cache-Control"]
        url = response["Location"]
        assert url.startswith(s3_server.endpoint + "/")
        query = parse_qs(urlparse(url).query)
        assert query["X-Amz-Signature"] and query["X-Amz-Expires"] == ["600"]  # signed, expiring
        status, headers, body = fetch(url)
        assert status == 200
        assert hashlib.sha256(body).hexdigest() == entry["sha256"]
        assert len(body) == entry["bytes"]
        assert f'filename="{name}"' in headers["Content-Disposition"]
    # An unsigned URL of the same object is refused: the bucket is not public.
    unsigned = urlparse(client.get(f"/downloads/{release.name}/articles.csv")["Location"])
    with pytest.raises(urllib.error.HTTPError):
        fetch(f"{unsigned.scheme}://{unsigned.netloc}{unsigned.path}")
    assert client.get(f"/downloads/{release.name}/nothing.csv").status_code == 404

    out = io.StringIO()
    call_command("verify_releases", stdout=out)
    assert f"{release.name}: OK" in out.getvalue()

    clear_content()
    assert database_is_empty()
    out = io.StringIO()
    call_command("load_dataset", release.name, stdout=out)
    assert "Loaded" in out.getvalue()
    assert sorted(models.Article.objects.values_list("pk", "title", "effective_date")) == articles
    assert models.Person.objects.public().count() == people


@engine_independent
def test_bucket_damage_and_half_uploads_are_found(object_storage, s3_server):
    ArticleFactory(title="Trotsky’s heirs")
    release = build_release().release
    prefix = f"{object_storage}/releases"
    client = s3_server.client()
    # A build that died while uploading: files, but no release.json. Never listed.
    client.put_object(Bucket=s3_server.bucket, Key=f"{prefix}/2001-01-01-v9/articles.csv",
                      Body=b"id\n")  # fmt: skip
    assert [r.name for r in list_releases()] == [release.name]

    key = f"{prefix}/{release.name}/articles.jsonl"
    client.put_object(Bucket=s3_server.bucket, Key=key, Body=b'{"id":1}\n')
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="problem"):
        call_command("verify_releases", stdout=out, stderr=err)
    assert f"{release.name}/articles.jsonl: SHA-256 is" in err.getvalue()
    assert "2001-01-01-v9/release.json: missing" in err.getvalue()
    with pytest.raises(CommandError, match="No release called 1999-01-01-v1"):
        call_command("verify_releases", "1999-01-01-v1")
    # The restore verifies the download before touching the database.
    clear_content()
    with pytest.raises(CommandError, match=r"articles\.jsonl does not match"):
        call_command("load_dataset", release.name, stdout=io.StringIO())
    assert database_is_empty()
    # The next build clears what the dead build left, as it clears .tmp-* folders on disk.
    build_release(force=True)
    assert s3_server.keys(f"{prefix}/2001-01-01-v9/") == []


@engine_independent
def test_a_second_build_counts_changes_against_the_release_in_the_bucket(object_storage):
    ArticleFactory(title="Walesa")
    first = build_release().release
    ArticleFactory(title="Wałęsa")
    # Another machine: nothing of the first release on its local disk.
    import shutil

    shutil.rmtree(first.path)
    out = io.StringIO()
    call_command("build_dataset", "--keep", "1", stdout=out)
    second = list_releases()[0]
    assert f"object storage: releases/{second.name}/" in out.getvalue()
    assert second.parent == first.name
    articles = next(r for r in second.manifest["resources"] if r["name"] == "articles")
    assert (articles["added"], articles["removed"]) == (1, 0)
    assert [r.name for r in list_releases()] == [second.name]  # the first was pruned


@engine_independent
def test_uploads_are_kept_in_the_bucket(object_storage, s3_server):
    data = "Solidarność\n".encode()
    name = storage.save_upload(data)
    assert name == hashlib.sha256(data).hexdigest() + ".txt"
    assert s3_server.keys(f"{object_storage}/uploads/") == [f"{object_storage}/uploads/{name}"]
    assert storage.read_upload(name) == data
    storage.delete_upload(name)
    assert s3_server.keys(f"{object_storage}/uploads/") == []
    assert json.dumps(storage.stored_manifest(storage.release_storage(), "none")) == "null"


@pytest.mark.requires_postgres
def test_two_machines_never_build_at_once(object_storage):
    """Another machine's build holds the database lock: this one refuses, writing nothing."""
    from django.db import connections

    from archive.datasets.releases import BUILD_LOCK_KEY, BuildError

    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [BUILD_LOCK_KEY])
        ArticleFactory(title="Walesa")
        with pytest.raises(BuildError, match="another machine"):
            build_release()
        assert list_releases() == []
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [BUILD_LOCK_KEY])
        assert build_release().release is not None
    finally:
        other.close()


@engine_independent
def test_admin_upload_waits_in_the_bucket_until_accepted(object_storage, s3_server, client):
    """Inline imports with object storage: the uploaded bytes wait in the bucket, not in the
    session, so any application server can show the report and accept it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from archive.admin.importing import SESSION_KEY
    from tests.factories import PublicationFactory, UserFactory

    publication = PublicationFactory(title="Workers’ Liberty")
    client.force_login(UserFactory(is_superuser=True))
    text = "1. Kuron in Gdansk\n\nJanuary 1990\n\nJacek Kuron spoke in Gdańsk.\n".encode()
    response = client.post("/admin/archive/sourcedocument/import/", {
        "action": "preview", "publication": publication.pk,
        "file": [SimpleUploadedFile("wl.txt", text, content_type="text/plain")],
    })  # fmt: skip
    assert response.status_code == 200 and "Kuron in Gdansk" in response.content.decode()
    entry = client.session[SESSION_KEY]["files"][0]
    assert "data" not in entry
    key = f"{object_storage}/uploads/{hashlib.sha256(text).hexdigest()}.txt"
    assert s3_server.keys(f"{object_storage}/uploads/") == [key]
    response = client.post("/admin/archive/sourcedocument/import/", {
        "action": "accept", "token": client.session[SESSION_KEY]["token"],
    })  # fmt: skip
    assert response.status_code == 302
    assert list(models.Article.objects.values_list("title", flat=True)) == ["Kuron in Gdansk"]
    assert s3_server.keys(f"{object_storage}/uploads/") == []  # imported: removed


@engine_independent
def test_a_kept_download_is_served_from_the_bucket(object_storage, s3_server, settings):
    from rest_framework.test import APIClient

    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": s3_server.options(f"{object_storage}/exports"),
        },
    }
    settings.EXPORT_KEEP_ROWS = 1
    ArticleFactory.create_batch(4)
    url = "/api/articles/?format=csv"
    first = APIClient().get(url)
    assert first.status_code == 200
    streamed = b"".join(first.streaming_content)
    version = models.ContentVersion.objects.get(pk=1).value
    [key] = s3_server.keys(f"{object_storage}/exports/")
    assert key.startswith(f"{object_storage}/exports/{version}/articles-")
    from archive.exports.kept import KeptExport

    kept = KeptExport.of("articles", "csv", {"format": ["csv"]}, "full_text=False", "default")
    assert kept.name == key.split("/exports/", 1)[1]
    assert kept.kept_bytes() == len(streamed)  # the size bound counts the bucket's objects

    again = APIClient().get(url)
    assert again.status_code == 302
    assert set(again["Cache-Control"].split(", ")) == {"private", "no-store"}
    status, headers, data = fetch(again["Location"])
    assert (status, data) == (200, streamed)
    headers = {name.lower(): value for name, value in headers.items()}
    assert headers["content-type"] == first["Content-Type"]
    assert headers["content-disposition"] == first["Content-Disposition"]

    # A change moves the version: the next download is fresh, and replaces the old file.
    article = models.Article.objects.first()
    article.title = "Retitled in the bucket's test"
    article.save()
    fresh = APIClient().get(url)
    assert fresh.status_code == 200
    assert b"Retitled in the bucket's test" in b"".join(fresh.streaming_content)
    [newer] = s3_server.keys(f"{object_storage}/exports/")
    assert newer != key

    # Several machines: one builder at a time through the shared cache's lock.
    kept = KeptExport.of("articles", "csv", {"decade": ["1980"]}, using="default")
    first, second = kept.build_lock(), kept.build_lock()
    assert first.acquire()
    assert not second.acquire() and second.held_elsewhere()
    first.release()
    assert not second.held_elsewhere() and second.acquire()
    second.release()
