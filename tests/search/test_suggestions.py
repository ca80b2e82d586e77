"""Search that helps when nothing matches: "did you mean" from the archive's own words,
close names, tips that drop a word or a filter, no data links for an empty list, and one
search box per page (seed collection and factories, SQLite and PostgreSQL)."""

from __future__ import annotations

import html
import io
import random
import re
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive.models import Article, Status
from archive.search import SearchParams, match_entities, suggest
from archive.search.suggest import close_words, help_for, vocabulary
from tests.factories import ArticleFactory, IssueFactory, PersonFactory, PublicationFactory
from tests.seed import seed_collection

pytestmark = pytest.mark.django_db

HIT = re.compile(r'<li class="hit" data-id="(\d+)">')
HELP = re.compile(r'<div class="search-help">(.*?)</div>', re.S)
LINK = re.compile(r'<a href="(\?[^"]*)">')
SEARCH_FORM = re.compile(r'<form[^>]*role="search"[^>]*>(.*?)</form>', re.S)


@pytest.fixture(scope="module")
def collection(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), seed_collection():
        yield


def page(client, params: dict | str) -> str:
    response = (
        client.get("/search/?" + params)
        if isinstance(params, str)
        else client.get("/search/", params)
    )
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


def hits(text: str) -> list[int]:
    return [int(pk) for pk in HIT.findall(text)]


def help_links(text: str) -> list[str]:
    found = HELP.search(text)
    assert found, "no help on a page without hits"
    return [html.unescape(link) for link in LINK.findall(found.group(1))]


def finds(q: str) -> bool:
    """Whether ``q`` alone finds a public article (as the page would search it)."""
    params = SearchParams.from_query_dict({"q": q})
    params.filterset.qs  # noqa: B018 - runs the engine
    return bool(params.filterset.found and params.filterset.found.total)


def spelled(params: dict) -> list[str]:
    """The queries the page's "did you mean" offers for ``params``."""
    found = help_for(SearchParams.from_query_dict(params))
    return [parse_qs(s.query_string)["q"][0] for s in found.spelling]


# --------------------------------------------------------------------------------------------
# Spelling, on misspellings generated from the seed's own words


def misspellings(word: str, rng: random.Random) -> list[str]:
    """A transposition of two different neighbouring letters and a deletion, both inside the
    word (an edit at either end too often makes another real word or a stem)."""
    spots = [i for i in range(1, len(word) - 2) if word[i] != word[i + 1]]
    i = rng.choice(spots)
    swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    j = rng.randrange(1, len(word) - 1)
    return [swapped, word[:j] + word[j + 1 :]]


def test_misspelt_seed_words_are_corrected_to_the_intended_word(collection):
    vocab = vocabulary()
    rng = random.Random(17)
    # Words a reader would look for: long, in several articles, not the most common.
    words = sorted(w for w, n in vocab.items() if len(w) >= 7 and 2 <= n <= 8)
    assert len(words) > 40
    checked = []
    for word in rng.sample(words, 16):
        for wrong in misspellings(word, rng):
            if wrong in vocab or finds(wrong):
                continue  # a real word or a stem of one: nothing to correct
            assert word in close_words(wrong), (wrong, word, close_words(wrong))
            offered = spelled({"q": wrong})
            assert word in offered, (wrong, word, offered)
            checked.append(wrong)
    assert len(checked) >= 20, checked


def test_a_misspelling_inside_a_longer_query_keeps_the_rest_as_typed(collection):
    vocab = vocabulary()
    word = next(w for w in sorted(vocab) if len(w) >= 8 and 3 <= vocab[w] <= 8)
    wrong = word[:2] + word[3] + word[2] + word[4:]
    # The quoted, capitalised misspelling beside an exclusion of a word not in those articles.
    q = f'"{wrong.capitalize()}" -zzqxwv'
    assert not finds(q)
    assert spelled({"q": q})[0] == f'"{word.capitalize()}" -zzqxwv'


