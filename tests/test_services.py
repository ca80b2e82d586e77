"""Curator services: merging duplicates and changing publication status."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from archive.models import Alias, Article, Authorship, Mention, PastSlug, Person, Status
from archive.services import entity_merge, records_set_status
from tests.factories import (
    ArticleFactory,
    AuthorshipFactory,
    EventFactory,
    MentionFactory,
    OrganisationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db


def test_merge_moves_everything_onto_the_survivor():
    survivor = PersonFactory(name="Lech Wałęsa", sort_name="Wałęsa, Lech", slug="lech-walesa")
    duplicate = PersonFactory(name="Lech Walesa", slug="walesa")
    Alias.objects.create(person=duplicate, name="Walesa")
    shared_article, other_article = ArticleFactory(), ArticleFactory()
    MentionFactory(article=shared_article, person=survivor, count=2, first_offset=50)
    MentionFactory(article=shared_article, person=duplicate, count=3, first_offset=10,
                   context="Walesa spoke")  # fmt: skip
    MentionFactory(article=other_article, person=duplicate, count=1)
    AuthorshipFactory(article=other_article, person=duplicate)
    event = EventFactory()
    event.participants.create(person=duplicate, role="leader")

    assert entity_merge(survivor=survivor, duplicates=[duplicate]) == 1

    assert not Person.objects.filter(pk=duplicate.pk).exists()
    shared = Mention.objects.get(article=shared_article, person=survivor)
    assert (shared.count, shared.first_offset, shared.context) == (5, 10, "Walesa spoke")
    assert Mention.objects.filter(article=other_article, person=survivor).exists()
    assert Authorship.objects.filter(article=other_article, person=survivor).exists()
    assert event.participants.filter(person=survivor, role="leader").exists()
    assert set(survivor.aliases.values_list("name", flat=True)) == {"Walesa", "Lech Walesa"}
    past = PastSlug.objects.get(slug="walesa")
    assert past.target == survivor
    last = survivor.history.first()
    assert "Merged Lech Walesa" in last.history_change_reason


def test_merge_refuses_nonsense():
    person = PersonFactory()
    with pytest.raises(ValidationError):
        entity_merge(survivor=person, duplicates=[person])
    with pytest.raises(ValidationError):
        entity_merge(survivor=person, duplicates=[OrganisationFactory()])
    assert Person.objects.filter(pk=person.pk).exists()


def test_merge_is_all_or_nothing(monkeypatch):
    survivor, duplicate = PersonFactory(), PersonFactory()
    MentionFactory(person=duplicate)

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(PastSlug.objects, "get_or_create", explode)
    with pytest.raises(RuntimeError):
        entity_merge(survivor=survivor, duplicates=[duplicate])
    assert Person.objects.filter(pk=duplicate.pk).exists()
    assert Mention.objects.filter(person=duplicate).count() == 1
    ct = ContentType.objects.get_for_model(Person)
    assert not PastSlug.objects.filter(content_type=ct).exists()


def test_set_status_publishes_with_timestamp_and_history():
    draft = ArticleFactory(status=Status.DRAFT)
    published = ArticleFactory(status=Status.PUBLISHED)
    changed = records_set_status(queryset=Article.objects.all(), status=Status.PUBLISHED)
    assert changed == 1
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED and draft.published_at is not None
    assert draft.history.first().history_change_reason == "status → published"
    assert Article.objects.published().count() == 2
    records_set_status(queryset=Article.objects.filter(pk=published.pk), status=Status.REVIEW)
    published.refresh_from_db()
    assert published.published_at is None
    assert not published.is_published()
    with pytest.raises(ValidationError):
        records_set_status(queryset=Article.objects.all(), status="secret")
