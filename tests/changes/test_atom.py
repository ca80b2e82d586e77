"""The Atom feed of newly published articles: public ones only, newest publication first."""

from __future__ import annotations

import pytest
from lxml import etree

from archive import models, services
from tests.factories import ArticleFactory, AuthorshipFactory, IssueFactory, PersonFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def entries(client) -> list:
    response = client.get("/feeds/articles.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return etree.fromstring(response.content).findall(f"{ATOM}entry")


def test_the_feed_lists_published_articles_and_never_a_draft(client):
    first = ArticleFactory(title="The risen people", date="")
    AuthorshipFactory(article=first, person=PersonFactory(name="Lech Wałęsa"))
    AuthorshipFactory(article=first, person=PersonFactory(name="Hidden", status="draft"))
    ArticleFactory(title="A draft", status=models.Status.DRAFT)
    ArticleFactory(title="Under a draft issue", issue=IssueFactory(status="draft"))
    found = entries(client)
    assert [e.findtext(f"{ATOM}title") for e in found] == ["The risen people"]
    assert found[0].findtext(f"{ATOM}author/{ATOM}name") == "Lech Wałęsa"
    assert "undated" in found[0].findtext(f"{ATOM}summary")
    link = found[0].find(f"{ATOM}link").get("href")
    assert link.endswith(first.get_absolute_url())


def test_a_newly_published_article_comes_first_and_a_withdrawn_one_leaves(client):
    old = ArticleFactory(title="Old news")
    draft = ArticleFactory(title="Fresh", status=models.Status.DRAFT)
    entries(client)
    services.records_set_status(
        queryset=models.Article.objects.filter(pk=draft.pk), status=models.Status.PUBLISHED
    )
    assert [e.findtext(f"{ATOM}title") for e in entries(client)] == ["Fresh", "Old news"]
    services.records_set_status(
        queryset=models.Article.objects.filter(pk=old.pk), status=models.Status.DRAFT
    )
    assert [e.findtext(f"{ATOM}title") for e in entries(client)] == ["Fresh"]


def test_every_page_announces_the_feed_so_a_feed_reader_finds_it(client):
    article = ArticleFactory(title="Found by a feed reader")
    for url in ("/", article.get_absolute_url(), "/search/?q=reader"):
        html = etree.HTML(client.get(url).content)
        links = html.xpath('//head/link[@rel="alternate"][@type="application/atom+xml"]')
        assert [link.get("href") for link in links] == ["/feeds/articles.atom"], url
    assert entries(client)  # and the announced address answers with the feed
