"""Restore a backup written by ``manage.py backup`` (see docs/preservation.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a full backup into an empty database (no tables: create it, do not "
        "migrate). Checks the backup against its .sha256 file first."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="The backup file.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace what the backup holds in a database that already has tables.",
        )
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args, backup: Path, replace: bool, database: str, **options):
        try:
            restore(backup, using=database, replace=replace)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {backup}.")
