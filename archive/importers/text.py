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
* **Head zone** after the title: a byline ("By Jane Smith and Ali Khan" → ``bylines``), a
  drop-cap letter on its own line ("T", "“W"), a dateline ("19 January 1996", "January 19,
  1996", "Jan. 1996", "Spring 1990", and where only a date can stand — after a numbered
  title or a byline — "1990" or "1989–90"). A headline followed by a byline or a dateline
  starts an article. Text that the page layout dropped between the drop cap and the dateline
  is tagged ``displaced``.
* **Page furniture:** a bare page number (one to three digits, never a year) with the
  running head beside it (repeated on other pages, or printed with its number) and the blank
  lines around them, role ``pagehead``; units and paragraphs are found in the text as it
  flows across the break.
* **Body roles:** section headings in capitals (several lines, even split by blank lines,
  become one heading), numbered sub-points, bullets (•, *), "Continued (on/from) page N"
  markers (whole-line or glued to a word), photo captions (short blocks set apart by blank
  lines inside a sentence they interrupt, with or without a full stop, or anywhere in text
  whose paragraphs are not separated by blank lines, or standing alone before a unit ends),
  verse (a unit of short capitalised lines in stanzas), timeline years and entries.
* **Paragraphs,** in the unit's layout: one paragraph per line (text with many lines longer
  than a column), indented first lines, or column lines where a paragraph ends where a line
  ends a sentence *and* is short for its column (under 80% of the unit's median line), or at
  a blank line after a sentence end. A line that starts lower-case always continues.
* **Page jumps.** When a unit breaks off at "Continued on page N", its rest is the block
  after a later "Continued from page N" line, or else the first later line that starts
  lower-case right after a finished sentence and continues the broken-off text (completing
  its broken word, or a word of its own); it is moved back to the unit it belongs to.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise

from .words import common_words, vocabulary

_MONTH_NAMES = (
    "january february march april may june july august september october november december"
)
MONTHS = {m: i + 1 for i, m in enumerate(_MONTH_NAMES.split(" "))}
_MONTH_ABBREVIATIONS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
SEASONS = {"spring": 21, "summer": 22, "autumn": 23, "fall": 23, "winter": 24}  # EDTF codes
_MONTH_RE = "|".join(m.capitalize() for m in MONTHS)
_MONTH_ANY = rf"(?:{_MONTH_RE}|(?:{'|'.join(a.capitalize() for a in _MONTH_ABBREVIATIONS)})\.?)"
# "19 January 1996", "January 1990", "Jan. 1996", "19 Jan. 1996"
DATELINE_RE = re.compile(rf"^\s*(?:(\d{{1,2}})\s+)?({_MONTH_ANY})\s+(\d{{4}})\s*$")
# "January 19, 1996", "Jan. 19 1996"
DATELINE_US_RE = re.compile(rf"^\s*({_MONTH_ANY})\s+(\d{{1,2}}),?\s+(\d{{4}})\s*$")
SEASON_RE = re.compile(r"^\s*(Spring|Summer|Autumn|Fall|Winter)\s+(\d{4})\s*$")
YEAR_RANGE_RE = re.compile(r"^\s*(\d{4})\s*[–—-]\s*(\d{2}|\d{4})\s*$")
YEAR_RE = re.compile(r"^\s*(\d{4})\s*$")
NUMBERED_RE = re.compile(r"^\s*(\d{1,3})\.\s+([“\"‘']?[A-Z].*)$")
DROP_CAP_RE = re.compile(r"^\s*([“\"‘']?)([A-Z])\s*$")
BULLET_RE = re.compile(r"^\s*[•*]\s+")
MARKER_RE = re.compile(r"Continued\s+(?:on\s+)?page\s+\d+\s*$", re.IGNORECASE)
FROM_MARKER_RE = re.compile(r"^\s*Continued\s+from\s+page\s+\d+\s*$", re.IGNORECASE)
PAGE_NUMBER_RE = re.compile(r"^\s*\d{1,3}\s*$")
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
HEADLINE_LINE = 90  # a headline line over a byline or dateline may be long
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
    "blank", "title", "dropcap", "dateline", "byline", "pagehead", "displaced", "marker",
    "caption", "heading",
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
    bylines: list[str] = field(default_factory=list)  # names printed "By …" under the title
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
    def byline(self) -> str:
        """The byline's names as one string ("Jane Smith and Ali Khan"); "" when none."""
        return " and ".join(self.bylines)

    @property
    def body_lines(self) -> list[Line]:
        return [line for line in self.lines if line.role not in ("title", "pagehead")]

    @property
    def flow(self) -> list[Line]:
        """The unit's lines without page furniture: the text as it flows from page to page."""
        return [line for line in self.lines if line.role != "pagehead"]

    def as_dict(self) -> dict:
        return {
            "position": self.position,
            "kind": self.kind,
            "label": self.label,
            "title": self.title,
            "date": self.date,
            "date_display": self.date_display,
            "bylines": self.bylines,
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


def _month_number(word: str) -> int:
    w = word.lower().rstrip(".")
    return MONTHS.get(w) or _MONTH_ABBREVIATIONS[w]


def parse_dateline(text: str, *, allow_year: bool = False) -> tuple[str, str] | None:
    """(EDTF, as printed) for a dateline line, else None.

    "19 January 1996" → 1996-01-19, "January 19, 1996" → 1996-01-19, "Jan. 1996" →
    1996-01, "Spring 1990" → 1990-21 (EDTF season), and with ``allow_year`` (where a bare
    year can only be a date: right after a numbered title or a byline) "1990" → 1990 and
    "1989–90" → 1989/1990.
    """
    m = DATELINE_RE.match(text) or DATELINE_US_RE.match(text)
    if m:
        if m.re is DATELINE_RE:
            day, month, year = m.groups()
        else:
            month, day, year = m.groups()
        if day and not 1 <= int(day) <= 31:
            return None
        edtf = f"{year}-{_month_number(month):02d}"
        if day:
            edtf += f"-{int(day):02d}"
        return edtf, text.strip()
    m = SEASON_RE.match(text)
    if m:
        return f"{m.group(2)}-{SEASONS[m.group(1).lower()]}", text.strip()
    if allow_year:
        m = YEAR_RE.match(text)
        if m:
            return m.group(1), text.strip()
        m = YEAR_RANGE_RE.match(text)
        if m:
            start, end = m.group(1), m.group(2)
            if len(end) == 2:
                end = start[:2] + end
            if end > start:
                return f"{start}/{end}", text.strip()
    return None


BYLINE_RE = re.compile(
    r"^\s*(?:By|BY)\s+((?:[A-Z][\w’'.-]*)(?:\s+(?:[A-Z][\w’'.-]*|de|van|von|der|and|&|,))"
    r"{0,7})\s*$"
)


def parse_byline(text: str) -> list[str] | None:
    """The names of a byline line ("By Jane Smith and Ali Khan" → two names), else None."""
    m = BYLINE_RE.match(text)
    if not m:
        return None
    names = [n.strip(" ,") for n in re.split(r",|\band\b|&", m.group(1))]
    names = [n for n in names if n]
    if not names or any(len(n.split()) > 4 for n in names):
        return None
    return names


class Vocabulary:
    """Known words: the shipped list plus every word of the text being imported."""

    def __init__(self, text: str):
        self.counts = vocabulary(text)
        self.common = common_words()

    def known(self, word: str) -> bool:
        w = word.lower()
        return w in self.common or self.counts.get(w, 0) > 0

    SUFFIXES = ("s", "es", "ed", "d", "ing", "ly", "er", "ers", "ment", "ments", "ness",
                "al", "ally", "ion", "ions", "ation", "ations", "ity", "ies", "ied")  # fmt: skip

    def known_form(self, word: str) -> bool:
        """Known, or a known word with a common English ending ("operations", "policing")."""
        w = word.lower()
        if self.known(w):
            return True
        for suffix in self.SUFFIXES:
            if w.endswith(suffix) and len(w) - len(suffix) >= 3:
                stem = w[: -len(suffix)]
                if self.known(stem) or self.known(stem + "e") or self.known(stem + "y"):
                    return True
        return False

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


# ---------------------------------------------------------------- page furniture


def _furniture_key(text: str) -> str:
    """A line without its digits and decoration: "3  SOCIALIST REVIEW" → "socialist review"."""
    return re.sub(r"[\d\s·|–—-]+", " ", text).strip().lower()


def find_page_furniture(lines: list[str]) -> set[int]:
    """Indexes of the lines a page break left in the text: page numbers, running heads.

    A *page block* is a short run of lines between two pages: a bare page number (one to
    three digits, never a four-digit year) and lines repeated elsewhere in the text (the
    running head, with or without its number), and the blank lines around them. Only a run
    that holds a page number counts, so a repeated line of the text itself is never removed.
    """
    keys = Counter(_furniture_key(t) for t in lines if 0 < len(t.strip()) <= 70)

    def candidate(t: str) -> bool:
        s = t.strip()
        if not s or PAGE_NUMBER_RE.match(t):
            return bool(s)
        if len(s) > 70 or MARKER_RE.search(s) or FROM_MARKER_RE.match(s):
            return False
        key = _furniture_key(s)
        if not key or parse_dateline(s, allow_year=True):
            return False
        # a running head: repeated on other pages, or printed with its page number
        return keys[key] >= 2 or bool(re.match(r"^\d{1,3}\s{2,}\S|.*\S\s{2,}\d{1,3}$", s))

    found: set[int] = set()
    i = 0
    while i < len(lines):
        if not PAGE_NUMBER_RE.match(lines[i]):
            i += 1
            continue
        start = i
        while start > 0 and (is_blank(lines[start - 1]) or candidate(lines[start - 1])):
            start -= 1
        end = i + 1
        while end < len(lines) and (is_blank(lines[end]) or candidate(lines[end])):
            end += 1
        block = [k for k in range(start, end) if not is_blank(lines[k])]
        # a bare number between two blank lines, or with a running head beside it
        if len(block) <= 4 and (len(block) > 1 or (start < i and end > i + 1)):
            found.update(range(start, end))
        i = end
    return found


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
        if not s or DROP_CAP_RE.match(line) or parse_dateline(line) or parse_byline(line):
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
    if MARKER_RE.search(first) or FROM_MARKER_RE.match(first) or parse_byline(first):
        return None
    prev = _prev_nonblank(lines, i)
    if prev is not None:
        blank_before = is_blank(lines[i - 1])
        if not (blank_before or first.startswith(" ")):
            return None
        if not (ends_sentence(lines[prev]) or MARKER_RE.search(lines[prev])):
            return None
    # a headline with a byline or a dateline under it (blank lines between are allowed)
    end = i
    while end < len(lines) and end - i < 3 and not is_blank(lines[end]):
        if len(lines[end].strip()) > HEADLINE_LINE or parse_byline(lines[end]):
            break
        end += 1
    nxt = _next_nonblank(lines, end)
    if (
        end > i
        and nxt is not None
        and nxt - end <= 2
        and (prev is None or is_blank(lines[i - 1]))
        and (parse_byline(lines[nxt]) or parse_dateline(lines[nxt]))
        and not lines[end - 1].rstrip().endswith((".", ",", ";", ":"))
        and not any(is_caps_line(lines[k]) for k in range(i, end))
    ):
        return end, _kind_for_title(" ".join(lines[k].strip() for k in range(i, end))) or "article"
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
        if parse_byline(line.text) and not seen_dropcap:
            line.role = "byline"
            k += 1
            allow_year = not any(x.role == "dateline" for x in unit_lines[:k])
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


def _gapless(lines: list[Line]) -> bool:
    """No blank line separates two blocks of running text: paragraphs follow each other
    directly, so a blank line can only set apart something else (a caption)."""
    blocks: list[list[Line]] = [[]]
    for x in lines:
        if x.role == "blank":
            if blocks[-1]:
                blocks.append([])
        elif x.role == "text":
            blocks[-1].append(x)
        elif blocks[-1]:
            blocks.append([])

    def running(block: list[Line]) -> bool:
        return len(block) >= 3 or any(len(x.stripped) > CAPTION_LINE for x in block)

    blocks = [b for b in blocks if b]
    return len(blocks) > 1 and not any(running(a) and running(b) for a, b in pairwise(blocks))


def _is_caption_block(
    unit_lines: list[Line], start: int, end: int, *, next_is_head: bool, gapless: bool = False
) -> bool:
    block = [unit_lines[k].stripped for k in range(start, end)]
    if not block or not block[0][:1].isupper() or any(len(b) > CAPTION_LINE for b in block):
        return False
    prev = next((x for x in reversed(unit_lines[:start]) if x.role != "blank"), None)
    nxt = next((x for x in unit_lines[end:] if x.role != "blank"), None)
    blank_before = start > 0 and unit_lines[start - 1].role == "blank"
    blank_after = end < len(unit_lines) and unit_lines[end].role == "blank"
    next_continues = nxt is not None and (starts_lower(nxt.text) or nxt.stripped[:1] in "—–")
    # set apart by blank lines inside a sentence it interrupts: a caption, whether or not
    # it ends with a full stop
    interrupts = (
        blank_before
        and blank_after
        and next_continues
        and prev is not None
        and prev.role == "text"
        and not ends_sentence(prev.text)
    )
    if any(ends_sentence(b) for b in block[:-1]) or block[-1].endswith((":", ";", ",", "-")):
        return False
    if ends_sentence(block[-1]) and not interrupts and not gapless:
        return False
    if any(is_caps_line(b) for b in block) or is_caps_line(block[0].split()[0]):
        return False  # a heading, or a small-capitals lead-in ("OURGEOIS propagandists")
    if block[-1].split()[-1].lower() in _FUNCTION_WORDS:
        return False  # a sentence that runs on, not a caption
    if prev is not None and prev.role in ("dropcap", "dateline", "title", "heading", "byline"):
        return False
    if gapless and blank_before and blank_after and prev is not None and nxt is not None:
        return True  # set apart where paragraphs are not: a caption, full stop or not
    # a block that the next line does not continue: the text resumes after it (a first
    # paragraph line is followed by its own continuation, with no blank line between)
    if (
        blank_before
        and next_continues
        and (
            blank_after
            or interrupts
            or prev is None
            or prev.role in ("heading", "subpoint")
            or not ends_sentence(prev.text)
        )
    ):
        return True
    # a block set off by a leading space, where paragraphs are not marked by indentation
    leading_space = unit_lines[start].text.startswith(" ") and _layout(unit_lines) != "indented"
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
    lines = unit.flow
    # markers, headings, sub-points, bullets
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.role not in ("text",):
            i += 1
            continue
        if is_blank(line.text):
            line.role = "blank"
        elif MARKER_RE.fullmatch(line.stripped) or FROM_MARKER_RE.match(line.text):
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
    indented = _layout(lines) == "indented"
    gapless = _gapless(lines)
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
        starts_block = (
            i == 0
            or lines[i - 1].role != "text"
            or (lines[i].text.startswith(" ") and not indented)
        )
        if (
            starts_block
            and (
                end == len(lines)
                or lines[end].role != "text"
                or starts_lower(lines[end].text)
                or lines[end].stripped[:1] in "—–"
            )
            and _is_caption_block(lines, i, end, next_is_head=next_is_head, gapless=gapless)
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


PARAGRAPH_LINE = 100  # column lines are shorter: a text with many longer lines has one
# paragraph per line


def _layout(lines: list[Line], document: str = "columns") -> str:
    """How the unit's paragraphs are laid out: "lines" (one a line), "indented" or "columns".

    Extraction gives either column lines (each paragraph wrapped, often with its first line
    indented) or one line per paragraph (the text layer of a web page or a reflowed PDF).
    """
    text = [x for x in lines if x.role in ("text", "displaced")]
    if not text:
        return "columns"
    # column lines are never this long; lines cut by a page break or a caption may be short
    long = sum(len(x.stripped) > PARAGRAPH_LINE for x in text)
    if long * 4 >= len(text) or (long and document == "lines"):
        return "lines"
    indented = sum(x.text.startswith(("  ", "\t")) for x in text)
    if 0 < indented * 2 <= len(text) and indented >= 2:
        return "indented"
    return "columns"


def _assign_paragraphs(unit: Unit, document: str = "columns") -> None:
    """Group body lines into paragraphs (see the module docstring for the rule)."""
    flow = unit.flow
    layout = _layout(flow, document)
    lengths = [len(x.stripped) for x in flow if x.role in ("text", "displaced")]
    median = statistics.median(lengths) if lengths else 0
    para = 0
    prev: Line | None = None  # previous line that carries text
    blank_since = False
    for line in flow:
        role = line.role
        if role in ("blank", "marker", "caption", "dropcap", "dateline", "title", "byline"):
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
            if layout == "lines":
                new = True
            elif layout == "indented":
                new = line.text.startswith(("  ", "\t")) or blank_since
            else:
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
    furniture = find_page_furniture(raw)
    # unit heads are found in the text as it flows, without the page furniture
    view_index = [i for i in range(len(raw)) if i not in furniture]
    view_heads, view_subpoints = _find_heads([raw[i] for i in view_index], vocab)
    heads = [
        _Head(view_index[h.index], h.kind, h.label, view_index[h.title_end - 1] + 1)
        for h in view_heads
    ]
    subpoint_idx = {view_index[i] for i in view_subpoints}
    all_lines = [Line(i + 1, t) for i, t in enumerate(raw)]
    for i in furniture:
        all_lines[i].role = "pagehead"
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
        _assign_head_zone(unit.flow, title_end, numbered=bool(label))
        for line in unit_lines:
            if line.role == "dateline" and not unit.date:
                unit.date, unit.date_display = parse_dateline(line.text, allow_year=True)
            elif line.role == "byline":
                unit.bylines.extend(parse_byline(line.text) or [])
        units.append(unit)
    _move_continuations(units, vocab)
    # the layout of the whole text decides for a unit whose own lines are too few to tell
    document_layout = _layout(
        [x for u in units for x in u.flow if x.role == "text" and not is_blank(x.text)]
    )
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
        _assign_paragraphs(unit, document_layout)
        if not unit.date:
            body = "\n".join(x.text for x in unit.lines if x.role == "text").rstrip()
            m = TRAILING_YEAR_RE.search(body)
            if m:
                unit.date, unit.date_display = m.group(1), f"({m.group(1)})"
                unit.notes.append(f"Dated {m.group(1)} from the year printed at its end.")
    return Document(units=units, unclaimed=unclaimed)


def _move_continuations(units: list[Unit], vocab: Vocabulary) -> None:
    """Give a unit that broke off at "Continued on page N" the block that continues it.

    The block is found by its "Continued from page N" line, else by sentence flow: the
    first later line that starts lower-case right after a finished sentence (where no new
    sentence can start) and continues the broken-off text — its first word completes the
    word the unit broke off in ("rev" + "olution"), or is a word of its own when the unit
    broke off between words.
    """
    for n, unit in enumerate(units):
        flow = [x for x in unit.flow if not is_blank(x.text)]
        if not flow or not MARKER_RE.search(flow[-1].text):
            continue
        last = flow[-1]
        unit.continued = True
        marker = MARKER_RE.search(last.text)
        if marker.start() > 0:
            broken = re.search(r"([^\W\d_]+)$", last.text[: marker.start()])
        else:
            before = flow[-2].text.rstrip() if len(flow) > 1 else ""
            broken = re.search(r"([^\W\d_]+)-$", before)
        part = broken.group(1) if broken else ""
        found = _continuation_by_marker(units[n + 1 :]) or _continuation_by_flow(
            units[n + 1 :], part, vocab
        )
        if found is None:
            continue
        later, k = found
        lines = later.lines
        moved = lines[k:]
        while moved and is_blank(moved[-1].text):
            moved.pop()
        later.lines = lines[:k] + lines[k + len(moved) :]
        unit.lines = unit.lines + moved
        unit.moved_from_line = moved[0].number
        unit.notes.append(
            f"Lines {moved[0].number}–{moved[-1].number} continue this unit after "
            f"“{marker.group().strip()}” and were moved here."
        )


def _continuation_by_marker(later_units: list[Unit]) -> tuple[Unit, int] | None:
    for later in later_units:
        for k, line in enumerate(later.lines):
            if k and line.role == "text" and FROM_MARKER_RE.match(line.text):
                return later, k
    return None


def _continuation_by_flow(
    later_units: list[Unit], part: str, vocab: Vocabulary
) -> tuple[Unit, int] | None:
    for later in later_units:
        lines = later.lines
        for k in range(1, len(lines)):
            line = lines[k]
            if line.role != "text" or not starts_lower(line.text):
                continue
            before = [x for x in lines[:k] if x.role != "pagehead"]
            text_before = [j for j, x in enumerate(before) if not is_blank(x.text)]
            if not text_before:
                continue
            p = text_before[-1]
            prev = before[p]
            if prev.role != "text" or not ends_sentence(prev.text):
                continue
            if (
                p > 0
                and is_blank(before[p - 1].text)
                and p + 1 < len(before)
                and len(prev.stripped) <= CAPTION_LINE
            ):
                continue  # a short block set apart by blank lines (a caption), not the text
            first = re.match(r"\s*([^\W\d_]+)", line.text)
            if first is None:
                continue
            word = first.group(1)
            if part and not vocab.known(part + word):
                continue
            if not part and not vocab.known(word):
                continue
            return later, k
    return None


def parse_units(text: str) -> list[Unit]:
    """The units of ``text`` in reading order (titles, kinds, labels, datelines)."""
    return parse_document(text).units
