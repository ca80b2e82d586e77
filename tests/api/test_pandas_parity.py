"""A researcher's check, on the seed collection: the JSON (every page), CSV and JSON Lines of
the same filtered list load into identical pandas data frames.

The one normalisation is the one docs/api.md ("Loading into pandas") gives researchers:

1. JSON: the ``results`` of every page, ``pd.json_normalize``; drop the JSON-only columns
   ``url``, ``page_url``, ``rank`` and ``snippet``;
2. CSV: ``pd.read_csv(..., dtype=str, keep_default_na=False, na_values=[""])`` (an empty
   cell is missing, nothing else is), and take off the apostrophe the CSV puts before a
   text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return;
3. JSON Lines: ``pd.read_json(..., lines=True, dtype=False)``;
4. all three: columns in the CSV's order, and each column's dtype from its type in the
   data package (integer → ``Int64``, number → ``Float64``, boolean → ``boolean``, anything
   else → ``string``). Many values stay one text joined with ``"; "`` in every format.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest

from archive.exports import EXPORTERS
from archive.exports.base import FORMULA_PREFIXES

from .helpers import body
from .test_format_parity import JSON_ONLY

pytestmark = pytest.mark.django_db

DTYPES = {"integer": "Int64", "number": "Float64", "boolean": "boolean"}

#: resource → a filtered list of the seed collection with several pages of two records.
LISTS = {
    "publications": {},
    "issues": {},
    "articles": {"date_after": "1989", "ordering": "-date"},
    "people": {"mentioned_in_publication": "workers-liberty"},
    "organisations": {"ordering": "-name"},
    "places": {"name": "a"},
    "events": {"decade": "1980s"},
    "mentions": {"target_type": "person"},
}


def typed(frame: pd.DataFrame, resource: str) -> pd.DataFrame:
    """Step 4: the CSV's column order and each column's dtype from the data package."""
    columns = EXPORTERS[resource]().fields
    frame = frame[[c.name for c in columns]].copy()
    for column in columns:
        dtype = DTYPES.get(column.type, "string")
        values = frame[column.name]
        if dtype == "boolean" and values.dtype == object:
            values = values.map({"true": True, "false": False, True: True, False: False})
        frame[column.name] = values.astype(dtype)
    return frame.reset_index(drop=True)


def from_json(api, path: str, params: dict, resource: str) -> pd.DataFrame:
    results, url, query = [], path, {**params, "page_size": 2}
    while url:
        page = api.get(url, query).json()
        results += page["results"]
        url, query = page["next"], None
    frame = pd.json_normalize(results)
    return typed(frame.drop(columns=[c for c in JSON_ONLY if c in frame]), resource)


def unguard(text):
    """The CSV's formula guard taken off: ``'=x`` → ``=x`` (step 2)."""
    if isinstance(text, str) and text[:1] == "'" and text[1:2] and text[1] in FORMULA_PREFIXES:
        return text[1:]
    return text


def from_csv(api, path: str, params: dict, resource: str) -> pd.DataFrame:
    content = body(api.get(path, {**params, "format": "csv"}))
    frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False, na_values=[""])
    strings = [c.name for c in EXPORTERS[resource]().fields if c.type == "string"]
    frame[strings] = frame[strings].map(unguard)
    return typed(frame, resource)


def from_jsonl(api, path: str, params: dict, resource: str) -> pd.DataFrame:
    content = body(api.get(path, {**params, "format": "jsonl"}))
    frame = pd.read_json(io.BytesIO(content), lines=True, dtype=False)
    return typed(frame, resource)


@pytest.mark.parametrize("resource", sorted(LISTS))
def test_json_csv_and_jsonl_load_into_identical_data_frames(api, seed, resource):
    path, params = f"/api/{resource}/", LISTS[resource]
    as_json = from_json(api, path, params, resource)
    as_csv = from_csv(api, path, params, resource)
    as_jsonl = from_jsonl(api, path, params, resource)
    # The seed has one issue and two publications; every other list spans several pages.
    assert len(as_json) >= (1 if resource in {"issues", "publications"} else 3), resource
    pd.testing.assert_frame_equal(as_json, as_csv, check_exact=True)
    pd.testing.assert_frame_equal(as_json, as_jsonl, check_exact=True)
    # Missing values are missing in every format, never an empty text.
    for frame in (as_json, as_csv, as_jsonl):
        strings = frame.select_dtypes("string")
        assert not (strings == "").any().any(), resource
