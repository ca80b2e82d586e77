"""/api/changes/: what each change says, filters, formats, strict parameters, visibility."""

from __future__ import annotations

import datetime as dt
import json
import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from archive import changes, models, services
from archive.exports.release import release_exporters
from archive.models import Change
from tests.factories import (
    AliasFactory,
    ArticleFactory,
    IssueFactory,
    PersonFactory,
    PlaceFactory,
    PublicationFactory,
)

DRAFT, PUBLISHED = models.Status.DRAFT, models.Status.PUBLISHED


def page(client, **params) -> dict:
    response = client.get("/api/changes/", params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content, parse_float=Decimal)


@pytest.mark.django_db
def test_a_change_names_its_row_and_carries_the_release_line(client):
    gdansk = PlaceFactory(name="Gdańsk", latitude="54.35200", longitude="18.64660")
    entry = page(client)["changes"][0]
    assert set(entry) == {"seq", "time", "kind", "id", "change", "merged_into", "reason", "record"}
    assert (entry["kind"], entry["id"], entry["change"]) == ("places", gdansk.pk, "created")
    assert entry["record"]["name"] == "Gdańsk"
    assert str(entry["record"]["latitude"]) == "54.35200"  # printed exactly as released
    assert entry["time"].endswith("Z")
    released = release_exporters()["places"](full_text=True).iter_jsonl()
    assert Change.objects.get(pk=entry["seq"]).record == b"".join(released).decode().strip()


@pytest.mark.django_db
def test_a_drafts_edits_are_not_public_changes_but_its_publication_is(client):
    person = PersonFactory(name="Rosa Luxemburg", status=DRAFT)
    alias = AliasFactory(person=person, name="Róża Luksemburg")
    assert page(client)["changes"] == []
    person.description = "Still a draft."
    person.save()
    alias.name = "Rosa Luksemburg"
    alias.save()
    assert page(client)["changes"] == []
    services.records_set_status(
        queryset=models.Person.objects.filter(pk=person.pk), status=PUBLISHED
    )
    kinds = {(c["kind"], c["change"]) for c in page(client)["changes"]}
    assert kinds == {("people", "published"), ("aliases", "published")}


@pytest.mark.django_db
def test_a_published_record_under_a_draft_parent_is_not_a_change_until_the_parent_is(client):
    publication = PublicationFactory(status=DRAFT)
    issue = IssueFactory(publication=publication)
    article = ArticleFactory(issue=issue, title="Under a draft publication")
    assert page(client)["changes"] == []
    services.records_set_status(
        queryset=models.Publication.objects.filter(pk=publication.pk), status=PUBLISHED
    )
    listed = {(c["kind"], c["id"]): c["change"] for c in page(client)["changes"]}
    assert listed == {
        ("publications", publication.pk): "published",
        ("issues", issue.pk): "published",
        ("articles", article.pk): "published",
    }
    # Parents first: a client with foreign keys can insert in feed order.
    order = [c["kind"] for c in page(client)["changes"]]
    assert order == ["publications", "issues", "articles"]


@pytest.mark.django_db
def test_withdrawals_come_children_first_with_when_and_why(client):
    article = ArticleFactory(title="The risen people")
    seen = page(client)["last"]
    services.records_set_status(
        queryset=models.Publication.objects.filter(pk=article.issue.publication_id),
        status=DRAFT,
        reason="Rights not cleared",
    )
    gone = page(client, after=seen)["changes"]
    assert [(c["kind"], c["change"]) for c in gone] == [
        ("articles", "withdrawn"), ("issues", "withdrawn"), ("publications", "withdrawn"),
    ]  # fmt: skip
    assert [c["record"] for c in gone] == [None, None, None]
    assert gone[-1]["reason"] == "Rights not cleared"
    assert gone[0]["reason"] is None  # the article itself was not touched


