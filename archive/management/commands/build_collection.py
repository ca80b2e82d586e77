"""Rebuild ``fixtures/collection.json``: the importer's output of the seed pamphlet, emended.

Exit status 1 with one line when the sources do not fit (an emendation whose printed text is
not found exactly once, a unit count that changed, an undecided ambiguous name) or, with
``--check``, when the committed fixture is not what the sources give.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from archive.collection import propose as proposing
from archive.collection.build import CollectionBuilder, CollectionError, render
from archive.collection.emendations import EmendationError
from archive.collection.sources import EMENDATIONS_FILE, SourceFormatError


class Command(BaseCommand):
    help = (
        "Build the curated collection fixture: run the text importer on the seed pamphlet, apply "
        "the curator's emendations, add the catalogue and the mention decisions "
        "(fixtures/sources/). Deterministic: the same sources give byte-identical output."
    )

    def add_arguments(self, parser):
        fixtures = Path(settings.BASE_DIR) / "fixtures"
        parser.add_argument("--sources", default=str(fixtures / "sources"))
        parser.add_argument("--output", default=str(fixtures / "collection.json"))
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; exit non-zero if the output file is not what the sources give.",
        )
        parser.add_argument(
            "--flags",
            action="store_true",
            help="Print the ambiguous mentions still undecided, as entries for "
            "mention-decisions.json, and write nothing.",
        )
        parser.add_argument(
            "--propose",
            action="store_true",
            help=f"Rewrite {EMENDATIONS_FILE} so the build gives the committed fixture's "
            "articles again: keep the emendations that still apply, drop the others, propose "
            "entries for what still differs (review them: git diff).",
        )

    def handle(self, *args, sources: str, output: str, check: bool, flags: bool, **options):
        if options["propose"]:
            return self._propose(Path(sources), Path(output))
        try:
            builder = CollectionBuilder(Path(sources))
            records = builder.build()
        except EmendationError as exc:
            raise CommandError(
                f"Could not build the collection: {exc}. If the importer changed, run "
                "build_collection --propose and review the result."
            ) from exc
        except (CollectionError, SourceFormatError, OSError, ValueError, KeyError) as exc:
            raise CommandError(f"Could not build the collection: {exc}") from exc
        if flags:
            self.stdout.write(
                json.dumps(
                    [
                        {
                            "article": f.article,
                            "type": f.type,
                            "slug": f.slug,
                            "decision": "?",
                            "forms": f.forms,
                            "reason": f.reason,
                            "context": f.context,
                        }
                        for f in builder.unresolved
                    ],
                    ensure_ascii=False,
                    indent=1,
                )
            )
            return
        if builder.unresolved:
            first = builder.unresolved[0]
            raise CommandError(
                f"{len(builder.unresolved)} ambiguous mentions have no decision in "
                f"mention-decisions.json (first: {first.slug} as {first.forms} in "
                f"{first.article}); run with --flags to list them."
            )
        if builder.unused_decisions:
            stale = sorted(builder.unused_decisions)[0]
            raise CommandError(
                f"{len(builder.unused_decisions)} decisions in mention-decisions.json match no "
                f"flagged mention (first: {stale}); remove or correct them."
            )
        text = render(records)
        path = Path(output)
        if check:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != text:
                raise CommandError(f"{path} is stale: run manage.py build_collection.")
            self.stdout.write(f"{path} is up to date ({len(records)} records).")
            return
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)  # never leave a half-written fixture behind
        counts: dict[str, int] = {}
        for record in records:
            counts[record["model"]] = counts.get(record["model"], 0) + 1
        summary = ", ".join(f"{model.split('.')[1]} {n}" for model, n in counts.items())
        self.stdout.write(f"Wrote {path}: {len(records)} records ({summary}).")

    def _propose(self, sources: Path, fixture: Path) -> None:
        try:
            proposal = proposing.propose(sources, fixture)
        except (EmendationError, SourceFormatError, OSError, ValueError, KeyError) as exc:
            raise CommandError(f"Could not propose emendations: {exc}") from exc
        path = sources / EMENDATIONS_FILE
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(proposing.render(sources, proposal), encoding="utf-8")
        tmp.replace(path)
        for entry in proposal.dropped:
            self.stderr.write(f"dropped {entry.where()}: {entry.printed[:60]!r}")
        review = sum(e["reason"].startswith(proposing.REVIEW) for e in proposal.entries)
        self.stdout.write(
            f"Wrote {path}: kept {proposal.kept}, dropped {len(proposal.dropped)}, added "
            f"{proposal.added} ({review} need a reason: search for REVIEW)."
        )
