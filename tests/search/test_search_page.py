"""The search page's engine: facets, orderings, visibility, entity names, index rebuilds."""

from __future__ import annotations

import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive import search
from archive.models import Article, Issue, Mention, Publication, Status
from archive.signals import collection_loaded
from tests.factories import (
    AliasFactory,
    ArticleFactory,
    EventFactory,
    IssueFactory,
    MentionFactory,
    OrganisationFactory,
    PersonFactory,
    PlaceFactory,
    PublicationFactory,
)

pytestmark = pytest.mark.django_db


def run(q: str = "strike", **params) -> search.SearchResults:
    return search.search({"q": q, **params})


def ids(results: search.SearchResults) -> list[int]:
    return [hit.article.pk for hit in results.hits]


def counts(results: search.SearchResults) -> dict[str, dict[str, int]]:
    return {f.param: {v.value: v.count for v in f.values} for f in results.facets}


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
    return {"arts": arts, "walesa": walesa, "solidarnosc": solidarnosc, "so": so}


def test_facets_count_and_narrow(corpus):
    results = run()
    assert results.total == 4
    facets = counts(results)
    assert facets["publication"] == {"wl": 2, "so": 2}
    assert facets["kind"] == {"article": 3, "editorial": 1}
    assert facets["decade"] == {"1980": 2, "1990": 2}
    assert "year" not in facets  # offered inside a chosen decade
    assert facets["person"] == {"walesa": 2}
    assert facets["organisation"] == {"solidarnosc": 1}
    assert run(publication="so").total == 2
    assert run(kind="editorial").total == 1
    assert run(decade=1980).total == 2
    assert counts(run(decade=1980))["year"] == {"1981": 1, "1989": 1}
    assert run(year=1991).total == 1
    assert run(person="walesa").total == 2
    assert run(organisation="solidarnosc").total == 1
    narrowed = run(publication="wl", decade=1980, person="walesa")
    assert narrowed.total == 2
    selected = [v for f in narrowed.facets for v in f.values if v.selected]
    assert {v.value for v in selected} == {"wl", "1980", "walesa"}


def test_each_facet_count_is_what_choosing_it_keeps(corpus):
    """A facet value's count is the number of hits its parameter leaves, for every value."""
    ArticleFactory(
        issue=IssueFactory(publication=corpus["so"], date="1992"), date="1989/1991",
        kind="interview", title="Spanning strike", body="A strike over three years.",
    )  # fmt: skip
    ArticleFactory(
        issue=IssueFactory(publication=corpus["so"], date="1992"), date="",
        title="Undated strike", body="A strike, date unknown.",
    )  # fmt: skip
    results = run()
    for facet in results.facets:
        for value in facet.values:
            assert run(**{value.param: value.value}).total == value.count, (facet.param, value)
    decade = next(f for f in results.facets if f.param == "decade")
    undated = [v for v in decade.values if v.param == "undated"]
    assert [(v.value, v.count) for v in undated] == [("true", 1)]
    # Every hit is somewhere in the decade facet (an interval counts in each decade it spans).
    assert counts(results)["decade"] == {"1980": 3, "1990": 3, "true": 1}


def test_orderings_by_date_put_undated_last_both_ways(corpus):
    undated = ArticleFactory(
        issue=IssueFactory(publication=corpus["so"], date=""), date="",
        title="Undated strike report", body="A strike, date unknown.",
    )  # fmt: skip
    newest = [h.article.date for h in run(ordering="-date").hits]
    assert newest == ["1991-08", "1990-01", "1989-06", "1981-12", ""]
    oldest = [h.article.date for h in run(ordering="date").hits]
    assert oldest == ["1981-12", "1989-06", "1990-01", "1991-08", ""]
    assert ids(run(ordering="date"))[-1] == ids(run(ordering="-date"))[-1] == undated.pk


def test_date_ties_come_by_id_in_the_date_direction():
    same = [ArticleFactory(date="1990-05", body="A strike.") for _ in range(3)]
    pks = sorted(a.pk for a in same)
    assert ids(run(ordering="date")) == pks
    assert ids(run(ordering="-date")) == pks[::-1]


def test_relevance_is_the_default_and_ranks_descend(corpus):
    in_title = ArticleFactory(title="Strike", body="On the shipyard strike and the strike fund.")
    results = run()
    assert results.ordering == "relevance"
    assert ids(results)[0] == in_title.pk
    ranks = [h.rank for h in results.hits]
    assert ranks == sorted(ranks, reverse=True)


def test_dates_follow_the_effective_date_rule():
    """An editorial without a dateline takes its issue's date; a plain article does not."""
    issue = IssueFactory(date="1988-03")
    editorial = ArticleFactory(issue=issue, date="", kind="editorial", body="A strike.")
    article = ArticleFactory(issue=issue, date="", kind="article", body="A strike.")
    assert ids(run(decade=1980)) == [editorial.pk]
    assert ids(run(undated="true")) == [article.pk]
    assert ids(run(undated="false")) == [editorial.pk]


