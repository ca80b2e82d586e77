"""Each database constraint holds, tested from both sides (allowed and refused)."""

import pytest
from django.db import IntegrityError, connection, transaction

from archive.models import Alias, EventParticipant, Mention, Status
from tests.factories import (
    AliasFactory,
    ArticleFactory,
    AuthorshipFactory,
    EventFactory,
    IllustrationFactory,
    IssueFactory,
    MentionFactory,
    OrganisationFactory,
    PersonFactory,
    PlaceFactory,
)

pytestmark = pytest.mark.django_db


def refused(make, constraint: str) -> None:
    """The database refuses the write, and its error names the rule that was broken."""
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        make()
    message = str(info.value)
    # PostgreSQL names every constraint; SQLite names CHECKs but lists columns for UNIQUEs.
    if connection.vendor == "postgresql" or "UNIQUE" not in message:
        assert constraint in message, message


def test_mention_needs_exactly_one_target():
    article, person, place = ArticleFactory(), PersonFactory(), PlaceFactory()
    Mention.objects.create(article=article, person=person)  # allowed
    refused(lambda: Mention.objects.create(article=article), "mention_exactly_one_target")
    refused(
        lambda: Mention.objects.create(article=ArticleFactory(), person=person, place=place),
        "mention_exactly_one_target",
    )


def test_mention_unique_per_article_and_target():
    mention = MentionFactory()
    MentionFactory(article=mention.article)  # another person: allowed
    MentionFactory(person=mention.person)  # another article: allowed
    refused(
        lambda: Mention.objects.create(article=mention.article, person=mention.person),
        "mention_unique_person",
    )


def test_mention_count_positive():
    MentionFactory(count=1)
    refused(lambda: MentionFactory(count=0), "mention_count_positive")


def test_alias_belongs_to_exactly_one_entity_and_is_unique_per_entity():
    person = PersonFactory()
    AliasFactory(person=person, name="Walesa")
    AliasFactory(person=PersonFactory(), name="Walesa")  # another person may share it
    refused(lambda: AliasFactory(person=person, name="WALESA"), "alias_unique_per_person")
    refused(
        lambda: Alias.objects.create(name="Both", person=person, place=PlaceFactory()),
        "alias_exactly_one_entity",
    )
    refused(lambda: Alias.objects.create(name="None"), "alias_exactly_one_entity")


def test_issue_volume_number_unique_per_publication():
    issue = IssueFactory(volume="1", number="12")
    IssueFactory(publication=issue.publication, volume="2", number="12", slug="v2-12")
    IssueFactory(volume="1", number="12", slug="other")  # other publication
    refused(
        lambda: IssueFactory(publication=issue.publication, volume="1", number="12", slug="dup"),
        "issue_unique_volume_number",
    )


def test_article_position_unique_and_positive_within_issue():
    article = ArticleFactory(position=1)
    ArticleFactory(issue=article.issue, position=2)
    refused(lambda: ArticleFactory(issue=article.issue, position=1), "article_unique_position")
    refused(lambda: ArticleFactory(position=0), "article_position_positive")


def test_published_article_must_have_a_body():
    ArticleFactory(status=Status.DRAFT, body="")  # a draft may be empty
    refused(lambda: ArticleFactory(status=Status.PUBLISHED, body=""), "article_published_has_body")


def test_kind_and_status_must_be_known_values():
    OrganisationFactory(kind="union")
    refused(lambda: OrganisationFactory(kind="cult"), "organisation_kind_valid")
    refused(lambda: ArticleFactory(status="secret"), "article_status_valid")


def test_place_coordinates_in_range_and_paired():
    PlaceFactory(latitude=52.23, longitude=21.01)
    refused(lambda: PlaceFactory(latitude=91, longitude=0), "place_latitude_range")
    refused(lambda: PlaceFactory(latitude=52.2, longitude=None), "place_coordinates_paired")


def test_person_born_before_death():
    PersonFactory(birth="1879", death="1940")
    refused(lambda: PersonFactory(birth="1940", death="1879"), "person_born_before_death")


def test_event_needs_a_date():
    EventFactory(date="1989")
    refused(lambda: EventFactory(date=""), "event_has_date")


def test_event_participant_exactly_one_and_unique():
    event, person = EventFactory(), PersonFactory()
    EventParticipant.objects.create(event=event, person=person)
    EventParticipant.objects.create(event=event, person=person, role="leader")
    refused(
        lambda: EventParticipant.objects.create(event=event, person=person),
        "eventparticipant_unique_person",
    )
    refused(lambda: EventParticipant.objects.create(event=event), "eventparticipant_exactly_one")


def test_authorship_unique_role_and_illustration_position():
    authorship = AuthorshipFactory()
    AuthorshipFactory(article=authorship.article, person=authorship.person, role="translator")
    refused(
        lambda: AuthorshipFactory(article=authorship.article, person=authorship.person),
        "authorship_unique_role",
    )
    illustration = IllustrationFactory()
    refused(
        lambda: IllustrationFactory(article=illustration.article, position=illustration.position),
        "illustration_unique_position",
    )


def test_date_bounds_constraint_refuses_reversed_bounds_written_directly():
    event = EventFactory(date="1989")
    # save() derives bounds, so only a raw update can break them: the database refuses.
    from archive.models import Event

    refused(
        lambda: Event.objects.filter(pk=event.pk).update(
            date_start="1990-01-01", date_end="1989-01-01"
        ),
        "event_date_bounds_ordered",
    )
