"""Links both ways between pages, and an article's date shown as the one rule gives it.

The date is ``Article.effective_date`` with where it comes from (dateline, first publication,
issue date) or "Undated": never the date of the issue a reprint stands in. Lists ordered by
date are ordered by it, undated last.
"""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive import models
from tests.factories import (
    ArticleFactory,
    AuthorshipFactory,
    EventFactory,
    IssueFactory,
    MentionFactory,
    PersonFactory,
    PublicationFactory,
)

pytestmark = pytest.mark.django_db

DRAFT = models.Status.DRAFT


@pytest.fixture
def reprints(db):
    """A 2009 pamphlet reprinting pieces first published in Socialist Organiser: one with a
    dateline, one with only a first-publication date, one undated, and its editorial."""
    origin = PublicationFactory(title="Socialist Organiser", slug="socialist-organiser")
    pamphlet = IssueFactory(
        publication__title="Workers’ Liberty", publication__slug="workers-liberty",
        slug="1989-1991-pamphlet", number="", date="2009~",
    )  # fmt: skip
    author = PersonFactory(name="Sean Matgamna", sort_name="Matgamna, Sean", slug="matgamna")
    dated = ArticleFactory(
        issue=pamphlet, position=2, title="Stalin’s system collapses", slug="stalin",
        date="1991-08", date_display="August 1991", first_published_in_publication=origin,
    )  # fmt: skip
    first = ArticleFactory(
        issue=pamphlet, position=3, title="The triumph of unreason", slug="unreason",
        date="", first_published_date="1985", first_published_in_publication=origin,
    )  # fmt: skip
    undated = ArticleFactory(
        issue=pamphlet, position=4, title="Lies against socialism answered", slug="lies",
        date="", first_published_in_publication=origin,
    )  # fmt: skip
    editorial = ArticleFactory(
        issue=pamphlet, position=1, title="Introduction", slug="introduction", date="",
        kind=models.Article.Kind.INTRODUCTION,
    )  # fmt: skip
    for article in (dated, first, undated, editorial):
        AuthorshipFactory(article=article, person=author)
    return {
        "origin": origin,
        "pamphlet": pamphlet,
        "author": author,
        "dated": dated,
        "first": first,
        "undated": undated,
        "editorial": editorial,
    }


def date_cell(html: str, title: str) -> str:
    """The issue contents row of ``title``, reduced to its date column's text."""
    row = re.search(rf">{re.escape(title)}</a>.*?</tr>", html, re.S)[0]
    cell = re.search(r'<td class="toc-date">(.*?)</td>', row, re.S)[1]
    return re.sub(r"<[^>]+>", "", cell).strip()


def test_every_article_date_says_where_it_comes_from(client, reprints):
    assert reprints["dated"].date_source == models.Article.DateSource.DATELINE
    assert reprints["undated"].date_source == models.Article.DateSource.UNDATED
    html = client.get(reprints["pamphlet"].get_absolute_url()).content.decode()
    assert date_cell(html, "Stalin’s system collapses").startswith("August 1991 (dateline)")
    assert date_cell(html, "The triumph of unreason") == "1985 (first published)"
    assert date_cell(html, "Lies against socialism answered") == "Undated"
    assert date_cell(html, "Introduction") == "c. 2009 (issue date)"
    assert 'title="Date from its first publication">1985</span>' in html


def test_an_undated_reprint_never_takes_the_reprint_date(client, reprints):
    undated = reprints["undated"]
    html = client.get(undated.get_absolute_url()).content.decode()
    date = re.search(r"<dt>Date</dt><dd>(.*?)</dd>", html, re.S)[1]
    assert re.sub(r"<[^>]+>", "", date) == "Undated"
    # The reprint is dated c. 2009 (what the reader holds); the article itself is not.
    assert '<meta name="citation_publication_date" content="2009">' in html
    ld = json.loads(re.search(r"application/ld\+json[^>]*>(.*?)</script>", html, re.S)[1])
    assert ld["datePublished"] == "2009" and ld["dateEDTF"] == "2009~"  # the reprint's
    assert "dateCreated" not in ld  # the article claims no date of its own
    assert "datePublished" not in ld["isBasedOn"]
    citation = re.search(r'<p class="citation">(.*?)</p>', html, re.S)[1]
    assert "First published in Socialist Organiser, n.d." in citation
    assert "Reprinted in Workers’ Liberty, issue of c. 2009." in citation
    # A reprint with only its first publication's date: that date is its own.
    html = client.get(reprints["first"].get_absolute_url()).content.decode()
    assert "First published in Socialist Organiser, 1985." in html
    ld = json.loads(re.search(r"application/ld\+json[^>]*>(.*?)</script>", html, re.S)[1])
    assert ld["dateCreated"] == "1985" and ld["isBasedOn"]["datePublished"] == "1985"
    assert '<meta name="DCTERMS.created" content="1985">' in html


