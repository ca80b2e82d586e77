"""Load the curated collection in fixtures/ into the database, in one transaction."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from archive.signals import collection_loaded


class Command(BaseCommand):
    help = "Load every fixtures/*.json file (the curated collection) and rebuild derived data."

    def add_arguments(self, parser):
        parser.add_argument(
            "--fixtures-dir", default=str(Path(settings.BASE_DIR) / "fixtures"),
            help="Folder holding the collection's Django fixture files.",
        )  # fmt: skip

    def handle(self, *args, fixtures_dir: str, **options):
        files = sorted(Path(fixtures_dir).glob("*.json"))
        if not files:
            self.stdout.write("No fixture files to load.")
            return
        try:
            with transaction.atomic():
                call_command("loaddata", *map(str, files), verbosity=0)
                collection_loaded.send(sender=self.__class__)
        except Exception as exc:  # one readable line, nothing half-written
            raise CommandError(f"Could not load the collection: {exc}") from exc
        call_command("archive_stats", stdout=self.stdout)
