"""The one exporter: columns, visibility, CSV/JSONL formatting, COPY = ORM byte for byte."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.management.color import no_style
from django.db import connection
from django.test import RequestFactory

from archive import models
from archive.exports import (
    CHUNK_SIZE,
    EXPORTERS,
    ArticleExporter,
    PersonExporter,
    export_selected_as_csv,
    exporter_for_model,
)
from tests import factories as f
from tests.seed import load_seed

pytestmark = pytest.mark.django_db

FRONTIER_RESOURCES = sorted(EXPORTERS)


def small_collection() -> dict:
    """A tiny dataset with the seed's awkward strings, fixed ids for pinned output."""
    hidden_parent = f.OrganisationFactory(name="Draft union", status=models.Status.DRAFT)
    solidarity = f.OrganisationFactory(
        id=200, name="Solidarność", slug="solidarnosc", founded="1980-09-17", parent=hidden_parent
    )
    pub = f.PublicationFactory(
        id=1, title="Labour Focus on Eastern Europe", slug="labour-focus", publisher=solidarity
    )
    issue = f.IssueFactory(id=10, publication=pub, number="3", slug="no-3", date="1990-01")
    walesa = f.PersonFactory(
        id=100, name="Lech Wałęsa", slug="lech-walesa", sort_name="Wałęsa, Lech"
    )
    f.AliasFactory(person=walesa, name="Walesa")
    ceausescu = f.PersonFactory(id=101, name="Nicolae Ceaușescu", slug="nicolae-ceausescu")
    draft = f.PersonFactory(id=102, name="Draft Person", slug="draft", status=models.Status.DRAFT)
    first = f.ArticleFactory(
        id=1000, issue=issue, position=1, title="Trotsky’s heirs, \"quoted\", and commas",
        slug="trotskys-heirs", date="", body="One two three.",
    )  # fmt: skip
    second = f.ArticleFactory(
        id=1001, issue=issue, position=2, title="=HYPERLINK(\"http://evil\")",
        slug="formula", date="1989-12-21/1989-12-25", subtitle="-minus\nsecond line",
        body="Four.",
    )  # fmt: skip
    f.ArticleFactory(
        id=1002, issue=issue, position=3, title="Hidden draft", slug="hidden",
        status=models.Status.DRAFT, body="",
    )  # fmt: skip
    models.Authorship.objects.create(article=first, person=walesa, order=1)
    models.Authorship.objects.create(article=first, person=ceausescu, order=2)
    models.Authorship.objects.create(article=first, person=draft, order=3)
    models.Illustration.objects.create(article=first, caption="Gdańsk shipyard, August 1980")
    _move_sequences_past_fixed_ids()
    return {"pub": pub, "issue": issue, "first": first, "second": second, "walesa": walesa}


def _move_sequences_past_fixed_ids() -> None:
    """Rows above were given fixed ids; on PostgreSQL the id sequences do not notice, so a
    later factory row could draw one of those ids (as loaddata does, reset them)."""
    tables = [models.Organisation, models.Publication, models.Issue, models.Person, models.Article]
    statements = connection.ops.sequence_reset_sql(no_style(), tables)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


PINNED_ARTICLES_CSV = (
    "id,slug,issue_id,publication_id,publication_title,position,label,kind,title,subtitle,"
    "date,date_start,date_end,date_display,language,pages,word_count,author_ids,author_names,"
    "first_published_in_publication_id,first_published_date,date_source,dateline,"
    "issue_label,first_published_in_publication_title\n"
    "1000,trotskys-heirs,10,1,Labour Focus on Eastern Europe,1,,article,"
    '"Trotsky’s heirs, ""quoted"", and commas",,,,,,en,,3,'
    "100; 101,Lech Wałęsa; Nicolae Ceaușescu,,,undated,,no. 3,\n"
    "1001,formula,10,1,Labour Focus on Eastern Europe,2,,article,"
    '"\'=HYPERLINK(""http://evil"")","\'-minus\nsecond line",1989-12-21/1989-12-25,'
    "1989-12-21,1989-12-25,,en,,1,,,,,dateline,1989-12-21/1989-12-25,no. 3,\n"
)


def test_pinned_articles_csv_bytes():
    small_collection()
    exporter = ArticleExporter()
    assert b"".join(exporter.iter_csv()) == PINNED_ARTICLES_CSV.encode()


