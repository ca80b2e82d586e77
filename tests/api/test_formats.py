"""JSON, CSV and JSON Lines: same records, streamed downloads, pinned bytes, injection guard."""

from __future__ import annotations

import json

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone

from archive import models
from archive.exports import ArticleExporter

from .helpers import all_formats, body, csv_rows

pytestmark = pytest.mark.django_db

RESOURCES = ["publications", "issues", "articles", "people", "organisations", "places",
             "events", "mentions"]  # fmt: skip


@pytest.mark.parametrize("resource", RESOURCES)
def test_json_csv_and_jsonl_return_the_same_records(api, archive, resource):
    as_json, as_csv, as_jsonl = all_formats(api, f"/api/{resource}/")
    assert as_json and as_json == as_csv == as_jsonl


@pytest.mark.parametrize(
    "params",
    [
        {"person": ["lech-walesa", "nicolae-ceausescu"], "ordering": "-date"},
        {"date_after": "1990", "kind": "sidebar"},
        {"has_author": "false", "word_count_max": 500},
    ],
)
def test_same_records_for_the_same_filters(api, archive, params):
    as_json, as_csv, as_jsonl = all_formats(api, "/api/articles/", params)
    assert as_json == as_csv == as_jsonl


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("csv", "text/csv"), ("jsonl", "application/jsonl")]
)
def test_downloads_stream_all_rows_with_a_dated_file_name(api, archive, fmt, content_type):
    response = api.get("/api/articles/", {"format": fmt, "page_size": 1})
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith(content_type)
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="articles-{today}.{fmt}"'
    lines = body(response).decode().splitlines()
    assert len(lines) == 4 + (fmt == "csv")  # every row, not one page


@pytest.mark.parametrize(
    ("accept", "first_byte"),
    [("text/csv", b"i"), ("application/jsonl", b"{"), ("application/json", b"{")],
)
def test_accept_header_chooses_the_format(api, archive, accept, first_byte):
    response = api.get("/api/people/", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert body(response)[:1] == first_byte
    assert response["Content-Type"].startswith(accept)


def test_csv_columns_and_many_values(api, archive):
    rows = csv_rows(api.get("/api/articles/", {"format": "csv", "author": "leon-trotsky"}))
    (row,) = rows
    assert list(row)[:4] == ["id", "slug", "issue_id", "publication_id"]
    assert row["author_names"] == "Leon Trotsky"  # the draft co-author is not named
    # No dateline and not written for the issue: undated, and the CSV says so.
    assert (row["date"], row["date_start"], row["date_end"]) == ("", "", "")
    assert (row["date_source"], row["dateline"]) == ("undated", "")
    assert "body" not in row
    full = csv_rows(
        api.get("/api/articles/", {"format": "csv", "author": "leon-trotsky", "full_text": "true"})
    )
    assert full[0]["body"] == "Short text about Trotsky’s heirs."


def test_csv_injection_is_neutralised_but_json_keeps_the_text(api, archive):
    (row,) = csv_rows(api.get("/api/articles/", {"format": "csv", "kind": "sidebar"}))
    assert row["title"] == "'=cmd|' /C calc'!A0"
    line = body(api.get("/api/articles/", {"format": "jsonl", "kind": "sidebar"}))
    assert json.loads(line)["title"] == "=cmd|' /C calc'!A0"
    assert api.get(f"/api/articles/{archive.later.pk}/").json()["title"] == "=cmd|' /C calc'!A0"


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_prefix_is_neutralised(api, archive, prefix):
    person = models.Person.objects.create(
        name=f"{prefix}SUM(A1)", slug=f"p{ord(prefix)}", status=models.Status.PUBLISHED
    )
    rows = csv_rows(api.get("/api/people/", {"format": "csv"}))
    (row,) = [r for r in rows if r["id"] == str(person.pk)]
    assert row["name"] == f"'{prefix}SUM(A1)"


def test_pinned_csv_bytes_for_a_small_dataset(api, archive):
    response = api.get("/api/places/", {"format": "csv"})
    assert (
        body(response)
        == (
            "id,slug,name,kind,country_code,latitude,longitude,variant_names,description,"
            "geonames,wikidata\n"
            f"{archive.bucharest.pk},bucharest,Bucharest,city,RO,,,,,,\n"
            f"{archive.gdansk.pk},gdansk,Gdańsk,city,PL,,,,,,\n"
        ).encode()
    )


def test_detail_in_csv_is_one_row(api, archive):
    rows = csv_rows(api.get(f"/api/people/{archive.walesa.pk}/", {"format": "csv"}))
    assert [r["name"] for r in rows] == ["Lech Wałęsa"]
    assert rows[0]["variant_names"] == "Walesa"


def test_streaming_arrives_in_several_chunks(api, archive):
    issue = archive.i1990
    models.Article.objects.bulk_create(
        models.Article(issue=issue, position=100 + i, slug=f"bulk-{i}", title="x" * 300, body="b",
                       status=models.Status.PUBLISHED)
        for i in range(600)
    )  # fmt: skip
    response = api.get("/api/articles/", {"format": "csv"})
    assert isinstance(response, StreamingHttpResponse)
    chunks = list(response.streaming_content)
    assert len(chunks) >= 3
    assert b"".join(chunks).count(b"\n") == 605
    # The API writes exactly what the exporter writes for the same filtered queryset.
    assert b"".join(chunks) == b"".join(ArticleExporter().iter_csv())