def test_a_correction_leaves_out_a_word_matching_nothing_then_the_filters(collection):
    """Step by step: the corrected query; without a word nothing resembles; the corrected
    words alone; then the same without the filters. Each says what it leaves out."""
    params = {"q": "stalnism zzqxwv", "kind": "article"}
    found = help_for(SearchParams.from_query_dict(params))
    assert found.unmatched == ["stalnism", "zzqxwv"]
    first = found.spelling[0]
    assert (first.label, first.note) == ("stalinism", "without “zzqxwv”")
    assert parse_qs(first.query_string) == {"q": ["stalinism"], "kind": ["article"]}
    found = help_for(SearchParams.from_query_dict({**params, "decade": "1800"}))
    first = found.spelling[0]
    assert (first.label, first.note) == ("stalinism", "without “zzqxwv”; without the filters")
    assert parse_qs(first.query_string) == {"q": ["stalinism"]}
    # A word that exists, but never with the corrections: the correction alone.
    vocab = vocabulary()
    for target in sorted(w for w, n in vocab.items() if len(w) >= 8 and n == 1):
        wrong = target[:3] + target[4:]
        fixes = close_words(wrong)
        if wrong in vocab or target not in fixes or finds(wrong):
            continue
        others = (w for w in sorted(vocab) if len(w) >= 6 and vocab[w] >= 3)
        other = next(w for w in others if not any(finds(f"{c} {w}") for c in fixes))
        break
    found = help_for(SearchParams.from_query_dict({"q": f"{wrong} {other}"}))
    assert found.unmatched == [wrong]
    assert (target, f"without “{other}”") in [(s.label, s.note) for s in found.spelling]


@pytest.mark.parametrize(
    ("query", "tidy"),
    [
        ('"" stalinism', "stalinism"),
        ("OR stalinism OR", "stalinism"),
        ("a OR OR b", "a OR b"),
        ("a - b *", "a b"),
    ],
)
def test_a_query_with_words_taken_out_is_tidied(query, tidy):
    assert suggest._tidy(query) == tidy


@pytest.mark.parametrize("seed", range(6))
def test_a_non_word_gets_no_suggestion(collection, seed):
    rng = random.Random(seed)
    consonants = "bcdfghjklmnpqrstvwxz"
    word = "".join(rng.choice(consonants) for _ in range(rng.randrange(5, 10)))
    assert not finds(word)
    assert close_words(word) == []
    found = help_for(SearchParams.from_query_dict({"q": word}))
    assert found.unmatched == [word]
    assert found.spelling == [] and found.names == []
    assert not found


def test_every_suggestion_finds_what_it_says(client, collection):
    """Each link of the help, followed, lists as many hits as the link says."""
    for q in ("stalnism", "trotksy", "gdnask", "revolution zzqxwv", '"martial lwa"'):
        text = page(client, {"q": q})
        assert hits(text) == []
        links = help_links(text)
        assert links, q
        found = help_for(SearchParams.from_query_dict({"q": q}), [])
        offered = found.spelling + found.fewer_words + found.fewer_filters
        for suggestion in offered:
            assert f"?{suggestion.query_string}" in links
            followed = page(client, suggestion.query_string)
            assert suggestion.exact
            assert len(hits(followed)) == min(suggestion.total, 20), suggestion
        for link in links:
            assert hits(page(client, link[1:])), (q, link)


# --------------------------------------------------------------------------------------------
# Names


def test_a_misspelt_name_offers_the_person_page_and_a_search_for_them(client, collection):
    text = page(client, {"q": "trotksy"})
    assert hits(text) == []
    help_html = HELP.search(text).group(1)
    assert 'href="/people/leon-trotsky/"' in help_html
    assert "trotsky" in [parse_qs(link[1:])["q"][0] for link in help_links(text)]
    search_link = next(link for link in help_links(text) if "Trotsky" in link)
    assert hits(page(client, search_link[1:]))


def test_names_are_matched_with_diacritics_folded_and_public_only(client):
    publication = PublicationFactory(title="Labour Focus", slug="lf")
    issue = IssueFactory(publication=publication, date="1981")
    ArticleFactory(issue=issue, title="Szczecin, August", body="The sovnarkom strike spread.")
    PersonFactory(name="Kazimierz Świtoń", sort_name="Świtoń, Kazimierz", slug="k-switon")
    PersonFactory(name="Kazimierz Switonski", slug="draft-switonski", status=Status.DRAFT)
    found = help_for(SearchParams.from_query_dict({"q": "switon"}), match_entities("switon"))
    assert [n.match.name for n in found.names] == ["Kazimierz Świtoń"]
    assert found.names[0].match.url == "/people/k-switon/"
    # No article names him, so there is no search to offer for him, only his page.
    assert found.names[0].search is None
    text = page(client, {"q": "switon"})
    assert 'href="/people/k-switon/"' in text
    assert "draft-switonski" not in text and "Switonski" not in text


