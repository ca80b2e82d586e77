"""Retire every cached public page and API list, in every server process.

Never needed after an edit (any write moves the content version on, see archive/caching.py).
Needed when the database is replaced underneath a running site by one whose content
version is lower, e.g. a backup restored with pg_restore: pages the workers cached from the
newer database could otherwise match the older version until they expire.

Each server process keeps its own cache, which a command cannot reach; instead the content
version jumps to the current time in milliseconds, past any value a count of writes
reaches, so every process's cached answers stop matching at once.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from archive.caching import content_version, page_cache
from archive.models import ContentVersion


class Command(BaseCommand):
    help = "Retire every cached public page and API list (after restoring a database)."

    def handle(self, *args, **options):
        floor = int(time.time() * 1000)
        with transaction.atomic():
            version, _ = ContentVersion.objects.select_for_update().get_or_create(id=1)
            if version.value < floor:
                version.value = floor
                version.save(update_fields=["value"])
        page_cache().clear()
        self.stdout.write(f"Page cache retired (content version now {content_version()}).")
