"""The search interface on both engines: folding, syntax, index upkeep."""

from __future__ import annotations

import pytest

from archive import search
from archive.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def ids(query: str, qs=None) -> set[int]:
    return set(
        search.filter_articles(qs or Article.objects.all(), query).values_list("pk", flat=True)
    )


def test_diacritics_and_case_do_not_matter():
    walesa = ArticleFactory(body="Lech Wałęsa spoke at the gate.")
    ArticleFactory(body="Nothing about him here.")
    assert ids("walesa") == ids("Wałęsa") == ids("WALESA") == {walesa.pk}


def test_both_romanian_s_forms_match():
    comma = ArticleFactory(body="The fall of Ceaușescu (comma below).")
    cedilla = ArticleFactory(body="The fall of Ceauşescu (cedilla).")
    expected = {comma.pk, cedilla.pk}
    assert ids("Ceausescu") == ids("Ceaușescu") == ids("Ceauşescu") == expected


def test_websearch_syntax():
    a = ArticleFactory(body="Martial law was declared in Poland.")
    b = ArticleFactory(body="The law of value; martial music.")
    c = ArticleFactory(body="Revolutionary workers in Gdansk.")
    assert ids('"martial law"') == {a.pk}
    assert ids("martial law") == {a.pk, b.pk}
    assert ids("martial -poland") == {b.pk}
    assert ids("gdansk OR poland") == {a.pk, c.pk}
    assert ids("revolution*") == {c.pk}
    assert ids("") == set()
    assert ids("-poland") == set()


def test_an_excluded_word_excludes_wherever_it_stands():
    """``stalinism -trotsky`` drops an article whose title has the first word and whose
    body has the second, on both engines, through the page's ranked path too (PostgreSQL
    gathers title matches apart from body matches)."""
    titled = ArticleFactory(title="Stalinism today", body="Trotsky wrote about it at length.")
    plain = ArticleFactory(title="Other things", body="Stalinism, without the excluded name.")
    assert ids("stalinism -trotsky") == {plain.pk}
    for ordering in ("relevance", "date", "-date"):
        found = search.search({"q": "stalinism -trotsky", "ordering": ordering})
        assert [h.article.pk for h in found.hits] == [plain.pk]
        assert found.total == 1
    assert titled.pk in ids("stalinism trotsky")


def test_a_prefix_is_the_start_of_a_word_not_of_its_stem():
    """``berli*`` is words starting with "berli", not with its stem ("ber"); a prefix that is
    a whole word still finds that word and its forms; a phrase may end in a prefix."""
    berlinguer = ArticleFactory(body="Enrico Berlinguer spoke for the Italian party.")
    bernstein = ArticleFactory(body="Eduard Bernstein revised the programme.")
    revolution = ArticleFactory(body="The revolution came in November.")
    revolutionary = ArticleFactory(body="A revolutionary party of the workers.")
    martial = ArticleFactory(body="Martial law was declared at midnight.")
    assert ids("berli*") == {berlinguer.pk}
    assert ids("ber*") == {berlinguer.pk, bernstein.pk}
    assert ids("revolution*") == {revolution.pk, revolutionary.pk}
    assert ids("revolutionar*") == {revolutionary.pk}
    assert ids("martial-la*") == ids("martial la*") == {martial.pk}  # hyphenated: one term
    assert ids("party -berli*") == {revolutionary.pk}


def test_stop_words_match_nothing_on_either_engine():
    """PostgreSQL's index leaves out English stop words; SQLite's keeps them. The parser
    drops them for both, so both find the same: "the party" is "party", "-what" excludes
    nothing, "the" alone finds nothing, a phrase's inner stop words still stand between its
    words, and words standing together are still seen across them."""
    party = ArticleFactory(title="Notes", body="What the party said about the state.")
    world = ArticleFactory(title="Notes", body="Workers of the world, unite!")
    apart = ArticleFactory(title="Notes", body="The world of the workers.")
    assert ids("the party") == ids('"the party"') == ids("party") == {party.pk}
    assert ids("party -what") == {party.pk}
    assert ids("the") == ids("-the party") - {party.pk} == set()
    assert ids('"workers of the world"') == {world.pk}
    assert ids("workers of the world") == {world.pk, apart.pk}
    ranked = search.search({"q": "workers of the world"}).hits
    assert ranked[0].article.pk == world.pk  # the words together rank first


@pytest.mark.requires_postgres
def test_the_stop_words_are_postgresqls():
    """The parser's stop words are exactly the words PostgreSQL's configuration drops, among
    every word of the seed collection's sources and the list itself."""
    import re
    from pathlib import Path

    from django.db import connection

    from archive.search.query import STOP_WORDS
    from archive.text import fold

    text = " ".join(p.read_text() for p in Path("fixtures/sources").rglob("*.txt"))
    words = sorted(set(re.findall(r"[a-z]+", fold(text))) | STOP_WORDS)
    assert len(words) > 2_000
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT w FROM unnest(%s::text[]) AS w "
            "WHERE to_tsvector('archive_search', w) = ''::tsvector",
            [words],
        )
        dropped = {row[0] for row in cursor.fetchall()}
    assert dropped == STOP_WORDS


def test_edit_is_found_at_once():
    article = ArticleFactory(body="An old text.")
    assert ids("perestroika") == set()
    article.body = "A new text about perestroika."
    article.save()
    assert ids("perestroika") == {article.pk}
    assert ids("old") == set()
    Article.objects.filter(pk=article.pk).delete()
    assert ids("perestroika") == set()


def test_rank_prefers_title_over_body():
    in_body = ArticleFactory(title="Notes", body="Something on stalinism in passing.")
    in_title = ArticleFactory(title="Stalinism", body="A text on the bureaucracy.")
    ranked = list(
        search.filter_articles(Article.objects.all(), "stalinism").order_by("-search_rank")
    )
    assert ranked == [in_title, in_body]


def test_search_page_results_highlight_and_escape():
    ArticleFactory(
        title="On <script>alert(1)</script> Trotsky", body="Trotsky’s theory <b>here</b>."
    )
    results = search.search({"q": "trotsky"})
    assert results.total == 1
    hit = results.hits[0]
    assert "<mark>" in hit.snippet_html
    assert "<b>" not in hit.snippet_html  # escaped (SQLite) or dropped as markup (PostgreSQL)
    assert "<script>" not in hit.title_html