# --------------------------------------------------------------------------------------------
# Tips: fewer words, fewer filters


def test_fewer_words_drops_the_word_that_empties_the_search(client, collection):
    found = help_for(SearchParams.from_query_dict({"q": "revolution zzqxwv"}))
    assert [(s.label, s.note) for s in found.fewer_words] == [("revolution", "without “zzqxwv”")]
    assert found.fewer_words[0].total == len(hits(page(client, {"q": "revolution"})))
    # Dropping a word of an OR keeps the OR between what is left.
    found = help_for(SearchParams.from_query_dict({"q": "zzqxwv OR qqzzxx stalinism"}))
    assert [s.label for s in found.fewer_words] == ["zzqxwv OR stalinism"]
    found = help_for(SearchParams.from_query_dict({"q": "stalinism zzqxwv OR qqzzxx"}))
    assert [s.label for s in found.fewer_words] == ["stalinism OR qqzzxx"]


@pytest.mark.parametrize(
    ("query", "dropped", "left"),
    [
        ("a OR b", "a", "b"),
        ("a OR b", "b", "a"),
        ("a OR b OR c", "b", "a OR c"),
        ('"x y" -z w', "-z", '"x y" w'),
    ],
)
def test_dropping_a_word_leaves_no_dangling_or(query, dropped, left):
    tokens = suggest._tokens(query)
    token = next(t for t in tokens if t.group(0) == dropped)
    assert suggest._without(tokens, token) == left


def test_a_filter_that_empties_the_search_is_offered_for_removal(client, collection):
    decade = "1800"
    params = {"q": "stalinism", "decade": decade, "kind": "article"}
    text = page(client, params)
    assert hits(text) == []
    found = help_for(SearchParams.from_query_dict(params))
    labels = [s.label for s in found.fewer_filters]
    assert labels == ["without the filter decade: 1800s"]
    assert parse_qs(found.fewer_filters[0].query_string) == {
        "q": ["stalinism"],
        "kind": ["article"],
    }
    assert found.spelling == [] and found.fewer_words == [] and found.unmatched == []
    assert f"?{found.fewer_filters[0].query_string}" in help_links(text)


def test_a_person_filter_reads_as_the_name(collection):
    from archive.models import Person

    person = Person.objects.public().get(slug="leon-trotsky")
    params = {"q": "stalinism", "person": "leon-trotsky", "decade": "1800"}
    found = help_for(SearchParams.from_query_dict(params))
    labels = [s.label for s in found.fewer_filters]
    assert labels == ["without the filter decade: 1800s"]
    assert suggest._filter_label(SearchParams.from_query_dict(params), "person") == (
        f"person: {person.name}"
    )


# --------------------------------------------------------------------------------------------
# Visibility: a draft's words are never suggested


def test_a_drafts_words_are_never_suggested_until_it_is_published(monkeypatch):
    monkeypatch.setattr(suggest, "VOCABULARY_MAX_AGE", 0)  # rebuilt at every change
    publication = PublicationFactory(title="Labour Focus", slug="lf")
    public = IssueFactory(publication=publication, date="1981")
    draft = IssueFactory(publication=publication, date="1982", status=Status.DRAFT)
    ArticleFactory(issue=public, title="Shipyards", body="The shipyard kolkhoz met again.")
    hidden = ArticleFactory(
        issue=draft, title="Nomenklatura", body="The nomenklatura feared the kolkhoz."
    )
    assert not hidden.is_public()
    assert "nomenklatura" not in vocabulary()
    assert "kolkhoz" in vocabulary()
    assert close_words("nomenklatrua") == []
    assert spelled({"q": "nomenklatrua"}) == []
    assert spelled({"q": "kolkhzo"})[0] == "kolkhoz"
    draft.status = Status.PUBLISHED
    draft.save()
    assert Article.objects.get(pk=hidden.pk).is_public()
    assert "nomenklatura" in vocabulary()
    assert spelled({"q": "nomenklatrua"}) == ["nomenklatura"]


