"""Every filter, both sides: what it keeps and what it drops, in all three formats."""

from __future__ import annotations

import pytest

from archive.models import Article

from .helpers import errors, ids_for

pytestmark = pytest.mark.django_db

ARTICLES = "/api/articles/"


def pks(*objs) -> list[int]:
    return sorted(o.pk for o in objs)


@pytest.fixture
def dated(archive):
    """Datelines for the two articles that have none (a plain article and a sidebar do not
    take their issue's date): heirs "1990", later "1990/1991". Rolled back with the test."""
    for article, date in ((archive.heirs, "1990"), (archive.later, "1990/1991")):
        row = Article.objects.get(pk=article.pk)
        row.date = date
        row.save()
    return archive


def test_article_list_hides_drafts_and_orders_by_id(api, archive):
    a = archive
    assert ids_for(api, ARTICLES) == pks(a.strike, a.fall, a.heirs, a.later)


def test_article_dates_are_the_effective_date(api, archive):
    """The editorial without a dateline takes its issue's date; the plain article and the
    sidebar without one are undated: no date filter keeps them, ``undated=true`` does."""
    a = archive
    assert ids_for(api, ARTICLES, {"decade": "1980"}) == pks(a.strike, a.fall)
    assert ids_for(api, ARTICLES, {"date_after": "1990"}) == []
    assert ids_for(api, ARTICLES, {"undated": "true"}) == pks(a.heirs, a.later)
    assert ids_for(api, ARTICLES, {"undated": "false"}) == pks(a.strike, a.fall)
    assert ids_for(api, ARTICLES, {"undated": "true", "decade": "1980"}) == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # 1989-12-03 (own), issue 1989-12 (fall, an editorial), 1990 (heirs), 1990/1991 (later)
        ({"date_after": "1990"}, ["heirs", "later"]),
        ({"date_before": "1989"}, ["strike", "fall"]),
        ({"date_after": "1989-12-04", "date_before": "1989-12-31"}, ["fall"]),
        ({"date_after": "1991", "date_before": "1991"}, ["later"]),  # interval overlaps 1991
        ({"date_after": "1989-12-03", "date_before": "1989-12-03"}, ["strike", "fall"]),
        ({"year": "1990"}, ["heirs", "later"]),
        ({"year": "1988"}, []),
        ({"decade": "1980"}, ["strike", "fall"]),
        ({"decade": "1990s"}, ["heirs", "later"]),
    ],
)
def test_article_date_overlap_on_partial_and_interval_dates(api, dated, params, expected):
    assert ids_for(api, ARTICLES, params) == pks(*(getattr(dated, n) for n in expected))


def test_open_ended_bounds_are_open(api, archive):
    # "1987/.." is still running: it overlaps any later year, never an earlier one.
    assert ids_for(api, "/api/publications/", {"year": "2020"}) == [archive.bulletin.pk]
    assert ids_for(api, "/api/publications/", {"year": "1978"}) == [archive.labour.pk]
    assert ids_for(api, "/api/publications/", {"date_before": "1976"}) == []


def test_article_publication_issue_kind_language(api, archive):
    a = archive
    assert ids_for(api, ARTICLES, {"publication": "labour-focus"}) == pks(a.strike, a.fall, a.heirs)
    assert ids_for(api, ARTICLES, {"publication": a.bulletin.pk}) == pks(a.later)
    assert ids_for(api, ARTICLES, {"issue": a.i1990.pk}) == pks(a.heirs)
    assert ids_for(api, ARTICLES, {"kind": ["editorial", "sidebar"]}) == pks(a.fall, a.later)
    assert ids_for(api, ARTICLES, {"language": "PL"}) == pks(a.heirs)


def test_article_author_and_has_author(api, archive):
    a = archive
    assert ids_for(api, ARTICLES, {"author": "leon-trotsky"}) == pks(a.heirs)
    assert ids_for(api, ARTICLES, {"author": [a.walesa.pk, "leon-trotsky"]}) == pks(
        a.strike, a.heirs
    )
    assert ids_for(api, ARTICLES, {"has_author": "true"}) == pks(a.strike, a.heirs)
    assert ids_for(api, ARTICLES, {"has_author": "false"}) == pks(a.fall, a.later)