def test_csv_parses_back_to_the_same_values():
    small_collection()
    rows = list(csv.DictReader(io.StringIO(b"".join(ArticleExporter().iter_csv()).decode())))
    assert [r["id"] for r in rows] == ["1000", "1001"]
    assert rows[0]["title"] == 'Trotsky’s heirs, "quoted", and commas'
    # Drafts are neither rows nor names inside other rows.
    assert "Draft Person" not in rows[0]["author_names"]
    assert rows[1]["title"].startswith("'=")


def test_jsonl_is_one_compact_object_per_line_with_typed_values():
    small_collection()
    lines = b"".join(ArticleExporter().iter_jsonl()).decode().splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["id"] for r in records] == [1000, 1001]
    assert records[0]["author_names"] == "Lech Wałęsa; Nicolae Ceaușescu"
    # Undated (no dateline, not written for the issue): null bounds, never the issue's date;
    # a missing text is null, never "" (docs/api.md, Missing values).
    assert (records[0]["date"], records[0]["date_start"], records[0]["date_source"]) == (
        None, None, "undated"
    )  # fmt: skip
    assert (records[0]["subtitle"], records[0]["label"], records[0]["issue_label"]) == (
        None, None, "no. 3"
    )  # fmt: skip
    assert "" not in records[0].values() and "" not in records[1].values()
    assert records[1]["date_start"] == "1989-12-21"
    # JSON is not a spreadsheet: no apostrophe prefix there.
    assert records[1]["title"] == '=HYPERLINK("http://evil")'
    assert records[1]["author_ids"] is None
    assert lines[0].startswith('{"id":1000,"slug":"trotskys-heirs",')
    assert "Wałęsa" in lines[0]  # UTF-8, not \u escapes


def test_full_text_column_only_on_request():
    small_collection()
    assert "body" not in [c.name for c in ArticleExporter().fields]
    rows = list(
        csv.DictReader(io.StringIO(b"".join(ArticleExporter(full_text=True).iter_csv()).decode()))
    )
    assert rows[0]["body"] == "One two three."


def test_unpublished_rows_hidden_by_default_and_shown_when_passed_explicitly():
    data = small_collection()
    organisations = b"".join(EXPORTERS["organisations"]().iter_csv()).decode()
    assert "Solidarność" in organisations and "Draft union" not in organisations
    exporter = ArticleExporter()
    default = b"".join(exporter.iter_csv()).decode()
    assert "Hidden draft" not in default
    explicit = b"".join(exporter.iter_csv(models.Article.objects.all())).decode()
    assert "Hidden draft" in explicit
    people = b"".join(PersonExporter().iter_csv()).decode()
    assert "Draft Person" not in people and "Wałęsa, Lech" in people
    assert data["walesa"].aliases.get().name in people


def test_caller_filters_and_ordering_are_kept():
    small_collection()
    exporter = ArticleExporter()
    queryset = exporter.get_queryset().filter(position=2)
    assert [
        r["id"] for r in map(json.loads, b"".join(exporter.iter_jsonl(queryset)).splitlines())
    ] == [1001]
    reverse = exporter.get_queryset().order_by("-id")
    assert [json.loads(x)["id"] for x in b"".join(exporter.iter_jsonl(reverse)).splitlines()] == [
        1001,
        1000,
    ]


def test_empty_queryset_gives_only_the_header():
    small_collection()
    exporter = ArticleExporter()
    assert b"".join(exporter.iter_csv(exporter.get_queryset().none())) == exporter.csv_header()
    assert b"".join(exporter.iter_jsonl(exporter.get_queryset().filter(id__in=[]))) == b""


def test_large_export_arrives_in_chunks_of_about_64_kb():
    issue = f.IssueFactory()
    models.Article.objects.bulk_create(
        models.Article(issue=issue, position=i, slug=f"a{i}", title=f"Article {i} " + "x" * 200,
                       body="b", status=models.Status.PUBLISHED)
        for i in range(1, 801)
    )  # fmt: skip
    chunks = list(ArticleExporter().iter_csv())
    assert len(chunks) >= 2
    assert all(len(c) >= CHUNK_SIZE for c in chunks[:-1])
    assert all(len(c) < CHUNK_SIZE + 2048 for c in chunks)
    assert b"".join(chunks).count(b"\n") == 801