@pytest.mark.django_db
def test_kind_and_time_filters(client):
    person = PersonFactory(name="Leon Trotsky")
    place = PlaceFactory(name="Kraków")
    everything = page(client)["changes"]
    assert [c["kind"] for c in page(client, kind="people")["changes"]] == ["people"]
    assert len(page(client, kind="people,places")["changes"]) == 2
    recorded = dt.datetime.fromisoformat(everything[0]["time"].replace("Z", "+00:00"))
    later = (recorded + dt.timedelta(seconds=1)).isoformat()
    assert page(client, since=later)["changes"] == []
    assert len(page(client, until=later)["changes"]) == 2
    assert len(page(client, since=recorded.date().isoformat())["changes"]) == 2
    assert {c["id"] for c in everything} == {person.pk, place.pk}


@pytest.mark.django_db
def test_pages_follow_next_links_to_the_end(client):
    for n in range(5):
        PersonFactory(name=f"Person {n}")
    first = page(client, limit=2)
    assert len(first["changes"]) == 2 and first["next"] is not None
    assert first["last"] == first["changes"][-1]["seq"]
    second = json.loads(client.get(first["next"]).content)
    assert second["changes"][0]["seq"] == first["last"] + 1
    third = json.loads(client.get(second["next"]).content)
    assert len(third["changes"]) == 1 and third["next"] is None
    # Nothing new: an empty page that keeps the cursor.
    empty = page(client, after=third["last"])
    assert empty == {"changes": [], "last": third["last"], "next": None}


@pytest.mark.django_db
def test_json_lines_streams_every_change_after_the_cursor(client):
    for n in range(3):
        PersonFactory(name=f"Person {n}")
    seqs = [c["seq"] for c in page(client)["changes"]]
    response = client.get("/api/changes/", {"format": "jsonl", "after": seqs[0]})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jsonl; charset=utf-8"
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert [json.loads(line)["seq"] for line in lines] == seqs[1:]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"afterr": "1"}, "afterr"),
        ({"after": "-1"}, "after"),
        ({"after": "x"}, "after"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"kind": "persons"}, "kind"),
        ({"since": "2026-13-01"}, "since"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-02-01", "until": "2026-01-01"}, "until"),
        ({"format": "csv"}, "format"),
    ],
)
def test_a_malformed_request_is_a_400_naming_the_parameter(client, params, parameter):
    response = client.get("/api/changes/", params)
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert body["errors"][0]["parameter"] == parameter


@pytest.mark.django_db
def test_nothing_is_recorded_twice_and_nothing_when_nothing_changed():
    PersonFactory(name="Rosa Luxemburg")
    assert changes.record_changes() == 1
    assert changes.record_changes() == 0
    assert changes.record_changes(force=True) == 0
    call_command("record_changes")
    assert Change.objects.count() == 1


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_recordings_append_each_change_once():
    people = [PersonFactory(name=f"Person {n}") for n in range(20)]
    errors: list[BaseException] = []

    def record() -> None:
        try:
            changes.record_changes()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=record) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = list(Change.objects.filter(resource="people").values_list("record_id", flat=True))
    assert sorted(rows) == sorted(p.pk for p in people)


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_reader_does_not_wait_for_a_recording_running_elsewhere():
    import psycopg

    PersonFactory(name="Rosa Luxemburg")
    params = connection.settings_dict
    with psycopg.connect(
        dbname=params["NAME"], host=params["HOST"] or None, port=params["PORT"] or None,
        user=params["USER"] or None, password=params.get("PASSWORD") or None, autocommit=True,
    ) as other:  # fmt: skip
        other.execute("SELECT pg_advisory_lock(%s)", [changes.LOCK_KEY])
        assert changes.ensure_current(wait=False) == 0  # answered from the log as it stands
        assert Change.objects.count() == 0
        other.execute("SELECT pg_advisory_unlock(%s)", [changes.LOCK_KEY])
    assert changes.ensure_current(wait=False) == 1
