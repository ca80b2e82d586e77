"""Keep the search index current.

PostgreSQL: database triggers (see the search migration) recompute an article's vectors on
every INSERT/UPDATE/DELETE, whatever wrote it (admin, ORM, ``update()``, raw SQL).
SQLite: FTS5 cannot fold "ł" like :func:`archive.text.fold`, so the index holds folded
text written from Python on every save. Both rebuild fully after a bulk collection load.
"""

from __future__ import annotations

from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from archive.models import Article
from archive.signals import collection_loaded

from . import index_articles, rebuild_index, remove_articles


@receiver(post_save, sender=Article, dispatch_uid="search_index_article")
def _article_saved(sender, instance: Article, raw: bool = False, **kwargs) -> None:
    if connection.vendor == "sqlite":
        index_articles([instance.pk])


@receiver(post_delete, sender=Article, dispatch_uid="search_remove_article")
def _article_deleted(sender, instance: Article, **kwargs) -> None:
    if connection.vendor == "sqlite":
        remove_articles([instance.pk])


@receiver(collection_loaded, dispatch_uid="search_rebuild_after_load")
def _collection_loaded(sender, **kwargs) -> None:
    rebuild_index()
