"""Parse plain text extracted from a printed pamphlet or paper into units, as printed.

Pure functions, no database. Stable API::

    units = parse_units(text)          # list[Unit], in reading order
    doc = parse_document(text)         # Document: units + lines no unit claimed

Each :class:`Unit` has ``kind`` (timeline, introduction, sidebar, article, poem), ``label``
(the printed number, "" when unnumbered), ``title`` (lines joined), ``date`` (EDTF, e.g.
"1990-01") with ``date_display`` (as printed, "January 1990"), and its source ``lines``, each
tagged with a ``role`` the repairs step (:mod:`archive.importers.repairs`) acts on.

What the parser recognises (layout of text extracted from multi-column print):

* **Unit heads.** A numbered title ("1. The risen people: Eastern Europe" + "after the
  revolutions") when its number is the next article number; numbers that restart at 1
  inside an article are *sub-points* (article 3's numbered "lies"), even when a later
  sub-point reuses the next article's number. An unnumbered short title block ("The program
  we" + "advocated") starts a sidebar when the text after it begins with a drop cap; a
  title-cased block between blank lines before a new sentence is a headline and starts an
  article; the words Timeline/Chronology, Introduction/Foreword/Preface and Editorial name
  their kind.
* **Title lines** continue while they start lower-case, or are short and the title so far
  has no final punctuation; a blank line, a dateline or a drop-cap letter ends them.
* **Head zone** after the title: a drop-cap letter on its own line ("T", "“W"), a dateline
  ("January 1990", "19 August 1991", or a bare year right after the title). Text that the
  page layout dropped between the drop cap and the dateline is tagged ``displaced``.
* **Body roles:** section headings in capitals (several lines, even split by blank lines,
  become one heading), numbered sub-points, bullets (•, *), "Continued (on) page N"
  markers (whole-line or glued to a word), photo captions (short lines that interrupt a
  sentence, or stand alone before a unit ends), verse (a unit of short capitalised lines in
  stanzas), timeline years and entries.
* **Paragraphs.** Extraction loses indentation, so a paragraph ends where a line ends a
  sentence *and* is short for its column (under 80% of the unit's median line), or at a
  blank line after a sentence end. A line that starts lower-case always continues.
* **Page jumps.** When a unit breaks off at "Continued on page N" and the next unit starts
  at once, the first later block that starts lower-case after a finished sentence is the
  continuation and is moved back to the unit it belongs to.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from .words import common_words, vocabulary

_MONTH_NAMES = (
    "january february march april may june july august september october november december"
)
MONTHS = {m: i + 1 for i, m in enumerate(_MONTH_NAMES.split(" "))}
_MONTH_RE = "|".join(m.capitalize() for m in MONTHS)
DATELINE_RE = re.compile(rf"^\s*(?:(\d{{1,2}})\s+)?({_MONTH_RE})\s+(\d{{4}})\s*$")
YEAR_RE = re.compile(r"^\s*(\d{4})\s*$")
NUMBERED_RE = re.compile(r"^\s*(\d{1,3})\.\s+([“\"‘']?[A-Z].*)$")
DROP_CAP_RE = re.compile(r"^\s*([“\"‘']?)([A-Z])\s*$")
BULLET_RE = re.compile(r"^\s*[•*]\s+")
MARKER_RE = re.compile(r"Continued\s+(?:on\s+)?page\s+\d+\s*$", re.IGNORECASE)
TIMELINE_YEAR_RE = re.compile(r"^\s*(?:(?:Early|Mid|Late)\s+)?\d{4}s?(?:\s*[–-]\s*\d{1,4})?\s*$")
TIMELINE_ENTRY_RE = re.compile(r"^\s*[A-Z][\w ,–-]{0,30}:\s")
TRAILING_YEAR_RE = re.compile(r"\((\d{4})\)\s*$")

TERMINAL = tuple('.!?)”"’]')
KIND_WORDS = {
    "timeline": "timeline",
    "chronology": "timeline",
    "introduction": "introduction",
    "foreword": "introduction",
    "preface": "introduction",
    "editorial": "editorial",
}
MAX_TITLE_LINES = 6
SHORT_TITLE_LINE = 30
HEAD_BLOCK_LINE = 40
CAPTION_LINE = 80


@dataclass
class Line:
    """One source line and what the parser thinks it is."""

    number: int  # 1-based line number in the source file
    text: str
    role: str = "text"  # see ROLES
    para: int | None = None  # paragraph id within the unit (body roles only)

    @property
    def stripped(self) -> str:
        return self.text.strip()


ROLES = (
    "blank", "title", "dropcap", "dateline", "displaced", "marker", "caption", "heading",
    "subpoint", "bullet", "text", "verse", "year", "entry",
)  # fmt: skip


@dataclass
class Unit:
    """One unit of the printed issue: an article, the introduction, a sidebar, the timeline…"""

    position: int
    kind: str
    label: str
    title: str
    lines: list[Line]
    date: str = ""
    date_display: str = ""
    notes: list[str] = field(default_factory=list)
    continued: bool = False  # broke off at "Continued on page N" with no text after it
    moved_from_line: int | None = None  # first line of a block moved here from later

    @property
    def first_line(self) -> int:
        return self.lines[0].number

    @property
    def last_line(self) -> int:
        return max(line.number for line in self.lines)

    @property
    def raw_text(self) -> str:
        """The unit's lines exactly as extracted (a moved continuation block last)."""
        return "\n".join(line.text for line in self.lines)

    @property
    def body_lines(self) -> list[Line]:
        return [line for line in self.lines if line.role != "title"]

    def as_dict(self) -> dict:
        return {
            "position": self.position,
            "kind": self.kind,
            "label": self.label,
            "title": self.title,
            "date": self.date,
            "date_display": self.date_display,
            "first_line": self.first_line,
            "last_line": self.last_line,
        }


