"""Import a plain-text pamphlet or paper: ``manage.py import_text FILE --publication SLUG``."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from archive.importers.service import ImportRefused, TextImporter


class Command(BaseCommand):
    help = (
        "Import text extracted from a printed publication as a draft issue: units, repaired "
        "bodies, captions, repairs for review and entity links. See docs/importing.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="UTF-8 text file.")
        parser.add_argument(
            "--publication", required=True, help="Slug of the publication the issue belongs to."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Print the report and write nothing."
        )
        parser.add_argument("--issue-slug", default="", help="Default: from the file name.")
        parser.add_argument("--issue-title", default="")
        parser.add_argument("--issue-date", default="", help="EDTF, e.g. 1992 or 1992-10?")
        parser.add_argument("--issue-volume", default="")
        parser.add_argument("--issue-number", default="")
        parser.add_argument("--no-link", action="store_true", help="Skip entity linking.")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args, **options):
        try:
            importer = TextImporter(
                publication=options["publication"],
                issue_slug=options["issue_slug"],
                issue_title=options["issue_title"],
                issue_date=options["issue_date"],
                issue_volume=options["issue_volume"],
                issue_number=options["issue_number"],
                link=not options["no_link"],
            )
            report = importer.run(options["file"], dry_run=options["dry_run"])
        except ImportRefused as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError(f"Import failed, nothing was written: {_one_line(exc)}") from exc
        except Exception as exc:  # one readable line; the transaction already rolled back
            raise CommandError(
                f"Import failed, nothing was written: {type(exc).__name__}: {_one_line(exc)}"
            ) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(report.as_text())


def _one_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError) and hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(str(exc).split())
