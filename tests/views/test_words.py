"""Words, not codes: dates as people write them, titles instead of slugs, country and
language names, counts with the right plural, and no empty labels, on every page of the seed
collection. EDTF, codes and slugs stay in the data and the API."""

from __future__ import annotations

import html as htmllib
import re

import pytest

from archive import models
from archive.dates import edtf_display, edtf_iso8601
from archive.words import counted, country_name, issue_label, issue_name, language_name, lifespan
from tests.factories import IssueFactory, PersonFactory
from tests.seed import seed_collection

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("2009~", "c. 2009"),
        ("1991-08", "August 1991"),
        ("1989-11-09", "9 November 1989"),
        ("1980/1981", "1980–81"),
        ("1918/1921", "1918–21"),
        ("1899/1900", "1899–1900"),
        ("1900/1901", "1900–1901"),
        ("1990~/1993~", "early 1990s"),
        ("1984~/1986~", "mid-1980s"),
        ("1977~/1979~", "late 1970s"),
        ("1990/1993", "1990–93"),  # exact years are not blurred into "early 1990s"
        ("1990/1999", "1990s"),
        ("199X", "1990s"),
        ("199X~", "c. 1990s"),
        ("19XX", "1900s"),
        ("1990-01?", "January 1990?"),
        ("1990%", "c. 1990?"),
        ("1988-21", "Spring 1988"),
        ("1919-04/1919-05", "April–May 1919"),
        ("1926-05-04/1926-05-12", "4–12 May 1926"),
        ("1989-05-02/1989-06-04", "2 May – 4 June 1989"),
        ("1989-12/1990-01", "December 1989 – January 1990"),
        ("1914-07-28/1918-11-11", "28 July 1914 – 11 November 1918"),
        ("1987/..", "1987 onwards"),
        ("../1917", "until 1917"),
        ("[1667,1668]", "1667 or 1668"),
        ("", ""),
    ],
)
def test_dates_in_words(value, words):
    assert edtf_display(value) == words


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2009~", "2009"),
        ("1991-08", "1991-08"),
        ("1989-11-09", "1989-11-09"),
        ("199X", "1990/1999"),
        ("1980/1981", "1980/1981"),
        ("1919-04/1919-05", "1919-04/1919-05"),
        ("1914-07-28/1918-11-11", "1914-07-28/1918-11-11"),
        ("1987/..", ""),  # ISO 8601-1 has no open end: no date rather than a wrong one
        ("", ""),
        ("not a date", ""),
    ],
)
def test_iso8601_for_harvesters(value, iso):
    assert edtf_iso8601(value) == iso


def test_country_and_language_names():
    assert country_name("RU") == "Russia"
    assert country_name("SU") == "Soviet Union"  # withdrawn codes keep their history
    assert country_name("DD") == "East Germany"
    assert country_name("ZZ") == "ZZ"  # unknown: shown as it is, never dropped
    assert language_name("en") == "English"
    assert language_name("pl") == "Polish"
    assert language_name("de-AT") == "German"
    assert language_name("yi") == "Yiddish"


def test_counts_take_the_right_plural():
    assert counted(1, "issue") == "1 issue"
    assert counted(0, "issue") == "0 issues"
    assert counted(2, "person") == "2 people"
    assert counted(1, "person") == "1 person"
    assert counted(12000, "article") == "12,000 articles"


def test_an_issue_is_named_by_title_number_or_date_never_by_slug():
    untitled = IssueFactory(
        slug="1989-1991-pamphlet", title="", volume="", number="", date="2009~",
        publication__title="Workers’ Liberty",
    )  # fmt: skip
    assert issue_label(untitled) == "Issue of c. 2009"
    assert issue_name(untitled) == "Workers’ Liberty, issue of c. 2009"
    numbered = IssueFactory(title="", volume="3", number="1")
    assert issue_label(numbered) == "Vol. 3, no. 1"
    titled = IssueFactory(title="Special: Poland")
    assert issue_label(titled) == "Special: Poland"
    undated = IssueFactory(title="", volume="", number="", date="")
    assert issue_label(undated) == "Issue (undated)"


def test_people_lists_give_life_years():
    assert lifespan(PersonFactory.build(birth="1870-04-22", death="1924-01-21")) == "1870–1924"
    assert lifespan(PersonFactory.build(birth="1943-09-29", death="")) == "born 1943"
    assert lifespan(PersonFactory.build(birth="", death="1940-08-21")) == "died 1940"
    assert lifespan(PersonFactory.build(birth="1890~", death="1941")) == "c. 1890 – 1941"
    assert lifespan(PersonFactory.build(birth="", death="")) == ""


# --- the seed collection, page by page ---------------------------------------------------

