"""Articles listed in each ``ordering`` without ``q``: by date, undated last both ways and
every article once across cursor pages; and on PostgreSQL, every order read from an index
(migrations 0010, 0025, 0026) rather than sorted: at a million articles a sorted page took
0.6 s, a page read from its index 10-12 ms.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from archive import models
from archive.api.filters import ArticleFilterSet
from archive.api.filters.articles import ORDERINGS
from archive.api.views import ArticleViewSet
from archive.models.base import earliest_start_by_dates
from tests import factories as f

pytestmark = pytest.mark.django_db


def read_every_page(api, url: str) -> tuple[list[int], list[str], dict]:
    """The ids of every cursor page from ``url`` on, in order, the SQL the requests ran,
    and the last page's JSON."""
    seen, statements, page = [], [], None

    def watch(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        while url:
            page = api.get(url).json()
            seen += [row["id"] for row in page["results"]]
            url = page["next"]
    return seen, statements, page


def unbounded_ids(span: dict, ordering: str) -> list[int]:
    """The list's ids in ``ordering`` straight from the filters, without the pagination's
    date bounds: what the bounded pages must give."""
    filterset = ArticleFilterSet(
        data={**span, "ordering": ordering}, queryset=ArticleViewSet().get_queryset()
    )
    assert filterset.is_valid(), filterset.errors
    return list(filterset.qs.values_list("id", flat=True))


@pytest.fixture
def dated(db):
    issue = f.IssueFactory(date="1989")
    dates = ["1989-11-09", "1980", "1991-08", "", "1989-11-09", "1980/1981", ""]
    return [
        f.ArticleFactory(issue=issue, position=i + 1, slug=f"a-{i}", date=d, title=f"A {i}")
        for i, d in enumerate(dates)
    ]


@pytest.mark.parametrize("ordering", ["date", "-date"])
def test_cursor_pages_list_every_article_once_in_date_order_undated_last(api, dated, ordering):
    seen, url = [], f"/api/articles/?ordering={ordering}&page_size=2"
    while url:
        page = api.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    articles = {a.pk: a for a in models.Article.objects.public()}
    assert sorted(seen) == sorted(articles)  # every one, once
    dates = [articles[pk].effective_date_start for pk in seen]
    known = [d for d in dates if d is not None]
    assert dates[: len(known)] == known and all(d is None for d in dates[len(known) :])
    assert known == sorted(known, reverse=ordering == "-date")
    # Ties (the same day) by id in the date's direction.
    same = [pk for pk in seen if str(articles[pk].effective_date_start) == "1989-11-09"]
    assert same == sorted(same, reverse=ordering == "-date")


@pytest.mark.requires_postgres
@pytest.mark.parametrize("ordering", [o for o in ORDERINGS if o != "relevance"])
def test_a_page_in_every_order_is_read_from_an_index(dated, ordering):
    filterset = ArticleFilterSet(
        data={"ordering": ordering}, queryset=ArticleViewSet().get_queryset()
    )
    assert filterset.is_valid(), filterset.errors
    sql, params = filterset.qs[:51].query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # A handful of rows would be sorted anyway: told not to sort unless it must, the
        # planner still has to when no index is in the list's order.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Sort" not in plan, plan
    assert "Index Scan" in plan, plan
    if ordering.lstrip("-") == "date":
        direction = "asc" if ordering == "date" else "desc"
        assert f"archive_article_date_order_{direction}" in plan, plan


def test_a_list_in_key_order_filtered_by_dates_starts_at_the_spans_first_row(api, db):
    """By id with a decade (or any date span), the first page starts where the span's first
    row can be (``first_key_by_dates``, as the exports do) on PostgreSQL: the same rows, one
    running into the decade from before it included, in key order across cursor pages."""
    issue = f.IssueFactory(date="1989")
    made = {
        name: f.ArticleFactory(issue=issue, position=i + 1, slug=name, date=date, title=name)
        for i, (name, date) in enumerate(
            [("before", "1975"), ("across", "1979/1981"), ("inside", "1985-03"),
             ("after", "1995"), ("last-day", "1989-12-31"), ("undated", "")]
        )
    }  # fmt: skip
    f.ArticleFactory(
        issue=f.IssueFactory(status=models.Status.DRAFT), date="1984", slug="draft", title="d"
    )
    seen, statements, page = read_every_page(api, "/api/articles/?decade=1980&page_size=1")
    assert seen == [made[n].pk for n in ("across", "inside", "last-day")]
    assert page["count"] == 3
    if connection.vendor == "postgresql":
        # The first page was bounded below by the span's first key.
        bounded = [s for s in statements if '"archive_article"."id" >= ' in s and "LIMIT" in s]
        assert bounded, statements


@pytest.mark.parametrize(
    "span", [{"date_after": "1985-01", "date_before": "1986-12"}, {"decade": "1980"}]
)
def test_a_list_newest_first_within_dates_is_the_same_list_read_from_the_spans_end(api, db, span):
    """Newest first with a date span, the page is read down the date index from the span's
    last day: the rows and their order are those of the unbounded list (rows running into
    the span from before it, an open start and undated rows among the candidates)."""
    issue = f.IssueFactory(date="1989")
    for i, date in enumerate(
        ["1984", "1985-03", "1986-11", "1987", "1980/1985-06", "../1985-06", "1991", "",
         "1986-11"]
    ):  # fmt: skip
        f.ArticleFactory(issue=issue, position=i + 1, slug=f"n-{i}", date=date, title=f"N {i}")
    query = "&".join([f"{k}={v}" for k, v in span.items()] + ["ordering=-date", "page_size=2"])
    seen, statements, _ = read_every_page(api, f"/api/articles/?{query}")
    # Read from the span's last day down (the bound on the date order's key).
    bounded = 'COALESCE("archive_article"."effective_date_start", %s) <= %s'
    assert any(bounded in sql for sql in statements), statements
    expected = unbounded_ids(span, "-date")
    assert seen == expected and len(expected) >= 4


@pytest.mark.parametrize(
    "span",
    [
        {"date_after": "1985-01", "date_before": "1986-12"},
        {"decade": "1980"},
        {"year": "1985"},
        {"date_after": "1985-03-01"},
    ],
)
def test_a_list_oldest_first_within_dates_is_the_same_list_read_from_the_spans_start(api, db, span):
    """Oldest first with a date span, the page is read up the date index from the earliest
    start a kept row can have (on PostgreSQL: the span's first day, or earlier for a row
    running into it from before): the rows and their order are those of the unbounded list.
    At a million articles a year of 1985 oldest first passed 612,500 earlier rows (0.7 s)."""
    issue = f.IssueFactory(date="1989")
    for i, date in enumerate(
        ["1984", "1985-03", "1986-11", "1987", "1971/1985-06", "1979/1981", "../1985-06",
         "1985/..", "1991", "", "1986-11", "1985-01-01", "1984-12-31"]
    ):  # fmt: skip
        f.ArticleFactory(issue=issue, position=i + 1, slug=f"o-{i}", date=date, title=f"O {i}")
    query = "&".join([f"{k}={v}" for k, v in span.items()] + ["ordering=date", "page_size=2"])
    seen, statements, _ = read_every_page(api, f"/api/articles/?{query}")
    expected = unbounded_ids(span, "date")
    assert seen == expected and len(expected) >= 4
    if connection.vendor == "postgresql":
        bounded = 'COALESCE("archive_article"."effective_date_start", %s) >= %s'
        assert any(bounded in sql and "LIMIT" in sql for sql in statements), statements


@pytest.mark.requires_postgres
def test_the_earliest_start_of_a_span_reaches_back_to_rows_running_into_it(db):
    """The bound is the span's first day unless a row starts earlier and runs into it."""
    issue = f.IssueFactory(date="1989")
    f.ArticleFactory(issue=issue, position=1, slug="in", date="1985-06")
    decade = ArticleFilterSet(data={"decade": "1980"}, queryset=ArticleViewSet().get_queryset())
    assert decade.is_valid()
    assert str(earliest_start_by_dates(decade.qs, "effective_date_start")) == "1980-01-01"
    f.ArticleFactory(issue=issue, position=2, slug="across", date="1971-04/1982")
    # The new row moved the content version on: the bound kept for the old one is not read.
    decade = ArticleFilterSet(data={"decade": "1980"}, queryset=ArticleViewSet().get_queryset())
    assert decade.is_valid()
    assert str(earliest_start_by_dates(decade.qs, "effective_date_start")) == "1971-04-01"
