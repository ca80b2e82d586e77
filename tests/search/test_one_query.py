"""The search page, ``/api/articles/?q=`` and the page's "this list as data" links are one
query: for the same parameters they list the same ids in the same order (seed collection,
SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest

from archive.search import params as page_params
from tests.seed import seed_collection

pytestmark = pytest.mark.django_db

HIT = re.compile(r'<li class="hit" data-id="(\d+)">')
NEXT = re.compile(r'<a href="(\?[^"]*)" rel="next">')
FORMAT = re.compile(r'<a href="(/api/articles/\?[^"]*format=(json|csv|jsonl))">')

#: Queries from the seed collection: names with and without diacritics, two words, a
#: phrase, a prefix, an OR; with filters on publication, kind, decade, person, organisation,
#: event and undated; by relevance (the default with q), date and -date.
CASES = [
    {"q": "Gorbachev"},
    {"q": "Solidarność"},
    {"q": "solidarnosc"},
    {"q": "workers state"},
    {"q": '"workers state"'},
    {"q": '"permanent revolution" OR collectivisation'},
    {"q": "trotsk*", "ordering": "date"},
    {"q": "socialism", "ordering": "-date"},
    {"q": "socialism", "ordering": "date", "decade": "1990"},
    {"q": "stalinism", "publication": "workers-liberty"},
    {"q": "capitalism", "kind": ["article", "introduction"]},
    {"q": "stalinism", "person": "leon-trotsky", "ordering": "-date"},
    {"q": "revolution", "organisation": "bolshevik-party"},
    {"q": "Yeltsin", "event": "august-coup"},
    {"q": "stalinism", "undated": "true"},
    {"q": "workers", "date_after": "1990-06", "date_before": "1991-12"},
]


@pytest.fixture(scope="module")
def collection(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), seed_collection():
        yield


@pytest.fixture
def short_pages(monkeypatch):
    """Four hits a page, so that the page's list is several pages long."""
    monkeypatch.setattr(page_params, "PER_PAGE", 4)


def page_ids(client, params: dict) -> tuple[list[int], dict[str, str]]:
    """Every hit of the search page, following its "Next" links; and its data links."""
    response = client.get("/search/", params)
    assert response.status_code == 200, response.content[:300]
    text = response.content.decode()
    links = {fmt: html.unescape(url) for url, fmt in FORMAT.findall(text)}
    found = [int(pk) for pk in HIT.findall(text)]
    while match := NEXT.search(text):
        text = client.get("/search/" + html.unescape(match.group(1))).content.decode()
        found += [int(pk) for pk in HIT.findall(text)]
    return found, links


def api_ids(client, params: dict, page_size: int = 3) -> list[int]:
    """Every hit of /api/articles/ as JSON, walking the cursor pages."""
    data = client.get("/api/articles/", {**params, "page_size": page_size}).json()
    found = [r["id"] for r in data["results"]]
    while data["next"]:
        data = client.get(data["next"]).json()
        found += [r["id"] for r in data["results"]]
    return found


def link_ids(client, url: str, fmt: str) -> list[int]:
    response = client.get(url)
    assert response.status_code == 200, url
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        return [int(row["id"]) for row in csv.DictReader(io.StringIO(body.decode()))]
    if fmt == "jsonl":
        return [json.loads(line)["id"] for line in body.splitlines()]
    assert not response.json()["next"], "the seed's hits fit on one JSON page"
    return [r["id"] for r in response.json()["results"]]


@pytest.mark.parametrize("params", CASES, ids=lambda p: " ".join(f"{k}={v}" for k, v in p.items()))
def test_page_api_and_data_links_list_the_same_ids_in_the_same_order(
    client, collection, short_pages, params
):
    on_page, links = page_ids(client, params)
    assert on_page, f"{params} finds nothing in the seed collection"
    assert len(on_page) == len(set(on_page))
    assert api_ids(client, params) == on_page
    assert set(links) == {"json", "csv", "jsonl"}
    for fmt, url in links.items():
        assert link_ids(client, url, fmt) == on_page, fmt


def test_folding_makes_spellings_one_search(client, collection):
    assert page_ids(client, {"q": "Solidarność"})[0] == page_ids(client, {"q": "solidarnosc"})[0]
    assert api_ids(client, {"q": "Gorbachev"}) == api_ids(client, {"q": "GORBACHEV"})


def test_orderings_are_what_they_say(client, collection):
    def dates(ordering: str) -> list[str | None]:
        results = client.get(
            "/api/articles/", {"q": "socialism", "ordering": ordering, "page_size": 100}
        ).json()["results"]
        return [r["date_start"] for r in results]

    oldest, newest = dates("date"), dates("-date")
    dated = [d for d in oldest if d]
    assert dated == sorted(dated) and dated
    assert [d for d in newest if d] == sorted(dated, reverse=True)
    # Undated articles come last both ways.
    for listed in (oldest, newest):
        assert listed[len(dated) :] == [None] * (len(listed) - len(dated))
    ranks = [
        r["rank"]
        for r in client.get("/api/articles/", {"q": "socialism", "page_size": 100}).json()[
            "results"
        ]
    ]
    assert ranks == sorted(ranks, reverse=True)


def test_the_page_refuses_what_the_api_refuses(client, collection):
    for params in (
        {"q": "x", "date_after": "1992", "date_before": "1990"},
        {"q": "x", "language": "xx"},
        {"q": "x", "kind": "novel"},
        {"q": "x", "nonsense": "1"},
    ):
        page = client.get("/search/", params)
        api = client.get("/api/articles/", params)
        assert page.status_code == api.status_code == 400, params
        for error in api.json()["errors"]:
            assert error["parameter"] in page.content.decode()
            assert error["message"] in page.content.decode()


@pytest.mark.parametrize("params", CASES[:6] + CASES[8:10], ids=lambda p: str(p))
def test_the_api_counts_what_the_page_counts(client, collection, monkeypatch, params):
    """A search's count is its total of matches on both surfaces, also when fewer hits are
    listed than match (here: two ranked, as 500 are of a large archive)."""
    from archive import search
    from archive.search import backends

    def counts(page_size: int) -> tuple[tuple[int, bool], tuple[int, bool], int]:
        # (a page size of its own each time: the API's answers are cached per URL)
        data = client.get("/api/articles/", {**params, "page_size": page_size}).json()
        page = search.search(params)
        return (data["count"], data["count_exact"]), (page.total, page.exact), len(data["results"])

    api, page, listed = counts(50)
    assert api == page and listed == api[0] and page[1]  # a small archive: every hit listed
    monkeypatch.setattr(backends, "RANK_CAP", 2)
    monkeypatch.setattr(backends, "POOL", 3)
    monkeypatch.setattr(backends, "HEAD_CAP", 2)
    capped_api, capped_page, capped_listed = counts(49)
    assert capped_api == capped_page
    assert capped_listed == min(2, listed)
    assert capped_api[0] >= capped_listed
    if listed > 2:  # more match than are listed: the count says how many match
        assert capped_api[0] > capped_listed
