"""Empty the cache of public pages and API lists.

Never needed after an edit (any write moves the content version on, see archive/caching.py).
Needed when the database is replaced underneath a running site by one whose content
version is lower, e.g. a PostgreSQL backup restored with pg_restore: pages cached from the
newer database could otherwise match the older version until they expire.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from archive.caching import content_version, page_cache


class Command(BaseCommand):
    help = "Empty the cache of public pages and API lists."

    def handle(self, *args, **options):
        page_cache().clear()
        self.stdout.write(f"Page cache emptied (content version {content_version()}).")
