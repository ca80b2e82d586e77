"""End to end over the seed collection: its reprints, its undated pieces and its events, as
the pages show them, and the whole chain of visibility when its one issue is withdrawn."""

from __future__ import annotations

import re

import pytest

from archive import models
from tests.seed import seed_collection
from tests.views.sitemaps import sitemap_text

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def collection(django_db_setup, django_db_blocker):
    """The seed loaded once per module and rolled back afterwards."""
    with django_db_blocker.unblock(), seed_collection():
        yield


def article(slug: str) -> models.Article:
    return models.Article.objects.select_related("issue__publication").get(slug=slug)


def shown_date(html: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(r"<dt>Date</dt><dd>(.*?)</dd>", html, re.S)[1])


def test_the_undated_reprint_is_undated_not_2009(client, collection):
    lies = article("lies-against-socialism-answered")
    assert lies.issue.date == "2009~"  # the pamphlet that reprints it
    html = client.get(lies.get_absolute_url()).content.decode()
    assert shown_date(html) == "Undated"
    # Cited as the c. 2009 reprint it is, its first appearance undated: 2009 is the
    # reprint's date, never the article's own.
    citation = re.search(r'<p class="citation">(.*?)</p>', html, re.S)[1]
    assert "First published in Socialist Organiser, n.d." in citation
    assert "Reprinted in Workers’ Liberty, issue of c. 2009." in citation
    assert '<meta name="citation_publication_date" content="2009">' in html
    assert "DCTERMS.created" not in html  # no date of its own is claimed
    organiser = models.Publication.objects.get(slug="socialist-organiser")
    assert f'<a href="{organiser.get_absolute_url()}">Socialist Organiser</a>' in html


def test_seed_dates_follow_the_rule_on_the_article_pages(client, collection):
    expected = {
        "timeline": "c. 2009 (issue date)",
        "stalins-system-collapses": "August 1991 (dateline)",
        "and-where-were-jacob-sverdlovs-sons": "Undated",
        "the-system-they-overthrew": "1968 (dateline)",
    }
    for slug, text in expected.items():
        html = client.get(article(slug).get_absolute_url()).content.decode()
        assert shown_date(html).startswith(text), slug


def test_socialist_organiser_lists_what_it_first_published(client, collection):
    organiser = models.Publication.objects.get(slug="socialist-organiser")
    html = client.get(organiser.get_absolute_url()).content.decode()
    section = html[html.index('id="reprints-h"') :]
    titles = re.findall(r'<li><a href="[^"]+">([^<]+)</a>', section)
    assert titles == [
        "Stalin’s system collapses",
        "The triumph of unreason: market madness in the ex-USSR",
        "Lies against socialism answered",  # undated: last
    ]


def test_an_event_and_the_articles_recording_it_link_each_other(client, collection):
    coup = models.Event.objects.get(slug="august-coup")
    html = client.get(coup.get_absolute_url()).content.decode()
    recorded = html[html.index("<h2>Recorded in</h2>") :]
    for linked in coup.articles.all():
        assert f'href="{linked.get_absolute_url()}"' in recorded
        page = client.get(linked.get_absolute_url()).content.decode()
        assert f'href="{coup.get_absolute_url()}"' in page[page.index('id="events-h"') :]


def test_withdrawing_the_seed_issue_hides_every_article_everywhere(client, collection):
    issue = models.Issue.objects.get()
    articles = list(models.Article.objects.select_related("issue__publication"))
    urls = [a.get_absolute_url() for a in articles]
    assert all(client.get(url).status_code == 200 for url in urls[:3])
    issue.status = models.Status.REVIEW
    issue.save()
    assert all(client.get(url).status_code == 404 for url in urls)
    sitemap = sitemap_text(client)
    assert not any(url in sitemap for url in urls)
    assert "<strong>0</strong> articles" in client.get("/").content.decode()
    mentioned = models.Person.objects.filter(mentions__isnull=False).distinct()[:5]
    for person in mentioned:
        html = client.get(person.get_absolute_url()).content.decode()
        assert "Mentioned in 0 articles" in html, person.slug
        assert not any(url in html for url in urls), person.slug
    coup = client.get("/events/august-coup/").content.decode()
    assert "Recorded in" not in coup and not any(url in coup for url in urls)
