"""The entity linker: folding, word boundaries, possessives, longest match, ambiguity."""

from __future__ import annotations

import unicodedata

import pytest

from archive.importers.linking import (
    NameIndex,
    Target,
    find_candidates,
    find_mentions,
    link_article,
    summarise,
)
from archive.models import Mention
from tests.factories import (
    AliasFactory,
    ArticleFactory,
    MentionFactory,
    OrganisationFactory,
    PersonFactory,
    PlaceFactory,
)

WALESA = Target("person", 1)
GORBACHEV = Target("person", 2)
TROTSKY = Target("person", 3)
SO = Target("organisation", 10)
SOLIDARITY = Target("organisation", 11)
MILITANT = Target("organisation", 12)
CEAUSESCU = Target("person", 4)
KAUTSKY_K = Target("person", 5)
KAUTSKY_B = Target("person", 6)
POLAND = Target("place", 20)


@pytest.fixture
def index() -> NameIndex:
    return NameIndex.from_entries(
        [
            ("Lech Wałęsa", "person", 1),
            ("Wałęsa", "person", 1, "Lech Wałęsa"),
            ("Mikhail Gorbachev", "person", 2),
            ("Gorbachev", "person", 2, "Mikhail Gorbachev"),
            ("Leon Trotsky", "person", 3),
            ("Trotsky", "person", 3, "Leon Trotsky"),
            ("Nicolae Ceaușescu", "person", 4),  # ș U+0219
            ("Ceaușescu", "person", 4, "Nicolae Ceaușescu"),
            ("Ceaucescu", "person", 4, "Nicolae Ceaușescu"),  # as printed
            ("Karl Kautsky", "person", 5),
            ("Kautsky", "person", 5, "Karl Kautsky"),
            ("Benedikt Kautsky", "person", 6),
            ("Kautsky", "person", 6, "Benedikt Kautsky"),
            ("Socialist Organiser", "organisation", 10),
            ("Solidarność", "organisation", 11),
            ("Solidarity", "organisation", 11, "Solidarność"),
            ("Militant", "organisation", 12),
            ("Poland", "place", 20),
        ]
    )


def _targets(hits):
    return [h.candidates for h in hits]


def test_case_and_diacritics_are_ignored(index):
    hits = find_mentions("Lech Walesa met WAŁĘSA and Solidarnosc in POLAND.", index)
    assert [h.text for h in hits] == ["Lech Walesa", "WAŁĘSA", "Solidarnosc", "POLAND"]
    assert _targets(hits) == [(WALESA,), (WALESA,), (SOLIDARITY,), (POLAND,)]


def test_both_cedilla_and_comma_below_and_nfd_match(index):
    comma, cedilla = "Ceaușescu", "Ceauşescu"  # U+0219, U+015F
    nfd = unicodedata.normalize("NFD", "Lech Wałęsa")
    text = f"{comma} and {cedilla}, and {nfd}."
    hits = find_mentions(text, index)
    assert _targets(hits) == [(CEAUSESCU,), (CEAUSESCU,), (WALESA,)]
    # offsets point into the original (NFD) text
    assert text[hits[2].start : hits[2].end] == nfd


def test_possessive_with_curly_apostrophe_matches(index):
    hits = find_mentions("Gorbachev’s reforms and Trotsky’s party", index)
    assert [h.text for h in hits] == ["Gorbachev", "Trotsky"]


def test_word_boundaries_hold(index):
    assert find_mentions("Trotskyism and Trotskyists, Polanders", index) == []


def test_longest_match_wins_and_consumes_words(index):
    entries = [*index.entries]
    bigger = NameIndex.from_entries([*entries, ("Socialist", "organisation", 99)])
    hits = find_mentions("the front page of Socialist Organiser said", bigger)
    assert [(h.text, h.candidates) for h in hits] == [("Socialist Organiser", (SO,))]


def test_multiword_names_need_matching_separators(index):
    assert find_mentions("a Socialist. Organiser", index) == []
    hits = find_mentions("a Socialist\nOrganiser", index)  # a line break is a space
    assert [h.candidates for h in hits] == [(SO,)]


def test_shared_surname_is_flagged_with_every_candidate(index):
    (hit,) = find_mentions("as Kautsky said", index)
    assert hit.ambiguous and hit.candidates == (KAUTSKY_K, KAUTSKY_B)
    # The full name is not ambiguous.
    (full,) = find_mentions("Karl Kautsky said", index)
    assert not full.ambiguous and full.candidates == (KAUTSKY_K,)


def test_a_name_matches_only_where_it_is_capitalised(index):
    assert find_mentions("a militant trade unionist", index) == []
    (hit,) = find_mentions("for example, Militant and others", index)
    assert hit.candidates == (MILITANT,) and not hit.ambiguous


def test_a_name_the_text_also_uses_as_a_word_is_flagged():
    index = NameIndex.from_entries([("Outlook", "organisation", 30), ("Us", "place", 31)])
    text = "The outlook is grim. Outlook said so."
    (hit,) = find_mentions(text, index)
    assert hit.text == "Outlook" and "lower case" in hit.reason


