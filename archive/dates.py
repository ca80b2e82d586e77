"""EDTF dates: one representation for every date in the archive.

A date is kept four ways (see ``docs/data-model.md``): the EDTF string, the text as printed,
and inclusive lower/upper bounds derived from EDTF so that partial and uncertain dates
("1979-12", "199X", "1980/1981", "1990-01?") can be indexed, sorted and range-filtered.
The bounds are the *strict* bounds of the ``edtf`` package: uncertainty markers do not widen
them, they are shown to readers instead.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
import time
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ValidationError
from edtf import parse_edtf
from edtf.parser.edtf_exceptions import EDTFParseException


@dataclass(frozen=True)
class DateBounds:
    """Inclusive lower and upper bounds of an EDTF value; ``None`` for an open end."""

    start: dt.date | None
    end: dt.date | None


def _to_date(value: time.struct_time | float | None) -> dt.date | None:
    if value is None or (isinstance(value, float) and math.isinf(value)):
        return None
    if isinstance(value, time.struct_time):
        year = value.tm_year
        if not 1 <= year <= 9999:
            return None
        return dt.date(year, value.tm_mon, value.tm_mday)
    return None


def _parsed_bounds(text: str) -> DateBounds:
    """The strict bounds of ``text`` by the grammar; a ``ValidationError`` saying what is
    wrong when it is not EDTF."""
    try:
        parsed = parse_edtf(text)
        lower, upper = parsed.lower_strict(), parsed.upper_strict()
        # The grammar accepts 29 February of any year; the calendar refuses it here.
        return DateBounds(_to_date(lower), _to_date(upper))
    except (EDTFParseException, ValueError, OverflowError, AttributeError, TypeError) as exc:
        raise ValidationError(
            "%(value)r is not a valid EDTF date (%(reason)s). Examples: 1989-11-09, 1979-12, "
            "1989, 1980/1981, 199X, 1990-01?",
            code="invalid_edtf",
            params={"value": text, "reason": _reason(text, exc)},
        ) from exc


#: A plain calendar date of EDTF level 0: a year, a month or a day, nothing qualified.
_PLAIN = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def _plain_bounds(text: str) -> DateBounds | None:
    """The bounds of ``text`` when it is a plain date ("1989", "1989-11", "1989-11-09") or
    an interval of two ("1980/1981-06"), computed without the grammar; ``None`` for
    anything else (qualifiers, unspecified digits, seasons, open ends, invalid values),
    which the parser handles. Most of the archive's dates are plain, and the grammar costs
    ~15 ms a value: a page listing forty articles of forty different days paid for forty
    parses in each worker process before its cache warmed."""
    sides = text.split("/")
    if len(sides) > 2:
        return None
    spans = []
    for side in sides:
        match = _PLAIN.fullmatch(side)
        if not match:
            return None
        year, month, day = (int(g) if g else None for g in match.groups())
        if year == 0:
            return None
        try:
            if month is None:
                start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
            elif day is None:
                start = dt.date(year, month, 1)
                end = dt.date(year, month, calendar.monthrange(year, month)[1])
            else:
                start = end = dt.date(year, month, day)
        except ValueError:
            return None
        spans.append((start, end))
    return DateBounds(spans[0][0], spans[-1][1])


@lru_cache(maxsize=65536)
def edtf_bounds(value: str) -> DateBounds:
    """Parse an EDTF string and return its strict bounds.

    Parsing runs a full grammar (~20 ms) and dates repeat across records, so each value is
    parsed once per process: bulk writers (the collection build, the release loader) derive
    every record's dates through ``derive_fields()`` without paying for it a million times.

    Raises ``ValidationError`` with a message naming the value and what is wrong, e.g.
    ``'1991-13' is not a valid EDTF date: month 13 does not exist``.
    """
    text = (value or "").strip()
    if not text:
        return DateBounds(None, None)
    if text != value:
        raise ValidationError(
            "%(value)r is not a valid EDTF date: remove the surrounding spaces.",
            code="invalid_edtf",
            params={"value": value},
        )
    bounds = _plain_bounds(text) or _parsed_bounds(text)
    if bounds.start and bounds.end and bounds.start > bounds.end:
        raise ValidationError(
            "%(value)r is not a valid EDTF date: its interval ends before it starts.",
            code="invalid_edtf",
            params={"value": value},
        )
    return bounds


def _reason(text: str, exc: Exception) -> str:
    """Say what is wrong in words a curator understands, not the parser's internals: the
    first side of an interval with a month or a day that does not exist."""
    for side in text.split("/"):
        match = re.match(r"^(\d{4})-(\d{2})(?:-(\d{2}))?", side)
        if not match:
            continue
        year, month = int(match.group(1)), int(match.group(2))
        # 21-41 are EDTF season codes (Spring, Summer, ...), not months.
        if month == 0 or 12 < month < 21 or month > 41:
            return f"month {month} does not exist"
        if match.group(3) and month <= 12:
            day = int(match.group(3))
            try:
                dt.date(max(year, 1), month, day)
            except ValueError:
                return f"day {day} does not exist in {year}-{month:02d}"
    return "not in Library of Congress EDTF syntax"


def validate_edtf(value: str) -> None:
    """Model/form validator: raise ``ValidationError`` for an invalid EDTF string."""
    edtf_bounds(value)


#: Months as people write them.
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip

#: EDTF sub-year groupings (21-41): seasons, quarters, quadrimesters, semesters.
DIVISIONS = {
    21: "spring", 22: "summer", 23: "autumn", 24: "winter",
    25: "spring", 26: "summer", 27: "autumn", 28: "winter",  # Northern Hemisphere
    29: "spring", 30: "summer", 31: "autumn", 32: "winter",  # Southern Hemisphere
    33: "first quarter of", 34: "second quarter of", 35: "third quarter of",
    36: "fourth quarter of", 37: "first four months of", 38: "second four months of",
    39: "last four months of", 40: "first half of", 41: "second half of",
}  # fmt: skip

#: What a reader is told when an article, issue or record has no date at all.
UNDATED = "undated"

_SIDE = re.compile(
    r"^(?P<year>-?\d{4}|-?\d{3}X|-?\d{2}XX)(?:-(?P<month>\d{2}|XX|\dX))?"
    r"(?:-(?P<day>\d{2}|XX|\dX))?(?:T.*)?$"
)


@dataclass(frozen=True)
class _Side:
    """One end of a date, as far as its EDTF text states it."""

    year: int
    span: int = 1  # 1 for a year, 10 for a decade ("199X"), 100 for a century ("19XX")
    month: int | None = None
    division: int | None = None  # season, quarter… (21-41)
    day: int | None = None
    approximate: bool = False
    uncertain: bool = False

    @property
    def plain(self) -> bool:
        return not (self.approximate or self.uncertain)

    def words(self, *, qualify: bool = True) -> str:
        if self.span > 1:
            text = f"{_year(self.year)}s"
        elif self.division:
            text = f"{DIVISIONS[self.division]} {_year(self.year)}"
            text = text[0].upper() + text[1:]
        elif self.month and self.day:
            text = f"{self.day} {MONTHS[self.month - 1]} {_year(self.year)}"
        elif self.month:
            text = f"{MONTHS[self.month - 1]} {_year(self.year)}"
        else:
            text = _year(self.year)
        return self.qualified(text) if qualify else text

    def qualified(self, text: str) -> str:
        if self.approximate:
            text = f"c. {text}"
        if self.uncertain:
            text = f"{text}?"
        return text


def _year(year: int) -> str:
    return f"{-year} BCE" if year < 0 else str(year)


def _parse_side(text: str) -> _Side | None:
    """Read one EDTF date (no interval), or ``None`` for what this reader does not know."""
    approximate = "~" in text or "%" in text
    uncertain = "?" in text or "%" in text
    core = re.sub(r"[?~%]", "", text)
    match = _SIDE.match(core)
    if not match:
        return None
    year_text = match.group("year")
    span = 10 ** year_text.count("X")
    year = int(year_text.replace("X", "0"))
    month_text, day_text = match.group("month"), match.group("day")
    month = division = day = None
    if month_text and "X" not in month_text:
        number = int(month_text)
        if 1 <= number <= 12:
            month = number
        elif number in DIVISIONS and not day_text:
            division = number
        else:
            return None
    if month and day_text and "X" not in day_text:
        day = int(day_text)
        if not 1 <= day <= 31:
            return None
    if span > 1 and (month or division):
        return None
    return _Side(year, span, month, division, day, approximate, uncertain)


def edtf_display(value: str) -> str:
    """An EDTF value in the words people write dates in: the one display of dates.

    Every page, citation text and OAI set name shows dates through this function, while
    the EDTF itself stays in the data and the API:

    * "1991-08" → "August 1991"; "1989-11-09" → "9 November 1989"; "1991-21" → "Spring 1991"
    * "2009~" → "c. 2009"; "1990-01?" → "January 1990?"; "1990%" → "c. 1990?"
    * "199X" → "1990s"; "19XX" → "1900s"
    * "1980/1981" → "1980–81"; "1919-04/1919-05" → "April–May 1919";
      "1926-05-04/1926-05-12" → "4–12 May 1926"; "1914-07-28/1918-11-11" →
      "28 July 1914 – 11 November 1918"; "1990/1999" → "1990s"
    * approximate spans of a decade's thirds: "1990~/1993~" → "early 1990s", "mid-1980s",
      "late 1970s" (an exact span keeps its years: "1990/1993" → "1990–93")
    * open or unknown ends: "1987/.." → "1987 onwards", "../1917" → "until 1917",
      "1987/" → "1987 – ?"

    An empty value gives "" (the caller says what is missing: "undated", "not known"); text
    this reader does not understand is returned as it is, so display never raises.
    """
    if not value:
        return ""
    text = value.strip()
    if text.startswith(("[", "{")) and text.endswith(("]", "}")):
        joiner = " or " if text.startswith("[") else " and "
        parts = [edtf_display(p.replace("..", "/")) for p in text[1:-1].split(",")]
        return joiner.join(p for p in parts if p) or value
    if "/" in text:
        left_text, right_text = text.split("/", 1)
        return _interval(left_text, right_text) or value
    side = _parse_side(text)
    return side.words() if side else value


def _interval(left_text: str, right_text: str) -> str:
    left = _parse_side(left_text) if left_text not in ("", "..") else None
    right = _parse_side(right_text) if right_text not in ("", "..") else None
    if left_text not in ("", "..") and left is None:
        return ""
    if right_text not in ("", "..") and right is None:
        return ""
    if left is None and right is None:
        return ""
    if right is None:
        return f"{left.words()} onwards" if right_text == ".." else f"{left.words()} – ?"
    if left is None:
        return f"until {right.words()}" if left_text == ".." else f"? – {right.words()}"
    both_plain = left.plain and right.plain
    same_qualifiers = (left.approximate, left.uncertain) == (right.approximate, right.uncertain)
    years_only = not (left.month or right.month or left.division or right.division)
    if same_qualifiers and left.span == right.span == 1 and years_only:
        return _year_span(left, right)
    if both_plain or same_qualifiers:
        joined = _joined(left, right)
        if joined:
            return left.qualified(joined) if not both_plain else joined
    a, b = left.words(), right.words()
    return f"{a} – {b}" if " " in a + b else f"{a}–{b}"


def _year_span(left: _Side, right: _Side) -> str:
    """Years only: "1980–81", "1899–1900", "1990s", and for approximate spans of a third
    of a decade "early 1990s", "mid-1980s", "late 1970s"."""
    start, end = left.year, right.year
    decade = start - start % 10
    if start >= 0 and decade == end - end % 10:
        if (start, end) == (decade, decade + 9):
            return left.qualified(f"{decade}s")
        if left.approximate and not left.uncertain:
            third = {(0, 3): "early ", (3, 6): "mid-", (4, 6): "mid-", (7, 9): "late "}
            word = third.get((start - decade, end - decade))
            if word:
                return f"{word}{decade}s"
    if start == end:
        return left.words()
    if 1000 <= start < end <= 9999 and start // 100 == end // 100 and start % 100:
        text = f"{start}–{end % 100:02d}"
    else:
        text = f"{_year(start)}–{_year(end)}"
    return left.qualified(text)


def _joined(left: _Side, right: _Side) -> str:
    """Share what both ends share: "April–May 1919", "4–12 May 1926",
    "17 November – 24 December 1989"; "" when the ends are not alike."""
    if left.span != 1 or right.span != 1 or left.division or right.division:
        return ""
    if bool(left.month) != bool(right.month) or bool(left.day) != bool(right.day):
        return ""
    a, b = left.words(qualify=False), right.words(qualify=False)
    if left.year != right.year:
        return f"{a} – {b}"
    if left.day:
        if left.month == right.month:
            if left.day == right.day:
                return a
            return f"{left.day}–{right.day} {MONTHS[left.month - 1]} {_year(left.year)}"
        return f"{left.day} {MONTHS[left.month - 1]} – {b}"
    if left.month == right.month:
        return a
    return f"{MONTHS[left.month - 1]}–{b}"


def edtf_iso8601(value: str) -> str:
    """The ISO 8601 date or interval that harvesters and schema.org expect, from an EDTF
    value's strict bounds: "1991-08", "2009" (for "2009~": ISO has no "approximately", so
    the EDTF is published beside it), "1990/1999" (for "199X"), "1914-07-28/1918-11-11".
    Empty when the value is empty, invalid or open-ended (ISO 8601-1 has no open end)."""
    if not value or any(side in ("", "..") for side in value.split("/")):
        return ""
    try:
        bounds = edtf_bounds(value)
    except ValidationError:
        return ""
    start, end = bounds.start, bounds.end
    if start is None or end is None:
        return ""
    if start == end:
        return start.isoformat()
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        whole = f"{start.year:04d}"
        return whole if start.year == end.year else f"{whole}/{end.year:04d}"
    next_day = end + dt.timedelta(days=1)
    if start.day == 1 and next_day.day == 1:
        first = f"{start.year:04d}-{start.month:02d}"
        last = f"{end.year:04d}-{end.month:02d}"
        return first if first == last else f"{first}/{last}"
    return f"{start.isoformat()}/{end.isoformat()}"