@pytest.fixture(params=[0, 1, 5_000], ids=["exists", "one-id-then-exists", "ids"])
def mention_path(request, monkeypatch):
    """Both ways the mention filters find their articles: the ids read first (few) or a
    correlated EXISTS (many), and the switch between them halfway through an event's
    mentions and links. Each must keep exactly the same articles."""
    from archive.api.filters import articles

    monkeypatch.setattr(articles, "FEW_MENTIONED", request.param)
    return request.param


@pytest.mark.usefixtures("mention_path")
def test_article_mentions_any_and_all(api, archive):
    a = archive
    assert ids_for(api, ARTICLES, {"person": "nicolae-ceausescu"}) == pks(a.fall, a.later)
    any_of = {"person": ["nicolae-ceausescu", a.walesa.pk]}
    assert ids_for(api, ARTICLES, any_of) == pks(a.strike, a.fall, a.later)
    assert ids_for(api, ARTICLES, {**any_of, "mentions_mode": "any"}) == pks(
        a.strike, a.fall, a.later
    )
    assert ids_for(api, ARTICLES, {**any_of, "mentions_mode": "all"}) == []
    both = {"person": "nicolae-ceausescu", "organisation": "pcr", "mentions_mode": "all"}
    assert ids_for(api, ARTICLES, both) == pks(a.fall)
    assert ids_for(api, ARTICLES, {"place": "bucharest", "event": "romanian-revolution"}) == pks(
        a.fall, a.later
    )
    assert ids_for(
        api,
        ARTICLES,
        {"place": "bucharest", "event": "romanian-revolution", "mentions_mode": "all"},
    ) == pks(a.fall)


@pytest.mark.usefixtures("mention_path")
def test_rejected_and_draft_mentions_do_not_count(api, archive):
    # heirs has a rejected mention of Wałęsa; the hidden article mentions him too.
    assert ids_for(api, ARTICLES, {"person": "lech-walesa"}) == [archive.strike.pk]


def test_full_text_q_ignores_case(api, archive):
    assert ids_for(api, ARTICLES, {"q": "SHIPYARD"}) == [archive.strike.pk]
    assert ids_for(api, ARTICLES, {"q": "sidebar bucharest"}) == [archive.later.pk]
    assert ids_for(api, ARTICLES, {"q": "nothing-like-this"}) == []
    # The site search folds diacritics: "walesa" finds "Wałęsa" in the body.
    assert ids_for(api, ARTICLES, {"q": "walesa"}) == [archive.strike.pk]
    assert ids_for(api, ARTICLES, {"q": "walesa", "person": "nicolae-ceausescu"}) == []


def test_word_count_range(api, archive):
    a = archive
    assert ids_for(api, ARTICLES, {"word_count_min": 100}) == pks(a.fall)
    assert ids_for(api, ARTICLES, {"word_count_max": 5}) == pks(a.heirs, a.later)
    assert ids_for(api, ARTICLES, {"word_count_min": 6, "word_count_max": 9}) == pks(a.strike)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("walesa", "walesa"),
        ("Wałęsa", "walesa"),
        ("WALĘSA", "walesa"),
        ("Ceaușescu", "ceausescu"),  # ș U+0219 (comma below)
        ("Ceauşescu", "ceausescu"),  # ş U+015F (cedilla)
        ("ceausescu", "ceausescu"),
    ],
)
def test_people_name_ignores_case_and_diacritics(api, archive, typed, expected):
    person = {"walesa": archive.walesa, "ceausescu": archive.ceausescu}[expected]
    assert ids_for(api, "/api/people/", {"name": typed}) == [person.pk]


def test_name_matches_variant_names_and_hides_drafts(api, archive):
    assert ids_for(api, "/api/people/", {"name": "Walesa"}) == [archive.walesa.pk]
    assert ids_for(api, "/api/people/", {"name": "draft"}) == []
    assert ids_for(api, "/api/organisations/", {"name": "solidarnosc"}) == [archive.solidarity.pk]
    assert ids_for(api, "/api/places/", {"name": "gdansk"}) == [archive.gdansk.pk]


def test_entity_kind_and_country(api, archive):
    assert ids_for(api, "/api/organisations/", {"kind": "union"}) == [archive.solidarity.pk]
    assert ids_for(api, "/api/organisations/", {"country": "ro"}) == [archive.party.pk]
    assert ids_for(api, "/api/people/", {"country": "PL"}) == [archive.walesa.pk]
    assert ids_for(api, "/api/places/", {"country": "RO"}) == [archive.bucharest.pk]
    assert ids_for(api, "/api/places/", {"kind": "country"}) == []


