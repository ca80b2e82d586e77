"""A small world of records for the page tests, buildable at two sizes."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass
class World:
    publication: models.Publication
    issue: models.Issue
    article: models.Article
    person: models.Person
    organisation: models.Organisation
    place: models.Place
    event: models.Event


def build_world(size: int, prefix: str = "") -> World:
    """``size`` articles in one issue, each mentioning and authored by its own person, all
    mentioning one organisation and one place; ``size`` events with participants."""
    publication = PublicationFactory(
        title=f"{prefix}Workers’ Liberty", slug=f"{prefix}workers-liberty"
    )
    issue = IssueFactory(publication=publication, slug="pamphlet", number="1", date="1991")
    walesa = PersonFactory(
        name="Lech Wałęsa", sort_name="Wałęsa, Lech", slug=f"{prefix}lech-walesa"
    )
    AliasFactory(person=walesa, name=f"{prefix}Walesa")
    solidarity = OrganisationFactory(
        name=f"{prefix}Solidarność", slug=f"{prefix}solidarnosc", acronym="NSZZ"
    )
    gdansk = PlaceFactory(name=f"{prefix}Gdańsk", slug=f"{prefix}gdansk")
    first = None
    for i in range(size):
        article = ArticleFactory(
            issue=issue,
            position=i + 1,
            title=f"The risen people {i}",
            slug=f"the-risen-people-{i}",
            body=(
                "## The strike\n\nWalesa led Solidarność in Gdańsk.\n\n"
                f"## Aftermath\n\nTrotsky’s heirs wrote part {i}."
            ),
        )
        first = first or article
        author = PersonFactory(name=f"{prefix}Author {i}", slug=f"{prefix}author-{i}")
        AuthorshipFactory(article=article, person=author)
        MentionFactory(article=article, person=walesa, count=2, context="Walesa led Solidarność")
        MentionFactory(article=article, person=None, organisation=solidarity)
        MentionFactory(article=article, person=None, place=gdansk)
        MentionFactory(article=article, person=author)
        event = EventFactory(
            title=f"{prefix}Strike {i}", slug=f"{prefix}strike-{i}", date=f"{1980 + i % 10}-08"
        )
        event.places.add(gdansk)
        event.articles.add(article)
        models.EventParticipant.objects.create(event=event, person=walesa)
        models.EventParticipant.objects.create(event=event, organisation=solidarity)
    return World(publication, issue, first, walesa, solidarity, gdansk, event)


@pytest.fixture
def world(db) -> World:
    return build_world(3)
