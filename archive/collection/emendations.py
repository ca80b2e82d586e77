"""The curator's emendations of the imported seed text: reading, applying and proposing them.

The seed collection is what the text importer makes of the pamphlet, plus a short, reviewed
list of corrections a curator made on top (``fixtures/sources/emendations.json``): the
emendations a scholarly edition records. Each entry names the article (by slug), the field
(``body`` unless said otherwise), the text *as printed* — as the importer yields it, with
enough context around the change to occur exactly once — the text *as corrected*, a kind and
the reason::

    {"article": "lies-against-socialism-answered", "kind": "extraction",
     "printed": "the opened­up ex-Stalinists", "corrected": "the opened-up ex-Stalinists",
     "reason": "hyphen of a compound lost with the line break"}

Entries apply in file order, each to the text as the entries before it left it, so a later
entry can rely on an earlier one. An entry whose ``printed`` text is not found exactly once
stops the build with :class:`EmendationError`: when the importer changes what it yields, the
emendation has to be looked at again rather than silently skipped or applied twice.

:func:`propose` writes entries for the differences between two texts (the importer's output
and the text the curator wants), each with the shortest context that makes it unique, so a
curator starts from a correct list and only has to review the kinds and write the reasons.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from pathlib import Path

#: What a curator may change, and why such a change is made.
KINDS = {
    "extraction": "damage done by the text extraction (a lost hyphen, drop cap or character)",
    "misprint": "an error of the printed page",
    "layout": "text the page layout put in the wrong place, or page furniture",
    "paragraphing": "a paragraph break the extraction lost, or one the importer wrongly made",
    "title": "a title as the page prints it",
    "metadata": "a field other than the text: label, kind, dateline, date",
}
#: Fields of an article an emendation may correct; ``body`` by default.
FIELDS = ("body", "title", "subtitle", "label", "kind", "date", "date_display")
#: Fields replaced whole: ``printed`` must equal the imported value.
WHOLE_FIELDS = ("subtitle", "label", "kind", "date", "date_display")

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


class EmendationError(ValueError):
    """An emendation is malformed or no longer applies; the message says which and why."""


@dataclass(frozen=True)
class Emendation:
    """One reviewed correction, as the emendations file gives it."""

    number: int  # 1-based position in the file, for messages
    article: str
    field: str
    kind: str
    printed: str
    corrected: str
    reason: str

    def where(self) -> str:
        return f"emendation {self.number} ({self.article}, {self.field})"


@dataclass(frozen=True)
class Applied:
    """An emendation as applied: ``printed`` stood at ``offset`` of the text at that moment."""

    emendation: Emendation
    sequence: int  # order among the article's emendations of the same field, from 1
    offset: int


def load(path: Path) -> list[Emendation]:
    """Read and validate the emendations file; raise :class:`EmendationError` naming the entry."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EmendationError(f"{path.name}: cannot be read: {exc}") from None
    entries = data.get("emendations") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise EmendationError(f"{path.name}: expected an object with a list 'emendations'")
    out = []
    for number, item in enumerate(entries, start=1):
        where = f"{path.name}, emendation {number}"
        if not isinstance(item, dict):
            raise EmendationError(f"{where}: expected an object")
        unknown = set(item) - {"article", "field", "kind", "printed", "corrected", "reason"}
        if unknown:
            raise EmendationError(f"{where}: unknown key {sorted(unknown)[0]!r}")
        for key in ("article", "kind", "printed", "corrected", "reason"):
            if not isinstance(item.get(key), str):
                raise EmendationError(f"{where}: '{key}' must be a string")
        field = item.get("field", "body")
        if field not in FIELDS:
            raise EmendationError(f"{where}: field must be one of {', '.join(FIELDS)}")
        if item["kind"] not in KINDS:
            raise EmendationError(f"{where}: kind must be one of {', '.join(KINDS)}")
        if not item["reason"].strip() or item["reason"].startswith("REVIEW"):
            raise EmendationError(f"{where}: every emendation needs its reason (not REVIEW)")
        if item["printed"] == item["corrected"]:
            raise EmendationError(f"{where}: 'printed' and 'corrected' are the same")
        if field not in WHOLE_FIELDS and not item["printed"]:
            raise EmendationError(f"{where}: 'printed' must quote the text it corrects")
        out.append(
            Emendation(
                number,
                item["article"],
                field,
                item["kind"],
                item["printed"],
                item["corrected"],
                item["reason"].strip(),
            )
        )
    return out


