"""The pages obey the model layer's visibility rule, whole chain included.

A published record under an unpublished parent (an article in a draft issue, an issue of a
draft publication) is a 404 and is listed on no page; a draft person is never credited; a
draft or rejected link is never shown. Each case is checked on every page that could show
it, with the other side (the public record is shown) checked on the same pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from archive import models
from tests.factories import (
    ArticleFactory,
    AuthorshipFactory,
    EventFactory,
    IllustrationFactory,
    IssueFactory,
    MentionFactory,
    OrganisationFactory,
    PersonFactory,
    PlaceFactory,
    PublicationFactory,
    UserFactory,
)
from tests.views.sitemaps import sitemap_text

pytestmark = pytest.mark.django_db

DRAFT = models.Status.DRAFT
REVIEW = models.Status.REVIEW


@dataclass
class Scene:
    """One public article and one published article hidden by a parent, sharing everything
    else: author, mentioned person, organisation and place, event, and a first publication."""

    publication: models.Publication
    issue: models.Issue
    shown: models.Article
    hidden: models.Article
    hidden_issue: models.Issue
    author: models.Person
    walesa: models.Person
    solidarity: models.Organisation
    gdansk: models.Place
    strike: models.Event
    origin: models.Publication


def build_scene(hide: str) -> Scene:
    """``hide`` = "issue": the hidden article is in a draft issue of the public publication;
    "publication": it is in a published issue of a draft publication."""
    publication = PublicationFactory(title="Workers’ Liberty", slug="workers-liberty")
    origin = PublicationFactory(title="Socialist Organiser", slug="socialist-organiser")
    issue = IssueFactory(publication=publication, slug="no-1", number="1", date="1990-01")
    if hide == "issue":
        hidden_issue = IssueFactory(
            publication=publication, slug="no-2", number="2", date="1990-02", status=DRAFT
        )
    else:
        hidden_pub = PublicationFactory(title="Draft Bulletin", slug="draft-bulletin", status=DRAFT)
        hidden_issue = IssueFactory(publication=hidden_pub, slug="no-9", number="9")
    author = PersonFactory(name="Rosa Writer", slug="rosa-writer")
    walesa = PersonFactory(name="Lech Wałęsa", sort_name="Wałęsa, Lech", slug="lech-walesa")
    solidarity = OrganisationFactory(name="Solidarność", slug="solidarnosc")
    gdansk = PlaceFactory(name="Gdańsk", slug="gdansk")
    strike = EventFactory(title="August strikes", slug="august-strikes", date="1980-08")
    articles = []
    for issue_, title, slug, words in (
        (issue, "Shown article", "shown", "visible words"),
        (hidden_issue, "Hidden article", "hidden", "secret words"),
    ):
        article = ArticleFactory(
            issue=issue_, position=1, title=title, slug=slug,
            body=f"Wałęsa spoke for Solidarność in Gdańsk: {words}.",
            first_published_in_publication=origin,
        )  # fmt: skip
        AuthorshipFactory(article=article, person=author)
        MentionFactory(article=article, person=walesa, context=f"Wałęsa spoke, {words}")
        MentionFactory(article=article, person=None, organisation=solidarity, context=words)
        MentionFactory(article=article, person=None, place=gdansk, context=words)
        MentionFactory(article=article, person=None, event=strike, context=words)
        strike.articles.add(article)
        IllustrationFactory(article=article, caption=f"Caption of the {slug} article")
        articles.append(article)
    return Scene(
        publication, issue, articles[0], articles[1], hidden_issue, author, walesa,
        solidarity, gdansk, strike, origin,
    )  # fmt: skip


def every_page(scene: Scene) -> dict[str, str]:
    """Every public page that lists articles, issues or what articles say."""
    return {
        "home": "/",
        "publications": "/publications/",
        "publication": scene.publication.get_absolute_url(),
        "origin": scene.origin.get_absolute_url(),
        "issue": scene.issue.get_absolute_url(),
        "article": scene.shown.get_absolute_url(),
        "author": scene.author.get_absolute_url(),
        "person": scene.walesa.get_absolute_url(),
        "organisation": scene.solidarity.get_absolute_url(),
        "place": scene.gdansk.get_absolute_url(),
        "event": scene.strike.get_absolute_url(),
        "timeline": "/timeline/",
        "people": "/people/",
        "sitemap": "/sitemap.xml",
        "sitemap issues": "/sitemap-issues.xml",
        "sitemap articles": "/sitemap-articles.xml",
    }


@pytest.mark.parametrize("hide", ["issue", "publication"])
def test_a_published_article_under_a_draft_parent_is_404_and_listed_nowhere(client, hide):
    scene = build_scene(hide)
    assert client.get(scene.hidden.get_absolute_url()).status_code == 404
    assert client.get(scene.hidden_issue.get_absolute_url()).status_code == 404
    assert client.get(scene.shown.get_absolute_url()).status_code == 200
    hidden_url = scene.hidden.get_absolute_url()
    for name, url in every_page(scene).items():
        response = client.get(url)
        assert response.status_code == 200, name
        html = response.content.decode()
        assert "Hidden article" not in html, name
        assert hidden_url not in html, name
        assert "secret words" not in html, name  # no quote or snippet from it
        assert scene.hidden_issue.get_absolute_url() not in html, name
        assert "Caption of the hidden article" not in html, name
    # The other side: the public article is where it should be.
    for name in ("issue", "author", "person", "organisation", "place", "event", "origin"):
        html = client.get(every_page(scene)[name]).content.decode()
        assert scene.shown.get_absolute_url() in html, name
    for name in ("person", "organisation", "place"):
        html = client.get(every_page(scene)[name]).content.decode()
        assert "Mentioned in 1 article" in html, name
        assert "visible words" in html, name
    home = client.get("/").content.decode()
    assert "<strong>1</strong> article</li>" in home  # one, not "1 articles"
    sitemap = sitemap_text(client)
    assert scene.shown.get_absolute_url() in sitemap
    assert scene.issue.get_absolute_url() in sitemap


def test_an_issue_of_a_draft_publication_is_404(client):
    scene = build_scene("publication")
    publication = scene.hidden_issue.publication
    assert client.get(publication.get_absolute_url()).status_code == 404
    assert client.get(scene.hidden_issue.get_absolute_url()).status_code == 404
    assert "Draft Bulletin" not in client.get("/publications/").content.decode()
    assert "Draft Bulletin" not in client.get("/").content.decode()


def test_staff_preview_says_which_parent_hides_a_published_article(client):
    scene = build_scene("issue")
    client.force_login(UserFactory())
    response = client.get(scene.hidden.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Staff preview" in html
    assert "published, in an unpublished issue (draft)" in html
    assert "no-store" in response["Cache-Control"]
    # The issue's contents show staff the draft issue's articles, uncached.
    response = client.get(scene.hidden_issue.get_absolute_url())
    assert response.status_code == 200 and "Hidden article" in response.content.decode()


def test_a_draft_author_is_credited_nowhere(client):
    scene = build_scene("issue")
    ghost = PersonFactory(name="Ghost Writer", slug="ghost-writer", status=REVIEW)
    AuthorshipFactory(article=scene.shown, person=ghost, order=2)
    alone = ArticleFactory(
        issue=scene.issue, position=2, title="Only a ghost wrote this", slug="ghost-only",
        first_published_in_publication=scene.origin,
    )  # fmt: skip
    AuthorshipFactory(article=alone, person=ghost)
    scene.strike.articles.add(alone)
    pages = {
        "article": scene.shown.get_absolute_url(),
        "alone": alone.get_absolute_url(),
        "issue": scene.issue.get_absolute_url(),
        "origin": scene.origin.get_absolute_url(),
        "event": scene.strike.get_absolute_url(),
        "people": "/people/",
    }
    for name, url in pages.items():
        html = client.get(url).content.decode()
        assert "Ghost Writer" not in html, name
        assert ghost.get_absolute_url() not in html, name
    assert client.get(ghost.get_absolute_url()).status_code == 404
    # The public co-author is still credited, in the byline and the citation meta tags.
    html = client.get(scene.shown.get_absolute_url()).content.decode()
    assert f'<a href="{scene.author.get_absolute_url()}">Rosa Writer</a>' in html
    assert '<meta name="citation_author" content="Rosa Writer">' in html
    # An article whose only author is a draft person is unsigned.
    html = client.get(alone.get_absolute_url()).content.decode()
    assert "<dt>Author</dt><dd>Unsigned</dd>" in html
    assert "citation_author" not in html
    assert '"author"' not in re.search(r"application/ld\+json[^>]*>(.*?)</script>", html, re.S)[1]
    # Once published, the same person is credited (the rule, not a deletion, hid them).
    ghost.status = models.Status.PUBLISHED
    ghost.save()
    html = client.get(alone.get_absolute_url()).content.decode()
    assert f'<a href="{ghost.get_absolute_url()}">Ghost Writer</a>' in html


@pytest.mark.parametrize("kind", ["person", "organisation", "place", "event"])
def test_a_draft_target_is_not_linked_or_listed_on_the_article_page(client, kind):
    scene = build_scene("issue")
    target = {
        "person": scene.walesa,
        "organisation": scene.solidarity,
        "place": scene.gdansk,
        "event": scene.strike,
    }[kind]
    url = target.get_absolute_url()
    article_url = scene.shown.get_absolute_url()
    assert url in client.get(article_url).content.decode()  # public: linked
    target.status = DRAFT
    target.save()
    html = client.get(article_url).content.decode()
    assert url not in html
    aside = html[html.index("<aside") :]
    name = getattr(target, "name", None) or target.title
    assert name not in aside  # not in the mention lists, events, citation or JSON-LD
    assert f'class="mention" href="{url}"' not in html


def test_a_draft_event_recording_a_public_article_is_not_shown(client):
    article = ArticleFactory(title="The strike", slug="the-strike")
    recorded = EventFactory(title="Round table talks", slug="round-table", date="1989-02")
    draft = EventFactory(title="Unvetted meeting", slug="unvetted", status=DRAFT)
    recorded.articles.add(article)
    draft.articles.add(article)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Round table talks" in html and recorded.get_absolute_url() in html
    assert "recorded here" in html
    assert "Unvetted meeting" not in html and draft.get_absolute_url() not in html


def test_a_rejected_mention_is_never_shown(client):
    scene = build_scene("issue")
    trotsky = PersonFactory(name="Leon Trotsky", slug="leon-trotsky")
    MentionFactory(
        article=scene.shown, person=trotsky, context="Trotsky was wrongly linked here",
        status=models.Mention.Status.REJECTED,
    )  # fmt: skip
    article_html = client.get(scene.shown.get_absolute_url()).content.decode()
    assert trotsky.get_absolute_url() not in article_html
    assert "Leon Trotsky" not in article_html
    person_html = client.get(trotsky.get_absolute_url()).content.decode()
    assert "Mentioned in 0 articles" in person_html
    assert "wrongly linked" not in person_html and "Shown article" not in person_html
    # Nor does it make Trotsky "often mentioned alongside" Wałęsa.
    walesa_html = client.get(scene.walesa.get_absolute_url()).content.decode()
    assert "Leon Trotsky" not in walesa_html
    assert "Solidarność" in walesa_html  # the public co-mention is there


def test_illustrations_show_only_with_a_public_article(client):
    scene = build_scene("issue")
    html = client.get(scene.shown.get_absolute_url()).content.decode()
    assert "<figcaption>Caption of the shown article</figcaption>" in html
    draft = ArticleFactory(issue=scene.issue, position=5, title="Draft piece", status=DRAFT)
    IllustrationFactory(article=draft, caption="Caption of a draft article")
    assert client.get(draft.get_absolute_url()).status_code == 404
    for url in every_page(scene).values():
        assert "Caption of a draft article" not in client.get(url).content.decode(), url


def test_an_entity_page_quotes_only_public_mentions_of_public_articles(client):
    walesa = PersonFactory(name="Lech Wałęsa", slug="lech-walesa")
    public = ArticleFactory(title="Public piece", date="1989-12-03")
    MentionFactory(article=public, person=walesa, context="quoted in public")
    draft = ArticleFactory(title="Draft piece", status=DRAFT, body="")
    MentionFactory(article=draft, person=walesa, context="quoted in a draft")
    hidden = ArticleFactory(title="Reviewed issue piece", issue__status=REVIEW)
    MentionFactory(article=hidden, person=walesa, context="quoted in a hidden issue")
    rejected = ArticleFactory(title="Rejected link piece")
    MentionFactory(
        article=rejected, person=walesa, context="quoted by mistake",
        status=models.Mention.Status.REJECTED,
    )  # fmt: skip
    html = client.get(walesa.get_absolute_url()).content.decode()
    assert "Mentioned in 1 article" in html
    assert "quoted in public" in html and "Public piece" in html
    for text in ("quoted in a draft", "quoted in a hidden issue", "quoted by mistake"):
        assert text not in html
    for title in ("Draft piece", "Reviewed issue piece", "Rejected link piece"):
        assert title not in html


def test_a_publication_names_its_publisher_and_place_only_when_public(client):
    publisher = OrganisationFactory(name="Unvetted Press", slug="unvetted-press", status=DRAFT)
    place = PlaceFactory(name="Secret City", slug="secret-city", status=DRAFT)
    predecessor = PublicationFactory(title="Old Draft Title", slug="old-draft", status=DRAFT)
    publication = PublicationFactory(
        title="Workers’ Liberty", publisher=publisher, place=place, predecessor=predecessor
    )
    IssueFactory(publication=publication)
    for url in ("/", "/publications/", publication.get_absolute_url()):
        html = client.get(url).content.decode()
        for name in ("Unvetted Press", "Secret City", "Old Draft Title"):
            assert name not in html, (url, name)
    for record in (publisher, place, predecessor):
        record.status = models.Status.PUBLISHED
        record.save()
    html = client.get(publication.get_absolute_url()).content.decode()
    assert "Unvetted Press" in html and "Secret City" in html and "Old Draft Title" in html


def test_a_draft_parent_organisation_is_not_named(client):
    parent = OrganisationFactory(name="Hidden Federation", slug="hidden-fed", status=DRAFT)
    child = OrganisationFactory(name="Local Branch", slug="local-branch", parent=parent)
    assert "Hidden Federation" not in client.get(child.get_absolute_url()).content.decode()
    parent.status = models.Status.PUBLISHED
    parent.save()
    assert "Hidden Federation" in client.get(child.get_absolute_url()).content.decode()


def test_the_timeline_names_only_public_participants_and_places(client):
    event = EventFactory(title="General strike", slug="general-strike", date="1981-03")
    shown = PersonFactory(name="Anna Walentynowicz", slug="anna-w")
    hidden = PersonFactory(name="Draft Striker", slug="draft-striker", status=DRAFT)
    secret = PlaceFactory(name="Secret Yard", slug="secret-yard", status=DRAFT)
    models.EventParticipant.objects.create(event=event, person=shown)
    models.EventParticipant.objects.create(event=event, person=hidden)
    event.places.add(secret)
    for url in ("/timeline/", event.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "Anna Walentynowicz" in html, url
        assert "Draft Striker" not in html and "Secret Yard" not in html, url
    # Filter choices follow the same rule.
    html = client.get("/timeline/").content.decode()
    assert 'value="anna-w"' in html and 'value="draft-striker"' not in html
