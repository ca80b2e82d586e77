"""A small archive with every kind of record and link, plus records the public must not see."""

from __future__ import annotations

import pytest

from archive import models
from tests.factories import (
    AliasFactory,
    ArticleFactory,
    AuthorshipFactory,
    EventFactory,
    IssueFactory,
    MentionFactory,
    OrganisationFactory,
    PersonFactory,
    PlaceFactory,
    PublicationFactory,
)

DRAFT = models.Status.DRAFT


@pytest.fixture
def dataset_root(settings, tmp_path, monkeypatch):
    """Releases in a throwaway folder; no fsync (throwaway files need no crash safety)."""
    from archive.datasets import releases

    monkeypatch.setattr(releases, "_sync", lambda fd: None)
    settings.DATASET_ROOT = tmp_path / "datasets"
    return settings.DATASET_ROOT


@pytest.fixture
def small_archive():
    """Records with the seed's own strings; a draft in every place a draft can hide."""
    awl = OrganisationFactory(name="Alliance for Workers’ Liberty", acronym="AWL", founded="1966")
    solidarnosc = OrganisationFactory(name="Solidarność", parent=awl)
    draft_org = OrganisationFactory(name="Draft organisation", status=DRAFT)
    gdansk = PlaceFactory(name="Gdańsk", latitude="54.35200", longitude="18.64660")
    wl = PublicationFactory(title="Workers’ Liberty", publisher=awl, place=gdansk, run="1986/..")
    so = PublicationFactory(title="Socialist Organiser", publisher=draft_org)
    issue = IssueFactory(publication=wl, date="1990-01", date_display="January 1990")
    walesa = PersonFactory(name="Lech Wałęsa", sort_name="Wałęsa, Lech", birth="1943-09-29")
    AliasFactory(person=walesa, name="Walesa", kind=models.Alias.Kind.SOURCE_SPELLING)
    ceausescu = PersonFactory(name="Nicolae Ceaușescu", sort_name="Ceaușescu, Nicolae")
    AliasFactory(person=ceausescu, name="Ceauşescu")  # ş U+015F as some sources print it
    draft_person = PersonFactory(name="Draft Person", status=DRAFT)
    AliasFactory(person=draft_person, name="Hidden alias")
    first = ArticleFactory(
        issue=issue, position=1, title="The risen people", date="",
        body="## Poland\n\nTrotsky’s heirs & Wałęsa’s union.\n\n=SUM(A1) is not a formula.",
        first_published_in_publication=so, first_published_date="1989-12",
    )  # fmt: skip
    second = ArticleFactory(
        issue=issue, position=2, title="Stalinism <collapses> & “after”", date="1991-08~",
        first_published_in_issue=issue,
    )  # fmt: skip
    draft_article = ArticleFactory(issue=issue, position=3, title="Draft", status=DRAFT)
    draft_issue = IssueFactory(publication=wl, status=DRAFT)
    hidden_article = ArticleFactory(issue=draft_issue, position=1, title="In a draft issue")
    AuthorshipFactory(article=first, person=walesa)
    AuthorshipFactory(article=second, person=draft_person)
    AuthorshipFactory(article=hidden_article, person=walesa)
    MentionFactory(article=first, person=ceausescu, count=2, context="Ceaușescu fell")
    MentionFactory(article=first, person=None, organisation=solidarnosc)
    MentionFactory(article=first, person=None, place=gdansk)
    MentionFactory(article=second, person=walesa, status=models.Mention.Status.REJECTED)
    MentionFactory(article=draft_article, person=walesa)
    coup = EventFactory(title="August coup", date="1991-08-19")
    coup.places.add(gdansk)
    coup.articles.add(second, hidden_article)
    models.EventParticipant.objects.create(event=coup, person=walesa, role="leader")
    models.EventParticipant.objects.create(event=coup, organisation=solidarnosc)
    models.EventParticipant.objects.create(event=coup, person=draft_person)
    MentionFactory(article=second, person=None, event=coup)
    models.Illustration.objects.create(article=first, caption="Gdańsk shipyard, 1980", page="3")
    models.Illustration.objects.create(article=hidden_article, caption="Hidden caption")
    return {
        "public_articles": [first, second],
        "hidden_articles": [draft_article, hidden_article],
        "walesa": walesa,
        "draft_person": draft_person,
        "draft_org": draft_org,
    }
