"""Filtered exports (issue #14): the rows a person, an organisation, a year, a decade or a
date range keeps, however PostgreSQL is asked for them.

The export SQL was rewritten so that a filtered export starts without reading the whole
article table: the date overlap became ``daterange && daterange`` on PostgreSQL (served by a
GiST index), a person's articles are found from the person's mentions, and an export in id
order runs one statement per span of ids. These tests pin that the rows did not change: each
export is compared with the rule computed in Python from the model layer's instance methods
(``is_public()``, the effective date bounds), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.db import connection
from django.http import QueryDict
from rest_framework.test import APIClient

from archive import models
from archive.api.filters import ArticleFilterSet
from archive.exports import ArticleExporter
from archive.exports import base as export_base
from tests import factories as f

pytestmark = pytest.mark.django_db

DRAFT = models.Status.DRAFT

#: Datelines chosen around the edges of 1989 and the 1980s: open ends, intervals across a
#: decade's edge, a day on the last day of a year, and no date at all.
DATELINES = (
    "1989-12-21/1989-12-25", "1979", "1987/..", "../1981", "1985/1992", "", "1990-01",
    "1989-12-31", "1980-01-01", "1970/1979", "1999",
)  # fmt: skip


@pytest.fixture
def archive():
    """Articles with the datelines above, each mentioning someone; drafts on every level."""
    walesa = f.PersonFactory(name="Lech Wałęsa", slug="lech-walesa", sort_name="Wałęsa, Lech")
    hidden = f.PersonFactory(name="Draft Person", slug="draft-person", status=DRAFT)
    union = f.OrganisationFactory(name="Solidarność", slug="solidarnosc")
    publication = f.PublicationFactory(title="Labour Focus", slug="labour-focus")
    issue = f.IssueFactory(publication=publication, date="1990-01")
    draft_issue = f.IssueFactory(publication=publication, date="1989-05", status=DRAFT)
    articles = [
        f.ArticleFactory(issue=issue, date=dateline, title=f"Trotsky’s heirs {n}")
        for n, dateline in enumerate(DATELINES)
    ]
    articles.append(f.ArticleFactory(issue=issue, date="1989-06", status=DRAFT))
    articles.append(f.ArticleFactory(issue=draft_issue, date="1989-06"))
    for n, article in enumerate(articles):
        if n % 2 == 0:
            f.MentionFactory(article=article, person=walesa)
        if n % 3 == 0:
            f.MentionFactory(article=article, person=None, organisation=union)
    # A rejected mention and a draft person's mention never make an article theirs.
    f.MentionFactory(article=articles[1], person=walesa, status=models.Mention.Status.REJECTED)
    f.MentionFactory(article=articles[3], person=hidden)
    return {"articles": articles, "walesa": walesa, "hidden": hidden, "union": union}


def expected(archive, **wanted) -> list[int]:
    """The ids the rule keeps, computed in Python from the model layer's instance methods."""
    first, last = wanted.get("first"), wanted.get("last")
    kept = []
    for article in models.Article.objects.order_by("pk"):
        if not article.is_public():
            continue
        start, end = article.effective_date_start, article.effective_date_end
        if first is not None or last is not None:
            if start is None and end is None:
                continue
            if first is not None and end is not None and end < first:
                continue
            if last is not None and start is not None and start > last:
                continue
        target = wanted.get("target")
        if target is not None:
            mentions = models.Mention.objects.filter(
                article=article, **{target._meta.model_name: target}
            )
            if not any(m.is_public() for m in mentions):
                continue
        kept.append(article.pk)
    return kept


def exported_ids(params: dict) -> dict[str, list[int]]:
    """The ids of the CSV and of the JSON Lines download of ``/api/articles/``."""
    client = APIClient()
    ids = {}
    for fmt in ("csv", "jsonl"):
        response = client.get("/api/articles/", {**params, "format": fmt})
        assert response.status_code == 200, response.content
        body = b"".join(response.streaming_content).decode()
        if fmt == "csv":
            ids[fmt] = [int(row["id"]) for row in csv.DictReader(io.StringIO(body))]
        else:
            ids[fmt] = [json.loads(line)["id"] for line in body.splitlines()]
    return ids


