"""Form fields behind the API's query parameters: strict parsing with messages that say why.

django-filter turns a field's ``ValidationError`` into a 400 naming the parameter, so every
rule about what a parameter accepts lives here, once. Each field also *states* that rule as
the OpenAPI schema of its parameter (:meth:`openapi_schema`, read by
:mod:`archive.api.schema`): the schema's ``pattern`` is the very regular expression the field
matches its input with, so the published contract and the parser cannot disagree (a value
the schema allows is accepted, a value it forbids is a 400).

Patterns are written in the common subset of Python's and ECMAScript's regular expressions
(ASCII classes such as ``[0-9]``, never ``\\d`` or ``\\s``, which mean more in Python) and
anchored so that both read them alike: ``^…(?!\\n)$``, because Python's ``$`` (and so a
Python validator or test-data generator) also matches before a final newline, which the
fields refuse.

A value that is well formed but names nothing (an id or slug of no public record) is not a
malformed request: the field raises it with the code ``not_found``, and the API answers 404
naming the parameter (see :mod:`archive.api.errors`), as it does for an unknown id in a path.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.datastructures import MultiValueDict

from archive.models import TARGETS

#: The code of a well-formed value that names no public record (answered with 404).
NOT_FOUND = "not_found"

# -- grammar, shared by the parsers and the published schema -------------------------------


def anchored(body: str) -> str:
    """``body`` as a whole value, read alike by ECMAScript and Python (see the module doc)."""
    return rf"^(?:{body})(?!\n)$"


def literal(text: str) -> str:
    """``text`` matched literally: only ECMAScript's syntax characters are escaped
    (``re.escape`` also escapes ``-``, which a Unicode-mode ECMAScript regex refuses)."""
    return re.sub(r"([\\^$.*+?()[\]{}|/])", r"\\\1", text)


_YEAR = r"(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
_MONTH_31 = r"(?:0[13578]|1[02])"
_MONTH_30 = r"(?:0[469]|11)"
_DAY_31 = r"(?:0[1-9]|[12][0-9]|3[01])"
_DAY_30 = r"(?:0[1-9]|[12][0-9]|30)"
_DAY_FEBRUARY = r"(?:0[1-9]|1[0-9]|2[0-8])"
_LEAP_YEAR = (
    r"(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])"  # divisible by 4, not by 100
    r"|(?:0[48]|[2468][048]|[13579][26])00)"  # divisible by 400 (0400, 0800, … 2000)
)
#: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: a day that exists in the proleptic Gregorian
#: calendar, years 1 to 9999 (the span :func:`parse_partial_date` accepts, exactly).
PARTIAL_DATE_PATTERN = anchored(
    rf"{_YEAR}(?:-(?:{_MONTH_31}(?:-{_DAY_31})?|{_MONTH_30}(?:-{_DAY_30})?"
    rf"|02(?:-{_DAY_FEBRUARY})?))?|{_LEAP_YEAR}-02-29"
)
#: A decade by its first year, 10 to 9990, optionally with an ``s``: ``1980`` or ``1980s``.
DECADE_PATTERN = anchored(r"(?:[0-9]{2}[1-9]|[0-9][1-9][0-9]|[1-9][0-9]{2})0s?")
#: The words :class:`StrictBooleanField` reads, in any case.
BOOLEAN_PATTERN = anchored(r"[tT][rR][uU][eE]|[fF][aA][lL][sS][eE]|[yY][eE][sS]|[nN][oO]|1|0")
#: A whole number in plain ASCII digits (no sign, no spaces, no decimal point).
WHOLE_NUMBER_PATTERN = anchored(r"[0-9]+")
#: No NUL character anywhere (PostgreSQL can neither store nor compare one).
FREE_TEXT_PATTERN = "^[^\\u0000]*$"
#: A record id (ASCII digits).
ID = r"[0-9]+"
#: A record id or slug (slugs are ASCII letters, digits, hyphens and underscores).
ID_OR_SLUG = r"[-A-Za-z0-9_]+"


def repeatable_pattern(item: str) -> str:
    """The pattern of one value of a repeatable parameter: ``item`` values separated by
    commas, with spaces around them allowed and empty parts ignored, as
    :class:`RepeatableWidget` reads it (``lech-walesa, leon-trotsky``)."""
    part = rf"(?: *(?:{item}) *| *)"
    return anchored(rf"{part}(?:,{part})*")


def _fullmatch(pattern: str, text: str) -> bool:
    return re.fullmatch(pattern, text) is not None


# -- dates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """The first and last day a partial date (``1991``, ``1991-05``, ``1991-05-03``) covers."""

    start: dt.date
    end: dt.date


_PARTIAL_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")


def parse_partial_date(text: str) -> Span:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; raise a ValidationError saying why not.

    Accepts exactly the strings :data:`PARTIAL_DATE_PATTERN` matches (tested both ways).
    """
    match = _PARTIAL_DATE.fullmatch(text)
    if not match:
        raise ValidationError(
            "%(value)r is not a date: use YYYY, YYYY-MM or YYYY-MM-DD (e.g. 1991, 1991-05, "
            "1991-05-03).",
            code="invalid_date",
            params={"value": text},
        )
    year = int(match.group(1))
    if year < 1:
        raise ValidationError("Year 0 does not exist: years start at 0001.", code="invalid_date")
    if match.group(2) is None:
        return Span(dt.date(year, 1, 1), dt.date(year, 12, 31))
    month = int(match.group(2))
    if not 1 <= month <= 12:
        raise ValidationError(
            "%(value)r is not a date: month %(month)d does not exist.",
            code="invalid_date",
            params={"value": text, "month": month},
        )
    last = calendar.monthrange(year, month)[1]
    if match.group(3) is None:
        return Span(dt.date(year, month, 1), dt.date(year, month, last))
    day = int(match.group(3))
    if not 1 <= day <= last:
        raise ValidationError(
            "%(value)r is not a date: day %(day)d does not exist in %(year)04d-%(month)02d.",
            code="invalid_date",
            params={"value": text, "day": day, "year": year, "month": month},
        )
    return Span(dt.date(year, month, day), dt.date(year, month, day))


