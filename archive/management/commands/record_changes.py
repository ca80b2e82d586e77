"""Record the public archive's changes for /api/changes/ (see docs/api.md, "Changes")."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from archive.changes import last_seq, record_changes


class Command(BaseCommand):
    help = (
        "Append the changes of the public archive since the last recording to the changes "
        "log (a no-op when nothing changed). Run it on a schedule, e.g. every minute, so "
        "each change is recorded close to when it was made."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Compare every row even if nothing changed."
        )

    def handle(self, *args, force: bool, **options):
        count = record_changes(force=force)
        self.stdout.write(
            f"Recorded {count} changes; the feed's last sequence number is {last_seq()}."
        )
