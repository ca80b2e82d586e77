"""Lists and details: embedded data, links, published records only, pinned query counts."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories as f

from .helpers import csv_ids

pytestmark = pytest.mark.django_db

RESOURCES = ["publications", "issues", "articles", "people", "organisations", "places",
             "events", "mentions"]  # fmt: skip


@pytest.mark.parametrize("resource", RESOURCES)
def test_every_list_and_detail_answers_with_links(api, archive, resource):
    response = api.get(f"/api/{resource}/")
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"count", "count_exact", "next", "previous", "results"}
    assert data["count"] == len(data["results"]) and data["count_exact"] is True
    first = data["results"][0]
    assert first["url"].startswith(f"http://testserver/api/{resource}/{first['id']}/")
    detail = api.get(first["url"])
    assert detail.status_code == 200
    assert detail.json()["id"] == first["id"]


@pytest.mark.parametrize(
    ("resource", "draft"),
    [
        ("publications", "hidden_pub"),
        ("articles", "hidden_article"),
        ("people", "hidden_person"),
        ("organisations", "hidden_org"),
        ("events", "hidden_event"),
    ],
)
def test_unpublished_records_are_hidden_in_lists_details_and_downloads(
    api, archive, resource, draft
):
    obj = getattr(archive, draft)
    listed = [r["id"] for r in api.get(f"/api/{resource}/", {"page_size": 1000}).json()["results"]]
    assert obj.pk not in listed and listed
    missing = api.get(f"/api/{resource}/{obj.pk}/")
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["code"] == "not_found"
    for fmt in ("csv", "jsonl"):
        text = b"".join(api.get(f"/api/{resource}/", {"format": fmt}).streaming_content).decode()
        assert (getattr(obj, "name", None) or obj.title) not in text


def test_article_detail_embeds_what_a_reader_needs(api, archive):
    data = api.get(f"/api/articles/{archive.strike.pk}/").json()
    assert data["publication_title"] == "Labour Focus on Eastern Europe"
    assert data["publication_id"] == archive.labour.pk
    assert (data["issue_id"], data["issue_label"]) == (archive.i1989.pk, "vol. 11, no. 1")
    assert (data["author_ids"], data["author_names"]) == (str(archive.walesa.pk), "Lech Wałęsa")
    assert [a["name"] for a in data["authors"]] == ["Lech Wałęsa"]
    assert data["authors"][0]["role"] == "author"
    assert data["authors"][0]["url"].endswith(f"/api/people/{archive.walesa.pk}/")
    assert data["mentions"]["people"] == [
        {"id": archive.walesa.pk, "url": f"http://testserver/api/people/{archive.walesa.pk}/",
         "name": "Lech Wałęsa", "slug": "lech-walesa", "count": 2}
    ]  # fmt: skip
    assert [o["name"] for o in data["mentions"]["organisations"]] == ["Solidarność"]
    assert [i["caption"] for i in data["illustrations"]] == ["Lech Wałęsa at the gate"]
    assert data["body"].startswith("Wałęsa spoke")
    assert data["formats"]["bibtex"].endswith("/cite/?style=bibtex")
    assert data["date"] == "1989-12-03"


def test_article_detail_hides_draft_authors_and_mentions(api, archive):
    data = api.get(f"/api/articles/{archive.heirs.pk}/").json()
    assert [a["name"] for a in data["authors"]] == ["Leon Trotsky"]
    assert [p["name"] for p in data["mentions"]["people"]] == ["Leon Trotsky"]  # not rejected/draft
    assert data["mentions"]["organisations"] == []


def test_article_dates_follow_the_model_rule_and_say_where_they_come_from(api, archive):
    """date/date_start/date_end are the stored effective date; date_source names its origin;
    the dateline stays as it is. An article without a dateline is undated, never silently
    given its issue's date; an editorial (written for the issue) takes the issue's date."""

    def dates(article):
        data = api.get(f"/api/articles/{article.pk}/").json()
        keys = ("date", "date_start", "date_end", "date_source", "dateline")
        return tuple(data[k] for k in keys)

    assert dates(archive.strike) == (
        "1989-12-03", "1989-12-03", "1989-12-03", "dateline", "1989-12-03"
    )  # fmt: skip
    assert dates(archive.heirs) == (None, None, None, "undated", None)  # missing: null
    assert dates(archive.fall) == ("1989-12", "1989-12-01", "1989-12-31", "issue", None)
    reprint = f.ArticleFactory(
        issue=archive.i1990, position=50, slug="reprint", kind="article", date="",
        first_published_date="1985-05", first_published_in_publication=archive.hidden_pub,
    )  # fmt: skip
    data = api.get(f"/api/articles/{reprint.pk}/").json()
    assert (data["date"], data["date_source"], data["first_published_date"]) == (
        "1985-05", "first_published", "1985-05"
    )  # fmt: skip


def test_ordering_by_date_uses_the_effective_date(api, archive):
    listed = [r["id"] for r in api.get("/api/articles/", {"ordering": "date"}).json()["results"]]
    dated = [archive.fall.pk, archive.strike.pk]  # 1989-12 starts before 1989-12-03
    assert [pk for pk in listed if pk in dated] == dated
    starts = [
        r["date_start"] for r in api.get("/api/articles/", {"ordering": "-date"}).json()["results"]
    ]
    known = [d for d in starts if d]
    assert known == sorted(known, reverse=True)


def test_person_detail_embeds_variant_names_articles_and_events(api, archive):
    data = api.get(f"/api/people/{archive.walesa.pk}/").json()
    assert data["variant_names"] == "Walesa"  # joined with "; ", as in the CSV
    assert data["articles"]["count"] == 1
    assert data["articles"]["results"][0]["id"] == archive.strike.pk
    assert data["articles"]["all"].endswith(f"/api/articles/?person={archive.walesa.pk}")
    assert [e["name"] for e in data["events"]] == ["August strikes"]
    assert [a["id"] for a in data["authored"]] == [archive.strike.pk]


def test_event_and_place_details(api, archive):
    event = api.get(f"/api/events/{archive.revolution.pk}/").json()
    assert (event["place_ids"], event["place_names"]) == (str(archive.bucharest.pk), "Bucharest")
    assert event["person_names"] == "Nicolae Ceaușescu"
    assert event["participants"][0]["person"]["name"] == "Nicolae Ceaușescu"
    assert [a["id"] for a in event["articles"]] == [archive.fall.pk]
    place = api.get(f"/api/places/{archive.bucharest.pk}/").json()
    assert [e["name"] for e in place["events"]] == ["Romanian Revolution"]
    assert place["articles"]["count"] == 2


def test_publication_detail_embeds_publisher_and_issues(api, archive):
    data = api.get(f"/api/publications/{archive.labour.pk}/").json()
    assert (data["publisher_id"], data["publisher_name"]) == (archive.solidarity.pk, "Solidarność")
    assert [i["id"] for i in data["issues"]] == [archive.i1989.pk, archive.i1990.pk]


def test_mention_list_names_target(api, archive):
    data = api.get("/api/mentions/", {"target": "event:romanian-revolution"}).json()
    (mention,) = data["results"]
    assert mention["target_type"] == "event"
    assert (mention["target_id"], mention["target_name"]) == (
        archive.revolution.pk, "Romanian Revolution"
    )  # fmt: skip
    assert (mention["article_id"], mention["article_title"]) == (
        archive.fall.pk,
        archive.fall.title,
    )
    assert "page_url" not in mention  # a mention has no page of its own


@pytest.mark.parametrize(
    ("resource", "ordering"),
    [("articles", "-word_count"), ("articles", "date"), ("articles", "-date"),
     ("articles", "title"), ("events", "-date"), ("people", "-name")],
)  # fmt: skip
def test_cursor_pages_walk_every_record_once(api, archive, resource, ordering):
    seen, url = [], f"/api/{resource}/?page_size=1&ordering={ordering}"
    while url:
        data = api.get(url).json()
        seen += [r["id"] for r in data["results"]]
        url = data["next"]
    expected = [r["id"] for r in api.get(f"/api/{resource}/?ordering={ordering}").json()["results"]]
    assert seen == expected and len(seen) == len(set(seen)) >= 2


# Query counts do not grow with the number of rows: the page, its export rows (one query for
# the page, archive/exports), and the count of matches (for the whole list, once per content
# version: archive/api/pagination.py). Reads of the content version are not counted.
VERSION_QUERY = "SELECT value FROM archive_contentversion WHERE id = 1"
PINNED_QUERIES = dict.fromkeys(RESOURCES, 3)


@pytest.mark.parametrize("resource", RESOURCES)
def test_list_query_counts_are_pinned(api, archive, resource):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"/api/{resource}/", {"page_size": 1000})
    assert response.status_code == 200
    sql = [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    # One primary-key read of the content version keys the cache (archive/caching.py).
    assert sql[0] == VERSION_QUERY
    assert len([q for q in sql if q != VERSION_QUERY]) == PINNED_QUERIES[resource], sql
    # The same list again is answered from the cache: the version read alone.
    with CaptureQueriesContext(connection) as again:
        assert api.get(f"/api/{resource}/", {"page_size": 1000}).content == response.content
    assert [q["sql"] for q in again.captured_queries] == [VERSION_QUERY]


def _orderings(resource: str) -> list[str]:
    """Every ``ordering`` the resource's list accepts (relevance needs ``q``)."""
    from archive.api.filters.articles import ORDERINGS
    from archive.api.urls import router

    if resource == "articles":
        return [o for o in ORDERINGS if o != "relevance"]
    viewset = next(v for prefix, v, _ in router.registry if prefix == resource)
    ordering = viewset.filterset_class.base_filters.get("ordering")
    names = list(getattr(ordering, "param_map", None) or {})
    return [*names, *(f"-{n}" for n in names)] or ["id"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_a_list_page_reads_its_rows_once_in_every_order(api, archive, resource):
    """A JSON page's rows read only what links and orders them (``page_fields``): in
    every ordering its records come in the export's order, with the pinned queries (a
    column left unread and needed after all would cost one query per row)."""
    for ordering in _orderings(resource):
        # Two to a page: the next link reads the last row's ordering key.
        params = {"page_size": 2, "ordering": ordering}
        caches["default"].clear()  # the whole list's size is kept: counted again each time
        with CaptureQueriesContext(connection) as queries:
            response = api.get(f"/api/{resource}/", params)
        assert response.status_code == 200, (ordering, response.content)
        sql = [
            q["sql"] for q in queries.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE")) and q["sql"] != VERSION_QUERY
        ]  # fmt: skip
        assert len(sql) == PINNED_QUERIES[resource], (ordering, sql)
        page = response.json()
        exported = csv_ids(api.get(f"/api/{resource}/", {**params, "format": "csv"}))
        assert [r["id"] for r in page["results"]] == exported[:2], ordering
        assert (page["next"] is not None) == (len(exported) > 2)


def test_an_article_page_reads_no_text_it_does_not_show(api, archive):
    """A JSON page of articles takes its values from the exporter's query: the page's own
    rows leave the body, the raw text and the curator's notes unread (and nothing reads them
    afterwards, one article at a time)."""
    for params in ({}, {"q": "shipyard"}, {"ordering": "-word_count"}):
        with CaptureQueriesContext(connection) as queries:
            response = api.get("/api/articles/", {"page_size": 1000, **params})
        assert response.status_code == 200 and response.json()["results"], params
        sql = " ".join(q["sql"] for q in queries.captured_queries)
        for column in ("raw_text", "curator_notes"):
            assert f'"archive_article"."{column}"' not in sql, (params, column)
    with CaptureQueriesContext(connection) as queries:
        api.get("/api/articles/", {"page_size": 1000, "full_text": "true"})
    assert '"archive_article"."body"' in " ".join(q["sql"] for q in queries.captured_queries)


def test_filter_values_cost_one_query_each(api, archive):
    with CaptureQueriesContext(connection) as queries:
        api.get("/api/articles/", {"person": "lech-walesa", "publication": "labour-focus"})
    sql = [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    # The version keys the cache of the answer, and of the list's count.
    assert sql.count(VERSION_QUERY) == 2
    # Two look-ups (they validate the values), the ids of the few articles mentioning the
    # person (ArticleFilterSet.records), the page, its rows, the count.
    assert len(sql) - 2 == 2 + 1 + 3
