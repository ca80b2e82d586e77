"""Which records the public bulk surfaces (data releases and OAI-PMH) carry.

``published()`` says whether one record is public. A bulk surface also has to stay
*referentially whole*: an article is only useful to a harvester or a data user if its issue and
publication are public too, and a link row (an authorship, a mention, an event's place) only if
both of its ends are. These querysets add exactly that, built from the models' own
``published()`` methods so the visibility rule still lives in one place.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from archive import models


def public_publications() -> QuerySet:
    return models.Publication.objects.published()


def public_issues() -> QuerySet:
    """Published issues of published publications."""
    return models.Issue.objects.published().filter(publication__in=public_publications())


def public_articles() -> QuerySet:
    """Published articles whose issue (and so publication) is public as well."""
    return models.Article.objects.published().filter(issue__in=public_issues())


def public_people() -> QuerySet:
    return models.Person.objects.published()


def public_organisations() -> QuerySet:
    return models.Organisation.objects.published()


def public_places() -> QuerySet:
    return models.Place.objects.published()


def public_events() -> QuerySet:
    return models.Event.objects.published()


def public_mentions() -> QuerySet:
    """``Mention.objects.published()`` restricted to articles that are public in full."""
    return models.Mention.objects.published().filter(article__in=public_articles())


def public_authorships() -> QuerySet:
    return models.Authorship.objects.filter(
        article__in=public_articles(), person__in=public_people()
    )


def public_aliases() -> QuerySet:
    return models.Alias.objects.filter(
        Q(person__in=public_people())
        | Q(organisation__in=public_organisations())
        | Q(place__in=public_places())
    )


def public_illustrations() -> QuerySet:
    return models.Illustration.objects.filter(article__in=public_articles())


def public_event_participants() -> QuerySet:
    return models.EventParticipant.objects.filter(event__in=public_events()).filter(
        Q(person__in=public_people()) | Q(organisation__in=public_organisations())
    )


def public_event_places() -> QuerySet:
    return models.Event.places.through.objects.filter(
        event__in=public_events(), place__in=public_places()
    )


def public_event_articles() -> QuerySet:
    return models.Event.articles.through.objects.filter(
        event__in=public_events(), article__in=public_articles()
    )


#: Release resource name → the rows a public data release carries (see archive/exports/release).
RELEASE_SCOPE = {
    "publications": public_publications,
    "issues": public_issues,
    "articles": public_articles,
    "people": public_people,
    "organisations": public_organisations,
    "places": public_places,
    "events": public_events,
    "mentions": public_mentions,
    "authorships": public_authorships,
    "aliases": public_aliases,
    "illustrations": public_illustrations,
    "event_participants": public_event_participants,
    "event_places": public_event_places,
    "event_articles": public_event_articles,
}
