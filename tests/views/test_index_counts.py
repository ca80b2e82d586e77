"""The A–Z indexes show the stored counts, which follow publishing and unpublishing."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive import models, services
from tests.factories import ArticleFactory, IssueFactory, MentionFactory, PersonFactory

pytestmark = pytest.mark.django_db


def row(html: str, name: str) -> str:
    life = r'(?: <span class="meta">[^<]*</span>)?'  # a person's years, when known
    match = re.search(rf'>{re.escape(name)}</a>{life} <span class="count">([^<]*)</span>', html)
    assert match, name
    return match.group(1)


def test_people_index_counts_published_mentions_only(client):
    walesa = PersonFactory(name="Lech Wałęsa", sort_name="Wałęsa, Lech")
    draft = ArticleFactory(status=models.Status.DRAFT)
    MentionFactory(person=walesa)
    MentionFactory(person=walesa, article=draft)
    MentionFactory(person=walesa, status=models.Mention.Status.REJECTED)
    assert row(client.get("/people/").content.decode(), "Wałęsa, Lech") == "in 1 article"
    services.records_set_status(
        queryset=models.Article.objects.filter(pk=draft.pk), status=models.Status.PUBLISHED
    )
    assert row(client.get("/people/").content.decode(), "Wałęsa, Lech") == "in 2 articles"
    html = client.get("/people/?mentioned=1").content.decode()
    assert "Wałęsa, Lech" in html


def test_publications_index_counts_and_fixed_queries(client, settings):
    settings.PAGE_CACHE_SECONDS = 0  # count the queries of rendering, not of a cache hit
    issue = IssueFactory(publication__title="Workers’ Liberty")
    ArticleFactory.create_batch(2, issue=issue)
    ArticleFactory(issue=issue, status=models.Status.REVIEW)
    IssueFactory(publication=issue.publication, status=models.Status.DRAFT)
    html = client.get("/publications/").content.decode()
    assert "1 issue, 2 articles" in html
    with CaptureQueriesContext(connection) as few:
        client.get("/publications/")
    for i in range(5):
        ArticleFactory(issue=IssueFactory(publication__title=f"Bulletin {i}"))
    with CaptureQueriesContext(connection) as many:
        html = client.get("/publications/").content.decode()
    assert len(many) == len(few)
    assert html.count("1 issue, 1 article") == 5
