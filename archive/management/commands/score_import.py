"""Score the text importer on a corpus of clean texts with answer keys.

Each text is damaged as printed pages are by extraction (running heads, hyphenation, drop
caps in small capitals, captions, continuations), imported by the importer's own pipeline
(nothing is written to the database) and compared with its answer key; see
``archive.importers.scoring`` for how each figure is computed.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from archive.importers.scoring import as_json, score_corpus, table

DEFAULT_CORPUS = Path(settings.BASE_DIR) / "tests" / "importers" / "corpus"


class Command(BaseCommand):
    requires_system_checks = []  # pure: reads files, writes nothing, needs no database
    help = (
        "Damage each clean text of a corpus, import it (dry run: nothing is written) and print "
        "per text: units, titles, openings and endings, paragraphs, captions, each defect kind "
        "repaired or flagged, and changes to correct text."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--corpus", default=str(DEFAULT_CORPUS), help="Folder of clean *.txt texts."
        )
        parser.add_argument("--json", action="store_true", help="Print the scores as JSON.")
        parser.add_argument(
            "--verbose-misses",
            action="store_true",
            help="Also list every miss and every change to correct text.",
        )

    def handle(self, *args, corpus: str, json: bool, verbose_misses: bool, **options):
        folder = Path(corpus)
        if not folder.is_dir():
            raise CommandError(f"--corpus: {folder} is not a folder.")
        if not any(folder.glob("*.txt")):
            raise CommandError(f"--corpus: {folder} holds no clean texts (*.txt).")
        try:
            scores = score_corpus(folder)
        except (ValueError, KeyError, IndexError) as exc:
            raise CommandError(f"--corpus: a text could not be read: {exc}") from exc
        if json:
            self.stdout.write(as_json(scores))
            return
        self.stdout.write(table(scores))
        if verbose_misses:
            for score in scores:
                for line in score.missed + score.change_samples:
                    self.stdout.write(f"{score.name}: {line}")