@pytest.mark.parametrize("resource", FRONTIER_RESOURCES)
def test_every_exporter_runs_and_describes_its_columns(resource):
    small_collection()
    place = f.PlaceFactory(latitude=Decimal("52.22977"), longitude=Decimal("-21.01178"))
    f.MentionFactory(article=models.Article.objects.get(id=1000))
    event = f.EventFactory()
    event.places.add(place)
    exporter = EXPORTERS[resource]()
    schema = exporter.table_schema()
    assert schema["primaryKey"] == ["id"]
    for field in schema["fields"]:
        assert field["type"] in {"integer", "string", "date", "number", "boolean"}
        assert field["description"]
    header, *rows = b"".join(exporter.iter_csv()).decode().splitlines()
    assert header.split(",") == [c.name for c in exporter.fields]
    assert rows, resource
    assert len(b"".join(exporter.iter_jsonl()).splitlines()) >= 1


def test_number_columns_keep_their_decimals():
    f.PlaceFactory(
        name="Warsaw", slug="warsaw", latitude=Decimal("52.2"), longitude=Decimal("-21.01178")
    )
    record = json.loads(b"".join(EXPORTERS["places"]().iter_jsonl()))
    assert (record["latitude"], record["longitude"]) == (52.2, -21.01178)
    text = b"".join(EXPORTERS["places"]().iter_csv()).decode()
    assert ",52.20000,-21.01178," in text  # a number, not neutralised like a string


def test_row_from_instance_and_from_values():
    data = small_collection()
    exporter = ArticleExporter()
    row = exporter.row(data["first"])
    assert row["author_names"] == "Lech Wałęsa; Nicolae Ceaușescu"
    values = exporter.values_queryset().first()
    assert exporter.row(values) == row


@pytest.mark.parametrize("resource", FRONTIER_RESOURCES)
@pytest.mark.parametrize("full_text", [False, True])
def test_json_records_are_the_json_records_of_the_values_query(resource, full_text):
    """The API's records come from a statement compiled once and kept: for any ids
    (unpublished and unknown ones too) they equal the values query's, read afresh."""
    small_collection()
    f.MentionFactory(article=models.Article.objects.get(id=1000))
    place = f.PlaceFactory(latitude=Decimal("52.22977"), longitude=Decimal("-21.01178"))
    f.EventFactory().places.add(place)
    exporter = EXPORTERS[resource](full_text=full_text)
    model = exporter.model
    pks = sorted(model.objects.values_list("pk", flat=True))
    assert pks, resource
    expected = {
        row["c0"]: exporter.json_record(row)
        for row in exporter.values_queryset(model.objects.filter(pk__in=pks))
    }
    asked = [*pks, max(pks) + 1000]
    assert exporter.json_records(asked) == expected
    assert exporter.json_records(pks[:1]) == {pks[0]: expected[pks[0]]}
    assert exporter.json_records([]) == {}


def test_json_records_compile_their_statement_once(monkeypatch):
    from django.db.models.sql.compiler import SQLCompiler

    small_collection()
    compiled = []
    original = SQLCompiler.as_sql
    monkeypatch.setattr(
        SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(1) or original(self, *a, **k)
    )
    exporter = PersonExporter()
    pks = list(models.Person.objects.values_list("pk", flat=True))
    first = exporter.json_records(pks)
    compiled.clear()
    assert exporter.json_records(pks) == first
    assert PersonExporter().json_records(pks) == first
    assert compiled == []


def test_exporter_for_model_and_admin_action_stream_selected_rows():
    small_collection()
    assert exporter_for_model(models.Person) is PersonExporter
    assert exporter_for_model(models.TextRepair) is None
    request = RequestFactory().get("/admin/")
    response = export_selected_as_csv(
        None, request, models.Article.objects.filter(id__in=[1001, 1002])
    )
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Disposition"].startswith('attachment; filename="articles-')
    assert "Hidden draft" in body and "Trotsky" not in body  # staff export what they selected
    # The admin offers it on every resource that has an exporter.
    for model in (models.Article, models.Person, models.Mention, models.Publication):
        assert export_selected_as_csv in admin.site._registry[model].actions, model