def test_the_general_word_list_holds_no_collection_words():
    from archive.importers.words import common_words

    assert not {"liberty", "militant", "solidarity", "socialist", "workers"} & common_words()
    assert {"the", "when", "people"} <= common_words()


@pytest.fixture
def places() -> NameIndex:
    return NameIndex.from_entries(
        [
            ("Mexico", "place", 40),
            ("Georgia", "place", 41),
            ("Georgia", "person", 42, "Georgia Brown"),
            ("Georgia Brown", "person", 42),
            ("Jordan", "place", 43),
            ("United Kingdom", "place", 44),
            ("U.K.", "place", 44, "United Kingdom"),
            ("TUC", "organisation", 45),
            ("Arthur Scargill", "person", 46),
            ("Scargill", "person", 46, "Arthur Scargill"),
        ]
    )


def test_no_alias_inside_a_longer_capitalised_name(places):
    assert find_mentions("strikes spread to New Mexico last week", places) == []
    assert find_mentions("the singer Michael Jordan said", places) == []
    assert find_mentions("the Jordan Valley", places) == []
    # sentence openers, titles and the entity's own names do not extend a name
    (hit,) = find_mentions("In Mexico the strike held.", places)
    assert hit.text == "Mexico"
    (hit,) = find_mentions("a letter from President Scargill", places)
    assert hit.text == "Scargill"
    (hit,) = find_mentions("the miners of Arthur Scargill", places)
    assert hit.text == "Arthur Scargill"
    # text set in capitals says nothing about names
    (hit,) = find_mentions("## STRIKE IN MEXICO", places)
    assert hit.text == "MEXICO"


def test_titles_and_adjectives_of_peoples_and_creeds_qualify_a_name_without_hiding_it(places):
    (hit,) = find_mentions("the court of Tsar Scargill was not amused", places)
    assert hit.text == "Scargill"
    (hit,) = find_mentions("marching through Stalinist Georgia.", places)
    assert hit.text == "Georgia"
    (hit,) = find_mentions("exiles from Republican Mexico", places)
    assert hit.text == "Mexico"
    # a capitalised word that is neither a title nor such an adjective still extends the name
    assert find_mentions("the Northern Jordan Company", places) == []
    assert find_mentions("flights to Central Mexico", places) == []
    assert find_mentions("for a Socialist United Kingdom of Europe", places) == []


def test_dotted_abbreviations_match_the_acronym(places):
    hits = find_mentions("the U.K. government and the UK unions; the TUC and the T.U.C.", places)
    assert [h.text for h in hits] == ["U.K.", "UK", "TUC", "T.U.C."]
    assert [h.candidates for h in hits][:2] == [(Target("place", 44),)] * 2


def test_an_acronym_matches_only_in_capitals():
    index = NameIndex.from_entries([("AIM", "organisation", 50)])
    assert find_mentions("Our aim is clear. Aim high.", index) == []
    assert [h.text for h in find_mentions("the AIM conference", index)] == ["AIM"]


def test_a_person_place_homonym_is_flagged_not_guessed(places):
    (hit,) = find_mentions("They marched through Georgia.", places)
    assert hit.ambiguous and hit.reason == "a person and a place share this name"
    assert hit.candidates == (Target("person", 42), Target("place", 41))
    (full,) = find_mentions("They heard Georgia Brown.", places)
    assert not full.ambiguous and full.candidates == (Target("person", 42),)


def test_summary_counts_offsets_context_and_flags(index):
    text = "Kautsky wrote. " + "filler " * 30 + "Gorbachev’s plan; later Gorbachev fell."
    summaries = {s.target: s for s in summarise(find_mentions(text, index), text, index)}
    gorby = summaries[GORBACHEV]
    assert gorby.count == 2
    assert gorby.first_offset == text.index("Gorbachev")
    assert "Gorbachev’s plan" in gorby.context and len(gorby.context) <= 170
    assert gorby.context.startswith("…")
    assert not gorby.flagged and gorby.label == "Mikhail Gorbachev"
    assert summaries[KAUTSKY_K].flagged and summaries[KAUTSKY_B].flagged


def test_unambiguous_hit_clears_the_flag_for_that_target(index):
    text = "Karl Kautsky, and later Kautsky again."
    summaries = {s.target: s for s in summarise(find_mentions(text, index), text)}
    assert not summaries[KAUTSKY_K].flagged and summaries[KAUTSKY_K].count == 2
    assert summaries[KAUTSKY_B].flagged and summaries[KAUTSKY_B].count == 1


def test_candidates_are_unknown_capitalised_names(index):
    text = "The Kremlin and Ernest Mandel met Gorbachev. Then Ernest Mandel left. When?"
    hits = find_mentions(text, index)
    candidates = dict(find_candidates(text, hits))
    assert candidates == {"Ernest Mandel": 2, "Kremlin": 1}