YEAR = (dt.date(1989, 1, 1), dt.date(1989, 12, 31))
CASES = {
    "person": lambda a: ({"person": "lech-walesa"}, {"target": a["walesa"]}),
    "organisation": lambda a: ({"organisation": "solidarnosc"}, {"target": a["union"]}),
    "year": lambda a: ({"year": "1989"}, {"first": YEAR[0], "last": YEAR[1]}),
    "decade": lambda a: ({"decade": "1980"}, {"first": dt.date(1980, 1, 1), "last": YEAR[1]}),
    "date range": lambda a: (
        {"date_after": "1981-06", "date_before": "1989-12-21"},
        {"first": dt.date(1981, 6, 1), "last": dt.date(1989, 12, 21)},
    ),
    "date_after alone": lambda a: ({"date_after": "1990"}, {"first": dt.date(1990, 1, 1)}),
    "date_before alone": lambda a: ({"date_before": "1979-12"}, {"last": dt.date(1979, 12, 31)}),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
def test_filtered_export_lists_exactly_the_articles_the_rule_keeps(archive, case):
    params, rule = CASES[case](archive)
    ids = exported_ids(params)
    assert ids["csv"] == ids["jsonl"] == expected(archive, **rule)
    assert ids["csv"], "every case keeps some articles, so the comparison means something"


def test_person_and_year_together_keep_both_rules(archive):
    ids = exported_ids({"person": "lech-walesa", "year": "1989"})["csv"]
    both = set(expected(archive, target=archive["walesa"])) & set(
        expected(archive, first=YEAR[0], last=YEAR[1])
    )
    assert ids == sorted(both) and ids


@pytest.mark.requires_postgres
@pytest.mark.parametrize("narrow_share", [0.0, 1.0])
def test_spans_of_ids_give_the_bytes_of_one_statement(archive, monkeypatch, narrow_share):
    """Exports in id order run one COPY per span of ids (starting at the table's first id,
    or the export's own when it is narrow); with spans of one and two ids the bytes are
    still those of the ORM writer (one query, formatted in Python)."""
    monkeypatch.setattr(export_base, "FIRST_SPAN", 1)
    monkeypatch.setattr(export_base, "LAST_SPAN", 2)
    monkeypatch.setattr(export_base, "NARROW_SHARE", narrow_share)
    for params in ({}, {"person": "lech-walesa"}, {"year": "1989"}, {"ordering": "-id"}):
        data = QueryDict(mutable=True)
        data.update(params)
        queryset = ArticleFilterSet(data=data, queryset=models.Article.objects.public()).qs
        for full_text in (False, True):
            exporter = ArticleExporter(full_text=full_text)
            copied = b"".join(exporter.iter_csv(queryset, method="copy"))
            assert copied == b"".join(exporter.iter_csv(queryset, method="orm"))
            assert copied.count(b"\n") > 1
            assert b"".join(exporter.iter_jsonl(queryset, method="copy")) == b"".join(
                exporter.iter_jsonl(queryset, method="orm")
            )


def _plan(params: dict) -> str:
    data = QueryDict(mutable=True)
    data.update(params)
    queryset = ArticleFilterSet(data=data, queryset=models.Article.objects.public()).qs
    sql, sql_params = queryset.query.get_compiler(using=queryset.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", sql_params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")
    return plan


@pytest.mark.requires_postgres
@pytest.mark.parametrize(
    "params",
    [{"year": "1989"}, {"decade": "1980"}, {"date_after": "1989-11", "date_before": "1990"}],
)
def test_date_filters_are_served_by_the_effective_date_range_index(archive, params):
    """Migration 0019's GiST index serves the overlap the model layer writes (EXPLAIN on the
    small table, sequential scans discouraged: the planner must be able to use it)."""
    plan = _plan(params)
    assert "archive_article_effective_daterange" in plan, plan
    assert "Seq Scan on archive_article" not in plan, plan


@pytest.mark.requires_postgres
def test_person_filter_starts_from_the_persons_mentions(archive):
    """The mention subquery no longer re-joins the (already public) article's chain, so the
    person's mentions can lead: the plan reads them through the person index."""
    plan = _plan({"person": "lech-walesa"})
    assert "archive_mention_person_id" in plan or "mention_unique_person" in plan, plan
    assert "Seq Scan on archive_article" not in plan, plan
