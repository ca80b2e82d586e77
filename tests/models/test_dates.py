"""EDTF parsing, strict bounds, display, and rejection of bad values."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from archive.dates import edtf_bounds, edtf_display
from tests.factories import ArticleFactory, EventFactory

D = dt.date


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("1989-11-09", D(1989, 11, 9), D(1989, 11, 9)),
        ("1979-12", D(1979, 12, 1), D(1979, 12, 31)),
        ("1989", D(1989, 1, 1), D(1989, 12, 31)),
        ("1980/1981", D(1980, 1, 1), D(1981, 12, 31)),  # "1980–1" as printed
        ("1989-11-17/1989-11-24", D(1989, 11, 17), D(1989, 11, 24)),
        ("199X", D(1990, 1, 1), D(1999, 12, 31)),  # "the 1990s"
        ("1990-01?", D(1990, 1, 1), D(1990, 1, 31)),  # uncertain: strict bounds unchanged
        ("1990~", D(1990, 1, 1), D(1990, 12, 31)),  # approximate
        ("1992-02", D(1992, 2, 1), D(1992, 2, 29)),  # leap year
        ("1985/..", D(1985, 1, 1), None),  # open end
        ("", None, None),
    ],
)
def test_bounds(value, start, end):
    bounds = edtf_bounds(value)
    assert (bounds.start, bounds.end) == (start, end)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("1991-13", "month 13 does not exist"),
        ("1990-02-30", "day 30 does not exist in 1990-02"),
        # The grammar takes 29 February in any year; the calendar does not.
        ("1989-02-29", "day 29 does not exist in 1989-02"),
        ("1900-02-29", "day 29 does not exist in 1900-02"),
        ("1989-02-29~", "day 29 does not exist in 1989-02"),
        ("1980/1990-02-29", "day 29 does not exist in 1990-02"),
        ("Early 1990s", "not in Library of Congress EDTF syntax"),
        ("December 1979", "not in Library of Congress EDTF syntax"),
        ("1989-11-9", "not in Library of Congress EDTF syntax"),
        (" 1989", "remove the surrounding spaces"),
        ("1991/1990", "ends before it starts"),
    ],
)
def test_invalid_values_say_what_is_wrong(value, reason):
    with pytest.raises(ValidationError) as info:
        edtf_bounds(value)
    message = info.value.messages[0]
    assert repr(value) in message
    assert reason in message


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("1979-12", "December 1979"),
        ("1989-11-09", "9 November 1989"),
        ("1980/1981", "1980–81"),
        ("199X", "1990s"),
        ("1990-01?", "January 1990?"),
        ("1990~", "c. 1990"),
        ("", ""),
    ],
)
def test_display(value, shown):
    assert edtf_display(value) == shown


@pytest.mark.django_db
def test_saving_derives_bounds_and_keeps_them_in_step():
    event = EventFactory(date="1980/1981", date_display="1980–1")
    event.refresh_from_db()
    assert (event.date_start, event.date_end) == (D(1980, 1, 1), D(1981, 12, 31))
    event.date = "1989-11-09"
    event.save()
    event.refresh_from_db()
    assert event.date_start == event.date_end == D(1989, 11, 9)
    assert event.date_display == "1980–1"  # the printed text is the curator's, never derived


@pytest.mark.django_db
def test_full_clean_rejects_invalid_edtf_on_the_field():
    article = ArticleFactory.build(date="1991-13")
    with pytest.raises(ValidationError) as info:
        article.full_clean(exclude=["issue"])
    assert "date" in info.value.message_dict
    assert "month 13 does not exist" in info.value.message_dict["date"][0]