@dataclass
class Document:
    units: list[Unit]
    unclaimed: list[Line]  # lines before the first unit head


# ---------------------------------------------------------------- helpers


def is_blank(text: str) -> bool:
    return not text.strip()


def ends_sentence(text: str) -> bool:
    return text.rstrip().endswith(TERMINAL)


def starts_lower(text: str) -> bool:
    s = text.lstrip()
    return bool(s) and s[0].islower()


def is_caps_line(text: str) -> bool:
    """A section heading set in capitals: no lower-case letters, and not a sentence end."""
    s = text.strip()
    letters = [c for c in s if c.isalpha()]
    if len(letters) < 2 or any(c.islower() for c in letters):
        return False
    return not s.endswith((".", ",", ";"))


def parse_dateline(text: str, *, allow_year: bool = False) -> tuple[str, str] | None:
    """("1990-01", "January 1990") for a dateline line, else None."""
    m = DATELINE_RE.match(text)
    if m:
        day, month, year = m.groups()
        edtf = f"{year}-{MONTHS[month.lower()]:02d}"
        if day:
            edtf += f"-{int(day):02d}"
        return edtf, text.strip()
    if allow_year:
        m = YEAR_RE.match(text)
        if m:
            return m.group(1), text.strip()
    return None


class Vocabulary:
    """Known words: the shipped list plus every word of the text being imported."""

    def __init__(self, text: str):
        self.counts = vocabulary(text)
        self.common = common_words()

    def known(self, word: str) -> bool:
        w = word.lower()
        return w in self.common or self.counts.get(w, 0) > 0

    def drop_cap_candidates(self, fragment: str) -> list[str]:
        """Words that a lost capital letter + ``fragment`` could make ("t" → It, At)."""
        frag = re.match(r"[^\W\d_]+", fragment)
        if not frag:
            return []
        rest = frag.group().lower()
        out = []
        for letter in "abcdefghijklmnopqrstuvwxyz":
            word = letter + rest
            if word in self.common or self.counts.get(word, 0) > 0:
                out.append(word)
        return out


# ---------------------------------------------------------------- unit heads


@dataclass
class _Head:
    index: int  # line index where the head starts
    kind: str
    label: str
    title_end: int  # index after the last title line


def _title_lines(lines: list[str], start: int, *, numbered: bool) -> int:
    """Index after the last line of a title that begins at ``start``."""
    end = start + 1
    title = lines[start].strip()
    while end < len(lines) and end - start < MAX_TITLE_LINES:
        line = lines[end]
        s = line.strip()
        if not s or DROP_CAP_RE.match(line) or parse_dateline(line):
            break
        if title.endswith(("?", "!", ".")):
            break
        if s[0].islower() or (len(s) <= SHORT_TITLE_LINE and not title.endswith(":")):
            title += " " + s
            end += 1
            continue
        if numbered and title.endswith(":") and s[0].islower():
            title += " " + s
            end += 1
            continue
        break
    return end


