"""JSON, CSV and JSON Lines of every resource hold the same fields and the same values.

For each resource the same filtered list is read in the three formats: the JSON records (every
page) have exactly the CSV's columns and the JSON Lines' keys, plus the JSON-only links
(``url``, ``page_url``) and search fields (``rank``, ``snippet``); per record, every value
agrees: ``null`` in JSON and JSON Lines is an empty CSV cell, and nothing is ``""`` in JSON
(docs/api.md, "Missing values").
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from archive.exports import EXPORTERS, neutralise

from .helpers import body, csv_rows

pytestmark = pytest.mark.django_db

#: Keys only the JSON pages carry: links and, for a search, the hit's rank and passage.
JSON_ONLY = {"url", "page_url", "rank", "snippet"}

#: resource → a filter that keeps some records and drops others.
RESOURCES = {
    "publications": {"ordering": "title"},
    "issues": {"publication": "labour-focus"},
    "articles": {"publication": "labour-focus", "ordering": "-date"},
    "people": {"ordering": "-name", "mentioned_after": "1980"},
    "organisations": {"ordering": "-name"},
    "places": {"ordering": "id"},
    "events": {"decade": "1980s"},
    "mentions": {"target_type": "person,place"},
}


def json_records(api, path: str, params: dict) -> list[dict]:
    """Every record of every page (two per page, so the cursor is walked)."""
    records, url, query = [], path, {**params, "page_size": 2}
    while url:
        page = api.get(url, query).json()
        records += page["results"]
        url, query = page["next"], None
    return records


def jsonl_records(api, path: str, params: dict) -> list[dict]:
    content = body(api.get(path, {**params, "format": "jsonl"})).decode()
    return [json.loads(line) for line in content.splitlines()]


def agree(csv_cell: str, value, column_type: str) -> bool:
    """Whether a CSV cell says what a JSON value says."""
    if value is None:
        return csv_cell == ""
    if column_type == "string":
        return csv_cell == neutralise(value)  # the CSV's only difference: the formula guard
    if column_type == "number":
        return Decimal(csv_cell) == Decimal(str(value))
    if column_type == "boolean":
        return csv_cell == ("true" if value else "false")
    if column_type == "integer":
        return int(csv_cell) == value
    return csv_cell == value  # dates and date-times: the same ISO text


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_json_csv_and_jsonl_hold_the_same_fields_and_values(api, archive, resource):
    path, params = f"/api/{resource}/", RESOURCES[resource]
    columns = {c.name: c.type for c in EXPORTERS[resource]().fields}
    as_json = json_records(api, path, params)
    as_csv = csv_rows(api.get(path, {**params, "format": "csv"}))
    as_jsonl = jsonl_records(api, path, params)
    assert len(as_json) >= 2, "the filter must keep records"
    assert (
        [r["id"] for r in as_json] == [int(r["id"]) for r in as_csv] == [r["id"] for r in as_jsonl]
    )
    for record, row, line in zip(as_json, as_csv, as_jsonl, strict=True):
        assert list(row) == list(line) == list(columns)  # CSV header = JSON Lines keys
        assert set(record) - JSON_ONLY == set(columns), set(record) ^ set(columns)
        assert list(record)[: len(columns)] == list(columns)  # the same order, links after
        for name, column_type in columns.items():
            assert record[name] == line[name], (resource, record["id"], name)
            assert agree(row[name], line[name], column_type), (resource, name, row[name])
        assert "" not in record.values() and "" not in line.values()


def test_a_detail_is_its_list_record_with_more_embedded(api, archive):
    for resource in RESOURCES:
        (record, *_) = json_records(api, f"/api/{resource}/", {})
        detail = api.get(record["url"]).json()
        assert {k: detail[k] for k in record if k not in JSON_ONLY - {"url", "page_url"}} == {
            k: v for k, v in record.items() if k not in JSON_ONLY - {"url", "page_url"}
        }, resource


def test_names_stand_beside_ids_in_every_format(api, archive):
    """Wherever a row carries ids of related records it carries their names too."""
    for resource, exporter in EXPORTERS.items():
        names = {c.name for c in exporter().fields}
        for column in exporter().fields:
            if column.name.endswith("_ids"):
                assert column.name.removesuffix("_ids") + "_names" in names, column.name
            elif column.foreign_key and column.name.endswith("_id"):
                stem = column.name.removesuffix("_id")
                named = {f"{stem}_{word}" for word in ("name", "title", "label")}
                # A mention's person_id… are named by target_name, an alias's by entity_name.
                named |= {"target_name", "entity_name"}
                assert named & names, f"{resource}.{column.name} has no name beside it"
    event = jsonl_records(api, "/api/events/", {"person": "lech-walesa"})[0]
    assert (event["person_ids"], event["person_names"]) == (
        str(archive.walesa.pk), "Lech Wałęsa"
    )  # fmt: skip
    assert event["organisation_names"] == "Solidarność"
    issue = csv_rows(api.get(f"/api/issues/{archive.i1989.pk}/", {"format": "csv"}))[0]
    assert issue["publication_title"] == "Labour Focus on Eastern Europe"