@pytest.mark.requires_postgres
@pytest.mark.parametrize("resource", FRONTIER_RESOURCES)
def test_copy_and_orm_writers_produce_identical_bytes(resource):
    assert connection.vendor == "postgresql"
    small_collection()
    place = f.PlaceFactory(latitude=Decimal("52.20000"), longitude=Decimal("-0.00001"))
    f.AliasFactory(person=None, place=place, name="@Warszawa\tcentre")
    f.MentionFactory(article=models.Article.objects.get(id=1001), context='+1 "quoted"\r\nline')
    event = f.EventFactory()
    event.places.add(place)
    for full_text in (False, True):
        exporter = EXPORTERS[resource](full_text=full_text)
        copy_csv = b"".join(exporter.iter_csv(method="copy"))
        orm_csv = b"".join(exporter.iter_csv(method="orm"))
        assert copy_csv == orm_csv
        assert copy_csv.count(b"\n") >= 2
        assert b"".join(exporter.iter_jsonl(method="copy")) == b"".join(
            exporter.iter_jsonl(method="orm")
        )


@pytest.mark.requires_postgres
def test_copy_path_is_used_on_postgresql_and_neutralises_in_sql():
    small_collection()
    exporter = ArticleExporter()
    sql, _params = exporter._inner_sql(exporter.values_queryset())
    assert "COPY" in exporter._copy_csv_sql(sql)
    assert b"".join(exporter.iter_csv()) == PINNED_ARTICLES_CSV.encode()


@pytest.mark.requires_postgres
def test_abandoned_copy_download_leaves_the_connection_usable():
    """A client that hangs up mid-download closes the generator inside COPY."""
    issue = f.IssueFactory()
    models.Article.objects.bulk_create(
        models.Article(issue=issue, position=i, slug=f"a{i}", title="t" * 300, body="b",
                       status=models.Status.PUBLISHED)
        for i in range(1, 1001)
    )  # fmt: skip
    chunks = ArticleExporter().iter_csv(method="copy")
    assert len(next(chunks)) >= CHUNK_SIZE
    chunks.close()
    assert models.Article.objects.public().count() == 1000


def _both_ways(exporter_class, queryset=None) -> tuple[bytes, bytes]:
    """The COPY output with pre-aggregated joins and with a subquery per row."""
    outputs = []
    for pre_aggregate in (True, False):
        exporter = exporter_class(full_text=True, pre_aggregate=pre_aggregate)
        outputs.append(
            b"".join(exporter.iter_csv(queryset, method="copy"))
            + b"".join(exporter.iter_jsonl(queryset, method="copy"))
        )
    return outputs[0], outputs[1]


@pytest.mark.requires_postgres
@pytest.mark.parametrize("resource", FRONTIER_RESOURCES)
def test_pre_aggregated_joins_give_the_bytes_of_a_subquery_per_row(resource):
    """Issue #14: many-valued columns (authors, variant names, event places and participants)
    are joined once per relation, GROUP BY, not computed row by row; the bytes do not
    change, for the whole table and for a filtered export."""
    small_collection()
    event = f.EventFactory()
    event.places.add(*f.PlaceFactory.create_batch(3))
    models.EventParticipant.objects.create(event=event, person=models.Person.objects.get(id=100))
    models.EventParticipant.objects.create(event=event, person=models.Person.objects.get(id=101))
    exporter_class = EXPORTERS[resource]
    grouped, correlated = _both_ways(exporter_class)
    assert grouped == correlated and grouped.startswith(b"id,")
    exporter = exporter_class()
    if any(c.grouped for c in exporter.fields):
        assert "GROUP BY" in _copy_sql(exporter)
        first = exporter_class.model.objects.public().order_by("pk")[:1]
        narrow = exporter_class.model.objects.filter(
            pk__in=list(first.values_list("pk", flat=True))
        )
        assert _both_ways(exporter_class, narrow)[0] == _both_ways(exporter_class, narrow)[1]
        # Joined to their aggregates, rows keep the list's own order.
        backwards = exporter_class.model.objects.public().order_by("-pk")
        grouped, correlated = _both_ways(exporter_class, backwards)
        assert grouped == correlated


def _copy_sql(exporter) -> str:
    values = exporter.values_queryset(grouped_as_null=True)
    inner, _inner_params = exporter._inner_sql(values)
    joins, _params = exporter._grouped_joins(values)
    return exporter._copy_csv_sql(inner, joins)


@pytest.mark.requires_postgres
def test_pre_aggregated_joins_give_the_same_bytes_on_the_seed_collection():
    load_seed()
    assert models.Article.objects.public().count() > 10
    for resource, exporter_class in EXPORTERS.items():
        grouped, correlated = _both_ways(exporter_class)
        assert grouped == correlated, resource
