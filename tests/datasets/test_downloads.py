"""The downloads page, file serving with byte ranges, and no way out of a release folder."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse

from archive.datasets.releases import build_release
from archive.files import parse_range

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_releases(small_archive, dataset_root):
    first = build_release().release
    person = small_archive["walesa"]
    person.description = "Electrician, strike leader, president."
    person.save()
    second = build_release().release
    return first, second


def url(release, name):
    return reverse("datasets:release-file", args=[release.name, name])


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_page_lists_releases_newest_first_with_counts_sizes_and_hashes(
    client, two_releases, django_assert_num_queries
):
    first, second = two_releases
    with django_assert_num_queries(0):  # the page reads release.json files, not the database
        response = client.get("/downloads/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(f"release-{second.name}") < html.index(f"release-{first.name}")
    for release in (first, second):
        for entry in release.manifest["files"]:
            assert url(release, entry["name"]) in html
            assert entry["sha256"] in html
    assert f'href="{url(second, second.manifest["zip"])}"' in html
    assert f"Since release {first.name}:" in html
    assert "0 rows added, 1 changed, 0 removed" in html
    assert "First release." in html
    people = next(r for r in second.manifest["resources"] if r["name"] == "people")
    assert f"<td>{people['rows']}</td>" in html


def test_page_without_releases(client, dataset_root):
    response = client.get("/downloads/")
    assert response.status_code == 200
    assert "No release has been published yet." in response.content.decode()


def test_files_are_streamed_whole(client, two_releases):
    release = two_releases[1]
    response = client.get(url(release, "articles.csv"))
    assert response.status_code == 200
    assert response.streaming  # FileResponse: read from disk in blocks, never all at once
    data = body(response)
    assert data == (release.path / "articles.csv").read_bytes()
    assert response["Content-Length"] == str(len(data))
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    zipped = client.get(url(release, release.manifest["zip"]))
    assert (
        hashlib.sha256(body(zipped)).hexdigest() == release.file(release.manifest["zip"])["sha256"]
    )


def test_range_requests_return_partial_content(client, two_releases):
    release = two_releases[1]
    data = (release.path / "articles.jsonl").read_bytes()
    size = len(data)
    response = client.get(url(release, "articles.jsonl"), headers={"Range": "bytes=10-29"})
    assert response.status_code == 206
    assert body(response) == data[10:30]
    assert response["Content-Range"] == f"bytes 10-29/{size}"
    assert response["Content-Length"] == "20"
    response = client.get(url(release, "articles.jsonl"), headers={"Range": "bytes=-7"})
    assert (response.status_code, body(response)) == (206, data[-7:])
    response = client.get(url(release, "articles.jsonl"), headers={"Range": f"bytes={size - 3}-"})
    assert (response.status_code, body(response)) == (206, data[-3:])
    response = client.get(url(release, "articles.jsonl"), headers={"Range": f"bytes={size}-"})
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"
    # Several ranges, or a stale If-Range: the whole file, as RFC 9110 allows.
    response = client.get(url(release, "articles.jsonl"), headers={"Range": "bytes=0-1,5-6"})
    assert (response.status_code, body(response)) == (200, data)
    response = client.get(
        url(release, "articles.jsonl"), headers={"Range": "bytes=0-1", "If-Range": '"stale"'}
    )
    assert (response.status_code, body(response)) == (200, data)
    etag = response["ETag"]
    response = client.get(
        url(release, "articles.jsonl"), headers={"Range": "bytes=0-1", "If-Range": etag}
    )
    assert (response.status_code, body(response)) == (206, data[:2])
    assert (
        client.get(url(release, "articles.jsonl"), headers={"If-None-Match": etag}).status_code
        == 304
    )


@pytest.mark.parametrize(
    "header, expected",
    [("bytes=0-0", (0, 0)), ("bytes=5-500", (5, 99)), ("bytes=-500", (0, 99)),
     ("bytes=9-3", None), ("items=0-5", None), ("bytes=-", None)],
)  # fmt: skip
def test_parse_range(header, expected):
    assert parse_range(header, 100) == expected


def test_paths_outside_a_release_are_unreachable(client, two_releases, dataset_root, tmp_path):
    release = two_releases[1]
    secret = tmp_path / "secret.txt"
    secret.write_text("not for download")
    (release.path / "link.csv").symlink_to(secret)
    for path in (
        f"/downloads/{release.name}/../../secret.txt",
        f"/downloads/{release.name}/..%2F..%2Fsecret.txt",
        f"/downloads/{release.name}/%2e%2e/secret.txt",
        f"/downloads/..%2F{release.name}/articles.csv",
        f"/downloads/{release.name}/link.csv",  # on disk, but not in the release's manifest
        f"/downloads/{release.name}/release.json",
        f"/downloads/{release.name}/.build.lock",
        "/downloads/2001-01-01-v1/articles.csv",
        "/downloads/latest/articles.csv",
        "/downloads/%2Fetc%2Fpasswd",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"not for download" not in response.content


def test_head_gives_the_headers_without_the_file_and_writes_are_refused(client, two_releases):
    release = two_releases[1]
    size = (release.path / "articles.csv").stat().st_size
    response = client.head(url(release, "articles.csv"))
    assert response.status_code == 200
    assert response["Content-Length"] == str(size)
    assert response["Accept-Ranges"] == "bytes"
    assert response.content == b""
    response = client.head(url(release, "articles.csv"), headers={"Range": "bytes=0-9"})
    assert (response.status_code, response["Content-Range"]) == (206, f"bytes 0-9/{size}")
    assert client.post(url(release, "articles.csv")).status_code == 405
    assert client.post("/downloads/").status_code == 405
