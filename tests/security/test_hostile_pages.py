"""Hostile input on the public pages and in the admin: never a 500, stored markup escaped."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from archive.models import Status
from tests.factories import (
    AliasFactory,
    ArticleFactory,
    AuthorshipFactory,
    EventFactory,
    IllustrationFactory,
    MentionFactory,
    OrganisationFactory,
    PersonFactory,
    PlaceFactory,
    UserFactory,
)
from tests.security.hostile import EVERYTHING, HUGE, LIVE_MARKUP, MARKER, XSS, XSS_SHORT

pytestmark = pytest.mark.django_db

# Every public list/search page and the parameters it reads, plus one it does not know.
PAGES = {
    "/search/": ["q", "sort", "kind", "page", "year_from", "year_to", "decade", "person"],
    "/people/": ["q", "letter", "kind", "mentioned", "after", "before"],
    "/organisations/": ["q", "letter", "kind", "after"],
    "/places/": ["q", "letter", "after"],
    "/publications/": ["after", "before"],
    "/timeline/": ["person", "organisation", "place", "after", "kind", "year"],
    "/": ["q"],
}
UNKNOWN = "no_such_parameter"


@pytest.fixture
def seeded(db):
    article = ArticleFactory(title="Wałęsa and Ceaușescu", body="Solidarity at the gate.")
    PersonFactory(name="Lech Wałęsa", slug="lech-walesa")
    return article


@pytest.mark.parametrize("path", list(PAGES))
def test_no_hostile_value_in_any_parameter_is_a_server_error(client, seeded, path):
    failures = []
    for name in [*PAGES[path], UNKNOWN]:
        for value in EVERYTHING:
            response = client.get(path, {name: value})
            if response.status_code >= 500:
                failures.append((name, value[:40], response.status_code))
            elif response.status_code == 400:
                # 400s name the parameter (the NUL guard and the pages' BadParameter do).
                assert name in response.content.decode(), (name, value[:40])
            else:
                assert response.status_code in (200, 301, 302, 404), (name, value[:40])
    assert failures == []


@pytest.mark.parametrize("path", list(PAGES))
def test_nul_in_a_query_parameter_is_a_400_naming_it(client, seeded, path):
    response = client.get(path, {"q": "Wałęsa\x00"})
    assert response.status_code == 400
    assert "q: contains a NUL character" in response.content.decode()
    assert client.get(path, {"q": "Wałęsa"}).status_code in (200, 302)  # the other side


def test_huge_query_strings_are_refused_or_capped(client, seeded):
    response = client.get("/search/", {"q": HUGE})
    assert response.status_code == 400
    assert "q" in response.content.decode()
    assert client.get("/search/", {"page": "1" + "0" * 40}).status_code == 400
    many = "&".join(f"p{i}=x" for i in range(900))  # below Django's 1000-field cap
    assert client.get(f"/search/?q=walesa&{many}").status_code in (200, 400)
    too_many = "&".join(f"p{i}=x" for i in range(1200))  # DATA_UPLOAD_MAX_NUMBER_FIELDS
    assert client.get(f"/search/?{too_many}").status_code == 400


def test_invalid_utf8_in_the_query_string_is_not_a_server_error(client, seeded):
    for raw in ("q=%ff%fe", "q=%c3%28", "%ff=1", "q=%ed%a0%80"):
        assert client.get(f"/search/?{raw}").status_code < 500, raw
        assert client.get(f"/people/?{raw}").status_code < 500, raw


@pytest.fixture
def poisoned(db):
    """Published records whose every reader-visible text carries XSS payloads."""
    person = PersonFactory(name=f"{XSS_SHORT} Wałęsa {MARKER}", slug="poison-person")
    organisation = OrganisationFactory(name=f"{XSS_SHORT} {MARKER} Union", slug="poison-org")
    place = PlaceFactory(name=f"{XSS_SHORT} {MARKER} Gdańsk", slug="poison-place")
    AliasFactory(person=person, name=f"{XSS_SHORT} alias")
    article = ArticleFactory(
        title=f"{XSS_SHORT} {MARKER} title", subtitle=XSS, body=f"{XSS}\n\n{XSS} second.",
        slug="poison-article",
    )  # fmt: skip
    issue = article.issue
    issue.title = f"{XSS_SHORT} issue"
    issue.save()
    publication = issue.publication
    publication.title = f"{XSS_SHORT} {MARKER} publication"
    publication.description = XSS
    publication.save()
    IllustrationFactory(article=article, caption=XSS)
    AuthorshipFactory(article=article, person=person)
    MentionFactory(article=article, person=person, context=XSS)
    event = EventFactory(title=f"{XSS_SHORT} {MARKER} strike", slug="poison-event",
                         description=XSS)  # fmt: skip
    event.articles.add(article)
    return [publication, issue, article, person, organisation, place, event]


def assert_escaped(response, where: str) -> None:
    html = response.content.decode()
    live = LIVE_MARKUP.search(html)
    assert live is None, (
        f"{where}: live markup {html[max(live.start() - 80, 0) : live.end() + 80]!r}"
    )


def test_stored_payloads_are_escaped_on_every_public_page(client, poisoned):
    urls = [obj.get_absolute_url() for obj in poisoned]
    urls += [*PAGES, "/search/?q=" + MARKER, "/search/?q=alert", "/people/?q=" + MARKER,
             "/organisations/?q=" + MARKER, "/places/?q=" + MARKER, "/timeline/?q=" + MARKER,
             "/sitemap.xml"]  # fmt: skip
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response, url)
    # The search page really found the poisoned article and rendered its highlight.
    search = client.get("/search/", {"q": MARKER}).content.decode()
    assert "poison-article" in search
    assert "&lt;script&gt;" in search or "&lt;svg" in search


def test_stored_payloads_are_escaped_in_the_admin(poisoned):
    user = UserFactory(username="cur")
    user.groups.add(Group.objects.get(name="Curator"))
    client = Client()
    client.force_login(user)
    for obj in poisoned:
        name = obj._meta.model_name
        for url in (
            reverse(f"admin:archive_{name}_changelist"),
            reverse(f"admin:archive_{name}_changelist") + f"?q={MARKER}",
            reverse(f"admin:archive_{name}_change", args=[obj.pk]),
            reverse(f"admin:archive_{name}_history", args=[obj.pk]),
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            assert_escaped(response, url)
    for name in ("illustration", "mention", "alias", "authorship"):
        response = client.get(reverse(f"admin:archive_{name}_changelist"))
        assert_escaped(response, name)


def test_unpublished_poison_is_not_shown_at_all(client, poisoned):
    article = poisoned[2]
    article.status = Status.DRAFT
    article.save()
    assert client.get(article.get_absolute_url()).status_code == 404
