"""Dated happenings, who took part, and which articles record them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from archive.routes import route

from .base import (
    EDTFField,
    PublicQuerySet,
    PublishableModel,
    PublishableQuerySet,
    TimeStampedModel,
    bounds_constraint,
    date_bound_fields,
    status_constraint,
)
from .entities import Organisation, Person, Place
from .publications import Article


class EventQuerySet(PublishableQuerySet):
    def overlapping(self, start, end):
        """Events that may fall between ``start`` and ``end`` (inclusive; ``None`` = open)."""
        qs = self
        if start is not None:
            qs = qs.filter(models.Q(date_end__gte=start) | models.Q(date_end__isnull=True))
        if end is not None:
            qs = qs.filter(models.Q(date_start__lte=end) | models.Q(date_start__isnull=True))
        return qs


class EventKind(models.TextChoices):
    POLITICAL = "political", _("Political")
    PROTEST = "protest", _("Protest or uprising")
    STRIKE = "strike", _("Strike")
    ELECTION = "election", _("Election")
    MILITARY = "military", _("Military")
    COUP = "coup", _("Coup")
    AGREEMENT = "agreement", _("Agreement")
    ECONOMIC = "economic", _("Economic")
    OTHER = "other", _("Other")


class Event(PublishableModel):
    Kind = EventKind

    title = models.CharField(max_length=500)
    slug = models.SlugField(max_length=255, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.POLITICAL)
    date = EDTFField(start_field="date_start", end_field="date_end")
    date_start, date_end = date_bound_fields("event")
    date_display = models.CharField(max_length=255, blank=True, help_text="The date as printed.")
    description = models.TextField(blank=True)
    places = models.ManyToManyField(Place, blank=True, related_name="events")
    articles = models.ManyToManyField(
        Article, blank=True, related_name="events", help_text="Articles that record the event."
    )

    objects = EventQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[places, articles])

    class Meta:
        ordering = ["date_start", "date_end", "title", "id"]
        constraints = [
            status_constraint("event"),
            bounds_constraint("event", "date"),
            models.CheckConstraint(condition=~models.Q(date=""), name="event_has_date"),
            models.CheckConstraint(
                condition=models.Q(kind__in=EventKind.values), name="event_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date_display or self.date}: {self.title}"

    def get_absolute_url(self) -> str:
        return route("archive:event-detail", slug=self.slug)

    @classmethod
    def public_place_links(cls) -> models.QuerySet:
        """Event–place rows whose event and place are both public."""
        return cls.places.through.objects.filter(
            Event.public_q("event__") & Place.public_q("place__")
        )

    @classmethod
    def public_article_links(cls) -> models.QuerySet:
        """Event–article rows whose event and article (with its issue) are both public."""
        return cls.articles.through.objects.filter(
            Event.public_q("event__") & Article.public_q("article__")
        )


class EventParticipantRole(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    LEADER = "leader", _("Leader")
    TARGET = "target", _("Target")
    VICTIM = "victim", _("Victim")
    SUBJECT = "subject", _("Subject")


class EventParticipant(TimeStampedModel):
    """A person or organisation involved in an event, with a role."""

    Role = EventParticipantRole

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="event_roles"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="event_roles"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PARTICIPANT)

    objects = PublicQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "role", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False, organisation__isnull=True)
                | models.Q(person__isnull=True, organisation__isnull=False),
                name="eventparticipant_exactly_one",
            ),
            models.UniqueConstraint(
                fields=["event", "person", "role"], name="eventparticipant_unique_person",
                condition=models.Q(person__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["event", "organisation", "role"],
                name="eventparticipant_unique_organisation",
                condition=models.Q(organisation__isnull=False),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.person or self.organisation} ({self.role}) in {self.event.title}"

    @classmethod
    def public_q(cls, prefix: str = "") -> models.Q:
        """Public when the event and the person or organisation are."""
        return Event.public_q(f"{prefix}event__") & (
            Person.public_q(f"{prefix}person__") | Organisation.public_q(f"{prefix}organisation__")
        )

    def is_public(self) -> bool:
        who = self.person or self.organisation
        return self.event.is_public() and who is not None and who.is_public()

    def get_absolute_url(self) -> str:
        return self.event.get_absolute_url()
