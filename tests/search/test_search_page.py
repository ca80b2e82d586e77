"""The search page's engine: facets, sorting, entity names with typos, index rebuilds."""

from __future__ import annotations

import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive import search
from archive.models import Article, Mention, Status
from archive.signals import collection_loaded
from tests.factories import (
    AliasFactory,
    ArticleFactory,
    IssueFactory,
    MentionFactory,
    OrganisationFactory,
    PersonFactory,
    PlaceFactory,
    PublicationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    lib = PublicationFactory(title="Workers’ Liberty", slug="wl")
    so = PublicationFactory(title="Socialist Organiser", slug="so")
    walesa = PersonFactory(name="Lech Wałęsa", sort_name="Wałęsa, Lech", slug="walesa")
    solidarnosc = OrganisationFactory(name="Solidarność", slug="solidarnosc")
    arts = []
    for i, (pub, date, kind) in enumerate(
        [
            (lib, "1981-12", "article"),
            (lib, "1989-06", "editorial"),
            (so, "1990-01", "article"),
            (so, "1991-08", "article"),
        ]
    ):
        issue = IssueFactory(publication=pub, date=date[:4])
        art = ArticleFactory(
            issue=issue, date=date, kind=kind, title=f"Poland report {i}",
            body=f"The strike committee met. Wałęsa and Solidarność, report {i}.",
        )  # fmt: skip
        arts.append(art)
    MentionFactory(article=arts[0], person=walesa)
    MentionFactory(article=arts[1], person=walesa)
    MentionFactory(article=arts[2], person=None, organisation=solidarnosc)
    return {"arts": arts, "walesa": walesa, "solidarnosc": solidarnosc}


def test_facets_count_and_narrow(corpus):
    results = search.search("strike")
    assert results.total == 4
    facets = {f.param: {v.value: v.count for v in f.values} for f in results.facets}
    assert facets["publication"] == {"wl": 2, "so": 2}
    assert facets["kind"] == {"article": 3, "editorial": 1}
    assert facets["decade"] == {"1980": 2, "1990": 2}
    assert facets["year"] == {"1981": 1, "1989": 1, "1990": 1, "1991": 1}
    assert facets["person"] == {"walesa": 2}
    assert facets["organisation"] == {"solidarnosc": 1}
    assert search.search("strike", publication="so").total == 2
    assert search.search("strike", kind="editorial").total == 1
    assert search.search("strike", decade=1980).total == 2
    assert search.search("strike", year=1991).total == 1
    assert search.search("strike", person="walesa").total == 2
    assert search.search("strike", organisation="solidarnosc").total == 1
    narrowed = search.search("strike", publication="wl", decade=1980, person="walesa")
    assert narrowed.total == 2
    selected = [v for f in narrowed.facets for v in f.values if v.selected]
    assert {v.value for v in selected} == {"wl", "1980", "walesa"}


def test_sort_by_date_newest_first(corpus):
    hits = search.search("strike", sort="date").hits
    assert [h.article.date for h in hits] == ["1991-08", "1990-01", "1989-06", "1981-12"]


def test_rejected_mentions_and_unpublished_articles_are_left_out(corpus):
    arts = corpus["arts"]
    Mention.objects.filter(article=arts[0]).update(status=Mention.Status.REJECTED)
    Article.objects.filter(pk=arts[1].pk).update(status=Status.REVIEW)
    results = search.search("strike")
    assert results.total == 3
    person = (
        next(f for f in results.facets if f.param == "person")
        if any(f.param == "person" for f in results.facets)
        else None
    )
    assert person is None


def test_search_costs_a_fixed_number_of_queries(corpus):
    with CaptureQueriesContext(connection) as few:
        search.search("strike")
    for i in range(20):
        ArticleFactory(title=f"Strike {i}", body="Another strike.")
    with CaptureQueriesContext(connection) as many:
        search.search("strike")
    assert len(many) == len(few) <= 20


def test_entity_names_match_with_typos_and_without_diacritics(corpus):
    PersonFactory(name="Nicolae Ceaușescu", slug="ceausescu")
    AliasFactory(person=corpus["walesa"], name="Lech Walesa")
    PlaceFactory(name="Gdańsk", slug="gdansk")

    def names(q: str) -> list[str]:
        return [m.name for m in search.match_entities(q)]

    assert "Lech Wałęsa" in names("walesa")
    assert "Lech Wałęsa" in names("Walensa")  # one letter too many
    assert "Nicolae Ceaușescu" in names("Ceaucescu")  # as misprinted in sources
    assert "Nicolae Ceaușescu" in names("Ceauşescu")  # cedilla form
    assert "Solidarność" in names("solidarnosc")
    assert "Gdańsk" in names("gdansk")
    assert names("xyzzy") == []


def test_nfd_text_matches_nfc_query():
    nfd = unicodedata.normalize("NFD", "Lech Wałęsa at the shipyard")
    article = ArticleFactory(body=nfd)
    assert search.search(unicodedata.normalize("NFC", "Wałęsa")).hits[0].article == article


def test_collection_loaded_rebuilds_the_index():
    article = ArticleFactory(body="glasnost")
    # A bulk load writes rows with raw saves; simulate an index that missed them.
    from archive.search.backends import get_backend

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM archive_search_article")
    assert search.search("glasnost").total == 0
    collection_loaded.send(sender=None)
    assert search.search("glasnost").hits[0].article == article
    assert get_backend() is not None


def test_many_matches_are_capped_but_counted_honestly(corpus, monkeypatch):
    from archive.search import backends

    monkeypatch.setattr(backends, "RANK_CAP", 2)
    monkeypatch.setattr(backends, "HEAD_CAP", 1)
    monkeypatch.setattr(backends, "POOL", 3)
    monkeypatch.setattr(backends, "COUNT_CAP", 3)
    results = search.search("strike")
    assert not results.exact and not results.ranked_all
    assert len(results.hits) == 2
    assert results.total >= 3
    assert results.total_label.startswith(("about", "more than"))
    complete = search.search("strike", publication="so")  # 2 matches: under every cap
    assert complete.exact and complete.total_label == "2"


def test_date_sort_puts_undated_articles_last(corpus):
    undated = ArticleFactory(
        issue=IssueFactory(publication=corpus["arts"][0].issue.publication, date=""),
        date="", title="Undated strike report", body="A strike, date unknown.",
    )  # fmt: skip
    hits = search.search("strike", sort="date").hits
    assert [h.article.pk for h in hits][-1] == undated.pk
    assert [h.article.date for h in hits][:2] == ["1991-08", "1990-01"]


@pytest.mark.requires_postgres
@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_very_common_words_give_the_same_hits_by_either_plan(corpus, monkeypatch, sort):
    """A word in most articles is found by reading vectors in table order instead of the
    index: the hits, their order and the counts must not change."""
    from archive.search import backends

    for i in range(30):
        ArticleFactory(title=f"Strike bulletin {i}", body=f"Strike news {i}.", date="1985-03")
    monkeypatch.setattr(backends, "RANK_CAP", 8)
    monkeypatch.setattr(backends, "HEAD_CAP", 4)
    monkeypatch.setattr(backends, "POOL", 10)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE archive_search_article")

    def run(share: float):
        monkeypatch.setattr(backends, "VERY_COMMON_SHARE", share)
        with CaptureQueriesContext(connection) as queries:
            results = search.search("strike", sort=sort)
        table_order = any("coalesce(s.document @@" in q["sql"] for q in queries)
        return [h.article.pk for h in results.hits], results.total, table_order

    by_index, by_table = run(2.0), run(0.0)
    assert by_index[2] is False and by_table[2] is True
    assert by_index[:2] == by_table[:2]
    assert len(by_index[0]) == 8
    narrowed = search.search("strike", sort=sort, publication="so")
    assert {h.article.issue.publication.slug for h in narrowed.hits} == {"so"}
