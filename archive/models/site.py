"""Site-wide state that is not a record: the content version public caches are keyed on."""

from __future__ import annotations

from django.db import models


class ContentVersion(models.Model):
    """One row whose ``value`` grows whenever any archive record is written.

    Database triggers (migration 0008) bump it in the same transaction as the write, for
    every writer: the admin, the importers, ``update()``, ``loaddata`` and raw SQL alike. So
    a reader sees a new value exactly when it can see the new data, and cached public pages
    and API lists keyed on the value (``archive.caching``) never outlive a change.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    value = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="contentversion_single_row"),
        ]

    def __str__(self) -> str:
        return f"content version {self.value}"
