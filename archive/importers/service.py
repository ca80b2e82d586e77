"""The text importer: one class used by ``manage.py import_text`` and by the admin.

``TextImporter(publication=...).run(path_or_bytes, dry_run=...)`` returns an
:class:`ImportReport`. One run is one transaction: it creates a SourceDocument (SHA-256, size,
text, importer version, the report), a draft Issue, draft Articles with ``raw_text`` and the
repaired ``body``, Illustrations from captions, TextRepairs and Mentions — or, on any error,
nothing at all. Input that is not a text file is refused with :class:`ImportRefused`, whose
message is one line naming the problem (and for bad UTF-8 the byte offset).

Idempotent: a file whose SHA-256 is already known changes nothing and the report says so.
A changed file for an issue that already exists updates its draft articles by position, but
never the fields a curator edited (``Article.curator_edited_fields``), nor articles' status.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from archive.models import (
    Article,
    Illustration,
    Issue,
    Publication,
    SourceDocument,
    Status,
    TextRepair,
)

from .authors import propose_authorships
from .linking import NameIndex, find_candidates, find_mentions, link_article
from .repairs import DocumentContext, repair_unit
from .text import parse_document

IMPORTER_VERSION = "text-importer 1.0"
MAX_BYTES = 20 * 1024 * 1024
MAX_LINE_CHARS = 20_000
SAMPLES_PER_KIND = 3
# Fields the importer writes on an article; a curator's edit to any of them wins.
IMPORTED_FIELDS = ("slug", "label", "kind", "title", "date", "date_display", "body", "raw_text")


class ImportRefused(Exception):
    """The input cannot be imported; the message is one line for the curator."""


@dataclass
class ImportReport:
    """What an import found and did. ``as_text()`` is what the command prints."""

    name: str
    sha256: str
    size: int
    dry_run: bool
    status: str = ""  # "created", "updated", "unchanged" or "dry run"
    source_document_id: int | None = None
    issue_id: int | None = None
    units: list[dict] = field(default_factory=list)
    repair_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    repair_samples: dict[str, list[dict]] = field(default_factory=dict)
    flagged_repairs: list[dict] = field(default_factory=list)
    links: list[dict] = field(default_factory=list)
    flagged_mentions: list[dict] = field(default_factory=list)
    candidates: list[tuple[str, int]] = field(default_factory=list)
    candidate_contexts: dict[str, str] = field(default_factory=dict)
    kept_curator_fields: list[dict] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)

    def as_text(self) -> str:
        out = []
        head = f"{self.name}: {self.size:,} bytes, SHA-256 {self.sha256[:16]}…"
        out.append(head)
        out.append(f"Status: {self.status}" + (" (nothing was written)" if self.dry_run else ""))
        if self.source_document_id:
            out.append(f"Source document #{self.source_document_id}, issue #{self.issue_id}")
        out.extend(self.messages)
        if self.units:
            out.append("")
            out.append(f"Units ({len(self.units)}), in reading order:")
            for u in self.units:
                label = f"{u['label']}." if u["label"] else "-"
                date = u["date"] or "no date"
                out.append(
                    f"  {u['position']:>3} {u['kind']:<12} {label:>4} {u['title']}"
                    f"  [{date}{' = ' + u['date_display'] if u['date_display'] else ''}]"
                    f"  lines {u['first_line']}–{u['last_line']}, {u['words']} words"
                    + (f", {u['illustrations']} illustration(s)" if u["illustrations"] else "")
                )
                for author in u.get("authors", []):
                    new = " (new draft person)" if author["new_person"] else ""
                    out.append(f"        by {author['name']}{new}")
                for note in u.get("notes", []):
                    out.append(f"        note: {note}")
        if self.repair_counts:
            out.append("")
            out.append("Repairs (applied / flagged for review), with samples:")
            for kind, counts in sorted(self.repair_counts.items()):
                out.append(
                    f"  {kind:<14} {counts.get('applied', 0):>5} applied"
                    f" {counts.get('flagged', 0):>4} flagged"
                )
                for s in self.repair_samples.get(kind, []):
                    out.append(
                        f"      line {s['line']}: {_show(s['before'])} → {_show(s['after'])}"
                        + (f"  ({s['note']})" if s["note"] else "")
                    )
        if self.links:
            total = sum(1 for link in self.links if link["status"] != "flagged")
            out.append("")
            out.append(
                f"Links: {total} mentions linked, {len(self.flagged_mentions)} flagged, "
                f"in {len({link['article'] for link in self.links})} units"
            )
            counts: Counter[str] = Counter()
            for link in self.links:
                if link["status"] != "flagged":
                    counts[link["entity"]] += link["count"]
            if counts:
                top = ", ".join(f"{name} ×{n}" for name, n in counts.most_common(12))
                out.append(f"  most mentioned: {top}")
        flags = self.flagged_repairs + self.flagged_mentions
        if flags:
            out.append("")
            out.append(f"Flags for review ({len(flags)}):")
            for f in self.flagged_repairs:
                out.append(
                    f"  repair  line {f['line']} {f['kind']}: {_show(f['before'])}"
                    f" → {_show(f['after'])}  {f['note']}"
                )
            for f in self.flagged_mentions:
                out.append(
                    f"  mention unit {f['article']}: “{f['forms']}” could be {f['entity']}"
                    f" ({f['reason']})"
                )
        if self.candidates:
            out.append("")
            shown = ", ".join(f"{name} ({n})" for name, n in self.candidates[:40])
            more = len(self.candidates) - 40
            out.append(
                f"Candidates — capitalised names matching nothing known ({len(self.candidates)}):"
            )
            out.append(f"  {shown}" + (f", … and {more} more" if more > 0 else ""))
            for name, _ in self.candidates[:10]:
                if self.candidate_contexts.get(name):
                    out.append(f"    {name}: {self.candidate_contexts[name]}")
        if self.kept_curator_fields:
            out.append("")
            out.append("Kept as curators edited them:")
            for k in self.kept_curator_fields:
                out.append(f"  unit {k['position']} {k['title']}: {', '.join(k['fields'])}")
        return "\n".join(out)


def _show(value: str, width: int = 48) -> str:
    text = value.replace("\n", "⏎")
    if len(text) > width:
        text = text[: width - 1] + "…"
    return f"“{text}”"


def decode_source(data: bytes) -> str:
    """The text of an uploaded file, or :class:`ImportRefused` saying why not."""
    if not data or not data.strip():
        raise ImportRefused("The file is empty: there is no text to import.")
    if len(data) > MAX_BYTES:
        raise ImportRefused(
            f"The file is {len(data):,} bytes; the limit is {MAX_BYTES:,} bytes per import."
        )
    nul = data.find(b"\x00")
    if nul != -1:
        raise ImportRefused(f"This is a binary file, not plain text (NUL byte at offset {nul}).")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            f"The file is not valid UTF-8: byte 0x{data[exc.start]:02X} at offset {exc.start} "
            f"cannot be decoded. Save it as UTF-8 and try again."
        ) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ImportRefused("The file is empty: there is no text to import.")
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise ImportRefused(
                f"Line {number} is {len(line):,} characters long (limit {MAX_LINE_CHARS:,}): "
                "this does not look like text extracted from a printed page."
            )
    return text


class TextImporter:
    """Import one text file into one issue of a publication (see the module docstring)."""

    def __init__(
        self,
        *,
        publication: Publication | str,
        issue_slug: str = "",
        issue_title: str = "",
        issue_date: str = "",
        issue_volume: str = "",
        issue_number: str = "",
        link: bool = True,
        index: NameIndex | None = None,
    ):
        if isinstance(publication, str):
            found = Publication.objects.filter(slug=publication).first()
            if found is None:
                raise ImportRefused(f"No publication has the slug {publication!r}.")
            publication = found
        self.publication = publication
        self.issue_slug = issue_slug
        self.issue_title = issue_title
        self.issue_date = issue_date
        self.issue_volume = issue_volume
        self.issue_number = issue_number
        self.link = link
        self.index = index

    # -- input

    @staticmethod
    def read(source: str | Path | bytes, name: str = "") -> tuple[bytes, str]:
        if isinstance(source, bytes | bytearray):
            return bytes(source), name or "upload.txt"
        path = Path(source)
        if not path.is_file():
            raise ImportRefused(f"No such file: {path}")
        return path.read_bytes(), name or path.name

    # -- the run

    def run(
        self, source: str | Path | bytes, *, dry_run: bool = False, name: str = ""
    ) -> ImportReport:
        data, name = self.read(source, name)
        sha = hashlib.sha256(data).hexdigest()
        report = ImportReport(name=name, sha256=sha, size=len(data), dry_run=dry_run)
        existing = SourceDocument.objects.filter(sha256=sha).first()
        if existing is not None:
            report.status = "unchanged"
            report.source_document_id = existing.pk
            issue = existing.issues.first()
            report.issue_id = issue.pk if issue else None
            when = existing.imported_at or existing.created
            report.messages.append(
                f"This file (same SHA-256) was already imported as “{existing.name}” on "
                f"{when:%Y-%m-%d %H:%M}; nothing changed."
            )
            return report
        text = decode_source(data)
        document = parse_document(text)
        if not document.units:
            raise ImportRefused("No text units were found in the file.")
        context = DocumentContext(text)
        repaired = [(unit, repair_unit(unit, context)) for unit in document.units]
        if document.unclaimed and any(x.text.strip() for x in document.unclaimed):
            report.messages.append(
                f"Lines 1–{document.unclaimed[-1].number} come before the first unit and "
                "were not imported."
            )
        with transaction.atomic():
            self._write(text, name, sha, data, repaired, report)
            if dry_run:
                transaction.set_rollback(True)
        if dry_run:
            report.status = "dry run"
            report.source_document_id = report.issue_id = None
            for unit in report.units:
                unit["article_id"] = None
        return report

    def _write(self, text, name, sha, data, repaired, report: ImportReport) -> None:
        now = timezone.now()
        source = SourceDocument(
            name=name[:255], sha256=sha, size=len(data), text=text, imported_at=now,
            importer_version=IMPORTER_VERSION,
        )  # fmt: skip
        source.full_clean()
        source.save()
        issue, created_issue = self._issue(source, name)
        report.status = "created" if created_issue else "updated"
        report.source_document_id, report.issue_id = source.pk, issue.pk
        index = self.index
        if self.link and index is None:
            index = NameIndex.from_database()
        slugs: set[str] = set()
        repair_rows: list[TextRepair] = []
        all_candidates: Counter[str] = Counter()
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for unit, result in repaired:
            slug = _unique_slug(unit.title, slugs, unit.label)
            values = {
                "slug": slug,
                "label": unit.label,
                "kind": unit.kind,
                "title": unit.title[:500],
                "date": unit.date,
                "date_display": unit.date_display,
                "body": result.body,
                "raw_text": unit.raw_text,
            }
            article, kept = self._article(issue, unit.position, values)
            if kept:
                report.kept_curator_fields.append(
                    {"position": unit.position, "title": article.title, "fields": kept}
                )
            if "body" not in kept:
                article.illustrations.all().delete()
                Illustration.objects.bulk_create(
                    Illustration(
                        article=article,
                        caption=ill.caption,
                        position=n,
                        after_paragraph=ill.after_paragraph,
                    )
                    for n, ill in enumerate(result.illustrations, start=1)
                )
            for r in result.repairs:
                repair_rows.append(
                    TextRepair(
                        article=article,
                        source_document=source,
                        kind=r.kind,
                        status=r.status,
                        line=r.line,
                        sequence=r.sequence,
                        offset=r.offset,
                        before=r.before,
                        after=r.after,
                        note=r.note[:2000],
                    )
                )
                counts[r.kind][r.status] += 1
                if r.status == "flagged":
                    report.flagged_repairs.append({"unit": unit.position, **r.as_dict()})
            for kind, samples in _samples(result.repairs).items():
                bucket = report.repair_samples.setdefault(kind, [])
                bucket.extend(samples[: SAMPLES_PER_KIND - len(bucket)])
            authors = propose_authorships(article, unit.bylines)
            unit_report = {
                **unit.as_dict(),
                "authors": authors,
                "article_id": article.pk,
                "words": article.word_count,
                "illustrations": len(result.illustrations),
                "notes": unit.notes,
                "excerpt": _excerpt(article.body),
            }
            report.units.append(unit_report)
            if self.link:
                link = link_article(article, index)
                for s in link.summaries:
                    entry = {
                        "article": unit.position,
                        "entity": s.label,
                        "target": f"{s.target.type}:{s.target.id}",
                        "count": s.count,
                        "status": "flagged" if s.flagged else "auto",
                        "forms": ", ".join(s.forms),
                        "reason": s.reason,
                    }
                    report.links.append(entry)
                    if s.flagged:
                        report.flagged_mentions.append(entry)
                all_candidates.update(dict(link.candidates))
                for name, context in link.candidate_contexts.items():
                    report.candidate_contexts.setdefault(name, context)
            else:
                hits = find_mentions(article.body, NameIndex([]))
                all_candidates.update(dict(find_candidates(article.body, hits)))
        TextRepair.objects.bulk_create(repair_rows, batch_size=500)
        report.repair_counts = {k: dict(v) for k, v in counts.items()}
        report.candidates = sorted(all_candidates.items(), key=lambda kv: (-kv[1], kv[0]))
        source.report = _jsonable(report)
        source.save(update_fields=["report", "updated"])

    def _issue(self, source: SourceDocument, name: str) -> tuple[Issue, bool]:
        slug = self.issue_slug or slugify(Path(name).stem)[:255] or "imported"
        issue = Issue.objects.filter(publication=self.publication, slug=slug).first()
        if issue is not None:
            issue.source_document = source
            issue.save(update_fields=["source_document", "updated"])
            return issue, False
        issue = Issue(
            publication=self.publication, slug=slug, title=self.issue_title,
            date=self.issue_date, volume=self.issue_volume, number=self.issue_number,
            source_document=source, status=Status.DRAFT,
            curator_notes=(
                f"Created by the text importer from “{name}”. Title, number and date are as "
                "given at import (blank when the text does not say); check them."
            ),
        )  # fmt: skip
        issue.full_clean()
        issue.save()
        return issue, True

    def _article(self, issue: Issue, position: int, values: dict) -> tuple[Article, list[str]]:
        article = Article.objects.filter(issue=issue, position=position).first()
        if article is None:
            article = Article(issue=issue, position=position, status=Status.DRAFT, **values)
            article.full_clean()
            article.save()
            return article, []
        protected = set(article.curator_edited_fields or [])
        kept = sorted(f for f in values if f in protected)
        changed = []
        for name_, value in values.items():
            if name_ in protected or getattr(article, name_) == value:
                continue
            setattr(article, name_, value)
            changed.append(name_)
        if changed:
            article.full_clean()
            article.save()
        return article, kept


def _unique_slug(title: str, taken: set[str], label: str) -> str:
    base = slugify(title)[:200] or (f"unit-{label}" if label else "unit")
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    taken.add(slug)
    return slug


def _excerpt(body: str, limit: int = 400) -> str:
    """The opening of a body for previews, cut at a word."""
    text = " ".join(body.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def _samples(repairs) -> dict[str, list[dict]]:
    """A few repairs of each kind for the report; for reflow, ones that joined lines."""
    out: dict[str, list[dict]] = defaultdict(list)
    for r in sorted(repairs, key=lambda r: r.line):
        if r.kind == "reflow" and (r.before.count("\n") < 2 or len(r.before) > 400):
            continue
        if len(out[r.kind]) < SAMPLES_PER_KIND:
            out[r.kind].append(r.as_dict())
    return out


def _jsonable(report: ImportReport) -> dict:
    data = report.as_dict()
    data["candidates"] = [list(c) for c in report.candidates]
    return data