def _subpoint_end(lines: list[str], start: int) -> int:
    """A numbered sub-point heading runs until it ends a sentence (at most a few lines)."""
    end = start
    while end < len(lines) and end - start < MAX_TITLE_LINES:
        s = lines[end].strip()
        if not s:
            break
        end += 1
        if s.endswith((".", "?", "!", ":", "”")):
            break
    return end


def _next_nonblank(lines: list[str], i: int) -> int | None:
    while i < len(lines):
        if not is_blank(lines[i]):
            return i
        i += 1
    return None


def _prev_nonblank(lines: list[str], i: int) -> int | None:
    i -= 1
    while i >= 0:
        if not is_blank(lines[i]):
            return i
        i -= 1
    return None


def _kind_for_title(title: str) -> str | None:
    return KIND_WORDS.get(title.strip().strip(":").lower())


def _unnumbered_head(lines: list[str], i: int, vocab: Vocabulary) -> tuple[int, str] | None:
    """If an unnumbered title block starts at line ``i``: the index after it, and the kind.

    A short block before a drop cap (kept or lost) starts a sidebar; a title-cased block
    between blank lines before a new sentence (a headline) starts an article; a title that
    names its kind ("Introduction", "Timeline") starts that kind.
    """
    first = lines[i]
    if is_blank(first) or is_caps_line(first) or NUMBERED_RE.match(first):
        return None
    if DROP_CAP_RE.match(first) or parse_dateline(first, allow_year=True):
        return None
    prev = _prev_nonblank(lines, i)
    if prev is not None:
        blank_before = is_blank(lines[i - 1])
        if not (blank_before or first.startswith(" ")):
            return None
        if not ends_sentence(lines[prev]):
            return None
    end = i
    while end < len(lines) and end - i < 3 and not is_blank(lines[end]):
        s = lines[end].strip()
        if len(s) > HEAD_BLOCK_LINE or (end > i and not s[0].islower() and len(s) > 25):
            break
        end += 1
    if end == i:
        return None
    block = [lines[k].strip() for k in range(i, end)]
    if block[-1].endswith((".", ",", ";", ":")):
        return None
    if any(is_caps_line(b) or parse_dateline(b, allow_year=True) for b in block):
        return None
    kind = _kind_for_title(" ".join(block))
    if kind:
        return end, kind
    nxt = _next_nonblank(lines, end)
    if nxt is None or nxt - end > 1:
        return None
    if DROP_CAP_RE.match(lines[nxt]):
        return end, "sidebar"
    # the text after a title starts with a lost drop cap ("hat is the political…")
    if (
        starts_lower(lines[nxt])
        and vocab.drop_cap_candidates(lines[nxt].strip())
        and (prev is None or not block[0][0].islower())
    ):
        return end, "sidebar"
    # a headline: a title-cased block between blank lines, before text that starts a sentence
    if (
        (prev is None or is_blank(lines[i - 1]))
        and nxt == end + 1
        and _title_cased(block)
        and lines[nxt].lstrip()[:1].isupper()
        and not is_caps_line(lines[nxt])
        and not NUMBERED_RE.match(lines[nxt])
        and not DROP_CAP_RE.match(lines[nxt])
    ):
        return end, "article"
    return None


def _title_cased(block: list[str]) -> bool:
    """Most of a title's longer words capitalised, as headlines are ("Miners Vote to Strike")."""
    words = [w for w in " ".join(block).split() if len(w) >= 4 and w[0].isalpha()]
    if len(" ".join(block).split()) < 2 or not words:
        return False
    return sum(w[0].isupper() for w in words) / len(words) >= 0.5