def test_people_mentioned_in_article_or_publication(api, archive):
    a = archive
    assert ids_for(api, "/api/people/", {"mentioned_in_article": a.strike.pk}) == [a.walesa.pk]
    assert ids_for(api, "/api/people/", {"mentioned_in_publication": "romanian-bulletin"}) == [
        a.ceausescu.pk
    ]
    people = ids_for(api, "/api/people/", {"mentioned_in_publication": "labour-focus"})
    assert sorted(people) == pks(a.walesa, a.ceausescu, a.trotsky)


def test_people_mentioned_between_dates(api, dated):
    a = dated
    in_1991 = {"mentioned_after": "1991", "mentioned_before": "1991"}
    assert ids_for(api, "/api/people/", in_1991) == [a.ceausescu.pk]
    # Sorted by sort name: "Ceaușescu, Nicolae" before "Wałęsa, Lech".
    assert ids_for(api, "/api/people/", {"mentioned_before": "1989-12-05"}) == [
        a.ceausescu.pk, a.walesa.pk
    ]  # fmt: skip
    assert ids_for(api, "/api/places/", {"mentioned_after": "1990-06"}) == [a.bucharest.pk]


def test_co_mentioned_with_another_entity(api, archive):
    a = archive
    assert ids_for(api, "/api/places/", {"co_mentioned_with": "person:lech-walesa"}) == [
        a.gdansk.pk
    ]
    assert ids_for(
        api, "/api/organisations/", {"co_mentioned_with": f"person:{a.ceausescu.pk}"}
    ) == [a.party.pk]
    assert ids_for(api, "/api/people/", {"co_mentioned_with": "place:bucharest"}) == [
        a.ceausescu.pk
    ]
    assert ids_for(api, "/api/people/", {"co_mentioned_with": "person:lech-walesa"}) == []


def test_entity_life_dates_overlap(api, archive):
    a = archive
    assert ids_for(api, "/api/people/", {"date_after": "1990"}) == [a.walesa.pk]
    assert ids_for(api, "/api/organisations/", {"year": "1995"}) == [a.solidarity.pk]


def test_events_filters(api, archive):
    a = archive
    events = "/api/events/"
    assert ids_for(api, events) == [a.august.pk, a.revolution.pk]  # by date
    assert ids_for(api, events, {"person": "lech-walesa"}) == [a.august.pk]
    assert ids_for(api, events, {"organisation": "solidarnosc"}) == [a.august.pk]
    assert ids_for(api, events, {"place": "bucharest"}) == [a.revolution.pk]
    assert ids_for(api, events, {"kind": "strike"}) == [a.august.pk]
    assert ids_for(api, events, {"date_after": "1989-12-20", "date_before": "1990"}) == [
        a.revolution.pk
    ]
    assert ids_for(api, events, {"decade": "1980", "ordering": "-date"}) == [
        a.revolution.pk, a.august.pk
    ]  # fmt: skip


def test_mentions_filters(api, archive):
    a = archive
    mentions = "/api/mentions/"
    all_ids = ids_for(api, mentions)
    assert len(all_ids) == 10  # not rejected, not of drafts, not in draft articles
    by_article = ids_for(api, mentions, {"article": a.strike.pk})
    assert len(by_article) == 3
    assert len(ids_for(api, mentions, {"target_type": "place"})) == 3
    assert len(ids_for(api, mentions, {"target_type": ["place", "event"]})) == 4
    assert len(ids_for(api, mentions, {"target": "person:nicolae-ceausescu"})) == 2
    assert len(ids_for(api, mentions, {"status": "confirmed"})) == 10
    assert ids_for(api, mentions, {"status": "auto"}) == []


def test_issues_and_publications_filters(api, archive):
    a = archive
    assert ids_for(api, "/api/issues/", {"publication": "labour-focus"}) == pks(a.i1989, a.i1990)
    assert ids_for(api, "/api/issues/", {"year": "1991"}) == [a.i_range.pk]
    assert ids_for(api, "/api/publications/", {"kind": "journal"}) == [a.labour.pk]
    assert ids_for(api, "/api/publications/", {"publisher": "solidarnosc"}) == [a.labour.pk]
    assert ids_for(api, "/api/publications/", {"title": "FOCUS"}) == [a.labour.pk]


