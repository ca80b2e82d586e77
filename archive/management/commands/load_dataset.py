"""Restore a data release into the database, ids and all (see docs/data.md, "Restore")."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from archive.datasets.loader import ReleaseError, load_release


class Command(BaseCommand):
    help = (
        "Verify a release against its SHA256SUMS, then load every record into an empty "
        "database in one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument("release", help="Release folder, or its name under DATASET_ROOT.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the archive records already in the database first.",
        )

    def handle(self, *args, release: str, replace: bool, **options):
        notes: list[str] = []
        try:
            counts = load_release(release, replace=replace, notes=notes)
        except ReleaseError as exc:
            raise CommandError(str(exc)) from exc
        total = sum(counts.values())
        self.stdout.write(f"Loaded {total} rows from {release}:")
        for resource, count in counts.items():
            self.stdout.write(f"  {resource:<20} {count:>8}")
        for note in notes:
            self.stdout.write(self.style.WARNING(note))
