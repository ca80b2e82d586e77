"""Corrections suggested by readers: a queue for curators, never shown to the public.

A reader on an article or a record's page may say what is wrong ("the date is 1981, not
1991", "this is not the same Kuroń"). The suggestion is kept here with what it is about
and the page it was sent from; nothing changes on the site until a curator acts, by
editing the record in the admin and marking the suggestion done (or declined, or spam).
The form, its spam and rate limits are in ``archive.corrections``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import TimeStampedModel


class CorrectionStatus(models.TextChoices):
    NEW = "new", _("New: waiting for a curator")
    DONE = "done", _("Done: the record was corrected")
    DECLINED = "declined", _("Declined: the record stays as it is")
    SPAM = "spam", _("Spam")


class Correction(TimeStampedModel):
    """A reader's suggested correction to an article, publication, issue, person,
    organisation, place or event."""

    Status = CorrectionStatus
    #: Not public content: a new suggestion must not retire every cached page.
    CONTENT_VERSION_TRIGGER = False

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, help_text="Kind of record the reader corrects."
    )
    object_id = models.PositiveBigIntegerField(help_text="Id of the record the reader corrects.")
    target = GenericForeignKey("content_type", "object_id")
    page = models.CharField(max_length=500, help_text="The page the suggestion was sent from.")
    message = models.TextField(help_text="What the reader says is wrong, as they wrote it.")
    name = models.CharField(max_length=200, blank=True, help_text="The reader's name, if given.")
    email = models.EmailField(
        blank=True, help_text="Where to answer the reader, if they gave an address."
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.NEW, db_index=True
    )
    curator_note = models.TextField(blank=True, help_text="What was done, for other curators.")
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text="The curator who last changed its status.",
    )  # fmt: skip
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = "correction from a reader"
        verbose_name_plural = "corrections from readers"
        indexes = [models.Index(fields=["content_type", "object_id"], name="correction_target_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=CorrectionStatus.values),
                name="correction_status_valid",
            ),
            models.CheckConstraint(condition=~models.Q(message=""), name="correction_has_message"),
        ]

    def __str__(self) -> str:
        excerpt = " ".join(self.message.split())[:60]
        return f"{self.content_type.name} {self.object_id}: {excerpt}"

    def get_absolute_url(self) -> str:
        return self.page