def _find_heads(lines: list[str], vocab: Vocabulary) -> tuple[list[_Head], set[int]]:
    """Unit heads in order, and the line indexes that start numbered sub-points."""
    heads: list[_Head] = []
    subpoints: set[int] = set()
    expected = 1
    in_article = False
    sub_used: set[int] = set()
    sub_max = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        m = NUMBERED_RE.match(line)
        prev = _prev_nonblank(lines, i)
        if m and (prev is None or is_blank(lines[i - 1]) or ends_sentence(lines[prev])
                  or line.startswith(" ")):  # fmt: skip
            n = int(m.group(1))
            if in_article and sub_used and n not in sub_used and n <= sub_max + 2:
                subpoints.add(i)
                sub_used.add(n)
                sub_max = max(sub_max, n)
                i = _subpoint_end(lines, i)
                continue
            if n == expected:
                end = _title_lines(lines, i, numbered=True)
                heads.append(_Head(i, "article", str(n), end))
                expected = n + 1
                in_article = True
                sub_used, sub_max = set(), 0
                i = end
                continue
            if in_article and n == 1:
                subpoints.add(i)
                sub_used, sub_max = {1}, 1
                i = _subpoint_end(lines, i)
                continue
        found = _unnumbered_head(lines, i, vocab)
        if found is not None:
            end, kind = found
            heads.append(_Head(i, kind, "", end))
            in_article = False
            sub_used, sub_max = set(), 0
            i = end
            continue
        i += 1
    return heads, subpoints


# ---------------------------------------------------------------- roles within a unit


def _assign_head_zone(unit_lines: list[Line], title_end: int, *, numbered: bool) -> None:
    """Tag title lines, the drop cap, the dateline and displaced text after the title."""
    for line in unit_lines[:title_end]:
        line.role = "title"
    k = title_end
    seen_dropcap = False
    allow_year = numbered
    while k < len(unit_lines):
        line = unit_lines[k]
        if is_blank(line.text):
            line.role = "blank"
            k += 1
            continue
        if DROP_CAP_RE.match(line.text) and not seen_dropcap:
            line.role = "dropcap"
            seen_dropcap = True
            k += 1
            continue
        if parse_dateline(line.text, allow_year=allow_year):
            line.role = "dateline"
            k += 1
            allow_year = False
            continue
        if seen_dropcap and not any(x.role == "dateline" for x in unit_lines[:k]):
            # text between the drop cap and a dateline further on was displaced by layout
            for j in range(k, min(len(unit_lines), k + 15)):
                if parse_dateline(unit_lines[j].text):
                    after = next((x for x in unit_lines[j + 1 :] if not is_blank(x.text)), None)
                    if after is not None and starts_lower(after.text):
                        for x in unit_lines[k:j]:
                            x.role = "blank" if is_blank(x.text) else "displaced"
                        k = j
                        break
            else:
                break
            continue
        break


def _is_caption_block(unit_lines: list[Line], start: int, end: int, *, next_is_head: bool) -> bool:
    block = [unit_lines[k].stripped for k in range(start, end)]
    if not block or not block[0][:1].isupper() or any(len(b) > CAPTION_LINE for b in block):
        return False
    if any(ends_sentence(b) for b in block) or block[-1].endswith((":", ";", ",")):
        return False
    if any(is_caps_line(b) for b in block) or is_caps_line(block[0].split()[0]):
        return False  # a heading, or a small-capitals lead-in ("OURGEOIS propagandists")
    if block[-1].split()[-1].lower() in _FUNCTION_WORDS:
        return False  # a sentence that runs on, not a caption
    prev = next((x for x in reversed(unit_lines[:start]) if x.role != "blank"), None)
    if prev is not None and prev.role in ("dropcap", "dateline", "title", "heading"):
        return False
    nxt = next((x for x in unit_lines[end:] if x.role != "blank"), None)
    blank_before = start > 0 and unit_lines[start - 1].role == "blank"
    blank_after = end < len(unit_lines) and unit_lines[end].role == "blank"
    next_continues = nxt is not None and (starts_lower(nxt.text) or nxt.stripped[:1] in "—–")
    if blank_before and next_continues:
        return True
    leading_space = unit_lines[start].text.startswith(" ")
    last_word = block[-1].split()[-1]
    named = last_word[:1].isupper() or last_word[:1].isdigit()
    if leading_space and len(block) == 1 and named:
        if nxt is None and next_is_head:
            return True
        if blank_after and (next_continues or nxt is None):
            return True
        if prev is not None and ends_sentence(prev.text) and next_continues:
            return True
    return False


