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


class SearchVocabulary(models.Model):
    """The words of the public articles, for the search's "did you mean"
    (``archive.search.suggest.vocabulary``), in one row.

    In the database rather than in a cache so that every process and machine shares one
    copy: it is built once per change of the archive, not once per worker (each building it
    read 5,000 articles, about a second, inside a reader's search). Not an archive record:
    writing it does not change the content version."""

    #: Derived from the articles, not a record of its own: writing it must not move the
    #: content version (archive/caching.py), or every rebuild would make it stale again.
    CONTENT_VERSION_TRIGGER = False

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    content_version = models.BigIntegerField(
        help_text="The content version of the archive the words were read at."
    )
    built_at = models.DateTimeField()
    words = models.JSONField(default=dict, help_text="{word: number of public articles}")

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "search vocabulary"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="searchvocabulary_single_row"),
        ]

    def __str__(self) -> str:
        return f"search vocabulary of {len(self.words):,} words, {self.built_at:%Y-%m-%d %H:%M}"
