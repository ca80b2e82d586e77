"""Without filters, a search's candidates are ranked first and checked against what the
public may see afterwards, best first, only until a list's worth pass (PostgreSQL): half
the lookups of checking every candidate. These tests pin that the list and the count are
what checking every candidate gave: drafts among the best are passed over, and a pool
that holds every match still counts every public one."""

from __future__ import annotations

import pytest

from archive import search
from archive.models import Status
from archive.search import backends
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.requires_postgres]


def test_drafts_among_the_best_ranked_are_passed_over(monkeypatch):
    drafts = ArticleFactory.create_batch(
        4, title="Strike", body="Strike, strike, strike, strike.", status=Status.DRAFT
    )
    strong = ArticleFactory.create_batch(3, title="Strike", body="Strike, strike.")
    ArticleFactory.create_batch(40, body="A strike, once.")
    monkeypatch.setattr(backends, "HEAD_CAP", 10)  # every title match is a candidate
    monkeypatch.setattr(backends, "POOL", 30)  # fewer than the 47 matches: the pool is full
    monkeypatch.setattr(backends, "RANK_CAP", 10)

    found = search.search({"q": "strike"})
    hits = found.hits
    assert not found.exact and found.total >= 10
    assert len(hits) == 10
    assert not {h.article.pk for h in hits} & {a.pk for a in drafts}
    assert {h.article.pk for h in hits[:3]} == {a.pk for a in strong}
    ranks = [h.rank for h in hits]
    assert ranks == sorted(ranks, reverse=True)


def test_a_pool_holding_every_match_counts_every_public_one(monkeypatch):
    public = ArticleFactory.create_batch(12, body="The strike went on.")
    ArticleFactory.create_batch(3, body="The strike went on.", status=Status.DRAFT)
    monkeypatch.setattr(backends, "HEAD_CAP", 50)
    monkeypatch.setattr(backends, "POOL", 60)  # more than the 15 matches: every one is in it
    monkeypatch.setattr(backends, "RANK_CAP", 5)  # a list of 5, fewer than the public 12

    found = search.search({"q": "strike"})
    assert found.exact and found.total == 12
    assert len(found.hits) == 5
    assert {h.article.pk for h in found.hits} <= {a.pk for a in public}
