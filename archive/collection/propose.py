"""Bring the emendations file up to date with the importer: ``build_collection --propose``.

When the importer improves, some emendations stop applying (it now makes the correction
itself, or yields the text a little differently) and the build stops. This rewrites the file
so that the build gives the articles of the committed fixture again:

* every entry that still applies is kept as it is, reason and all;
* an entry that no longer applies is dropped (and listed);
* what still differs from the committed fixture gets a new entry with the shortest unique
  context, a kind and a reason guessed from the shape of the change (a paragraph break, a
  lost compound hyphen, a field value). Guesses a rule cannot make are marked
  ``REVIEW``: the build refuses them until a curator writes the reason.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from archive.importers.text import parse_document

from . import emendations as em
from .sources import (
    ARTICLES_FILE,
    EMENDATIONS_FILE,
    PAMPHLET_FILE,
    UNIT_FIELDS,
    SourceFormatError,
    _read_json,
    imported_units,
    imported_values,
)

REVIEW = "REVIEW: "
#: Fixture fields of an article, by the name an emendation uses.
FIXTURE_FIELDS = {name: name for name in (*UNIT_FIELDS, "body")}


@dataclass
class Proposal:
    entries: list[dict] = field(default_factory=list)
    kept: int = 0
    added: int = 0
    dropped: list[em.Emendation] = field(default_factory=list)


def classify(printed: str, corrected: str) -> tuple[str, str]:
    """A kind and a reason for a body change, from its shape; ``REVIEW`` when unsure."""

    def flat(text: str) -> str:
        return re.sub(r"\s+", " ", text)

    if flat(printed) == flat(corrected) and corrected.count("\n\n") > printed.count("\n\n"):
        if "\n" in printed.replace("\n\n", ""):
            return "paragraphing", "Stanza break lost: stanzas are set apart in print."
        return (
            "paragraphing",
            "Paragraph break lost: the extraction drops indents, and this line ends a sentence "
            "at full column width, so the importer could not see the break.",
        )
    if flat(printed) == flat(corrected):
        return "paragraphing", "One paragraph in print: the importer broke it after a short line."
    if (
        printed.replace("-", "") == corrected.replace("-", "")
        and corrected.count("-") == printed.count("-") + 1
    ):
        return (
            "extraction",
            "Hyphen of a compound lost with the line break it stood at (the word is hyphenated "
            "elsewhere in the pamphlet or in standard usage).",
        )
    return "extraction", REVIEW + "say what was wrong with the printed text and why"


def propose(sources_dir: Path, fixture: Path) -> Proposal:
    """The emendations that make the importer's output the committed fixture's articles."""
    text = (sources_dir / PAMPHLET_FILE).read_text(encoding="utf-8")
    records = _read_json(sources_dir / ARTICLES_FILE).get("articles") or []
    entries = em.load(sources_dir / EMENDATIONS_FILE)
    wanted = {
        r["fields"]["slug"]: r["fields"]
        for r in json.loads(fixture.read_text(encoding="utf-8"))
        if r["model"] == "archive.article"
    }
    document = parse_document(text)
    if len(document.units) != len(records):
        raise SourceFormatError(
            f"{ARTICLES_FILE} records {len(records)} units, the importer finds "
            f"{len(document.units)}: update {ARTICLES_FILE} first"
        )
    out = Proposal()
    for unit, record, result in imported_units(document, records, text):
        slug = record["slug"]
        if slug not in wanted:
            raise SourceFormatError(f"{fixture.name} has no article {slug!r}")
        values = imported_values(unit, result)
        for name, key in FIXTURE_FIELDS.items():
            value = values[name]
            for entry in (e for e in entries if e.article == slug and e.field == name):
                try:
                    value, _ = em.apply(value, [entry])
                except em.EmendationError:
                    out.dropped.append(entry)
                    continue
                out.entries.append(_as_dict(entry))
                out.kept += 1
            target = wanted[slug][key] or ""
            if value == target:
                continue
            whole = name in em.WHOLE_FIELDS
            pairs = [(value, target)] if whole else em.propose(value, target)
            for printed, corrected in pairs:
                if name == "body":
                    kind, reason = classify(printed, corrected)
                else:
                    kind = "title" if name == "title" else "metadata"
                    reason = REVIEW + f"say why the {name} is corrected"
                entry = {"article": slug, "kind": kind, "printed": printed}
                entry.update({"corrected": corrected, "reason": reason})
                if name != "body":
                    entry = {"article": slug, "field": name, **entry}
                out.entries.append(entry)
                out.added += 1
    return out


def _as_dict(entry: em.Emendation) -> dict:
    data = {"article": entry.article}
    if entry.field != "body":
        data["field"] = entry.field
    data.update(
        kind=entry.kind, printed=entry.printed, corrected=entry.corrected, reason=entry.reason
    )
    return data


def render(sources_dir: Path, proposal: Proposal) -> str:
    """The emendations file with the proposal's entries, its other keys kept."""
    data = _read_json(sources_dir / EMENDATIONS_FILE)
    data["emendations"] = proposal.entries
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
