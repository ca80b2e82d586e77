"""EDTF dates: one representation for every date in the archive.

A date is kept four ways (see ``docs/data-model.md``): the EDTF string, the text as printed,
and inclusive lower/upper bounds derived from EDTF so that partial and uncertain dates
("1979-12", "199X", "1980/1981", "1990-01?") can be indexed, sorted and range-filtered.
The bounds are the *strict* bounds of the ``edtf`` package: uncertainty markers do not widen
them, they are shown to readers instead.
"""

from __future__ import annotations

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
    try:
        parsed = parse_edtf(text)
        lower, upper = parsed.lower_strict(), parsed.upper_strict()
    except (EDTFParseException, ValueError, OverflowError, AttributeError, TypeError) as exc:
        raise ValidationError(
            "%(value)r is not a valid EDTF date (%(reason)s). Examples: 1989-11-09, 1979-12, "
            "1989, 1980/1981, 199X, 1990-01?",
            code="invalid_edtf",
            params={"value": value, "reason": _reason(text, exc)},
        ) from exc
    bounds = DateBounds(_to_date(lower), _to_date(upper))
    if bounds.start and bounds.end and bounds.start > bounds.end:
        raise ValidationError(
            "%(value)r is not a valid EDTF date: its interval ends before it starts.",
            code="invalid_edtf",
            params={"value": value},
        )
    return bounds


def _reason(text: str, exc: Exception) -> str:
    """Say what is wrong in words a curator understands, not the parser's internals."""
    match = re.match(r"^(\d{4})-(\d{2})(?:-(\d{2}))?", text)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        # 21-41 are EDTF season codes (Spring, Summer, ...), not months.
        if month == 0 or 12 < month < 21 or month > 41:
            return f"month {month} does not exist"
        if match.group(3) and month <= 12:
            day = int(match.group(3))
            try:
                dt.date(year, month, day)
            except ValueError:
                return f"day {day} does not exist in {year}-{month:02d}"
    return "not in Library of Congress EDTF syntax"


def validate_edtf(value: str) -> None:
    """Model/form validator: raise ``ValidationError`` for an invalid EDTF string."""
    edtf_bounds(value)


def edtf_display(value: str) -> str:
    """Render an EDTF value for readers: "December 1979", "1980–1981", "1990s (approx.)"."""
    if not value:
        return ""
    months = [
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ]  # fmt: skip
    suffix = ""
    core = value
    if core and core[-1] in "?~%":
        suffix = {"?": " (uncertain)", "~": " (approx.)", "%": " (uncertain, approx.)"}[core[-1]]
        core = core[:-1]
    if "/" in core:
        left, right = core.split("/", 1)
        return f"{edtf_display(left) or '…'}–{edtf_display(right) or '…'}{suffix}"
    if core in ("..", ""):
        return ""
    if core.endswith("XX") and len(core) == 4:
        return f"{core[:2]}00s{suffix}"
    if core.endswith("X") and len(core) == 4:
        return f"{core[:3]}0s{suffix}"
    parts = core.split("-")
    try:
        if len(parts) == 3:
            return f"{int(parts[2])} {months[int(parts[1]) - 1]} {parts[0]}{suffix}"
        if len(parts) == 2 and int(parts[1]) <= 12:
            return f"{months[int(parts[1]) - 1]} {parts[0]}{suffix}"
    except (ValueError, IndexError):
        return value
    return f"{core}{suffix}"