def test_candidates_are_proper_noun_phrases_ranked_with_their_context(index):
    text = (
        "Maoist groups and Trotskyist ones met Bolivian miners. The Bolivian unions and "
        "Juan Lechín spoke; Juan Lechín again. Chinese delegates came. Strikes spread. "
        "A strike is a strike. Communist Party members and the Confederation of Labour."
    )
    found = find_candidates(text, find_mentions(text, index), with_context=True)
    names = [c.name for c in found]
    assert names[0] == "Juan Lechín" and found[0].count == 2
    assert "spoke" in found[0].context and "Bolivian unions" in found[0].context
    # adjectives of peoples and creeds, and words capitalised only to open a sentence
    for word in ("Maoist", "Trotskyist", "Bolivian", "Chinese", "Strike", "Strikes"):
        assert word not in names
    assert "Communist Party" in names and "Confederation of Labour" in names


def test_from_entries_rejects_unknown_types():
    with pytest.raises(ValueError, match="Unknown target type"):
        NameIndex.from_entries([("X", "planet", 1)])


@pytest.mark.django_db
def test_from_database_uses_names_aliases_and_acronyms():
    walesa = PersonFactory(name="Lech Wałęsa", sort_name="Wałęsa, Lech")
    AliasFactory(person=walesa, name="Walesa")
    cpsu = OrganisationFactory(
        name="Communist Party of the Soviet Union", acronym="CPSU", slug="cpsu"
    )
    poland = PlaceFactory(name="Poland", slug="poland")
    index = NameIndex.from_database()
    hits = find_mentions(
        "Walesa, the CPSU and Poland; the Communist Party of the Soviet Union", index
    )
    assert [h.candidates for h in hits] == [
        (Target("person", walesa.pk),),
        (Target("organisation", cpsu.pk),),
        (Target("place", poland.pk),),
        (Target("organisation", cpsu.pk),),
    ]
    assert index.label(Target("person", walesa.pk)) == "Lech Wałęsa"


@pytest.mark.django_db
def test_link_article_creates_updates_and_respects_curators():
    gorbachev = PersonFactory(name="Mikhail Gorbachev", slug="gorbachev")
    AliasFactory(person=gorbachev, name="Gorbachev")
    yeltsin = PersonFactory(name="Boris Yeltsin", slug="yeltsin")
    AliasFactory(person=yeltsin, name="Yeltsin")
    trotsky = PersonFactory(name="Leon Trotsky", slug="trotsky")
    AliasFactory(person=trotsky, name="Trotsky")
    k1 = PersonFactory(name="Karl Kautsky", slug="karl-kautsky")
    k2 = PersonFactory(name="Benedikt Kautsky", slug="benedikt-kautsky")
    AliasFactory(person=k1, name="Kautsky")
    AliasFactory(person=k2, name="Kautsky")
    article = ArticleFactory(body="Gorbachev’s fall. Yeltsin rose. Kautsky wrote. Trotsky too.")
    MentionFactory(article=article, person=trotsky, status=Mention.Status.REJECTED, count=9)
    index = NameIndex.from_database()

    report = link_article(article, index)

    mentions = {m.person_id: m for m in Mention.objects.filter(article=article)}
    assert mentions[gorbachev.pk].status == Mention.Status.AUTO
    assert mentions[gorbachev.pk].context.startswith("Gorbachev’s fall")
    assert mentions[yeltsin.pk].first_offset == article.body.index("Yeltsin")
    assert mentions[k1.pk].status == mentions[k2.pk].status == Mention.Status.FLAGGED
    assert mentions[trotsky.pk].count == 9  # a curator's rejection is untouched
    assert mentions[trotsky.pk].status == Mention.Status.REJECTED
    assert Target("person", trotsky.pk) in report.kept
    assert len(report.created) == 4 and len(report.flagged) == 2

    # Re-linking an edited body updates counts and removes mentions no longer found.
    article.body = "Gorbachev and Gorbachev again."
    article.save()
    report = link_article(article, index)
    mentions = {m.person_id: m for m in Mention.objects.filter(article=article)}
    assert set(mentions) == {gorbachev.pk, trotsky.pk}
    assert mentions[gorbachev.pk].count == 2
    assert {t.id for t in report.removed} == {yeltsin.pk, k1.pk, k2.pk}


@pytest.mark.django_db
def test_link_article_is_idempotent(django_assert_max_num_queries):
    person = PersonFactory(name="Rosa Luxemburg", slug="luxemburg")
    article = ArticleFactory(body="Rosa Luxemburg wrote in 1918.")
    index = NameIndex.from_database()
    link_article(article, index)
    before = list(Mention.objects.values_list("pk", "updated"))
    report = link_article(article, index)
    assert list(Mention.objects.values_list("pk", "updated")) == before
    assert report.created == [] and report.updated == []
    assert Mention.objects.get().person_id == person.pk