def test_the_article_page_shows_the_dateline_and_its_printed_form(client, reprints):
    html = client.get(reprints["dated"].get_absolute_url()).content.decode()
    # The printed dateline says nothing the date in words does not: it is not repeated.
    assert (
        '<dt>Date</dt><dd><span class="article-date" title="Date from its dateline">'
        'August 1991</span> <span class="date-source">(dateline)</span></dd>'
    ) in html
    # A dateline printed otherwise is shown beside the date in words.
    dated = reprints["dated"]
    dated.date_display = "Aug. '91"
    dated.save()
    html = client.get(dated.get_absolute_url()).content.decode()
    assert "(dateline)</span>; dateline printed “Aug. &#x27;91”</dd>" in html
    # A reprint: Highwire names the reprint, Dublin Core the first appearance.
    assert '<meta name="citation_publication_date" content="2009">' in html
    source = "First published in Socialist Organiser, August 1991"
    assert f'<meta name="DC.source" content="{source}">' in html
    # The first publication is linked both ways.
    assert f'<a href="{reprints["origin"].get_absolute_url()}">Socialist Organiser</a>' in html


def test_a_publication_lists_the_articles_first_published_in_it(client, reprints):
    hidden = ArticleFactory(
        issue=reprints["pamphlet"], position=9, title="Draft reprint", status=DRAFT, body="",
        first_published_in_publication=reprints["origin"],
    )  # fmt: skip
    html = client.get(reprints["origin"].get_absolute_url()).content.decode()
    section = html[html.index('id="reprints-h"') :]
    titles = re.findall(r'<li><a href="[^"]+">([^<]+)</a>', section)
    # In effective-date order, undated last; a draft never.
    assert titles == [
        "The triumph of unreason",
        "Stalin’s system collapses",
        "Lies against socialism answered",
    ]
    assert hidden.title not in html
    assert '1985</span> <span class="date-source">(first published)' in section
    assert reprints["pamphlet"].get_absolute_url() in section  # where it was reprinted
    assert "by Sean Matgamna" in section
    # The pamphlet's own publication lists no reprints of itself.
    own = client.get(reprints["pamphlet"].publication.get_absolute_url()).content.decode()
    assert 'id="reprints-h"' not in own


def test_a_person_page_lists_what_they_wrote_by_effective_date(client, reprints):
    author = reprints["author"]
    draft = ArticleFactory(title="Unpublished essay", status=DRAFT, body="")
    AuthorshipFactory(article=draft, person=author)
    html = client.get(author.get_absolute_url()).content.decode()
    wrote = html[html.index("<h2>Wrote</h2>") : html.index("<h2>Mentioned in")]
    titles = re.findall(r'<li><a href="[^"]+">([^<]+)</a>', wrote)
    assert titles == [
        "The triumph of unreason",  # 1985, first published
        "Stalin’s system collapses",  # 1991-08, dateline
        "Introduction",  # 2009~, issue date
        "Lies against socialism answered",  # undated: last
    ]
    assert "Unpublished essay" not in html
    assert 'c. 2009</span> <span class="date-source">(issue date)' in wrote
    assert ">Undated</span>" in wrote


def test_entity_quotes_are_in_effective_date_order_undated_last(client, reprints):
    walesa = PersonFactory(name="Lech Wałęsa", slug="lech-walesa")
    for key in ("undated", "dated", "first"):
        MentionFactory(article=reprints[key], person=walesa, context=f"quote from {key}")
    html = client.get(walesa.get_absolute_url()).content.decode()
    order = [html.index(f"quote from {key}") for key in ("first", "dated", "undated")]
    assert order == sorted(order)
    assert "Mentioned in 3 articles" in html