def test_ordering_whitelist(api, archive):
    a = archive
    by_words = ids_for(api, ARTICLES, {"ordering": "-word_count"})
    assert by_words[0] == a.fall.pk
    by_date = ids_for(api, ARTICLES, {"ordering": "date"})
    # fall (an editorial) has no dateline: its issue's 1989-12 starts on the 1st, before the
    # strike's 3rd. heirs and later are undated: last, by id in the date's direction.
    assert by_date == [a.fall.pk, a.strike.pk, a.heirs.pk, a.later.pk]
    newest = ids_for(api, ARTICLES, {"ordering": "-date"})
    assert newest == [a.strike.pk, a.fall.pk, a.later.pk, a.heirs.pk]
    assert ids_for(api, "/api/people/", {"ordering": "-name"})[0] == a.walesa.pk


@pytest.mark.usefixtures("mention_path")
def test_event_keeps_articles_linked_to_it_and_those_mentioning_it(api, archive):
    a = archive
    revolution = "romanian-revolution"
    assert ids_for(api, ARTICLES, {"event": revolution}) == pks(a.fall)  # mentions it
    a.revolution.articles.add(a.strike, a.hidden_article)  # a curator's links
    # The link to the draft article is not public (Event.public_article_links()).
    assert ids_for(api, ARTICLES, {"event": revolution}) == pks(a.strike, a.fall)
    both = {"event": revolution, "place": "gdansk", "mentions_mode": "all"}
    assert ids_for(api, ARTICLES, both) == pks(a.strike)
    assert "event" in errors(api.get(ARTICLES, {"event": "draft-event"}))


@pytest.mark.parametrize(
    ("path", "low", "high"),
    [
        (ARTICLES, ("date_after", "1992"), ("date_before", "1990")),
        (ARTICLES, ("date_after", "1991-05-04"), ("date_before", "1991-05-03")),
        ("/api/events/", ("date_after", "1990-02"), ("date_before", "1990-01")),
        ("/api/people/", ("mentioned_after", "1991"), ("mentioned_before", "1989-12")),
        (ARTICLES, ("word_count_min", "10"), ("word_count_max", "5")),
    ],
)
def test_a_reversed_range_is_400_naming_both_parameters(api, archive, path, low, high):
    response = api.get(path, dict([low, high]))
    assert response.status_code == 400
    messages = errors(response)
    assert set(messages) == {low[0], high[0]}
    for message in messages.values():
        assert "reversed" in message and low[0] in message and high[0] in message
    # The same day on both ends is a range of one day, not a reversed one.
    if "date" in low[0]:
        assert api.get(path, {low[0]: high[1], high[0]: high[1]}).status_code == 200


def test_an_unknown_language_is_400_listing_the_languages_present(api, archive):
    messages = errors(api.get(ARTICLES, {"language": "fr"}))
    assert "Unknown language 'fr'" in messages["language"]
    assert "en, pl" in messages["language"]
    assert "en" in errors(api.get("/api/publications/", {"language": "de"}))["language"]
    assert ids_for(api, "/api/publications/", {"language": "EN"})  # case does not matter


@pytest.mark.parametrize(
    ("path", "params", "allowed"),
    [
        (ARTICLES, {"kind": "novel"}, "article, introduction, editorial"),
        (ARTICLES, {"mentions_mode": "some"}, "any, all"),
        (ARTICLES, {"ordering": "password"}, "relevance, date, -date, id, -id, title"),
        ("/api/events/", {"ordering": "when"}, "date, -date, title"),
        ("/api/mentions/", {"status": "rejected"}, "auto, confirmed, flagged"),
        ("/api/organisations/", {"kind": ["union", "club"]}, "party, union"),
    ],
)
def test_an_unknown_choice_is_400_listing_the_allowed_values(api, archive, path, params, allowed):
    messages = errors(api.get(path, params))
    (name,) = params
    assert "valid choice" in messages[name]
    assert allowed in messages[name]


def test_relevance_needs_a_query(api, archive):
    assert (
        "needs a full-text query"
        in errors(api.get(ARTICLES, {"ordering": "relevance"}))["ordering"]
    )
    assert api.get(ARTICLES, {"ordering": "relevance", "q": "party"}).status_code == 200