class PartialDateField(forms.CharField):
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` → the :class:`Span` it covers."""

    def __init__(self, **kwargs):
        kwargs["strip"] = False  # " 1991" is not a date: the schema's pattern says so too
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return parse_partial_date(value) if value else None

    def openapi_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": PARTIAL_DATE_PATTERN}


class DecadeField(forms.CharField):
    """``1980`` or ``1980s`` → the span 1980-01-01 … 1989-12-31."""

    def __init__(self, **kwargs):
        kwargs["strip"] = False
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        match = re.fullmatch(r"([0-9]{3}0)s?", value)
        if not match:
            raise ValidationError(
                "%(value)r is not a decade: use its first year, e.g. 1980 or 1980s.",
                code="invalid_decade",
                params={"value": value},
            )
        year = int(match.group(1))
        if year < 1:
            raise ValidationError(
                "The first decade starts in year 10 (0010).", code="invalid_decade"
            )
        return Span(dt.date(year, 1, 1), dt.date(year + 9, 12, 31))

    def openapi_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": DECADE_PATTERN}


# -- numbers and booleans ------------------------------------------------------------------


class WholeNumberField(forms.Field):
    """A whole number in ASCII digits between ``min_value`` and ``max_value``.

    Django's ``IntegerField`` also reads ``" 5"``, ``"5.0"`` and other scripts' digits, and
    has no upper bound (a 30-digit value reached the database); this one reads exactly what
    its schema (an integer with a minimum and a maximum) allows.
    """

    #: Default bounds: a count stored in a 32-bit column (word counts).
    MIN_VALUE = 0
    MAX_VALUE = 2**31 - 1

    def __init__(self, *, min_value: int | None = None, max_value: int | None = None, **kwargs):
        self.min_value = self.MIN_VALUE if min_value is None else min_value
        self.max_value = self.MAX_VALUE if max_value is None else max_value
        kwargs.pop("step_size", None)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value)
        if not _fullmatch(WHOLE_NUMBER_PATTERN, text) or not (
            self.min_value <= int(text) <= self.max_value
        ):
            raise ValidationError(
                "%(value)r is not a whole number from %(min)d to %(max)d.",
                code="invalid_number",
                params={"value": text, "min": self.min_value, "max": self.max_value},
            )
        return int(text)

    def openapi_schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.min_value, "maximum": self.max_value}


class YearField(WholeNumberField):
    """A year from 1 to 9999 → the span of that year."""

    MIN_VALUE = 1
    MAX_VALUE = 9999

    def to_python(self, value):
        year = super().to_python(value)
        return None if year is None else Span(dt.date(year, 1, 1), dt.date(year, 12, 31))


class StrictBooleanField(forms.Field):
    """``true``/``false`` (also ``1``/``0``, ``yes``/``no``, in any case); anything else is an
    error.

    django-filter's own boolean field treats unknown words as "no filter", which would
    quietly return everything.
    """

    TRUE = frozenset({"true", "1", "yes"})
    FALSE = frozenset({"false", "0", "no"})

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value)
        if _fullmatch(BOOLEAN_PATTERN, text):
            return text.lower() in self.TRUE
        raise ValidationError(
            "%(value)r is not a boolean: use true or false.",
            code="invalid_boolean",
            params={"value": value},
        )

    def openapi_schema(self) -> dict[str, Any]:
        # A string, not {"type": "boolean"}: 1/0 and yes/no are read too, and an exact
        # schema lists everything that is accepted.
        return {"type": "string", "pattern": BOOLEAN_PATTERN}


# -- repeatable parameters and records -----------------------------------------------------


class RepeatableWidget(forms.TextInput):
    """Read every value of a repeated parameter (``?person=1&person=2``); commas split too,
    spaces around a part are ignored, and so are empty parts (:func:`repeatable_pattern`)."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if isinstance(data, MultiValueDict) else [data.get(name)]
        parts = (part.strip(" ") for v in values if v for part in str(v).split(","))
        return [part for part in parts if part]


def repeatable_schema(item: str, description: str = "") -> dict[str, Any]:
    """A repeatable parameter: an array (``?p=a&p=b``) whose every value may also list
    several comma-separated ``item`` values (``?p=a,b``)."""
    schema: dict[str, Any] = {
        "type": "array",
        "items": {"type": "string", "pattern": repeatable_pattern(item)},
    }
    if description:
        schema["items"]["description"] = description
    return schema


def _check_repeatable(values: list[str], item: str, message: str, params: dict) -> None:
    for text in values:
        if not _fullmatch(item, text):
            raise ValidationError(message, code="invalid_record", params={**params, "value": text})


class RecordField(forms.Field):
    """Public records of ``model`` by id or slug, repeatable: ``?person=12&person=lech-walesa``.

    A malformed value is a 400; a well-formed one naming no public record (unknown, or a
    draft) is ``not_found`` (404), naming the value, so a typo cannot widen a query to
    everything and cannot quietly empty it either.
    """

    widget = RepeatableWidget

    def __init__(self, *, model: type[models.Model], slug: bool = True, **kwargs):
        self.model = model
        self.slug = slug
        super().__init__(**kwargs)

    @property
    def item_pattern(self) -> str:
        return ID_OR_SLUG if self.slug else ID

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, list) else [value]
        _check_repeatable(
            values, self.item_pattern, "%(value)r is not %(expected)s.",
            {"expected": "an id or a slug" if self.slug else "a numeric id"},
        )  # fmt: skip
        # No id beyond a 64-bit integer (the database refuses to compare with one): such a
        # value is simply not found, and reported as such.
        ids = [int(v) for v in values if v.isdigit() and int(v) < 2**63]
        slugs = [v for v in values if not v.isdigit()] if self.slug else []
        query = models.Q(pk__in=ids)
        if slugs:
            query |= models.Q(slug__in=slugs)
        found = list(
            self.model.objects.public()
            .filter(query)
            .values_list("pk", "slug" if self.slug else "pk")
        )
        known = {str(pk) for pk, _ in found} | {str(s) for _, s in found}
        missing = [v for v in values if v not in known]
        if missing:
            raise ValidationError(
                "No published %(model)s with id or slug %(values)s.",
                code=NOT_FOUND,
                params={
                    "model": self.model._meta.verbose_name,
                    "values": ", ".join(repr(m) for m in missing),
                },
            )
        return sorted({pk for pk, _ in found})

    def openapi_schema(self) -> dict[str, Any]:
        what = "id or slug" if self.slug else "id"
        return repeatable_schema(
            self.item_pattern,
            f"The {what} of a published {self.model._meta.verbose_name}; one that names none "
            "is answered 404.",
        )


@dataclass(frozen=True)
class EntityRef:
    """A typed reference such as ``person:lech-walesa`` resolved to its primary key."""

    target: str
    pk: int


ENTITY_REF = rf"(?:{'|'.join(TARGETS)}):{ID_OR_SLUG}"


class EntityRefField(forms.Field):
    """``TYPE:ID_OR_SLUG`` references (person, organisation, place or event), repeatable."""

    widget = RepeatableWidget

    def to_python(self, value):
        from archive.models import Event, Organisation, Person, Place

        models_by_target = {
            "person": Person,
            "organisation": Organisation,
            "place": Place,
            "event": Event,
        }
        _check_repeatable(
            value or [], ENTITY_REF,
            "%(value)r is not a reference: use TYPE:ID or TYPE:SLUG with TYPE one of "
            "person, organisation, place, event (e.g. person:lech-walesa).", {},
        )  # fmt: skip
        refs = []
        for text in value or []:
            target, _, key = text.partition(":")
            pks = RecordField(model=models_by_target[target]).clean([key])
            refs.append(EntityRef(target, pks[0]))
        return refs

    def openapi_schema(self) -> dict[str, Any]:
        return repeatable_schema(
            ENTITY_REF,
            "TYPE:ID or TYPE:SLUG of a published record; one that names none is answered 404.",
        )