def apply(text: str, emendations: list[Emendation]) -> tuple[str, list[Applied]]:
    """Apply ``emendations`` (all for one field of one article) in order.

    A whole-value field is replaced when it equals ``printed``; a text field has ``printed``
    replaced where it occurs, which must be exactly once. Raises :class:`EmendationError`.
    """
    applied = []
    for sequence, em in enumerate(emendations, start=1):
        if em.field in WHOLE_FIELDS:
            if text != em.printed:
                raise EmendationError(
                    f"{em.where()} no longer applies: the importer gives {text!r}, "
                    f"not {em.printed!r}"
                )
            applied.append(Applied(em, sequence, 0))
            text = em.corrected
            continue
        found = text.count(em.printed)
        if found != 1:
            raise EmendationError(
                f"{em.where()} no longer applies: its printed text {_short(em.printed)} "
                f"occurs {found} times in the imported {em.field}, not exactly once"
            )
        offset = text.index(em.printed)
        applied.append(Applied(em, sequence, offset))
        text = text[:offset] + em.corrected + text[offset + len(em.printed) :]
    return text, applied


def undo(text: str, applied: list[Applied]) -> str:
    """Undo applied emendations, newest first: the text as the importer yielded it."""
    for item in reversed(applied):
        em = item.emendation
        if em.field in WHOLE_FIELDS:
            text = em.printed
            continue
        end = item.offset + len(em.corrected)
        if text[item.offset : end] != em.corrected:
            raise EmendationError(f"{em.where()}: the corrected text is not where it was put")
        text = text[: item.offset] + em.printed + text[end:]
    return text


def _short(text: str, width: int = 60) -> str:
    flat = text.replace("\n", "⏎")
    return repr(flat if len(flat) <= width else flat[: width - 1] + "…")


# -- proposing entries from two texts -------------------------------------------------------


def propose(imported: str, wanted: str, *, min_words: int = 2) -> list[tuple[str, str]]:
    """``(printed, corrected)`` pairs that turn ``imported`` into ``wanted``, in order.

    Each difference (by words, spaces and punctuation) is widened by whole tokens to at
    least ``min_words`` words on each side, and further until its printed text occurs
    exactly once in the text it will be applied to (``imported`` with the pairs before it
    applied); differences whose contexts meet become one pair. So the pairs apply with
    :func:`apply` and give ``wanted`` exactly.
    """
    a, b = _TOKEN.findall(imported), _TOKEN.findall(wanted)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    ops = [list(op[1:]) for op in matcher.get_opcodes() if op[0] != "equal"]
    pairs: list[tuple[str, str]] = []
    floor = 0  # tokens of ``a`` already used by an earlier pair
    k = 0
    while k < len(ops):
        i1, i2, j1, j2 = ops[k]
        lo, hi = _widen(a, i1, i2, min_words, floor=floor)
        while True:
            # a later difference inside the context joins this pair
            while k + 1 < len(ops) and ops[k + 1][0] <= hi:
                k += 1
                i2, j2 = ops[k][1], ops[k][3]
                hi = max(hi, _widen(a, i2, i2, min_words, floor=floor)[1])
            printed = "".join(a[lo:hi])
            text = "".join(b[: j1 - (i1 - lo)] + a[lo:])
            if printed and text.count(printed) == 1:
                break
            if lo == floor and hi == len(a):
                raise EmendationError("cannot find a unique context for a difference")
            lo, hi = max(floor, lo - 1), min(len(a), hi + 1)
        corrected = "".join(a[lo:i1] + b[j1:j2] + a[i2:hi])
        pairs.append((printed, corrected))
        floor = hi
        k += 1
    return pairs


def _widen(tokens: list[str], start: int, end: int, words: int, *, floor: int) -> tuple[int, int]:
    lo, seen = start, 0
    while lo > floor and seen < words:
        lo -= 1
        seen += tokens[lo][0].isalnum()
    hi, seen = end, 0
    while hi < len(tokens) and seen < words:
        seen += tokens[hi][0].isalnum()
        hi += 1
    return lo, hi