def test_q_lists_hits_by_relevance_with_rank_and_snippet(api, archive):
    a = archive
    query = {"q": "ceausescu OR bucharest"}
    # The fall of Ceaușescu matches in its title and twenty times in its body.
    assert ids_for(api, ARTICLES, query) == [a.fall.pk, a.later.pk]
    hits = api.get(ARTICLES, query).json()["results"]
    assert hits[0]["rank"] > hits[1]["rank"] > 0
    assert "<mark>Ceaușescu</mark>" in hits[0]["snippet"]
    assert "<mark>Bucharest</mark>" in hits[1]["snippet"]
    plain = api.get(ARTICLES).json()["results"][0]
    assert plain["rank"] is None and plain["snippet"] is None
    detail = api.get(f"{ARTICLES}{a.fall.pk}/").json()
    assert "rank" not in detail and "snippet" not in detail


def test_q_with_every_ordering(api, archive):
    a = archive
    query = {"q": "ceausescu OR bucharest OR shipyard"}
    assert ids_for(api, ARTICLES, {**query, "ordering": "date"}) == [
        a.fall.pk, a.strike.pk, a.later.pk
    ]  # fmt: skip
    assert ids_for(api, ARTICLES, {**query, "ordering": "-date"}) == [
        a.strike.pk, a.fall.pk, a.later.pk
    ]  # fmt: skip
    assert ids_for(api, ARTICLES, {**query, "ordering": "-id"}) == sorted(
        [a.strike.pk, a.fall.pk, a.later.pk], reverse=True
    )
    hits = api.get(ARTICLES, {**query, "ordering": "-date"}).json()["results"]
    assert all(hit["rank"] > 0 for hit in hits)  # ranked, though not ordered by rank


def test_cursor_pages_walk_search_hits_once(api, archive):
    for ordering in ("relevance", "date", "-date"):
        params = {"q": "ceausescu OR bucharest OR shipyard", "ordering": ordering}
        seen, url, first = [], ARTICLES, True
        while url:
            data = (api.get(url, {**params, "page_size": 1}) if first else api.get(url)).json()
            first = False
            seen += [r["id"] for r in data["results"]]
            url = data["next"]
        assert seen == ids_for(api, ARTICLES, params), ordering
        assert len(seen) == 3


@pytest.mark.parametrize("ordering", ["relevance", "date", "-date"])
@pytest.mark.parametrize("page_size", [1, 2, 3, 50])
def test_a_searchs_first_page_reads_only_its_rows(api, archive, monkeypatch, ordering, page_size):
    """The first page of hits is read from the engine's first ids alone; it is the page
    (rows, order, next link, count) read over every hit."""
    from archive.api.pagination import ArchiveCursorPagination

    params = {"q": "ceausescu OR bucharest OR shipyard", "ordering": ordering}
    params["page_size"] = page_size
    windowed = []
    original = ArchiveCursorPagination.first_page_of_hits

    def spy(self, *args):
        page = original(self, *args)
        windowed.append(page is not None)
        return page

    monkeypatch.setattr(ArchiveCursorPagination, "first_page_of_hits", spy)
    read_in_window = api.get(ARTICLES, params).json()
    assert windowed == [True]
    monkeypatch.setattr(ArchiveCursorPagination, "first_page_of_hits", lambda *a: None)
    read_over_all = api.get(ARTICLES, params).json()
    assert read_in_window == read_over_all
    assert len(read_in_window["results"]) == min(page_size, 3)
    assert (read_in_window["next"] is not None) == (page_size < 3)


def test_a_hit_gone_from_the_list_leaves_the_first_page_whole(api, archive, monkeypatch):
    """Should the engine's first ids name an article the list no longer holds (here: a
    draft slipped in), the first page is read over every hit and still comes whole."""
    from archive.search import engine

    params = {"q": "ceausescu OR bucharest OR shipyard", "page_size": 2}
    expected = api.get(ARTICLES, params).json()
    original = engine.find

    def with_a_draft(*args, **kwargs):
        found = original(*args, **kwargs)
        found.ids.insert(0, archive.hidden_article.pk)
        return found

    monkeypatch.setattr(engine, "find", with_a_draft)
    page = api.get(ARTICLES, params).json()
    assert [r["id"] for r in page["results"]] == [r["id"] for r in expected["results"]]
    assert len(page["results"]) == 2 and page["next"] is not None
