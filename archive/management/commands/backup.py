"""Write a full backup of the archive database (see docs/preservation.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the whole archive database, drafts, history and users included: "
        "pg_dump's custom format on PostgreSQL, SQLite's online backup on SQLite. Writes a "
        ".sha256 file beside it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, help="Backup file (default: var/backups/archive-<time>.*)."
        )
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args, output: Path | None, database: str, **options):
        try:
            made = backup(output, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Backed up to {made.path} ({made.bytes} bytes, SHA-256 {made.sha256}).")
