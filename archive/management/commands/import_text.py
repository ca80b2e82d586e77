"""Import plain-text pamphlets or papers: ``manage.py import_text FILE… --publication SLUG``.

One file prints its report, as it always did. Several files (or a folder: its ``*.txt``
files, in name order) are imported one after the other, **each in its own transaction**: a
file that fails writes nothing and the others go on. Progress goes to stderr (each file as it
starts and ends, and the share of all bytes done; ``--quiet`` silences it), and one summary
table ends the run: file, units, repairs, flags, unknown names, status. The command exits
non-zero, with one line naming the first failure, if any file failed.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from archive.importers.service import ImportRefused, ImportReport, TextImporter

#: Options that name one issue, so they cannot apply to several files at once.
ONE_ISSUE_OPTIONS = ("issue_slug", "issue_title", "issue_date", "issue_volume", "issue_number")


@dataclass
class Outcome:
    """What happened to one file of a run."""

    path: Path
    report: ImportReport | None = None
    error: str = ""
    seconds: float = 0.0

    @property
    def status(self) -> str:
        return f"failed: {self.error}" if self.error else self.report.status

    def row(self) -> list[str]:
        if self.report is None or self.report.status == "unchanged":
            return [self.path.name, "", "", "", "", self.status]
        r = self.report
        applied = sum(c.get("applied", 0) for c in r.repair_counts.values())
        flags = len(r.flagged_repairs) + len(r.flagged_mentions)
        return [
            self.path.name,
            str(len(r.units)),
            str(applied),
            str(flags),
            str(len(r.candidates)),
            self.status,
        ]


class Command(BaseCommand):
    help = (
        "Import text extracted from printed publications as draft issues: units, repaired "
        "bodies, captions, repairs for review and entity links. Give one file, several, or a "
        "folder of .txt files (one transaction per file). See docs/importing.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "files", nargs="+", metavar="FILE", help="UTF-8 text files, or folders of .txt files."
        )
        parser.add_argument(
            "--publication", required=True, help="Slug of the publication the issues belong to."
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
        parser.add_argument("--json", action="store_true", help="Print the report(s) as JSON.")
        parser.add_argument(
            "--quiet", action="store_true", help="No progress lines on stderr (several files)."
        )

    def handle(self, *args, files: list[str], **options):
        paths = _expand(files)
        if len(paths) == 1 and Path(files[0]) == paths[0]:
            self._one(paths[0], options)
            return
        given = [f"--{name.replace('_', '-')}" for name in ONE_ISSUE_OPTIONS if options[name]]
        if given:
            raise CommandError(
                f"{', '.join(given)} names one issue: import several files without it (each "
                "file makes its own issue, named after the file)."
            )
        importer = self._importer(options)
        outcomes = self._many(importer, paths, options)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    [
                        {"file": str(o.path), "error": o.error, "report": o.report.as_dict()}
                        if o.report
                        else {"file": str(o.path), "error": o.error, "report": None}
                        for o in outcomes
                    ],
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            if options["verbosity"] >= 2:
                for outcome in outcomes:
                    if outcome.report is not None:
                        self.stdout.write(outcome.report.as_text() + "\n")
            self.stdout.write(summary_table(outcomes, dry_run=options["dry_run"]))
        failed = [o for o in outcomes if o.error]
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(outcomes)} files failed and wrote nothing (the others "
                f"were imported); first: {failed[0].path.name}: {failed[0].error}"
            )

    # -- one file: the report, or one line saying why not

    def _one(self, path: Path, options) -> None:
        importer = self._importer(options, one_issue=True)
        try:
            report = importer.run(path, dry_run=options["dry_run"])
        except Exception as exc:
            raise CommandError(_failure(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(report.as_text())

    def _importer(self, options, *, one_issue: bool = False) -> TextImporter:
        issue = {name: options[name] for name in ONE_ISSUE_OPTIONS} if one_issue else {}
        try:
            return TextImporter(
                publication=options["publication"], link=not options["no_link"], **issue
            )
        except ImportRefused as exc:
            raise CommandError(str(exc)) from exc

    # -- several files: a transaction each, progress, a summary

    def _many(self, importer: TextImporter, paths: list[Path], options) -> list[Outcome]:
        sizes = [p.stat().st_size if p.is_file() else 0 for p in paths]
        total, done = sum(sizes) or 1, 0
        started = time.monotonic()
        outcomes = []
        for number, (path, size) in enumerate(zip(paths, sizes, strict=True), start=1):
            self._progress(
                options, f"[{number}/{len(paths)}] {path.name}: importing ({size:,} bytes)"
            )
            outcome = Outcome(path)
            began = time.monotonic()
            try:
                outcome.report = importer.run(path, dry_run=options["dry_run"])
            except Exception as exc:  # this file rolled back; the next one goes on
                outcome.error = _failure(exc)
            outcome.seconds = time.monotonic() - began
            outcomes.append(outcome)
            done += size
            elapsed = time.monotonic() - started
            left = elapsed / done * (total - done) if done else 0
            self._progress(
                options,
                f"[{number}/{len(paths)}] {path.name}: {outcome.status} in {outcome.seconds:.1f} s"
                f" — overall {done / total:.0%} of bytes, {elapsed:.0f} s, about {left:.0f} s left",
            )
        return outcomes

    def _progress(self, options, line: str) -> None:
        if not options["quiet"]:
            self.stderr.write(line)
            self.stderr.flush()


def _expand(items: list[str]) -> list[Path]:
    """Files as given, folders as their ``*.txt`` files in name order; each path once."""
    paths: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.glob("*.txt") if p.is_file())
            if not found:
                raise CommandError(f"The folder {path} holds no .txt files.")
            paths.extend(found)
        else:
            paths.append(path)  # a missing file fails on its own, in the summary
    unique = list(dict.fromkeys(paths))
    return unique


def summary_table(outcomes: list[Outcome], *, dry_run: bool = False) -> str:
    """One row per file, aligned, and a total line."""
    head = ["file", "units", "repairs", "flags", "unknown names", "status"]
    rows = [head] + [o.row() for o in outcomes]
    widths = [max(len(row[i]) for row in rows) for i in range(len(head) - 1)]
    lines = []
    for row in rows:
        cells = [
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=False))
        ]
        lines.append("  ".join([*cells, row[-1]]))
    failed = sum(1 for o in outcomes if o.error)
    lines.append(
        f"{len(outcomes)} files: {len(outcomes) - failed} imported"
        + (" (dry run: nothing was written)" if dry_run else "")
        + (f", {failed} failed (nothing written for them)" if failed else "")
    )
    return "\n".join(lines)


def _failure(exc: Exception) -> str:
    """One line for a file that could not be imported (its transaction rolled back)."""
    if isinstance(exc, ImportRefused):
        return str(exc)
    if isinstance(exc, ValidationError):
        return f"Import failed, nothing was written: {_one_line(exc)}"
    return f"Import failed, nothing was written: {type(exc).__name__}: {_one_line(exc)}"


def _one_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError) and hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(str(exc).split())
