"""Form fields behind the API's query parameters: strict parsing with messages that say why.

django-filter turns a field's ``ValidationError`` into a 400 naming the parameter, so every
rule about what a parameter accepts lives here, once.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.datastructures import MultiValueDict

from archive.models import TARGETS

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True)
class Span:
    """The first and last day a partial date (``1991``, ``1991-05``, ``1991-05-03``) covers."""

    start: dt.date
    end: dt.date


def parse_partial_date(text: str) -> Span:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; raise a ValidationError saying why not."""
    match = _PARTIAL_DATE.match(text.strip())
    if not match:
        raise ValidationError(
            "%(value)r is not a date: use YYYY, YYYY-MM or YYYY-MM-DD (e.g. 1991, 1991-05, "
            "1991-05-03).",
            code="invalid_date",
            params={"value": text},
        )
    year = int(match.group(1))
    if year < 1:
        raise ValidationError("Year 0 does not exist.", code="invalid_date")
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

    def to_python(self, value):
        value = super().to_python(value)
        return parse_partial_date(value) if value else None


class DecadeField(forms.CharField):
    """``1980`` or ``1980s`` → the span 1980-01-01 … 1989-12-31."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        match = re.fullmatch(r"(\d{3}0)s?", value.strip())
        if not match:
            raise ValidationError(
                "%(value)r is not a decade: use its first year, e.g. 1980 or 1980s.",
                code="invalid_decade",
                params={"value": value},
            )
        year = int(match.group(1))
        if year < 1:
            raise ValidationError("The first decade starts in year 1.", code="invalid_decade")
        return Span(dt.date(year, 1, 1), dt.date(year + 9, 12, 31))


class YearField(forms.IntegerField):
    """A four-digit year → the span of that year."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 9999)
        super().__init__(**kwargs)

    def clean(self, value):
        year = super().clean(value)
        return None if year is None else Span(dt.date(year, 1, 1), dt.date(year, 12, 31))


class StrictBooleanField(forms.Field):
    """``true``/``false`` (also ``1``/``0``, ``yes``/``no``); anything else is an error.

    django-filter's own boolean field treats unknown words as "no filter", which would
    quietly return everything.
    """

    TRUE = frozenset({"true", "1", "yes"})
    FALSE = frozenset({"false", "0", "no"})

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValidationError(
            "%(value)r is not a boolean: use true or false.",
            code="invalid_boolean",
            params={"value": value},
        )


class RepeatableWidget(forms.TextInput):
    """Read every value of a repeated parameter (``?person=1&person=2``); commas split too."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if isinstance(data, MultiValueDict) else [data.get(name)]
        return [part.strip() for v in values if v for part in str(v).split(",") if part.strip()]


class RecordField(forms.Field):
    """Published records of ``model`` by id or slug, repeatable: ``?person=12&person=lech-walesa``.

    Unknown or unpublished records are an error naming the value, so a typo cannot widen a
    query to everything.
    """

    widget = RepeatableWidget

    def __init__(self, *, model: type[models.Model], slug: bool = True, **kwargs):
        self.model = model
        self.slug = slug
        super().__init__(**kwargs)

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, list) else [value]
        ids, slugs = [], []
        for text in values:
            # ASCII digits only ("²".isdigit() is true but int() refuses it), and no id beyond
            # a 64-bit integer (the database refuses to compare with one): such a value is
            # simply not found, and reported as such.
            if text.isascii() and text.isdigit():
                if int(text) < 2**63:
                    ids.append(int(text))
            elif self.slug and re.fullmatch(r"[-a-zA-Z0-9_]+", text):
                slugs.append(text)
            else:
                expected = "an id or a slug" if self.slug else "a numeric id"
                raise ValidationError(
                    "%(value)r is not %(expected)s.",
                    code="invalid_record",
                    params={"value": text, "expected": expected},
                )
        queryset = self.model.objects.public()
        query = models.Q(pk__in=ids)
        if slugs:
            query |= models.Q(slug__in=slugs)
        found = list(queryset.filter(query).values_list("pk", "slug" if self.slug else "pk"))
        known = {str(pk) for pk, _ in found} | {str(s) for _, s in found}
        missing = [v for v in values if v not in known]
        if missing:
            raise ValidationError(
                "No published %(model)s with id or slug %(values)s.",
                code="not_found",
                params={
                    "model": self.model._meta.verbose_name,
                    "values": ", ".join(repr(m) for m in missing),
                },
            )
        return sorted({pk for pk, _ in found})


@dataclass(frozen=True)
class EntityRef:
    """A typed reference such as ``person:lech-walesa`` resolved to its primary key."""

    target: str
    pk: int


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
        refs = []
        for text in value or []:
            target, _, key = text.partition(":")
            if target not in TARGETS or not key:
                raise ValidationError(
                    "%(value)r is not a reference: use TYPE:ID or TYPE:SLUG with TYPE one of "
                    "person, organisation, place, event (e.g. person:lech-walesa).",
                    code="invalid_reference",
                    params={"value": text},
                )
            pks = RecordField(model=models_by_target[target]).clean([key])
            refs.append(EntityRef(target, pks[0]))
        return refs