def test_rejected_mentions_and_unpublished_articles_are_left_out(corpus):
    arts = corpus["arts"]
    Mention.objects.filter(article=arts[0]).update(status=Mention.Status.REJECTED)
    Article.objects.filter(pk=arts[1].pk).update(status=Status.REVIEW)
    results = run()
    assert results.total == 3
    assert "person" not in counts(results)


def test_a_published_article_in_a_draft_issue_or_publication_is_not_a_hit(corpus):
    arts = corpus["arts"]
    Issue.objects.filter(pk=arts[0].issue_id).update(status=Status.DRAFT)
    Publication.objects.filter(pk=corpus["so"].pk).update(status=Status.REVIEW)
    for ordering in search.ORDERINGS:
        assert ids(run(ordering=ordering)) == [arts[1].pk]
    assert counts(run())["publication"] == {"wl": 1}


def test_facets_and_names_show_only_public_records(corpus):
    hidden = PersonFactory(name="Hidden Strikeleader", slug="hidden", status=Status.DRAFT)
    MentionFactory(article=corpus["arts"][3], person=hidden)
    AliasFactory(person=hidden, name="Strikeleader")
    results = run("strikeleader OR strike")
    assert "hidden" not in counts(results).get("person", {})
    assert all(m.name != "Hidden Strikeleader" for m in search.match_entities("strikeleader"))


def test_event_facet_counts_links_and_mentions(corpus):
    arts = corpus["arts"]
    event = EventFactory(title="August strikes", slug="august-strikes", date="1980-08")
    event.articles.add(arts[0], arts[1])
    MentionFactory(article=arts[1], person=None, event=event)
    MentionFactory(article=arts[2], person=None, event=event)
    assert counts(run())["event"] == {"august-strikes": 3}
    assert sorted(ids(run(event="august-strikes"))) == sorted(a.pk for a in arts[:3])


def test_search_costs_a_fixed_number_of_queries(corpus):
    with CaptureQueriesContext(connection) as few:
        run()
    for i in range(20):
        ArticleFactory(title=f"Strike {i}", body="Another strike.")
    with CaptureQueriesContext(connection) as many:
        run()
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
    assert ids(run(unicodedata.normalize("NFC", "Wałęsa"))) == [article.pk]


def test_collection_loaded_rebuilds_the_index():
    article = ArticleFactory(body="glasnost")
    # A bulk load writes rows with raw saves; simulate an index that missed them.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM archive_search_article")
    assert run("glasnost").total == 0
    collection_loaded.send(sender=None)
    assert ids(run("glasnost")) == [article.pk]


def test_many_matches_are_capped_but_counted_honestly(corpus, monkeypatch):
    from archive.search import backends

    monkeypatch.setattr(backends, "RANK_CAP", 2)
    monkeypatch.setattr(backends, "HEAD_CAP", 1)
    monkeypatch.setattr(backends, "POOL", 3)
    monkeypatch.setattr(backends, "COUNT_CAP", 3)
    for ordering in search.ORDERINGS:
        results = run(ordering=ordering)
        assert not results.exact and not results.ranked_all, ordering
        assert len(results.hits) == 2
        assert results.total >= 3
        assert results.total_label.startswith(("about", "more than"))
    complete = run(publication="so")  # 2 matches: under every cap
    assert complete.exact and complete.total_label == "2"


def test_the_engines_order_is_the_querysets_order(corpus):
    """The engine lists the hits (raw SQL) and the FilterSet orders their rows (ORM) by the
    same keys: equal ranks, equal dates and undated articles included."""
    for _ in range(3):
        ArticleFactory(title="Same", body="The same strike.", date="1985")  # equal ranks, dates
        ArticleFactory(title="Same", body="The same strike.", date="")  # undated
    for ordering in search.ORDERINGS:
        params = search.SearchParams.from_query_dict({"q": "strike", "ordering": ordering})
        filterset = params.filterset
        listed = list(filterset.qs.values_list("pk", flat=True))
        assert listed == filterset.found.ids, ordering
        assert len(listed) == 10


def test_pages_cut_the_same_list(corpus):
    for i in range(5):
        ArticleFactory(title=f"Strike {i}", body="Another strike.", date=f"197{i}")
    whole = ids(search.search({"q": "strike", "ordering": "date"}, per_page=100))
    pages = [
        ids(search.search({"q": "strike", "ordering": "date", "page": n}, per_page=3))
        for n in (1, 2, 3)
    ]
    assert [pk for page in pages for pk in page] == whole


@pytest.mark.requires_postgres
@pytest.mark.parametrize("ordering", search.ORDERINGS)
def test_very_common_words_give_the_same_hits_by_either_plan(corpus, monkeypatch, ordering):
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

    def plan(share: float):
        monkeypatch.setattr(backends, "VERY_COMMON_SHARE", share)
        with CaptureQueriesContext(connection) as queries:
            results = run(ordering=ordering)
        table_order = any("coalesce(s.document @@" in q["sql"] for q in queries)
        return ids(results), results.total, table_order

    by_index, by_table = plan(2.0), plan(0.0)
    assert by_index[2] is False and by_table[2] is True
    assert by_index[:2] == by_table[:2]
    assert len(by_index[0]) == 8
    narrowed = run(ordering=ordering, publication="so")
    assert {h.article.issue.publication.slug for h in narrowed.hits} == {"so"}
