"""Ranking on both engines: words standing together rank first, phrases are exact.

Factory articles, not the seed collection: each test builds the case it needs, with the
competing articles made stronger on every other count (title matches, repetitions) so that
only the adjacency can put the expected article first.
"""

from __future__ import annotations

import pytest
from django.db import connection

from archive import search
from archive.models import Article
from archive.search import backends
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def page_ids(q: str, **params) -> list[int]:
    return [hit.article.pk for hit in search.search({"q": q, **params}).hits]


def api_ids(client, q: str, **params) -> list[int]:
    response = client.get("/api/articles/", {"q": q, **params})
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def workers_state():
    """Three articles with both words apart, strong on title and repetitions, and one with
    them together ("workers' state"), weak otherwise. Created last, so in table order it
    comes after the others."""
    apart = [
        ArticleFactory(
            title=f"The state and the workers {i}",
            body="The state, the state and its army. Workers, workers everywhere. " * (i + 1),
        )
        for i in range(3)
    ]
    together = ArticleFactory(
        title="Notes from abroad", body="They called Russia a degenerated workers' state."
    )
    ArticleFactory(title="Unrelated", body="Nothing here about either word.")
    return together, apart


def test_words_standing_together_rank_first(client, workers_state):
    together, apart = workers_state
    expected_set = {together.pk, *(a.pk for a in apart)}
    for q in ("workers' state", "workers state", "WORKERS STATE"):
        hits = page_ids(q)
        assert set(hits) == expected_set
        assert hits[0] == together.pk, q
        assert api_ids(client, q) == hits
    # Without the adjacency the title matches lead: the reversed order does not stand
    # together ("state workers"), so the strongest title match comes first.
    assert page_ids("state workers")[0] != together.pk


def test_rank_of_adjacent_words_is_above_every_other(workers_state):
    together, apart = workers_state
    ranks = {h.article.pk: h.rank for h in search.search({"q": "workers state"}).hits}
    assert ranks[together.pk] >= 1
    assert all(0 <= ranks[a.pk] < 1 for a in apart)
    # The same rank, computed per row, when the list is ordered by date or by the API's
    # other orderings (filter_articles): one rule.
    per_row = dict(
        search.filter_articles(Article.objects.all(), "workers state").values_list(
            "pk", "search_rank"
        )
    )
    assert per_row[together.pk] >= 1 and all(per_row[a.pk] < 1 for a in apart)


def test_quoted_and_single_words_are_unchanged(workers_state):
    together, apart = workers_state
    assert page_ids('"workers state"') == [together.pk]
    ranks = [h.rank for h in search.search({"q": "workers"}).hits]
    assert len(ranks) == 4 and all(0 <= r < 1 for r in ranks)
    # A prefix is not a word standing beside another: no adjacency rule for it.
    assert set(page_ids("workers stat*")) == {together.pk, *(a.pk for a in apart)}


def test_adjacency_per_group_of_an_or(workers_state):
    together, apart = workers_state
    martial = ArticleFactory(title="Poland", body="Martial law was declared.")
    hits = page_ids("workers state OR martial law")
    assert set(hits) == {together.pk, martial.pk, *(a.pk for a in apart)}
    assert set(hits[:2]) == {together.pk, martial.pk}


def test_adjacent_matches_join_a_full_pool(monkeypatch, workers_state):
    """On PostgreSQL only the first matches in table order are ranked when many match; the
    articles where the words stand together join that pool wherever they are."""
    together, _apart = workers_state
    monkeypatch.setattr(backends, "POOL", 2)
    monkeypatch.setattr(backends, "HEAD_CAP", 1)
    hits = page_ids("workers state")
    assert hits[0] == together.pk


def test_phrases_match_exactly(client):
    exact = ArticleFactory(body="Martial law was declared in Poland in December.")
    three = ArticleFactory(body="He spoke of the permanent revolution theory at length.")
    ArticleFactory(body="The law of value; martial music; law and martial arts.")
    ArticleFactory(body="A revolution, permanent in theory.")
    stop_words = ArticleFactory(body="Workers of the world, unite!")
    assert page_ids('"martial law"') == [exact.pk]
    assert page_ids('"Martial Law" poland') == [exact.pk]
    assert page_ids('"permanent revolution theory"') == [three.pk]
    assert page_ids('"workers of the world"') == [stop_words.pk]
    assert page_ids('"martial law"', ordering="-date") == [exact.pk]
    assert page_ids('"martial law" OR "permanent revolution"') == sorted([exact.pk, three.pk])
    assert api_ids(client, '"martial law"', ordering="date") == [exact.pk]