def _assign_body_roles(unit: Unit, subpoint_numbers: set[int], *, last_unit: bool) -> None:
    lines = unit.lines
    # markers, headings, sub-points, bullets
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.role not in ("text",):
            i += 1
            continue
        if is_blank(line.text):
            line.role = "blank"
        elif MARKER_RE.fullmatch(line.stripped):
            line.role = "marker"
        elif line.number in subpoint_numbers:
            line.role = "subpoint"
            j = i + 1
            heading = line.stripped
            while (
                j < len(lines)
                and not heading.endswith((".", "?", "!", ":", "”"))
                and not is_blank(lines[j].text)
                and j - i < MAX_TITLE_LINES
            ):
                lines[j].role = "subpoint"
                heading = lines[j].stripped
                j += 1
            i = j
            continue
        elif is_caps_line(line.text) and not DROP_CAP_RE.match(line.text):
            letters = sum(c.isalpha() for c in line.stripped)
            if letters >= 5 or " " in line.stripped or _caps_neighbour(lines, i):
                line.role = "heading"
        elif DROP_CAP_RE.match(line.text):
            line.role = "dropcap"
        elif BULLET_RE.match(line.text):
            line.role = "bullet"
        i += 1
    # captions: short blocks that interrupt the flow
    i = 0
    while i < len(lines):
        if lines[i].role != "text":
            i += 1
            continue
        end = i
        while end < len(lines) and end - i < 2 and lines[end].role == "text":
            if end > i and (starts_lower(lines[end].text) or lines[end].stripped[:1] in "—–"):
                # a two-line caption whose second line starts lower-case, before text that
                # resumes lower-case ("Bolshevik soldiers. Social democracy defined itself" /
                # "against Bolshevism" / "dence that the real rule…")
                after = lines[end + 1] if end + 1 < len(lines) else None
                if not (
                    starts_lower(lines[end].text)
                    and len(lines[end].stripped) <= HEAD_BLOCK_LINE
                    and not ends_sentence(lines[end].text)
                    and after is not None
                    and after.role == "text"
                    and starts_lower(after.text)
                ):
                    break
            end += 1
        next_is_head = all(x.role == "blank" for x in lines[end:]) and not last_unit
        starts_block = i == 0 or lines[i - 1].role != "text" or lines[i].text.startswith(" ")
        if (
            starts_block
            and (
                end == len(lines)
                or lines[end].role != "text"
                or starts_lower(lines[end].text)
                or lines[end].stripped[:1] in "—–"
            )
            and _is_caption_block(lines, i, end, next_is_head=next_is_head)
        ):
            for k in range(i, end):
                lines[k].role = "caption"
            i = end
            continue
        i += 1


_FUNCTION_WORDS = {
    "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "of", "on", "or",
    "that", "the", "to", "was", "were", "which", "who", "with",
}  # fmt: skip


def _caps_neighbour(lines: list[Line], i: int) -> bool:
    """A short capitals line counts as a heading when another capitals line is next to it."""
    for j in (i - 1, i + 1, i - 2, i + 2):
        if 0 <= j < len(lines) and is_caps_line(lines[j].text) and len(lines[j].stripped) > 1:
            return True
    return False


def _is_verse(lines: list[Line]) -> bool:
    text = [x for x in lines if x.role == "text"]
    if len(text) < 6:
        return False
    short = sum(1 for x in text if len(x.stripped) <= 45 and x.stripped[:1].isupper())
    blanks = sum(1 for x in lines if x.role == "blank")
    return short / len(text) >= 0.85 and blanks >= 1


def _assign_paragraphs(unit: Unit) -> None:
    """Group body lines into paragraphs (see the module docstring for the rule)."""
    lengths = [len(x.stripped) for x in unit.lines if x.role in ("text", "displaced")]
    median = statistics.median(lengths) if lengths else 0
    para = 0
    prev: Line | None = None  # previous line that carries text
    blank_since = False
    for line in unit.lines:
        role = line.role
        if role in ("blank", "marker", "caption", "dropcap", "dateline", "title"):
            if role == "blank":
                blank_since = True
            continue
        new = False
        if role == "heading":
            new = prev is None or prev.role != "heading"
        elif role == "subpoint":
            new = prev is None or prev.role != "subpoint" or bool(NUMBERED_RE.match(line.text))
        elif role in ("year", "bullet", "entry") or _after_heading(prev):
            new = True
        elif role == "verse":
            new = blank_since
        elif prev.role == "displaced" and role != "displaced":
            new = True
        elif starts_lower(line.text):
            # lower-case after a blank line that follows a finished sentence: a new section
            # whose drop cap was lost ("…ex-Stalinists states." / "ut socialism is dead")
            new = blank_since and prev.role == "text" and ends_sentence(prev.text)
        elif ends_sentence(prev.text):
            short = len(prev.stripped) < 0.8 * median
            new = short or blank_since
        if new:
            para += 1
        line.para = para
        prev = line
        blank_since = False


