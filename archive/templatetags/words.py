"""Template filters that show readers words where the data keeps codes.

``{% load words %}`` then ``{{ event.date|dated }}``, ``{{ place.country_code|country }}``,
``{{ publication.language|language }}``, ``{{ issue|issue_label }}``,
``{{ n|counted:"issue" }}``. Each calls the one function in ``archive.dates`` or
``archive.words`` that citations and OAI use too.
"""

from __future__ import annotations

from django import template

from archive import words
from archive.dates import UNDATED, edtf_display

register = template.Library()


@register.filter
def dated(value: str, empty: str = UNDATED) -> str:
    """An EDTF value in words; ``empty`` (default "undated") when there is none."""
    return edtf_display(value or "") or empty


@register.filter
def country(code: str) -> str:
    return words.country_name(code)


@register.filter
def language(tag: str) -> str:
    return words.language_name(tag)


@register.filter
def issue_label(issue) -> str:
    return words.issue_label(issue)


@register.filter
def issue_in_text(issue) -> str:
    """The issue's label inside a sentence: "…, issue of c. 2009"."""
    return words.issue_label(issue, capital=False)


@register.filter
def issue_name(issue) -> str:
    return words.issue_name(issue)


@register.filter
def lifespan(person) -> str:
    return words.lifespan(person)


@register.filter
def coordinates(place) -> str:
    """ "54.35° N, 18.65° E": latitude and longitude as a reader reads them."""
    if place.latitude is None or place.longitude is None:
        return ""
    lat, lon = float(place.latitude), float(place.longitude)
    return f"{abs(lat):.2f}° {'N' if lat >= 0 else 'S'}, {abs(lon):.2f}° {'E' if lon >= 0 else 'W'}"


@register.filter
def counted(n: int, noun: str) -> str:
    return words.counted(int(n or 0), noun)


@register.filter
def noun_for(n: int, noun: str) -> str:
    """``{{ n|noun_for:"person" }}``: "person" or "people", for a count shown apart."""
    return words.noun_for(int(n or 0), noun)


@register.filter
def pages(value: str) -> str:
    """ "12" → "p. 12", "12–14" → "pp. 12–14"; "" stays empty."""
    value = (value or "").strip()
    if not value:
        return ""
    return f"pp. {value}" if any(c in value for c in "–-—,") else f"p. {value}"


@register.filter
def printed_if_different(printed: str, edtf: str) -> str:
    """The date as printed, only when it says more than the EDTF value ``edtf`` in words
    does: lists do not repeat "(printed: August 1991)" beside August 1991."""
    printed = (printed or "").strip()
    if not printed:
        return ""
    bare = printed.strip("()[] .").casefold()
    return "" if bare == edtf_display(edtf or "").casefold() else printed
