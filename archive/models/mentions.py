"""An article mentions a person, organisation, place or event."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import Status, TimeStampedModel
from .entities import Organisation, Person, Place
from .events import Event
from .publications import Article

TARGETS = ("person", "organisation", "place", "event")


class MentionQuerySet(models.QuerySet):
    def published(self):
        """Visible to the public: article and target published, mention not rejected."""
        published = Status.PUBLISHED
        return (
            self.exclude(status=Mention.Status.REJECTED)
            .filter(article__status=published)
            .filter(
                models.Q(person__status=published)
                | models.Q(organisation__status=published)
                | models.Q(place__status=published)
                | models.Q(event__status=published)
            )
        )

    def for_target(self, obj):
        return self.filter(**{obj._meta.model_name: obj})


class MentionStatus(models.TextChoices):
    AUTO = "auto", _("Linked automatically")
    CONFIRMED = "confirmed", _("Confirmed by a curator")
    REJECTED = "rejected", _("Rejected by a curator")
    FLAGGED = "flagged", _("Ambiguous: needs review")


class Mention(TimeStampedModel):
    Status = MentionStatus

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="mentions")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="mentions"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="mentions"
    )
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.CASCADE, related_name="mentions"
    )
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.CASCADE, related_name="mentions"
    )
    count = models.PositiveIntegerField(default=1)
    first_offset = models.PositiveIntegerField(
        default=0, help_text="Character offset of the first mention in the article body."
    )
    context = models.CharField(max_length=500, blank=True, help_text="Words around the first.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AUTO)

    objects = MentionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["article", "first_offset", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(person__isnull=False, organisation__isnull=True,
                             place__isnull=True, event__isnull=True)
                    | models.Q(person__isnull=True, organisation__isnull=False,
                               place__isnull=True, event__isnull=True)
                    | models.Q(person__isnull=True, organisation__isnull=True,
                               place__isnull=False, event__isnull=True)
                    | models.Q(person__isnull=True, organisation__isnull=True,
                               place__isnull=True, event__isnull=False)
                ),
                name="mention_exactly_one_target",
            ),
            models.CheckConstraint(condition=models.Q(count__gte=1), name="mention_count_positive"),
            models.CheckConstraint(
                condition=models.Q(status__in=MentionStatus.values),
                name="mention_status_valid",
            ),
            *[
                models.UniqueConstraint(
                    fields=["article", target], name=f"mention_unique_{target}",
                    condition=models.Q(**{f"{target}__isnull": False}),
                )
                for target in TARGETS
            ],
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.target} in {self.article} (×{self.count})"

    @property
    def target(self):
        return self.person or self.organisation or self.place or self.event

    @property
    def target_type(self) -> str:
        return next(t for t in TARGETS if getattr(self, f"{t}_id"))

    def get_absolute_url(self) -> str:
        return self.article.get_absolute_url()