def _after_heading(prev: Line | None) -> bool:
    return prev is None or prev.role in ("heading", "subpoint", "year")


def _timeline_roles(unit: Unit) -> None:
    for line in unit.lines:
        if line.role != "text":
            continue
        if TIMELINE_YEAR_RE.match(line.text):
            line.role = "year"
        elif TIMELINE_ENTRY_RE.match(line.text):
            line.role = "entry"


# ---------------------------------------------------------------- the parser


def _split_lines(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    return text.split("\n")


def parse_document(text: str) -> Document:
    """Split ``text`` into units with every line's role and paragraph (see module docs)."""
    raw = _split_lines(text)
    vocab = Vocabulary(text)
    heads, subpoint_idx = _find_heads(raw, vocab)
    all_lines = [Line(i + 1, t) for i, t in enumerate(raw)]
    subpoint_numbers = {i + 1 for i in subpoint_idx}
    if not heads:
        # no recognisable structure: one untitled unit with the whole text
        first = _next_nonblank(raw, 0) or 0
        heads = [_Head(first, "article", "", first)]
    unclaimed = all_lines[: heads[0].index]
    units: list[Unit] = []
    for n, head in enumerate(heads):
        stop = heads[n + 1].index if n + 1 < len(heads) else len(raw)
        unit_lines = all_lines[head.index : stop]
        title_end = head.title_end - head.index
        title = " ".join(x.stripped for x in unit_lines[:title_end])
        label = head.label
        if label and title.startswith(f"{label}."):
            title = title[len(label) + 1 :].strip()
        unit = Unit(
            position=n + 1,
            kind=head.kind,
            label=label,
            title=title or "Untitled",
            lines=unit_lines,
        )
        _assign_head_zone(unit_lines, title_end, numbered=bool(label))
        for line in unit_lines:
            if line.role == "dateline" and not unit.date:
                unit.date, unit.date_display = parse_dateline(line.text, allow_year=True)
        units.append(unit)
    _move_continuations(units)
    for unit in units:
        if unit.kind == "timeline":
            for line in unit.lines:
                if line.role == "text" and is_blank(line.text):
                    line.role = "blank"
            _timeline_roles(unit)
        _assign_body_roles(unit, subpoint_numbers, last_unit=unit is units[-1])
        if unit.kind in ("article", "sidebar") and _is_verse(unit.body_lines):
            unit.kind = "poem"
            for line in unit.lines:
                if line.role == "text":
                    line.role = "verse"
        _assign_paragraphs(unit)
        if not unit.date:
            body = "\n".join(x.text for x in unit.lines if x.role == "text").rstrip()
            m = TRAILING_YEAR_RE.search(body)
            if m:
                unit.date, unit.date_display = m.group(1), f"({m.group(1)})"
                unit.notes.append(f"Dated {m.group(1)} from the year printed at its end.")
    return Document(units=units, unclaimed=unclaimed)


def _move_continuations(units: list[Unit]) -> None:
    """Give a unit that broke off at "Continued on page N" the block that continues it."""
    for n, unit in enumerate(units):
        last = next((x for x in reversed(unit.lines) if not is_blank(x.text)), None)
        if last is None or not MARKER_RE.search(last.text):
            continue
        unit.continued = True
        for later in units[n + 1 :]:
            lines = later.lines
            for k in range(1, len(lines)):
                line = lines[k]
                if line.role != "text" or not line.text.startswith(" "):
                    continue
                if not starts_lower(line.text):
                    continue
                prev = next((x for x in reversed(lines[:k]) if not is_blank(x.text)), None)
                if prev is None or not ends_sentence(prev.text) or prev.role != "text":
                    continue
                moved = lines[k:]
                while moved and is_blank(moved[-1].text):
                    moved.pop()
                later.lines = lines[: k + 0] + lines[k + len(moved) :]
                unit.lines = unit.lines + moved
                unit.moved_from_line = moved[0].number
                unit.notes.append(
                    f"Lines {moved[0].number}–{moved[-1].number} continue this unit after "
                    f"“{MARKER_RE.search(last.text).group().strip()}” and were moved here."
                )
                break
            else:
                continue
            break


def parse_units(text: str) -> list[Unit]:
    """The units of ``text`` in reading order (titles, kinds, labels, datelines)."""
    return parse_document(text).units
