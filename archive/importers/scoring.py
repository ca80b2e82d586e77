"""Score the importer on a corpus of clean texts with answer keys (``manage.py score_import``).

Each clean text is damaged (:mod:`archive.importers.damage`), imported with the importer's
own pure pipeline (:func:`parse_document` → :func:`repair_unit`, which is what
``TextImporter`` runs before it writes anything; nothing touches the database here) and the
result is compared with the answer key and with the damage's record of every defect.

How each figure is computed, so the numbers mean something:

The answer key (``<text>.key.json``) gives units, titles, dates, bylines, captions and each
paragraph's first and last words; the clean text gives the words the bodies are aligned with.

* **units / titles** — a key unit is found when a unit with the same title (case- and
  typography-folded) was imported; titles count when they are equal as printed; extra
  units count against the text.
* **openings / endings** — the first and the last six words of each imported body equal
  the clean text's.
* **paragraphs** — a key paragraph is right when one imported paragraph starts with its first
  four words and ends with its last four.
* **captions** — each key caption is an illustration of its unit, word for word.
* **defects** — the words of each body are aligned with the clean words (difflib); a defect
  is *repaired* when no difference touches its words, *flagged* when it is not repaired but
  a flagged repair of its unit points at one of its printed lines; bylines and datelines
  count when the unit's byline and EDTF date equal the key's.
* **changes to correct text** — differences that touch no defect: words the importer
  changed, lost or added where the extraction was right.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from archive.text import fold

from .damage import Damaged, answer_key, damage, load_clean
from .repairs import DocumentContext, repair_unit
from .text import parse_document

EDGE_WORDS = 6
PARA_WORDS = 4
DEFECT_KINDS = (
    "running_head", "continuation", "hyphenation", "compound", "smallcaps", "lost_smallcaps",
    "drop_cap", "caption", "byline", "dateline",
)  # fmt: skip


@dataclass
class TextScore:
    name: str
    units: int = 0
    units_found: int = 0
    units_extra: int = 0
    titles: int = 0
    edges: int = 0  # openings and endings checked (two per key unit)
    edges_right: int = 0
    paragraphs: int = 0
    paragraphs_right: int = 0
    captions: int = 0
    captions_right: int = 0
    defects: dict[str, list[int]] = field(default_factory=dict)  # kind -> [n, repaired, flagged]
    changes: int = 0
    change_samples: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    @property
    def defects_total(self) -> int:
        return sum(v[0] for v in self.defects.values())

    @property
    def defects_handled(self) -> int:
        return sum(v[1] + v[2] for v in self.defects.values())

    def as_dict(self) -> dict:
        data = asdict(self)
        data["defects_total"] = self.defects_total
        data["defects_handled"] = self.defects_handled
        return data


def _norm(text: str) -> str:
    return " ".join(text.split())


def _body_tokens(body: str) -> list[str]:
    return [w for w in body.split() if w != "##"]


def _paragraphs(body: str) -> list[list[str]]:
    return [_body_tokens(p) for p in body.split("\n\n") if p.strip()]


def _touches(defect_start: int, defect_end: int, op: tuple) -> bool:
    tag, i1, i2, _, _ = op
    if defect_start == defect_end:  # a point: the start of the body
        return i1 <= defect_start <= i2 if tag != "insert" else i1 == defect_start
    if tag == "insert":
        return defect_start < i1 < defect_end
    return i1 < defect_end and defect_start < i2


def score_text(path: Path) -> TextScore:
    """Damage, import and score one clean text of the corpus."""
    clean = load_clean(path)
    key_path = path.with_suffix(".key.json")
    key_data = (
        json.loads(key_path.read_text(encoding="utf-8")) if key_path.exists() else answer_key(clean)
    )
    if len(key_data["units"]) != len(clean.units):
        raise ValueError(f"{key_path.name}: the answer key and the text differ in units")
    damaged: Damaged = damage(clean)
    document = parse_document(damaged.text)
    context = DocumentContext(damaged.text)
    produced = [(unit, repair_unit(unit, context)) for unit in document.units]
    score = TextScore(name=clean.name, units=len(clean.units))

    # match key units to imported units by title
    by_title = {}
    for unit, result in produced:
        by_title.setdefault(fold(_norm(unit.title)), (unit, result))
    matches = []
    for key in key_data["units"]:
        match = by_title.get(fold(_norm(key["title"])))
        matches.append(match)
        if match is not None:
            score.units_found += 1
            score.titles += _norm(match[0].title) == _norm(key["title"])
    score.units_extra = max(0, len(produced) - score.units_found)

    for u, (key, match) in enumerate(zip(key_data["units"], matches, strict=True)):
        unit, result = match if match is not None else (None, None)
        body = result.body if result is not None else ""
        tokens = _body_tokens(body)
        clean_tokens = clean.units[u].tokens
        title = key["title"]
        score.edges += 2
        score.edges_right += tokens[:EDGE_WORDS] == clean_tokens[:EDGE_WORDS]
        score.edges_right += tokens[-EDGE_WORDS:] == clean_tokens[-EDGE_WORDS:]
        paras = _paragraphs(body)
        expected = key["paragraphs"]
        for first, last in zip(expected["first_words"], expected["last_words"], strict=True):
            score.paragraphs += 1
            first_words, last_words = first.split(), last.split()
            if any(
                p[: len(first_words)] == first_words and p[-len(last_words) :] == last_words
                for p in paras
            ):
                score.paragraphs_right += 1
            else:
                score.missed.append(f"{title}: paragraph “{first}…”")
        captions = {_norm(i.caption) for i in (result.illustrations if result else [])}
        for caption in key["captions"]:
            score.captions += 1
            if _norm(caption) in captions:
                score.captions_right += 1
            else:
                score.missed.append(f"{title}: caption “{caption}”")

        ops = [
            op
            for op in difflib.SequenceMatcher(
                None, clean_tokens, tokens, autojunk=False
            ).get_opcodes()
            if op[0] != "equal"
        ]
        defects = [d for d in damaged.defects if d.unit == u]
        repairs = result.repairs if result else []
        flagged_lines = [r.line for r in repairs if r.status == "flagged"]
        for d in defects:
            counts = score.defects.setdefault(d.kind, [0, 0, 0])
            counts[0] += 1
            if d.kind == "byline":
                ok = unit is not None and unit.byline == key["byline"]
            elif d.kind == "dateline":
                ok = unit is not None and unit.date == key["date"]
            else:
                ok = not any(_touches(d.start, d.end, op) for op in ops)
                if d.kind == "caption":
                    ok = ok and _norm(d.detail) in captions
            if ok:
                counts[1] += 1
                continue
            lo, hi = d.lines
            if any(lo <= line <= hi for line in flagged_lines):
                counts[2] += 1
            else:
                score.missed.append(f"{title}: {d.kind} at lines {lo}–{hi} ({d.detail})")
        for op in ops:
            if any(_touches(d.start, d.end, op) for d in defects if d.kind != "dateline"):
                continue
            score.changes += 1
            tag, i1, i2, j1, j2 = op
            score.change_samples.append(
                f"{title}: {tag} “{' '.join(clean_tokens[i1:i2])}” → “{' '.join(tokens[j1:j2])}”"
            )
    return score


def score_corpus(folder: Path) -> list[TextScore]:
    """Every clean text of ``folder`` (``*.txt``, each with its ``*.key.json``), scored."""
    return [score_text(path) for path in sorted(folder.glob("*.txt"))]


def _pct(n: int, d: int) -> str:
    return f"{n}/{d} ({100 * n / d:.0f} %)" if d else "–"


_SUMMED = (
    "units", "units_found", "units_extra", "titles", "edges", "edges_right", "paragraphs",
    "paragraphs_right", "captions", "captions_right", "changes",
)  # fmt: skip


def table(scores: list[TextScore]) -> str:
    """The scores as a Markdown table, one column per text and a total."""
    total = TextScore(name="all")
    for s in scores:
        for name in _SUMMED:
            setattr(total, name, getattr(total, name) + getattr(s, name))
        for kind, v in s.defects.items():
            t = total.defects.setdefault(kind, [0, 0, 0])
            for i in range(3):
                t[i] += v[i]
    columns = [*scores, total]
    rows = [
        ("units found (extra)", lambda s: f"{s.units_found}/{s.units} ({s.units_extra})"),
        ("titles", lambda s: f"{s.titles}/{s.units}"),
        ("openings and endings", lambda s: _pct(s.edges_right, s.edges)),
        ("paragraphs", lambda s: _pct(s.paragraphs_right, s.paragraphs)),
        ("captions", lambda s: f"{s.captions_right}/{s.captions}"),
    ]
    kinds = [k for k in DEFECT_KINDS if any(k in s.defects for s in columns)]
    for kind in kinds:
        rows.append(
            (
                f"{kind} (repaired + flagged)",
                lambda s, kind=kind: (
                    f"{s.defects[kind][1]} + {s.defects[kind][2]} of {s.defects[kind][0]}"
                    if kind in s.defects
                    else "–"
                ),
            )
        )
    rows.append(("defects repaired or flagged", lambda s: _pct(s.defects_handled, s.defects_total)))
    rows.append(("changes to correct text", lambda s: str(s.changes)))
    head = "| | " + " | ".join(s.name for s in columns) + " |"
    sep = "| --- |" + " --- |" * len(columns)
    lines = [head, sep]
    for label, fn in rows:
        lines.append(f"| {label} | " + " | ".join(fn(s) for s in columns) + " |")
    return "\n".join(lines)


def as_json(scores: list[TextScore]) -> str:
    return json.dumps([s.as_dict() for s in scores], indent=2, ensure_ascii=False)


def defect_counts(scores: list[TextScore]) -> Counter[str]:
    out: Counter[str] = Counter()
    for s in scores:
        for kind, v in s.defects.items():
            out[kind] += v[0]
    return out
