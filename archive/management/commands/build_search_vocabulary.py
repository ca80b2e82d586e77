"""Build the search's "did you mean" vocabulary now, rather than in the first reader's search
that finds nothing (after a deployment, a restore or a large import).

The vocabulary is one database row shared by every server process
(``archive.search.suggest.vocabulary``); a search finding nothing rebuilds it only when the
archive has changed since and it is older than ``VOCABULARY_MAX_AGE``.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from archive.search.suggest import build_vocabulary


class Command(BaseCommand):
    help = 'Build the search\'s "did you mean" vocabulary from the public articles now.'

    def handle(self, *args, **options):
        started = time.monotonic()
        words = build_vocabulary(wait=True) or {}
        self.stdout.write(
            f"Search vocabulary: {len(words):,} words in {time.monotonic() - started:.1f} s."
        )
