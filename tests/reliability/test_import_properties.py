"""Property tests for the text importer: importing never loses a word of the source.

For any pamphlet-like text (numbered heads, datelines, drop caps, words hyphenated across
lines, "Continued on page N" markers, captions, verse, the seed's own diacritics):

* every source line belongs to exactly one unit, or to the lines before the first unit;
* each unit's repaired body plus its repair log replays to the unit's raw text exactly, and
  the log applied to the raw text gives the body (``replay`` / ``apply_repairs``);
* the parser and repairs never raise anything but ``ImportRefused`` on arbitrary text.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.importers.repairs import DocumentContext, apply_repairs, repair_unit, replay
from archive.importers.service import ImportRefused, TextImporter, decode_source
from archive.importers.text import parse_document
from archive.models import Article, TextRepair

WORDS = ["the", "workers", "struggle", "against", "Stalinism", "bureaucracy", "Wałęsa",
         "Ceaușescu", "Ceauşescu", "Trotsky’s", "Solidarnosc", "Gdańsk", "shipyard", "strike",
         "revolution", "democracy", "it", "is", "a", "and", "of", "in", "Poland", "Romania",
         "movement", "union", "party", "regime", "independent", "organising"]  # fmt: skip
MONTHS = ["January", "February", "March", "October", "November", "December"]

words = st.sampled_from(WORDS)


@st.composite
def sentence(draw) -> str:
    chosen = draw(st.lists(words, min_size=3, max_size=14))
    text = " ".join(chosen)
    return text[0].upper() + text[1:] + draw(st.sampled_from([".", ".", "!", "?", ","]))


@st.composite
def wrapped_paragraph(draw) -> list[str]:
    """A paragraph broken into printed lines, some words hyphenated across the break."""
    text = " ".join(draw(st.lists(sentence(), min_size=1, max_size=4)))
    lines, current = [], ""
    for word in text.split(" "):
        if current and len(current) + len(word) > 50:
            if len(word) > 6 and draw(st.booleans()):
                cut = draw(st.integers(min_value=2, max_value=len(word) - 2))
                lines.append(f"{current} {word[:cut]}-")
                current = word[cut:]
                continue
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    lines.append(current)
    if draw(st.integers(0, 5)) == 0:  # a continuation marker mid-paragraph
        at = draw(st.integers(0, len(lines)))
        lines.insert(at, f"Continued on page {draw(st.integers(2, 40))}")
    return lines


@st.composite
def unit(draw, number: int) -> list[str]:
    title = " ".join(draw(st.lists(words, min_size=1, max_size=5))).upper()
    lines = [f"{number}. {title}", ""]
    if draw(st.booleans()):
        lines += [f"{draw(st.sampled_from(MONTHS))} {draw(st.integers(1980, 1995))}", ""]
    paragraphs = draw(st.lists(wrapped_paragraph(), min_size=1, max_size=4))
    if draw(st.booleans()):  # a drop cap: the first letter printed alone
        first = paragraphs[0][0]
        paragraphs[0][0] = first[1:]
        lines += [first[0], ""]
    for paragraph in paragraphs:
        lines += [*paragraph, ""]
        if draw(st.integers(0, 6)) == 0:
            lines += [f"Photo: {draw(sentence())}", ""]
    return lines


@st.composite
def pamphlet(draw) -> str:
    n = draw(st.integers(min_value=1, max_value=4))
    lines = []
    if draw(st.booleans()):
        lines += ["Workers’ Liberty", ""]
    for k in range(1, n + 1):
        lines += draw(unit(k))
    ending = draw(st.sampled_from(["\n", "", "\n\n", "\r\n"]))
    return "\n".join(lines) + ending


SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def check_lossless(text: str) -> None:
    document = parse_document(text)
    source_lines = text.replace("\r\n", "\n").replace("\r", "\n").removesuffix("\n").split("\n")
    numbers = [line.number for u in document.units for line in u.lines]
    numbers += [line.number for line in document.unclaimed]
    assert sorted(numbers) == list(range(1, len(source_lines) + 1))  # each line once
    for u in document.units:
        assert all(line.text == source_lines[line.number - 1] for line in u.lines)
        result = repair_unit(u, DocumentContext(text))
        assert replay(result.body, result.repairs) == u.raw_text
        assert apply_repairs(u.raw_text, result.repairs) == result.body
        # Every word of the source survives in the body or is accounted for by the log.
        logged = " ".join(r.before for r in result.repairs if r.status == "applied")
        body_words = set(re.findall(r"\w+", result.body + " " + logged))
        assert set(re.findall(r"\w+", u.raw_text)) <= body_words


@given(pamphlet())
@SETTINGS
def test_repairs_on_pamphlet_like_text_replay_to_the_source(text):
    check_lossless(text)


@given(st.text(st.sampled_from([*"abcXYZ łęș-.,:\n\t1. ", "“", "”", "’"]), max_size=400))
@settings(max_examples=150, deadline=None)
def test_arbitrary_text_is_parsed_losslessly_or_refused(text):
    try:
        decoded = decode_source(text.encode())
    except ImportRefused:
        return
    check_lossless(decoded)


@pytest.mark.django_db
def test_an_import_stores_bodies_and_logs_that_replay_to_the_source(tmp_path):
    """The same property through the database: Article rows and their TextRepair rows."""
    from tests.factories import PublicationFactory

    publication = PublicationFactory(slug="workers-liberty-test")
    text = (
        "1. THE WORKERS AND THE SHIPYARD\n\nNovember 1989\n\nT\n\nhe workers of Gdańsk are organ-\n"
        "ising everywhere, and Wałęsa is\nnegotiating.\nContinued on page 3\n\n"
        "2. CEAUȘESCU FALLS\n\nDecember 1989\n\nThe regime of Ceauşescu collapses in\n"
        "Romania. Trotsky’s analysis of bureau-\ncracy is tested.\n"
    )
    path = tmp_path / "paper.txt"
    path.write_text(text, encoding="utf-8")
    TextImporter(publication=publication, issue_slug="no-1", link=False).run(path)
    articles = list(Article.objects.filter(issue__publication=publication).order_by("position"))
    assert len(articles) == 2
    kinds = set()
    for article in articles:
        log = TextRepair.objects.filter(article=article)
        assert replay(article.body, log) == article.raw_text
        kinds |= {r.kind for r in log}
    assert {"hyphenation", "drop_cap", "continuation"} <= kinds  # the text really was repaired
    source_words = re.findall(r"\w+", text)
    stored = " ".join(a.raw_text for a in articles)
    assert all(word in stored for word in source_words)