def test_phrase_found_after_an_edit_and_gone_after_a_delete():
    article = ArticleFactory(body="Nothing yet.")
    assert page_ids('"martial law"') == []
    article.body = "Then martial law came."
    article.save()
    assert page_ids('"martial law"') == [article.pk]
    Article.objects.filter(pk=article.pk).delete()
    assert page_ids('"martial law"') == []


@pytest.mark.requires_postgres
def test_pairs_table_follows_every_write():
    """The pairs are kept by the database's triggers, whatever writes the row."""
    article = ArticleFactory(body="Martial law.")
    Article.objects.filter(pk=article.pk).update(body="Permanent revolution.")

    def held(phrase: str) -> bool:
        with connection.cursor() as cursor:
            pairs = backends.PostgresBackend().pairs(cursor, [phrase])
            cursor.execute(
                f"SELECT pairs @> %s::int4[] FROM {backends.PAIRS} WHERE article_id = %s",
                [pairs, article.pk],
            )
            return cursor.fetchone()[0]

    assert held("permanent revolution") and not held("martial law")
    Article.objects.filter(pk=article.pk).delete()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {backends.PAIRS} WHERE article_id = %s", [article.pk])
        assert cursor.fetchone()[0] == 0


class Everywhere(dict):
    """Planner statistics in which every pair is held by every article."""

    def get(self, key, default=None):
        return 1.0


@pytest.mark.requires_postgres
def test_phrases_found_alike_among_few_or_many_pair_holders(monkeypatch, workers_state):
    """PostgreSQL looks a phrase's candidates up among the articles holding its pairs of
    words when they are few, and joins the pairs index when they are many: the same hits in
    the same order, with the same ranks, either way."""
    ArticleFactory(title="Poland", body="Martial law was declared.")
    ArticleFactory(body="The law of value; martial music; law and martial arts.")
    queries = [
        ("workers state", {}),
        ('"workers state"', {}),
        ('"martial law"', {}),
        ("martial law OR workers state", {}),
        ("workers state", {"ordering": "-date"}),
        ('"martial law"', {"kind": "article"}),
    ]

    def answers() -> list:
        found = [search.search({"q": q, **params}) for q, params in queries]
        return [([(h.article.pk, h.rank) for h in f.hits], f.total) for f in found]

    few = answers()
    # Every pair known common from the statistics: never probed, always through the join.
    monkeypatch.setattr(
        backends.PostgresBackend, "frequent_pairs", lambda self, cursor, using: Everywhere()
    )
    assert answers() == few
    monkeypatch.undo()
    monkeypatch.setattr(backends, "FEW_PAIRS", 0)  # probed, found many: through the join
    assert answers() == few
    assert [pk for pk, _ in few[1][0]] == [workers_state[0].pk]


@pytest.mark.requires_postgres
def test_frequent_pairs_come_from_the_planners_statistics(workers_state):
    """The share of articles holding a pair, as the planner's statistics of the pairs
    column give it after ANALYZE: what decides that a phrase's holders are too many to
    probe."""
    from django.core.cache import cache
    from django.db import connection

    backend = backends.PostgresBackend()
    for _ in range(6):
        ArticleFactory(body="The workers state their case; a workers state is no answer.")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {backends.PAIRS}")
        (pair,) = backend.pairs(cursor, ["workers state"])
        cache.delete("search:frequent-pairs:default")
        frequent = backend.frequent_pairs(cursor, "default")
        cursor.execute(
            f"SELECT count(*) FILTER (WHERE pairs @> %s), count(*) FROM {backends.PAIRS}", [[pair]]
        )
        holders, articles = cursor.fetchone()
    assert holders >= 7  # the six new articles and the fixture's "workers' state"
    assert frequent[pair] * articles == pytest.approx(holders)
    cache.delete("search:frequent-pairs:default")
