"""Property tests for EDTF dates: bounds are ordered, display is total, bad input is a
ValidationError and never any other exception (so forms, imports and the API answer 400)."""

from __future__ import annotations

import calendar
import datetime as dt

from django.core.exceptions import ValidationError
from edtf import parse_edtf
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from archive.dates import DateBounds, _plain_bounds, _to_date, edtf_bounds, edtf_display
from archive.models import Article

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])  # fmt: skip


@st.composite
def calendar_dates(draw) -> tuple[str, dt.date, dt.date]:
    """A year, year-month or day in EDTF with the bounds it must have."""
    year = draw(st.integers(min_value=1, max_value=9999))
    precision = draw(st.sampled_from(["year", "month", "day"]))
    if precision == "year":
        return f"{year:04d}", dt.date(year, 1, 1), dt.date(year, 12, 31)
    month = draw(st.integers(min_value=1, max_value=12))
    last = calendar.monthrange(year, month)[1]
    if precision == "month":
        return f"{year:04d}-{month:02d}", dt.date(year, month, 1), dt.date(year, month, last)
    day = draw(st.integers(min_value=1, max_value=last))
    value = dt.date(year, month, day)
    return value.isoformat(), value, value


@st.composite
def decades(draw) -> tuple[str, dt.date, dt.date]:
    """Unspecified digits: "199X" is the 1990s, "19XX" the 1900s."""
    if draw(st.booleans()):
        decade = draw(st.integers(min_value=1, max_value=999))
        return f"{decade:03d}X", dt.date(decade * 10 or 1, 1, 1), dt.date(decade * 10 + 9, 12, 31)
    century = draw(st.integers(min_value=1, max_value=99))
    return f"{century:02d}XX", dt.date(century * 100, 1, 1), dt.date(century * 100 + 99, 12, 31)


single_dates = st.one_of(calendar_dates(), decades())
qualifiers = st.sampled_from(["", "?", "~", "%"])


@st.composite
def intervals(draw) -> tuple[str, dt.date | None, dt.date | None]:
    left, right = draw(calendar_dates()), draw(calendar_dates())
    if left[1] > right[2]:
        left, right = right, left
    if left[1] > right[2]:  # overlapping pair that still ends before it starts
        right = left
    open_end = draw(st.sampled_from(["none", "start", "end"]))
    if open_end == "start":
        return f"../{right[0]}", None, right[2]
    if open_end == "end":
        return f"{left[0]}/..", left[1], None
    return f"{left[0]}/{right[0]}", left[1], right[2]


@given(single_dates, qualifiers)
@SETTINGS
def test_valid_dates_have_the_calendar_bounds_in_order(date, qualifier):
    text, start, end = date
    value = text + qualifier
    bounds = edtf_bounds(value)
    # Strict bounds: uncertainty and approximation do not widen them.
    assert bounds == DateBounds(start, end)
    assert bounds.start <= bounds.end
    shown = edtf_display(value)
    assert isinstance(shown, str) and shown
    assert "None" not in shown


@given(intervals())
@SETTINGS
def test_intervals_run_from_the_first_start_to_the_last_end(interval):
    value, start, end = interval
    bounds = edtf_bounds(value)
    assert (bounds.start, bounds.end) == (start, end)
    if bounds.start and bounds.end:
        assert bounds.start <= bounds.end
    # Shown in words ("1980–81", "1987 onwards", "until 1917"), naming the known ends.
    shown = edtf_display(value)
    assert shown and shown != value
    if start:
        assert str(start.year) in shown
    if end:
        assert str(end.year)[-2:].lstrip("0") in shown


@given(calendar_dates(), calendar_dates())
@SETTINGS
def test_an_interval_that_ends_before_it_starts_is_refused(a, b):
    early, late = sorted([a, b], key=lambda d: d[1])
    if early[2] >= late[1]:
        return  # overlapping: not reversed
    try:
        edtf_bounds(f"{late[0]}/{early[0]}")
    except ValidationError as error:
        assert "ends before it starts" in error.messages[0]
    else:
        raise AssertionError("a reversed interval was accepted")


EDTF_ALPHABET = st.sampled_from(list("0123456789-/X?~%.:TZ+Yuxe ^{}[],S")) | st.characters()


@given(st.text(EDTF_ALPHABET, max_size=24))
@SETTINGS
@example("1991-13")
@example("1990-02-30")
@example("1989-02-29")
@example("2100-02-29/2101")
@example("1989-11-09\x00")
@example("９８９")  # fullwidth digits
@example("1989\u0301")  # combining mark
@example("\u202e1989")  # right-to-left override
@example("Y-17000000002")
@example("99999999999999999999")
@example("1990-00")
@example("-0001/0001")
@example("1989-22?/1989-21")
def test_any_text_is_either_ordered_bounds_or_a_validation_error(value):
    try:
        bounds = edtf_bounds(value)
    except ValidationError as error:
        assert error.messages and repr(value) in error.messages[0]
    else:
        assert isinstance(bounds, DateBounds)
        if bounds.start and bounds.end:
            assert bounds.start <= bounds.end
    shown = edtf_display(value)  # display is total: it never raises on stored text
    assert isinstance(shown, str)


@given(st.text(EDTF_ALPHABET, max_size=70))
@settings(max_examples=150, deadline=None)
def test_the_model_field_raises_only_validation_errors(value):
    """What the admin form and importers call: bad values become field errors, not 500s."""
    field = Article._meta.get_field("date")
    try:
        field.clean(value, Article())
    except ValidationError as error:
        assert error.messages


@given(st.one_of(calendar_dates(), intervals()))
@SETTINGS
def test_plain_dates_skip_the_grammar_with_the_grammars_bounds(date):
    """Plain dates and intervals of them are bounded without the parser (it costs ~15 ms a
    value); what they get must be what the parser gives, and anything else (open ends,
    here) is left to it."""
    value = date[0]
    plain = _plain_bounds(value)
    if ".." in value:
        assert plain is None
        return
    parsed = parse_edtf(value)
    assert plain == DateBounds(_to_date(parsed.lower_strict()), _to_date(parsed.upper_strict()))
