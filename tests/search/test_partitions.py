"""PostgreSQL keeps the search vectors in hash partitions by article id (migration 0021), so
that a common word's first matches come from one partition's small indexes instead of a
bitmap of every match. These tests pin that the partitioning is invisible to readers: every
article is indexed once and follows its writes, a search's pool of matches reads on through
the partitions until it is full, and the index's size is counted once."""

from __future__ import annotations

import pytest
from django.db import connection

from archive import search
from archive.models import Article
from archive.search import backends
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.requires_postgres]


def rows_per_partition() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tableoid::regclass::text, count(*) FROM {backends.TABLE} GROUP BY 1"
        )
        return dict(cursor.fetchall())


def partitions() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = %s::regclass",
            [backends.TABLE],
        )
        return [row[0] for row in cursor.fetchall()]


def hit_ids(q: str, **params) -> list[int]:
    return [hit.article.pk for hit in search.search({"q": q, **params}).hits]


def test_every_article_is_indexed_once_and_follows_its_writes():
    articles = ArticleFactory.create_batch(48, body="The strike went on.")
    held = rows_per_partition()
    assert len(partitions()) > 1 and set(held) <= set(partitions())
    assert sum(held.values()) == Article.objects.count()
    assert len(held) > 1  # spread over the partitions, not all in one

    moved, gone = articles[0], articles[1]
    Article.objects.filter(pk=moved.pk).update(body="Martial law was declared.")
    Article.objects.filter(pk=gone.pk).delete()
    assert sum(rows_per_partition().values()) == Article.objects.count()
    strike = search.search({"q": "strike"})
    assert strike.total == 46
    assert moved.pk not in hit_ids("strike") and gone.pk not in hit_ids("strike")
    assert hit_ids("martial") == [moved.pk]


def test_the_pool_reads_on_through_the_partitions(monkeypatch):
    """With fewer matches per partition than the pool holds, the pool is filled from the
    next partitions: it holds exactly POOL matches, and the ranked list is the best of them."""
    strong = ArticleFactory.create_batch(5, title="Strike", body="Strike, strike, strike.")
    ArticleFactory.create_batch(35, body="A strike, once.")
    per_partition = max(rows_per_partition().values())
    monkeypatch.setattr(backends, "HEAD_CAP", 5)
    monkeypatch.setattr(backends, "POOL", 30)
    monkeypatch.setattr(backends, "RANK_CAP", 20)
    assert per_partition < 30
    found = search.search({"q": "strike"})
    assert not found.exact and found.total >= 20
    hits = hit_ids("strike")
    assert len(hits) == 20 and len(set(hits)) == 20
    # Every title match is within the head branch's cap, so every one is ranked, and first.
    assert set(hits[:5]) == {a.pk for a in strong}

    monkeypatch.setattr(backends, "POOL", 100)
    monkeypatch.setattr(backends, "RANK_CAP", 100)
    everything = search.search({"q": "strike"})
    assert everything.exact and everything.total == 40
    assert hit_ids("strike")[:5] == hits[:5]


def test_the_index_size_counts_each_row_once():
    ArticleFactory.create_batch(20, body="Counted.")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {backends.TABLE}")
        assert backends.PostgresBackend()._size(cursor) == Article.objects.count()


def words(n: int) -> str:
    """``n`` different made-up words (letters only, so each is one lexeme)."""
    out = []
    for i in range(n):
        word, k = "", i + 26 * 26
        while k:
            k, r = divmod(k, 26)
            word += "bcdfghjklmnpqrstvwxyz"[r % 21] + "aeiou"[r % 5]
        out.append(word)
    return " ".join(out)


def stored_outside(article_id: int) -> tuple[int, int]:
    """(the vector's size in bytes, chunks in its partition's TOAST table)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT pg_column_size(document), c.reltoastrelid::regclass::text "
            f"FROM {backends.TABLE} s JOIN pg_class c ON c.oid = s.tableoid "
            f"WHERE s.article_id = %s",
            [article_id],
        )
        size, toast = cursor.fetchone()
        cursor.execute(f"SELECT count(*) FROM {toast}")
        return size, cursor.fetchone()[0]


def test_a_vector_stays_in_its_row_up_to_a_page():
    """Migration 0024: ranking and checking matches read each candidate's vector, which
    PostgreSQL would otherwise move to the TOAST table past 2 kB (one index lookup and a
    reassembly per read). A vector of a few kB stays in the row; one larger than a page
    still goes out, and both are found."""
    middling = ArticleFactory(title="Middling", body=f"Strike {words(400)}")
    size, chunks = stored_outside(middling.pk)
    assert 2100 < size < 8000  # past the default 2 kB threshold, within a page
    assert chunks == 0

    long = ArticleFactory(title="Long", body=f"Strike {words(3000)}")
    size, chunks = stored_outside(long.pk)
    assert size > 8160 and chunks > 0
    assert set(hit_ids("strike")) == {middling.pk, long.pk}
    assert hit_ids(words(3000).split()[-1]) == [long.pk]
