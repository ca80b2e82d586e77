"""The public changes log: what changed in the public archive, in the order it was recorded.

The log is *derived*, never edited: :func:`archive.changes.record_changes` compares the public
rows of every release resource (the model layer's ``public()`` rows, as the data releases
export them) with the rows it saw last time, and appends one :class:`Change` per row that
appeared, changed or vanished. So it obeys the visibility rule by construction (a draft's
edits never show; its publication does; a withdrawal does) and a client that applies the log
in order holds exactly the public release.

These tables are not content: writing them must not bump the content version the log is
derived from (``CONTENT_VERSION_TRIGGER = False``, see archive/caching.py), or each sync
would ask for the next one.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeKind(models.TextChoices):
    """What happened to a public row (docs/api.md, "Changes")."""

    CREATED = "created", _("created")
    UPDATED = "updated", _("updated")
    PUBLISHED = "published", _("published")
    WITHDRAWN = "withdrawn", _("withdrawn")
    MERGED = "merged", _("merged")
    DELETED = "deleted", _("deleted")

    @classmethod
    def present(cls) -> tuple[str, ...]:
        """Changes after which the row is public (its record carried in the change)."""
        return (cls.CREATED, cls.UPDATED, cls.PUBLISHED)

    @classmethod
    def gone(cls) -> tuple[str, ...]:
        """Changes after which the row is no longer public: a tombstone."""
        return (cls.WITHDRAWN, cls.MERGED, cls.DELETED)


class Change(models.Model):
    """One change of one public row. ``id`` is the feed's sequence number: it only grows,
    and changes are appended under a lock, so "after N" resumes exactly."""

    Kind = ChangeKind
    CONTENT_VERSION_TRIGGER = False

    id = models.BigAutoField(primary_key=True)
    time = models.DateTimeField(db_index=True, help_text="When the change was recorded (UTC).")
    resource = models.CharField(
        max_length=40, help_text='Release resource of the row ("articles", "event_places").'
    )
    record_id = models.BigIntegerField(help_text="The row's id in its resource.")
    change = models.CharField(max_length=12, choices=ChangeKind.choices)
    record = models.TextField(
        blank=True,
        help_text="The row as its release JSON Lines line, after the change; empty when the "
        "row left the public archive.",
    )
    merged_into = models.BigIntegerField(
        null=True, blank=True, help_text="For a merge: the id of the surviving record."
    )
    reason = models.CharField(
        max_length=255, blank=True, help_text="Why it was withdrawn or deleted, if recorded."
    )

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["resource", "record_id", "id"], name="change_row_idx"),
            models.Index(fields=["resource", "id"], name="change_resource_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(change__in=ChangeKind.values), name="change_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(change=ChangeKind.MERGED, merged_into__isnull=False)
                | (~models.Q(change=ChangeKind.MERGED) & models.Q(merged_into__isnull=True)),
                name="change_merge_names_survivor",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.resource} {self.record_id} {self.change}"


class PublicRow(models.Model):
    """A row of the public archive as the log last saw it (a digest of its release line)."""

    CONTENT_VERSION_TRIGGER = False

    resource = models.CharField(max_length=40)
    record_id = models.BigIntegerField()
    digest = models.CharField(max_length=32, help_text="SHA-256 of the line, first 128 bits.")

    class Meta:
        ordering = ["resource", "record_id"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "record_id"], name="publicrow_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.record_id}"


class ChangeLogState(models.Model):
    """One row: the content version the log was last brought up to, and when."""

    CONTENT_VERSION_TRIGGER = False

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    content_version = models.BigIntegerField(null=True, blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="changelogstate_single_row"),
        ]

    def __str__(self) -> str:
        return f"changes recorded up to content version {self.content_version}"
