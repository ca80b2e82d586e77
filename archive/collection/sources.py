"""The seed collection's units: what the text importer makes of the pamphlet, emended.

Three sources in ``fixtures/sources/`` make each unit (the timeline, the introduction, a
sidebar, an article, the poem):

1. the pamphlet's extracted text, run through the importer's own code — the same
   ``parse_document`` and ``repair_unit`` that ``manage.py import_text`` runs, so units,
   titles, datelines, repaired bodies, captions and the repair log are the importer's;
2. ``emendations.json``: the curator's reviewed corrections on top of that, each with its
   kind and reason (:mod:`.emendations`);
3. ``articles.json``: what the curator records about each unit that the text cannot give —
   its slug (address), first publication, source typos kept as printed, notes.

No copy of an article's text is kept by hand: every published word is the importer's output
with the logged repairs and the emendations applied, in that order.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.text import slugify

from archive.importers.repairs import DocumentContext, Repair, RepairResult, repair_unit
from archive.importers.text import Document, Unit, parse_document

from . import emendations as em

PAMPHLET_FILE = "workers-liberty-1989-1991-pamphlet.txt"
ARTICLES_FILE = "articles.json"
EMENDATIONS_FILE = "emendations.json"
#: Article fields an emendation may correct, as the importer yields them.
UNIT_FIELDS = ("title", "subtitle", "label", "kind", "date", "date_display")


class SourceFormatError(ValueError):
    """A source file does not follow its format; the message names the file and entry."""


@dataclass(frozen=True)
class IllustrationSource:
    after_paragraph: int | None
    caption: str


@dataclass
class CuratedUnit:
    """One unit of the seed: the importer's output, emended, and the curator's record."""

    position: int
    slug: str
    title: str
    subtitle: str
    label: str
    kind: str
    date: str
    dateline: str
    body: str
    raw_text: str
    imported_body: str  # the importer's body, before the emendations
    first_published_in: str = ""
    first_published_date: str = ""
    pages: str = ""
    illustrations: list[IllustrationSource] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)
    emendations: list[em.Applied] = field(default_factory=list)
    typos: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def paragraphs(self) -> list[str]:
        return self.body.split("\n\n")

    def curator_notes(self) -> str:
        """Notes, typos kept and the count of editorial changes, for the curator notes."""
        parts = list(self.notes)
        if self.typos:
            parts.append("Source typos kept as printed: " + "; ".join(self.typos) + ".")
        applied = sum(1 for r in self.repairs if r.applied)
        if applied or self.emendations:
            parts.append(
                f"Editorial changes: {applied} repairs by the text importer and "
                f"{len(self.emendations)} curator emendations (listed with the article)."
            )
        return "\n\n".join(parts)


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SourceFormatError(f"{path.name}: cannot be read: {exc}") from None


def read_units(sources_dir: Path) -> list[CuratedUnit]:
    """Import the pamphlet, apply the emendations and join the curator's record, in order.

    Raises :class:`SourceFormatError` or :class:`.emendations.EmendationError` with one
    line naming the file, the entry and what does not fit.
    """
    text = (sources_dir / PAMPHLET_FILE).read_text(encoding="utf-8")
    records = _read_json(sources_dir / ARTICLES_FILE).get("articles")
    if not isinstance(records, list):
        raise SourceFormatError(f"{ARTICLES_FILE}: expected an object with a list 'articles'")
    entries = em.load(sources_dir / EMENDATIONS_FILE)
    document = parse_document(text)
    if len(document.units) != len(records):
        raise SourceFormatError(
            f"{ARTICLES_FILE} records {len(records)} units, but the importer finds "
            f"{len(document.units)} in {PAMPHLET_FILE}"
        )
    by_article: dict[str, list[em.Emendation]] = defaultdict(list)
    for entry in entries:
        by_article[entry.article].append(entry)
    slugs = [record.get("slug", "") for record in records]
    unknown = [e for e in entries if e.article not in slugs]
    if unknown:
        raise em.EmendationError(
            f"{unknown[0].where()}: no unit of the seed has the slug {unknown[0].article!r}"
        )
    units = []
    for unit, record, result in imported_units(document, records, text):
        slug = record["slug"]
        values = imported_values(unit, result)
        applied: list[em.Applied] = []
        own = by_article.get(slug, [])
        for name in (*UNIT_FIELDS, "body"):
            values[name], done = em.apply(values[name], [e for e in own if e.field == name])
            applied.extend(done)
        if not slugify(values["title"]).startswith(slug):
            raise SourceFormatError(
                f"{ARTICLES_FILE}, unit {unit.position}: slug {slug!r} is not the start of its "
                f"title {values['title']!r}; did the importer find other units?"
            )
        units.append(
            CuratedUnit(
                position=unit.position,
                slug=slug,
                title=values["title"],
                subtitle=values["subtitle"],
                label=values["label"],
                kind=values["kind"],
                date=values["date"],
                dateline=values["date_display"],
                body=values["body"],
                raw_text=unit.raw_text,
                imported_body=result.body,
                first_published_in=record.get("first_published_in", ""),
                first_published_date=record.get("first_published_date", ""),
                pages=record.get("pages", ""),
                illustrations=[
                    IllustrationSource(
                        _moved_paragraph(result.body, ill.after_paragraph, applied), ill.caption
                    )
                    for ill in result.illustrations
                ],
                repairs=list(result.repairs),
                emendations=applied,
                typos=list(record.get("typos", [])),
                notes=list(record.get("notes", [])),
            )
        )
    return units


def imported_units(document: Document, records: list[dict], text: str):
    """``(unit, record, repair result)`` for each unit, the importer's own way."""
    context = DocumentContext(text)
    for unit, record in zip(document.units, records, strict=True):
        yield unit, record, repair_unit(unit, context)


def imported_values(unit: Unit, result: RepairResult) -> dict[str, str]:
    """The fields an emendation may correct, as the importer yields them."""
    return {
        "title": unit.title,
        "subtitle": "",
        "label": unit.label,
        "kind": unit.kind,
        "date": unit.date,
        "date_display": unit.date_display,
        "body": result.body,
    }


def _moved_paragraph(imported: str, after: int | None, applied: list[em.Applied]) -> int | None:
    """The paragraph an illustration stands after, once the body emendations are applied.

    The illustration is anchored at the end of its paragraph in the imported body; each
    emendation before the anchor shifts it by the change in length, so it stays after the
    same words whatever breaks the emendations add or remove before it.
    """
    if after is None:
        return None
    ends = [i for i in range(len(imported)) if imported.startswith("\n\n", i)] + [len(imported)]
    anchor = ends[min(after, len(ends)) - 1]
    text = imported
    for item in applied:
        entry = item.emendation
        if entry.field != "body":
            continue
        start, end = item.offset, item.offset + len(entry.printed)
        if anchor >= end:
            anchor += len(entry.corrected) - len(entry.printed)
        elif anchor > start:
            anchor = start + len(entry.corrected)
        text = text[:start] + entry.corrected + text[end:]
    return text[:anchor].count("\n\n") + 1
