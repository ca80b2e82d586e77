"""factory_boy factories for unit tests (end-to-end tests use the curated fixtures)."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.utils.text import slugify

from archive import models


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = models.Organisation.Kind.PARTY
    status = models.Status.PUBLISHED


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Person

    name = factory.Sequence(lambda n: f"Person {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name) or f"person-{o.name_seq}")
    status = models.Status.PUBLISHED

    class Params:
        name_seq = factory.Sequence(int)


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Place

    name = factory.Sequence(lambda n: f"Place {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = models.Place.Kind.CITY
    status = models.Status.PUBLISHED


class AliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Alias

    person = factory.SubFactory(PersonFactory)
    name = factory.Sequence(lambda n: f"Alias {n}")


class PublicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Publication

    title = factory.Sequence(lambda n: f"Publication {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    kind = models.Publication.Kind.NEWSPAPER
    status = models.Status.PUBLISHED


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Issue

    publication = factory.SubFactory(PublicationFactory)
    number = factory.Sequence(str)
    slug = factory.LazyAttribute(lambda o: f"no-{o.number}")
    date = "1990-01"
    status = models.Status.PUBLISHED


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Article

    issue = factory.SubFactory(IssueFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Article {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    body = "The risen people of Eastern Europe.\n\nA second paragraph."
    date = "1990-01"
    status = models.Status.PUBLISHED


class AuthorshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Authorship

    article = factory.SubFactory(ArticleFactory)
    person = factory.SubFactory(PersonFactory)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Event

    title = factory.Sequence(lambda n: f"Event {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    date = "1989-11-09"
    status = models.Status.PUBLISHED


class MentionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Mention

    article = factory.SubFactory(ArticleFactory)
    person = factory.SubFactory(PersonFactory)
    count = 1
    status = models.Mention.Status.CONFIRMED


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    is_staff = True
    password = factory.django.Password("correct horse battery")


class IllustrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Illustration

    article = factory.SubFactory(ArticleFactory)
    caption = factory.Sequence(lambda n: f"Caption {n}")
    position = factory.Sequence(lambda n: n + 1)


class EmendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Emendation

    article = factory.SubFactory(ArticleFactory)
    sequence = factory.Sequence(lambda n: n + 1)
    kind = models.Emendation.Kind.MISPRINT
    printed = factory.Sequence(lambda n: f"as printed {n}")
    corrected = factory.Sequence(lambda n: f"as corrected {n}")
    reason = "A misprint of the page."