def test_a_vocabulary_built_before_an_article_was_withdrawn_offers_none_of_its_words():
    """Within VOCABULARY_MAX_AGE the vocabulary built before a change is still used; a word
    only the withdrawn article held is in it, and still never offered."""
    publication = PublicationFactory(title="Labour Focus", slug="lf")
    issue = IssueFactory(publication=publication, date="1981")
    ArticleFactory(issue=issue, title="Shipyards", body="The shipyard kolkhoz met again.")
    withdrawn = ArticleFactory(
        issue=IssueFactory(publication=publication, date="1982"),
        title="Nomenklatura",
        body="The nomenklatura feared the kolkhoz.",
    )
    assert spelled({"q": "nomenklatrua"}) == ["nomenklatura"]
    withdrawn.issue.status = Status.DRAFT
    withdrawn.issue.save()
    assert not Article.objects.get(pk=withdrawn.pk).is_public()
    assert "nomenklatura" in vocabulary()  # the same vocabulary, a minute old
    assert close_words("nomenklatrua") == ["nomenklatura"]
    assert spelled({"q": "nomenklatrua"}) == []
    assert spelled({"q": "kolkhzo"})[0] == "kolkhoz"


def test_the_vocabulary_is_built_once_and_shared_by_every_process(monkeypatch):
    """Stored in one row: another process (here, a cleared process copy) reads it instead of
    reading the articles again; a change older than VOCABULARY_MAX_AGE has it rebuilt once,
    and the command builds it ahead of readers."""
    from django.core.management import call_command

    from archive.caching import content_version
    from archive.models import SearchVocabulary

    ArticleFactory(title="Shipyards", body="The shipyard kolkhoz met again.")
    assert not SearchVocabulary.objects.exists()
    words = vocabulary()
    row = SearchVocabulary.objects.get()
    assert row.words == words and "kolkhoz" in words
    assert row.content_version == content_version()

    def no_rebuild():
        raise AssertionError("the stored vocabulary was not used")

    monkeypatch.setattr(suggest, "_build_vocabulary", no_rebuild)
    suggest._memo.clear()  # as in another worker
    assert vocabulary() == words
    ArticleFactory(title="Nomenklatura", body="The nomenklatura feared the kolkhoz.")
    assert vocabulary() == words  # changed, but younger than VOCABULARY_MAX_AGE

    monkeypatch.undo()
    monkeypatch.setattr(suggest, "VOCABULARY_MAX_AGE", 0)
    assert "nomenklatura" in vocabulary()
    assert SearchVocabulary.objects.get().content_version == content_version()
    ArticleFactory(title="Perestroika", body="Perestroika came.")
    call_command("build_search_vocabulary", stdout=io.StringIO())
    monkeypatch.setattr(suggest, "_build_vocabulary", no_rebuild)
    suggest._memo.clear()
    assert "perestroika" in vocabulary()


# --------------------------------------------------------------------------------------------
# The page


def test_no_data_links_when_nothing_matches(client, collection):
    empty = page(client, {"q": "zzqxwv"})
    assert "format=csv" not in empty and "format=json" not in empty
    assert "format=jsonl" not in empty
    assert "No article matches these words." in empty
    full = page(client, {"q": "stalinism"})
    assert hits(full)
    assert "format=csv" in full and "format=jsonl" in full and "format=json" in full


def test_exclusions_alone_say_why_nothing_matches(client, collection):
    text = page(client, {"q": "-trotsky"})
    assert hits(text) == []
    assert "has no word to look for" in text
    assert "format=csv" not in text


def test_stop_words_alone_say_why_nothing_matches(client, collection):
    """ "the", "of the" or "-trotsky the": nothing to look for, and the page says which
    words were too common rather than blaming exclusions."""
    for query, common in (("the", "“the” is a word"), ("Of THE", "“of”, “the” are words"),
                          ("-trotsky the", "“the” is a word")):  # fmt: skip
        text = page(client, {"q": query})
        assert hits(text) == []
        assert f"{common} too common to search for" in text, text
        assert "has no word to look for" not in text and "format=csv" not in text


