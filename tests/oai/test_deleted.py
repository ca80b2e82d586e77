"""Deleted records, harvested by a real client (Sickle) with ``from``.

The repository declares ``deletedRecord=persistent``: an article that was public and is no
longer (withdrawn itself, withdrawn with its issue, deleted) stays in the protocol as a
header with ``status="deleted"``, dated the day it left, and an incremental harvest
(``from`` = the day of the last visit) picks it up alongside the records that changed.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from sickle import Sickle

from archive import changes, models, services
from archive.oai import provider
from tests.factories import ArticleFactory, IssueFactory, PublicationFactory

pytestmark = pytest.mark.django_db(transaction=True)

LAST_VISIT = dt.datetime(2001, 5, 17, 12, 0, tzinfo=dt.UTC)


def _set(queryset, status: str, reason: str = "") -> None:
    services.records_set_status(queryset=queryset, status=status, reason=reason)


@pytest.fixture
def harvested_once():
    """Five public articles in two issues, recorded by the log and dated at a past visit."""
    wl = PublicationFactory(title="Workers’ Liberty", slug="workers-liberty")
    first_issue, second_issue = IssueFactory(publication=wl), IssueFactory(publication=wl)
    articles = [ArticleFactory(issue=first_issue) for _ in range(3)]
    articles += [ArticleFactory(issue=second_issue) for _ in range(2)]
    models.Article.objects.update(updated=LAST_VISIT)
    changes.record_changes()
    models.Change.objects.update(time=LAST_VISIT)
    return articles, second_issue


def test_sickle_harvests_withdrawn_and_deleted_articles_as_deleted_records(
    live_server, settings, harvested_once
):
    articles, second_issue = harvested_once
    withdrawn, deleted, kept, in_issue, also_in_issue = articles
    ids = [a.pk for a in articles]
    _set(models.Article.objects.filter(pk=withdrawn.pk), "draft", reason="Rights not cleared")
    deleted_id = deleted.pk
    deleted.delete()
    _set(models.Issue.objects.filter(pk=second_issue.pk), "draft")
    settings.SITE_URL = live_server.url
    settings.OAI_PAGE_SIZE = 2  # the deleted records span resumption tokens
    sickle = Sickle(f"{live_server.url}/oai/", max_retries=0)

    assert sickle.Identify().deletedRecord == "persistent"
    today = timezone.now().date().isoformat()
    headers = list(sickle.ListIdentifiers(metadataPrefix="oai_dc", **{"from": today}))
    gone = [withdrawn.pk, deleted_id, in_issue.pk, also_in_issue.pk]
    assert [h.identifier for h in headers] == [provider.oai_identifier(pk) for pk in gone]
    assert all(h.deleted for h in headers)
    assert {h.datestamp for h in headers} == {today}

    records = list(sickle.ListRecords(metadataPrefix="oai_dc", **{"from": today}))
    assert [r.header.identifier for r in records] == [h.identifier for h in headers]
    assert all(r.deleted and r.xml.find(".//{*}metadata") is None for r in records)

    # The full list: the record still public, and every deleted one, in identifier order.
    everything = list(sickle.ListIdentifiers(metadataPrefix="oai_dc"))
    assert [(h.identifier, h.deleted) for h in everything] == [
        (provider.oai_identifier(pk), pk != kept.pk) for pk in ids
    ]
    old = [h for h in everything if not h.deleted]
    assert [h.datestamp for h in old] == [LAST_VISIT.date().isoformat()]

    record = sickle.GetRecord(
        identifier=provider.oai_identifier(withdrawn.pk), metadataPrefix="oai_dc"
    )
    assert record.deleted and record.header.datestamp == today


def test_a_record_published_again_is_a_record_again(live_server, settings, harvested_once):
    articles, _issue = harvested_once
    article = articles[0]
    _set(models.Article.objects.filter(pk=article.pk), "draft")
    settings.SITE_URL = live_server.url
    sickle = Sickle(f"{live_server.url}/oai/", max_retries=0)
    today = timezone.now().date().isoformat()
    assert [h.deleted for h in sickle.ListIdentifiers(metadataPrefix="oai_dc",
                                                      **{"from": today})] == [True]  # fmt: skip
    _set(models.Article.objects.filter(pk=article.pk), "published")
    records = list(sickle.ListRecords(metadataPrefix="oai_dc", **{"from": today}))
    assert [(r.header.identifier, r.deleted) for r in records] == [
        (provider.oai_identifier(article.pk), False)
    ]
    assert records[0].metadata["title"] == [article.title]


def test_a_set_harvest_reports_the_deletions_of_its_set(live_server, settings, harvested_once):
    articles, second_issue = harvested_once
    other = ArticleFactory(issue=IssueFactory(publication=PublicationFactory(slug="other")))
    changes.record_changes()
    _set(models.Article.objects.filter(pk__in=[articles[0].pk, other.pk]), "draft")
    settings.SITE_URL = live_server.url
    sickle = Sickle(f"{live_server.url}/oai/", max_retries=0)
    today = timezone.now().date().isoformat()
    in_set = list(
        sickle.ListIdentifiers(
            metadataPrefix="oai_dc", set="publication:workers-liberty", **{"from": today}
        )
    )
    assert [(h.identifier, h.deleted) for h in in_set] == [
        (provider.oai_identifier(articles[0].pk), True)
    ]
    issue_set = f"publication:workers-liberty:{second_issue.slug}"
    with pytest.raises(Exception, match="No records"):
        list(sickle.ListIdentifiers(metadataPrefix="oai_dc", set=issue_set, **{"from": today}))
