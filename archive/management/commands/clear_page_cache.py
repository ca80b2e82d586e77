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
from django.db import connection, transaction

from archive.caching import content_version, page_cache


class Command(BaseCommand):
    help = "Retire every cached public page and API list (after restoring a database)."

    def handle(self, *args, **options):
        floor = int(time.time() * 1000)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM archive_contentversion WHERE id = 1 AND value < %s", [floor]
            )
            cursor.execute(
                "INSERT INTO archive_contentversion (id, value) SELECT 1, %s "
                "WHERE NOT EXISTS (SELECT 1 FROM archive_contentversion WHERE id = 1)",
                [floor],
            )
        page_cache().clear()
        self.stdout.write(f"Page cache retired (content version now {content_version()}).")
