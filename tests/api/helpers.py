"""Read the three formats of a list response into record ids."""

from __future__ import annotations

import csv
import io
import json


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def json_ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [r["id"] for r in response.json()["results"]]


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200, body(response)
    return list(csv.DictReader(io.StringIO(body(response).decode("utf-8"))))


def csv_ids(response) -> list[int]:
    return [int(r["id"]) for r in csv_rows(response)]


def jsonl_ids(response) -> list[int]:
    assert response.status_code == 200, body(response)
    return [json.loads(line)["id"] for line in body(response).splitlines()]


def all_formats(api, path: str, params: dict | None = None) -> tuple[list, list, list]:
    """The same request as JSON, CSV and JSON Lines."""
    params = dict(params or {})
    as_json = json_ids(api.get(path, {**params, "page_size": 1000}))
    as_csv = csv_ids(api.get(path, {**params, "format": "csv"}))
    as_jsonl = jsonl_ids(api.get(path, {**params, "format": "jsonl"}))
    return as_json, as_csv, as_jsonl


def ids_for(api, path: str, params: dict | None = None) -> list[int]:
    """Ids returned for ``params``, after checking the three formats agree."""
    as_json, as_csv, as_jsonl = all_formats(api, path, params)
    assert as_json == as_csv == as_jsonl, (as_json, as_csv, as_jsonl)
    return as_json


def errors(response) -> dict[str, str]:
    """``{parameter: message}`` from the documented error shape."""
    data = response.json()
    assert data["status"] == response.status_code
    return {e["parameter"]: e["message"] for e in data["errors"]}