def test_entity_quotes_page_through_dated_and_undated_articles(client, db):
    """Keyset pages over (effective date, article): the undated sort after every dated one
    and no article is skipped or repeated across pages."""
    walesa = PersonFactory(name="Lech Wałęsa", slug="lech-walesa")
    issue = IssueFactory()
    titles = []
    for i in range(45):
        date = "" if i % 3 == 0 else f"19{50 + i}"
        article = ArticleFactory(issue=issue, position=i + 1, title=f"Piece {i:02}", date=date)
        MentionFactory(article=article, person=walesa)
        titles.append(article.title)
    first = client.get(walesa.get_absolute_url()).content.decode()
    next_url = re.search(r'href="(\?after=[^"]+)" rel="next"', first)[1].replace("&amp;", "&")
    second = client.get(walesa.get_absolute_url() + next_url).content.decode()
    seen = re.findall(r">(Piece \d\d)</a>", first) + re.findall(r">(Piece \d\d)</a>", second)
    assert sorted(seen) == sorted(titles)
    dated = [t for t in seen if int(t[-2:]) % 3]
    assert seen[: len(dated)] == dated  # every dated piece before any undated one
    # And back: the second page's "previous" link gives the first page again.
    prev_url = re.search(r'href="(\?before=[^"]+)" rel="prev"', second)[1].replace("&amp;", "&")
    back = client.get(walesa.get_absolute_url() + prev_url).content.decode()
    assert re.findall(r">(Piece \d\d)</a>", back) == re.findall(r">(Piece \d\d)</a>", first)
    assert 'rel="prev"' not in first and 'rel="next"' not in second
    # A cursor the site did not make is refused, not guessed at.
    for bad in ("?after=garbage!", "?after=WzEsMl0", "?after=x&before=y"):  # [1,2]: ints
        assert client.get(walesa.get_absolute_url() + bad).status_code == 400


def test_the_article_and_event_pages_link_each_other(client, reprints):
    dated, undated = reprints["dated"], reprints["undated"]
    coup = EventFactory(title="August coup", slug="august-coup", date="1991-08-19/1991-08-21")
    banned = EventFactory(title="CPSU banned", slug="cpsu-banned", date="1991-11-06")
    coup.articles.add(dated, undated)
    MentionFactory(article=dated, person=None, event=banned, count=2)
    html = client.get(dated.get_absolute_url()).content.decode()
    events = html[html.index('id="events-h"') :]
    assert events.index("August coup") < events.index("CPSU banned")  # date order
    assert f'<a href="{coup.get_absolute_url()}">August coup</a>' in events
    assert "recorded here" in events and "mentioned ×2" in events
    # The event page lists its public articles with their dates, in date order.
    html = client.get(coup.get_absolute_url()).content.decode()
    recorded = html[html.index("<h2>Recorded in</h2>") :]
    assert recorded.index("Stalin’s system collapses") < recorded.index("Lies against")
    assert 'August 1991</span> <span class="date-source">(dateline)' in recorded
    assert ">Undated</span>" in recorded
    assert "by Sean Matgamna" in recorded
    mentioned = client.get(banned.get_absolute_url()).content.decode()
    assert f'href="{dated.get_absolute_url()}"' in mentioned
    assert "Mentioned in" in mentioned


def test_new_page_sections_cost_the_same_queries_for_more_rows(client, settings):
    """The reprint list, the events on an article page, an event's articles and a person's
    writings are each read in a fixed number of queries, whatever their length."""
    settings.PAGE_CACHE_SECONDS = 0

    def build(n: int, prefix: str) -> dict[str, str]:
        origin = PublicationFactory(title=f"{prefix} Origin")
        author = PersonFactory(name=f"{prefix} Author")
        event = EventFactory(title=f"{prefix} Event")
        issue = IssueFactory()
        articles = []
        for i in range(n):
            article = ArticleFactory(
                issue=issue, position=i + 1, first_published_in_publication=origin,
                date="" if i % 2 else f"19{60 + i}",
            )  # fmt: skip
            AuthorshipFactory(article=article, person=author)
            AuthorshipFactory(article=article, person=PersonFactory(), order=2)
            event.articles.add(article)
            articles.append(article)
        for i in range(n):
            other = EventFactory(title=f"{prefix} Other {i}")
            other.articles.add(articles[0])
            MentionFactory(article=articles[0], person=None, event=EventFactory())
        return {
            "origin": origin.get_absolute_url(),
            "author": author.get_absolute_url(),
            "event": event.get_absolute_url(),
            "article": articles[0].get_absolute_url(),
            "issue": issue.get_absolute_url(),
        }

    def cost(urls: dict[str, str]) -> dict[str, int]:
        counts = {}
        for name, url in urls.items():
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200, name
            counts[name] = len(ctx)
        return counts

    small = cost(build(2, "small"))
    large = cost(build(9, "large"))
    assert large == small
    assert max(large.values()) <= 20, large
