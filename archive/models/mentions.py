"""An article mentions a person, organisation, place or event."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import PublicQuerySet, TimeStampedModel
from .entities import Organisation, Person, Place
from .events import Event
from .publications import Article

TARGETS = ("person", "organisation", "place", "event")


class MentionQuerySet(PublicQuerySet):
    def public(self, target: str | None = None, *, article_public: bool = False):
        """Public mentions: not rejected, the article public (issue and publication too) and
        the target public. ``target`` ("person", …) keeps mentions of that kind only, without
        the four-way OR (cheaper when the kind is known).

        ``article_public=True`` is for a subquery correlated to rows of
        ``Article.objects.public()`` (an ``Exists`` over the outer article): the article is
        already known public there, and checking its chain again inside the subquery hides
        from PostgreSQL that the mentions of one person are a few hundred rows to start
        from, so it read the whole article table instead (docs/benchmarks.md, exports)."""
        return self.filter(Mention.public_q(target=target, article=not article_public))

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

    @classmethod
    def public_q(
        cls, prefix: str = "", target: str | None = None, *, article: bool = True
    ) -> models.Q:
        """The visibility rule as a ``Q``; ``article=False`` leaves out the article's own
        chain, for callers that keep public articles only (see ``public()``)."""
        models_by_target = {
            "person": Person, "organisation": Organisation, "place": Place, "event": Event,
        }  # fmt: skip
        kinds = [target] if target else list(TARGETS)
        ends = models.Q()
        for kind in kinds:
            ends |= models_by_target[kind].public_q(f"{prefix}{kind}__")
        kept = ~models.Q(**{f"{prefix}status": MentionStatus.REJECTED}) & ends
        return kept & Article.public_q(f"{prefix}article__") if article else kept

    def is_public(self) -> bool:
        target = self.target
        return (
            self.status != MentionStatus.REJECTED
            and self.article.is_public()
            and target is not None
            and target.is_public()
        )

    @property
    def target(self):
        return self.person or self.organisation or self.place or self.event

    @property
    def target_type(self) -> str:
        return next(t for t in TARGETS if getattr(self, f"{t}_id"))

    def get_absolute_url(self) -> str:
        return self.article.get_absolute_url()