#: EDTF as stored, which a reader must never see: "2009~", "1991-08", "199X", "1980/1981",
#: "1987/..", and the old "(approx.)" rendering.
RAW_DATE = re.compile(
    r"\b\d{4}[~%]|\b\d{4}-\d{2}\b|\b\d{3}X\b|\b\d{2}XX\b|\b\d{4}/(?:\d{4}|\.\.)|\(approx\.\)"
    r"|\(uncertain\)"
)
#: Labels with nothing in them, or a count with the wrong plural.
EMPTY_LABELS = re.compile(
    r"By unsigned|Dateline none|\bNone\b|\b1 (?:issues|articles|mentions|events|people|places)\b"
)


@pytest.fixture(scope="module")
def collection(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), seed_collection():
        yield


def visible_text(html: str, *, quotes: bool = True) -> str:
    """What a reader sees: the title and the body's text, without markup, scripts or the
    attribute values (URLs keep slugs and codes, which is right). ``quotes=False`` leaves
    out what the archive's texts themselves say (an article's body, quoted snippets): the
    sources print "1939-41" and "1980–1" as they please, and curators' notes and
    descriptions are prose as written."""
    title = re.search(r"<title>(.*?)</title>", html, re.S)[1]
    body = html[html.index("<body") :]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    if not quotes:
        body = re.sub(r"<blockquote\b.*?</blockquote>", " ", body, flags=re.S)
        body = re.sub(r'<div class="text">.*?</div>', " ", body, flags=re.S)
        body = re.sub(r'<p class="[^"]*curated[^"]*">.*?</p>', " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", htmllib.unescape(f"{title} {body}"))


def seed_pages() -> list[str]:
    urls = ["/", "/publications/", "/people/", "/organisations/", "/places/", "/timeline/"]
    urls += ["/map/", "/timeline/?decade=1980", "/map/?decade=1990"]
    for model in (models.Publication, models.Person, models.Organisation, models.Place):
        urls += [obj.get_absolute_url() for obj in model.objects.public()]
    urls += [obj.get_absolute_url() for obj in models.Event.objects.public()]
    urls += [i.get_absolute_url() for i in models.Issue.objects.public().select_related()]
    urls += [
        a.get_absolute_url()
        for a in models.Article.objects.public().select_related("issue__publication")
    ]
    return urls


def test_every_shown_date_of_the_seed_collection_is_in_words(client, collection):
    pages = seed_pages()
    assert len(pages) > 200  # every public record of the seed, not a sample
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = visible_text(response.content.decode(), quotes=False)
        raw = RAW_DATE.findall(text)
        assert raw == [], (url, raw)
        empty = EMPTY_LABELS.findall(text)
        assert empty == [], (url, empty)


def test_seed_headings_and_breadcrumbs_name_records_not_slugs(client, collection):
    issue = models.Issue.objects.get(slug="1989-1991-pamphlet")
    article = issue.articles.get(slug="stalins-system-collapses")
    for url in (issue.get_absolute_url(), article.get_absolute_url()):
        html = client.get(url).content.decode()
        crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S)[0]
        headings = " ".join(re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S))
        for part in (visible_text(f"<title></title><body>{crumbs}"), headings):
            assert "1989-1991-pamphlet" not in part, url
        assert "Issue of c. 2009" in crumbs
    # The issue's date, its heading and the reprinting issue on its articles, in words.
    html = client.get(issue.publication.get_absolute_url()).content.decode()
    assert ">Issue of c. 2009</a>" in html and "2009~" not in visible_text(html)


def test_seed_countries_and_languages_are_named(client, collection):
    moscow = models.Place.objects.filter(country_code="RU").public().first()
    html = client.get(moscow.get_absolute_url()).content.decode()
    assert "<dt>Country</dt><dd>Russia</dd>" in html
    bolsheviks = models.Organisation.objects.get(slug="bolshevik-party")
    html = client.get(bolsheviks.get_absolute_url()).content.decode()
    assert "<dt>Country</dt><dd>Russia</dd>" in html
    publication = models.Publication.objects.get(slug="workers-liberty")
    html = client.get(publication.get_absolute_url()).content.decode()
    assert "<dt>Language</dt><dd>English</dd>" in html


def test_seed_poem_is_unsigned_and_undated_in_words(client, collection):
    poem = models.Article.objects.get(slug="and-where-were-jacob-sverdlovs-sons")
    text = visible_text(client.get(poem.get_absolute_url()).content.decode())
    assert "Author Unsigned" in text
    assert "Date Undated" in text
    home = visible_text(client.get("/").content.decode())
    assert re.search(r"\b1 issue\b", home) and "1 issues" not in home
