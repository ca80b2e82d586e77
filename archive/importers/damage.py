"""Turn a clean text into the text a PDF or OCR extraction of its printed pages would give.

Why: an importer tuned on one pamphlet learns that pamphlet. To measure it on other texts we
need their extraction damage *and* the truth about every defect, so the score is computed
rather than asserted. This module is deterministic: the same clean text and seed always give
the same damaged text and the same list of :class:`Defect` records.

The clean text is a light markup (the corpus's ``*.txt`` files)::

    % running_head: GREEN LEFT WEEKLY        (header lines: name: value)
    % layout: columns | lines                (column-wrapped, or one paragraph per line)
    % width: 48                              (column width in characters)
    % seed: 1997

    # Headline of the first article
    @date May 13, 1998 = 1998-05-13          (as printed = EDTF)
    @by Jane Smith
    @caption A caption, with or without a full stop.

    First paragraph …

    Second paragraph …

What the damage does, at rates chosen from real extractions of narrow columns:

* **page breaks** every so many lines: a page number and the running head between two lines
  of text, often inside a sentence and sometimes inside a hyphenated word;
* **hyphenation** at line ends: long words broken with a hyphen ("govern-" / "ment"), and
  compounds broken at their own hyphen ("so-" / "called");
* **drop caps**: the first word's capital set apart and the next words in small capitals
  ("T HIS WEEK the"), or the capital lost altogether ("OLAND’S WORKERS have"), or the
  capital alone on its line;
* **captions** printed inside the text they illustrate (interrupting a sentence);
* **continuations**: one article breaks off at "Continued on page N" and its rest is printed
  after the next article (with or without a "Continued from page N" line);
* **bylines** ("By Jane Smith") and **datelines** in the forms the clean text gives.

Each defect is recorded with the clean-token span it affects in its unit (tokens are the
whitespace-separated words of the unit's paragraphs) and the printed lines it occupies.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class CleanUnit:
    """One article of the clean text, as the answer key describes it."""

    title: str
    date_display: str = ""
    date: str = ""
    byline: str = ""
    captions: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)

    @property
    def tokens(self) -> list[str]:
        return [w for p in self.paragraphs for w in p.split()]


@dataclass
class CleanText:
    name: str
    meta: dict[str, str]
    units: list[CleanUnit]


@dataclass
class Defect:
    """One thing the damage did: its kind, unit, clean-token span and printed lines."""

    kind: str
    unit: int  # index into CleanText.units
    start: int  # clean-token span [start, end); start == end for a point
    end: int
    lines: tuple[int, int]  # first and last printed line (1-based) involved
    detail: str = ""

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "unit": self.unit,
            "span": [self.start, self.end],
            "lines": list(self.lines),
            "detail": self.detail,
        }


@dataclass
class Damaged:
    text: str
    defects: list[Defect]


def parse_clean(text: str, name: str = "") -> CleanText:
    """Read the corpus markup (see the module docstring)."""
    meta: dict[str, str] = {}
    units: list[CleanUnit] = []
    para: list[str] = []

    def close_para() -> None:
        if para and units:
            units[-1].paragraphs.append(" ".join(para))
        para.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("%"):
            key, _, value = line[1:].partition(":")
            meta[key.strip()] = value.strip()
        elif line.startswith("# "):
            close_para()
            units.append(CleanUnit(title=line[2:].strip()))
        elif line.startswith("@date "):
            printed, _, edtf = line[6:].partition(" = ")
            units[-1].date_display, units[-1].date = printed.strip(), edtf.strip()
        elif line.startswith("@by "):
            units[-1].byline = line[4:].strip()
        elif line.startswith("@caption "):
            units[-1].captions.append(line[9:].strip())
        elif not line:
            close_para()
        else:
            para.append(line)
    close_para()
    return CleanText(name=name, meta=meta, units=units)


def load_clean(path: Path) -> CleanText:
    return parse_clean(path.read_text(encoding="utf-8"), path.stem)


def answer_key(clean: CleanText) -> dict:
    """The answer key of a clean text: what a perfect import would find."""
    return {
        "name": clean.name,
        "units": [
            {
                "title": u.title,
                "date": u.date,
                "date_display": u.date_display,
                "byline": u.byline,
                "captions": u.captions,
                "paragraphs": {
                    "count": len(u.paragraphs),
                    "first_words": [" ".join(p.split()[:4]) for p in u.paragraphs],
                    "last_words": [" ".join(p.split()[-4:]) for p in u.paragraphs],
                },
            }
            for u in clean.units
        ],
    }


# ---------------------------------------------------------------- printing


@dataclass
class _Line:
    text: str
    unit: int | None = None  # body lines only
    first: int = -1  # first and last clean token on the line (a split word is on both)
    last: int = -1
    split_after: bool = False  # the line's last token continues on the next body line
    para_start: bool = False
    breakable: bool = True  # a page may end after this line


_HYPHENABLE = re.compile(r"^([“‘\"']?)([A-Za-z]{6,})([,.;:!?’”\"']*)$")


def _split_point(word: str, rng: random.Random, room: int = 99) -> int | None:
    """Where a long word may be hyphenated: after at least 3 letters, leaving at least 3, so
    that the first part and its hyphen fit in ``room`` characters."""
    m = _HYPHENABLE.match(word)
    if not m:
        return None
    lead, letters = m.group(1), m.group(2)
    # break after a vowel followed by a consonant, as hyphenation dictionaries mostly do
    vowels = "aeiouy"
    points = [
        i
        for i in range(3, len(letters) - 2)
        if (
            letters[i - 1] in vowels and letters[i] not in vowels and letters[i] != letters[i + 1]
        )  # "go-vernment", never "commi-ssion"
        or (
            letters[i - 1] not in vowels
            and letters[i] not in vowels
            and letters[i + 1] in vowels
            and letters[i - 2] in vowels
        )  # "sup-port", "num-ber"
    ]
    points = [i for i in points if len(lead) + i + 1 <= room]
    if not points:
        return None
    return len(lead) + rng.choice(points)


class _Printer:
    def __init__(self, clean: CleanText):
        self.clean = clean
        self.meta = clean.meta
        self.rng = random.Random(int(clean.meta.get("seed", "1")))
        self.layout = clean.meta.get("layout", "columns")
        self.width = int(clean.meta.get("width", "50") or 50)
        self.defects: list[Defect] = []
        self.pending: list[tuple[str, int, int, int, list[_Line]]] = []

    # -- body lines of one unit ------------------------------------------------

    def body_lines(self, u: int) -> list[_Line]:
        unit = self.clean.units[u]
        out: list[_Line] = []
        t = 0  # token index
        indent = "  " if self.meta.get("indent") == "yes" else ""
        gap = self.meta.get("gap") == "yes"
        for p_index, para in enumerate(unit.paragraphs):
            words = para.split()
            if gap and p_index:
                out.append(_Line("", breakable=True))
            if self.layout == "lines":
                out.append(_Line(para, u, t, t + len(words) - 1, para_start=True))
                t += len(words)
                continue
            line_words: list[str] = []
            first = t
            start_of_para = True
            k = 0
            while k < len(words):
                word = words[k]
                current = " ".join(line_words)
                room = self.width - len(current) - (1 if line_words else 0)
                if len(word) <= room or not line_words:
                    line_words.append(word)
                    k += 1
                    continue
                # the word does not fit: break it, or move it to the next line
                head = None
                kind = ""
                if "-" in word.strip("-") and self.rng.random() < 0.9:
                    cut = word.index("-", 1) + 1
                    if cut <= room:
                        head, kind = word[:cut], "compound"
                elif self.rng.random() < 0.8:
                    cut = _split_point(word, self.rng, room)
                    if cut is not None:
                        head, kind = word[:cut] + "-", "hyphenation"
                text = indent * start_of_para + current
                if head is not None:
                    text += " " + head
                    out.append(
                        _Line(text, u, first, t + k, split_after=True, para_start=start_of_para)
                    )
                    rest = word[len(head) :] if kind == "compound" else word[len(head) - 1 :]
                    self._pending_word_defect(kind, u, t + k, len(out), word)
                    line_words = [rest]
                    first = t + k
                    k += 1
                else:
                    out.append(_Line(text, u, first, t + k - 1, para_start=start_of_para))
                    line_words = []
                    first = t + k
                start_of_para = False
            out.append(
                _Line(indent * start_of_para + " ".join(line_words), u, first, t + len(words) - 1,
                      para_start=start_of_para)
            )  # fmt: skip
            t += len(words)
        return out

    def _pending_word_defect(self, kind: str, u: int, token: int, line_index: int, word: str):
        # printed line numbers are known only once the page is laid out: keep the body-line
        # index and resolve it in ``paginate``
        self.defects.append(Defect(kind, u, token, token + 1, (line_index, line_index + 1), word))

    # -- the lead-in (drop cap) ------------------------------------------------

    def lead_in(self, u: int, lines: list[_Line], style: str) -> list[_Line]:
        first = next(x for x in lines if x.unit is not None)
        text = first.text
        indent = text[: len(text) - len(text.lstrip())]
        words = text.lstrip().split(" ")
        n = min(3, len(words) - 1) if style != "dropcap_line" else 0
        if style == "lost_smallcaps" and len(words[0]) < 3:
            style = "smallcaps"
        if style in ("smallcaps", "lost_smallcaps"):
            caps = [w.upper() for w in words[:n]]
            word0 = caps[0]
            if style == "smallcaps":
                caps[0] = word0[0] + " " + word0[1:]
            else:
                caps[0] = word0[1:]
            first.text = indent + " ".join(caps + words[n:])
            self.defects.append(Defect(style, u, 0, n, (-1, -1), " ".join(words[:n])))
        elif style == "dropcap_line":
            first.text = indent + text.lstrip()[1:]
            lines.insert(lines.index(first), _Line(text.lstrip()[0], breakable=False))
            self.defects.append(Defect("drop_cap", u, 0, 1, (-1, -1), words[0]))
        return lines

    # -- captions ------------------------------------------------------------

    def place_captions(self, u: int, lines: list[_Line]) -> list[_Line]:
        unit = self.clean.units[u]
        for n, caption in enumerate(unit.captions):
            body = [i for i, x in enumerate(lines) if x.unit is not None]
            if self.layout == "lines":
                # split a paragraph line in the middle and put the caption between the halves
                choices = [i for i in body[1:] if len(lines[i].text.split()) > 16]
                i = choices[(len(choices) * (n + 1)) // (len(unit.captions) + 1) - 1]
                lines[i : i + 1] = self._split_line(lines[i])
                at = i + 1
            else:
                # after a line that is not the last of its paragraph
                choices = [
                    i
                    for i in body[2:-2]
                    if lines[i + 1].unit is not None and not lines[i + 1].para_start
                ]
                at = choices[(len(choices) * (n + 1)) // (len(unit.captions) + 1)] + 1
            before, after = lines[at - 1], lines[at]
            block = [_Line("", breakable=False), _Line(caption, breakable=False),
                     _Line("", breakable=False)]  # fmt: skip
            lines[at:at] = block
            span = (before.last, after.first + 1) if not before.split_after else (
                before.last - 1, after.first + 2)  # fmt: skip
            self.defects.append(Defect("caption", u, *span, (-1, -1), caption))
            self.defects[-1].lines = ("caption", id(block[1]))  # resolved later
        return lines

    def _split_line(self, line: _Line) -> list[_Line]:
        """One paragraph line cut in two at a word near its middle (for lines layout)."""
        words = line.text.split(" ")
        cut = len(words) // 2 + self.rng.randint(-3, 3)
        a = _Line(" ".join(words[:cut]), line.unit, line.first, line.first + cut - 1,
                  para_start=line.para_start)  # fmt: skip
        b = _Line(" ".join(words[cut:]), line.unit, line.first + cut, line.last)
        return [a, b]

    # -- pages ------------------------------------------------------------------

    def paginate(self, stream: list[_Line]) -> list[str]:
        """Lay the lines out on pages; between pages a page number and the running head."""
        head = self.meta.get("running_head", "")
        every = int(self.meta.get("page_lines", "30" if self.layout == "columns" else "6"))
        page = int(self.meta.get("first_page", "2"))
        out: list[str] = []
        printed: dict[int, int] = {}  # id(_Line) -> printed line number
        count = 0

        def page_break(a: _Line, b: _Line) -> None:
            nonlocal page, count
            start = len(out) + 1
            top = f"{head}  {page + 1}" if page % 2 else f"{page + 1}  {head}"
            out.extend(["", str(page), "", top, ""])
            page += 1
            count = 0
            span = (a.last, b.first + 1) if not a.split_after else (a.last - 1, a.last + 2)
            self.defects.append(
                Defect("running_head", a.unit, *span, (start - 1, len(out) + 1),
                       "page break" + (" inside a word" if a.split_after else ""))
            )  # fmt: skip

        for i, line in enumerate(stream):
            nxt = stream[i + 1] if i + 1 < len(stream) else None
            if (
                self.layout == "lines"
                and count >= every
                and line.unit is not None
                and len(line.text.split()) > 20
            ):
                # the page ends inside this paragraph: cut its line in two around the break
                a, b = self._split_line(line)
                if self.rng.random() < 0.5:
                    word = a.text.rsplit(" ", 1)[-1]
                    cut = _split_point(word, self.rng)
                    if cut is not None:
                        a.text = a.text[: len(a.text) - len(word)] + word[:cut] + "-"
                        b.text = word[cut:] + " " + b.text
                        b.first = a.last
                        a.split_after = True
                out.append(a.text)
                printed[id(a)] = printed[id(line)] = len(out)
                page_break(a, b)
                out.append(b.text)
                printed[id(b)] = len(out)
                count = 1
                continue
            out.append(line.text)
            printed[id(line)] = len(out)
            count += 1
            if (
                self.layout == "columns"
                and count >= every
                and nxt is not None
                and line.unit is not None
                and nxt.unit == line.unit
                and line.breakable
            ):
                page_break(line, nxt)
        self._printed = printed
        return out

    def render(self) -> Damaged:
        clean = self.clean
        styles = ["smallcaps", "lost_smallcaps", "dropcap_line", "plain"]
        self.rng.shuffle(styles)
        # each text gets both small-capital forms on its first two units
        order = ["smallcaps", "lost_smallcaps"] + [s for s in styles if "smallcaps" not in s]
        blocks: list[list[_Line]] = []
        word_defects_by_unit: dict[int, list[_Line]] = {}
        for u, unit in enumerate(clean.units):
            start_defects = len(self.defects)
            body = self.body_lines(u)
            # resolve the body-line indexes of word defects to _Line objects
            for d in self.defects[start_defects:]:
                d.lines = ("body", id(body[d.lines[0] - 1]), id(body[d.lines[0]]))
            word_defects_by_unit[u] = body
            body = self.lead_in(u, body, order[u % len(order)])
            body = self.place_captions(u, body)
            head = [_Line(unit.title, breakable=False), _Line("", breakable=False)]
            if unit.byline:
                head.append(_Line(f"By {unit.byline}", breakable=False))
                self.defects.append(Defect("byline", u, 0, 0, ("head", id(head[-1])), unit.byline))
            if unit.date_display:
                head.append(_Line(unit.date_display, breakable=False))
                self.defects.append(
                    Defect("dateline", u, 0, 0, ("head", id(head[-1])), unit.date_display)
                )
            head.append(_Line("", breakable=False))
            blocks.append(head + body)
        stream = self._continuation(blocks)
        lines = self.paginate(stream)
        printed = self._printed
        for d in self.defects:
            tag = d.lines[0] if isinstance(d.lines[0], str) else None
            if tag == "body":
                d.lines = (printed[d.lines[1]], printed[d.lines[2]])
            elif tag == "caption":  # the caption and the lines of text it cuts apart
                n = printed[d.lines[1]]
                d.lines = (n - 2, n + 2)
            elif tag == "head":
                n = printed[d.lines[1]]
                d.lines = (n - 1, n + 1)
            elif d.lines == (-1, -1):
                d.lines = self._unit_first_body_line(d.unit, blocks, printed)
            elif tag == "continuation":
                d.lines = (printed[d.lines[1]], printed[d.lines[2]])
        return Damaged("\n".join(lines) + "\n", self.defects)

    def _unit_first_body_line(self, u, blocks, printed) -> tuple[int, int]:
        ids = [printed[id(x)] for x in blocks[u] if id(x) in printed and x.unit is not None]
        first = min(ids)
        return (first - 2, first + 1)

    def _continuation(self, blocks: list[list[_Line]]) -> list[_Line]:
        """Break the first unit off at "Continued on page N"; print its rest after the next."""
        if len(blocks) < 2 or self.meta.get("continuation", "yes") != "yes":
            return [x for b in blocks for x in b]
        first = blocks[0]
        body = [i for i, x in enumerate(first) if x.unit is not None]
        cut_at = body[int(len(body) * 0.6)]
        if self.layout == "lines":
            first[cut_at : cut_at + 1] = self._split_line(first[cut_at])
            cut_at += 1
        # cut between two lines of one paragraph
        while first[cut_at].para_start or first[cut_at - 1].unit is None:
            cut_at += 1
        head, rest = first[:cut_at], first[cut_at:]
        a, b = head[-1], rest[0]
        page = int(self.meta.get("first_page", "2")) + 2
        marker = _Line(f"Continued on page {page}", breakable=False)
        lines = head + [marker, _Line("", breakable=False)] + blocks[1]
        back = [_Line("", breakable=False)]
        if self.meta.get("continued_from", "yes") == "yes":
            back.append(_Line("Continued from page 2", breakable=False))
        lines += back + rest + [_Line("", breakable=False)]
        for block in blocks[2:]:
            lines += block
        a.breakable = False
        span = (a.last, b.first + 1) if not a.split_after else (a.last - 1, a.last + 2)
        self.defects.append(
            Defect("continuation", 0, *span, ("continuation", id(a), id(b)),
                   f"{len(rest)} lines printed after the next article")
        )  # fmt: skip
        return lines


def damage(clean: CleanText) -> Damaged:
    """The damaged "printed pages" text of ``clean`` and the truth of every defect."""
    return _Printer(clean).render()


def _main() -> None:  # pragma: no cover - a convenience for looking at the output
    import sys

    clean = load_clean(Path(sys.argv[1]))
    print(damage(clean).text)


if __name__ == "__main__":  # pragma: no cover
    _main()