def page_urls() -> dict[str, str]:
    from archive.models import Event, Issue, Organisation, Person, Place, Publication

    article = Article.objects.public().select_related("issue__publication").order_by("pk")[0]
    return {
        "home": "/",
        "publications": "/publications/",
        "publication": Publication.objects.public().order_by("pk")[0].get_absolute_url(),
        "issue": Issue.objects.public().order_by("pk")[0].get_absolute_url(),
        "article": article.get_absolute_url(),
        "people": "/people/",
        "person": Person.objects.public().order_by("pk")[0].get_absolute_url(),
        "organisations": "/organisations/",
        "organisation": Organisation.objects.public().order_by("pk")[0].get_absolute_url(),
        "places": "/places/",
        "place": Place.objects.public().order_by("pk")[0].get_absolute_url(),
        "map": "/map/",
        "timeline": "/timeline/",
        "event": Event.objects.public().order_by("pk")[0].get_absolute_url(),
        "search": "/search/",
        "search-hits": "/search/?q=stalinism",
        "search-nothing": "/search/?q=zzqxwv",
        "data": "/data/",
        "downloads": "/downloads/",
        "not-found": "/no-such-page/",
    }


def test_one_search_box_per_page_with_a_label(client, collection):
    """The header's box, or the page's own (home, search) instead of it: never both."""
    for name, url in page_urls().items():
        response = client.get(url)
        assert response.status_code == (404 if name == "not-found" else 200), name
        text = response.content.decode()
        forms = SEARCH_FORM.findall(text)
        assert len(forms) == 1, (name, len(forms))
        assert len(re.findall(r'<form[^>]*action="/search/"', text)) == 1, name
        box = re.search(r'<input id="([^"]+)" type="search" name="q"', forms[0])
        assert box, name
        assert re.search(rf'<label for="{box.group(1)}"[^>]*>[^<]+</label>', forms[0]), name


def test_with_a_task_queue_a_stale_vocabulary_is_rebuilt_off_the_readers_request(
    settings, monkeypatch
):
    """Queued once for the worker (here django-tasks' dummy backend, which only records it);
    the search answers from the stored vocabulary meanwhile, and the task rebuilds it.
    (tests/deploy/test_task_queue.py runs it on a real worker.)"""
    from django.core.cache import cache
    from django_tasks import task_backends

    from archive import tasks

    cache.clear()
    ArticleFactory(title="Shipyards", body="The shipyard kolkhoz met again.")
    words = vocabulary()  # nothing stored yet: the first one is built where it is needed
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    ArticleFactory(title="Nomenklatura", body="The nomenklatura feared the kolkhoz.")
    monkeypatch.setattr(suggest, "VOCABULARY_MAX_AGE", 0)

    def not_here():
        raise AssertionError("a reader's request rebuilt the vocabulary")

    monkeypatch.setattr(suggest, "_build_vocabulary", not_here)
    assert vocabulary() == words  # the stored one; "nomenklatura" is not in it yet
    assert vocabulary() == words
    queued = task_backends["default"].results
    assert [r.task.name for r in queued] == ["refresh_search_vocabulary"]  # once
    monkeypatch.undo()
    assert tasks.refresh_search_vocabulary.call() is True  # what the worker runs
    monkeypatch.setattr(suggest, "_build_vocabulary", not_here)
    assert "nomenklatura" in vocabulary()


@pytest.mark.parametrize(
    "params",
    [
        {"q": "stalinsim"},  # one misspelt word: the word is the whole search
        {"q": "revolution zzqxwv"},  # one word of two matching nothing
        {"q": "stalinsim", "decade": "1980"},  # a misspelling under a filter
    ],
)
def test_helping_a_page_without_hits_runs_no_search_twice(client, collection, params):
    """The page's own search is known to find nothing, and a variant reached by two offers
    (a corrected word that is also what is left without another) is run once."""
    with CaptureQueriesContext(connection) as ctx:
        text = page(client, params)
    assert hits(text) == [] and help_links(text)
    searches = [
        (q["sql"]) for q in ctx if re.search(r" MATCH |@@", q["sql"]) and "EXPLAIN" not in q["sql"]
    ]
    assert searches
    assert len(searches) == len(set(searches)), [s for s in searches if searches.count(s) > 1]
