"""The building blocks every resource's FilterSet is made of.

A typo must not quietly return everything: :class:`StrictFilterSet` rejects unknown query
parameters, every field validates its value, and values that are each valid but make no
sense together (a reversed range) are refused too, so a bad request is a 400 naming the
parameter and the reason (see docs/api.md "Errors"). A bad choice lists the allowed values;
an unknown language lists the languages present.

Dates are matched by *overlap*: a record whose EDTF date may fall in the requested span
matches. ``?date_after=1991&date_before=1991`` keeps everything that may fall in 1991,
including "1990/1992" and "199X". A NULL bound is open (``1987/..`` is still running).
Records without any date (both bounds NULL) never match a date filter: articles have an
explicit ``undated`` filter for them instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import django_filters as df
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Value
from django.forms.utils import ErrorDict, ErrorList
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from archive.models.base import overlap_q as models_overlap_q

from ..fields import (
    DecadeField,
    EntityRefField,
    PartialDateField,
    RecordField,
    RepeatableWidget,
    StrictBooleanField,
    WholeNumberField,
    YearField,
)

#: Query parameters that are not filters but are understood by the API.
NON_FILTER_PARAMETERS = frozenset({"format", "page_size", "cursor"})

#: A partial date in a query parameter: YYYY, YYYY-MM or YYYY-MM-DD.
PARTIAL_DATE_SCHEMA = {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}

#: Sort keys standing in for a NULL date, so that cursor pages (which compare the first
#: sort key) never meet a NULL. Only used to order, never stored or shown.
EARLIEST = Value(dt.date(1, 1, 1))
LATEST = Value(dt.date(9999, 12, 31))

#: Pairs of parameters that bound a range: the first may not be past the second.
RANGE_PARAMETERS = (
    ("date_after", "date_before"),
    ("mentioned_after", "mentioned_before"),
    ("word_count_min", "word_count_max"),
)


# --------------------------------------------------------------------------------------------
# The strict FilterSet
# --------------------------------------------------------------------------------------------


class StrictFilterSet(df.FilterSet):
    """A FilterSet that refuses query parameters it does not know (django-filter #603) and
    value combinations that cannot match anything by mistake (a reversed range).

    Subclasses set ``default_ordering``: rows always come in a stable, documented order so
    cursor pages, CSV and JSON Lines list the same records in the same order.
    """

    default_ordering: tuple[str, ...] = ("id",)

    def unknown_parameters(self) -> list[str]:
        known = set(self.filters) | NON_FILTER_PARAMETERS
        return sorted(name for name in self.data if name not in known)

    def combination_errors(self) -> dict[str, list[ValidationError]]:
        """Errors about values that are each valid but contradict each other; subclasses
        add their own. Only called once every field is valid."""
        errors: dict[str, list[ValidationError]] = {}
        data = self.form.cleaned_data
        for low_name, high_name in RANGE_PARAMETERS:
            low, high = data.get(low_name), data.get(high_name)
            if low is None or high is None:
                continue
            low_key = getattr(low, "start", low)
            high_key = getattr(high, "end", high)
            if low_key > high_key:
                error = ValidationError(
                    "The range is reversed: %(low_name)s=%(low)s is later than "
                    "%(high_name)s=%(high)s. Swap the two values.",
                    code="reversed_range",
                    params={
                        "low_name": low_name, "low": self.data.get(low_name),
                        "high_name": high_name, "high": self.data.get(high_name),
                    },
                )  # fmt: skip
                errors[low_name] = [error]
                errors[high_name] = [error]
        return errors

    @property
    def errors(self) -> ErrorDict:
        errors = ErrorDict(self.form.errors)
        known = ", ".join(sorted(set(self.filters) | NON_FILTER_PARAMETERS))
        for name in self.unknown_parameters():
            errors[name] = ErrorList(
                [
                    ValidationError(
                        "Unknown parameter %(name)r. Known parameters: %(known)s.",
                        code="unknown_parameter",
                        params={"name": name, "known": known},
                    )
                ]
            )
        if self.form.is_valid():
            for name, messages in self.combination_errors().items():
                errors[name] = ErrorList(messages)
        return errors

    def is_valid(self) -> bool:
        return (
            self.form.is_valid() and not self.unknown_parameters() and not self.combination_errors()
        )

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not queryset.query.order_by:
            queryset = queryset.order_by(*self.default_ordering)
        return queryset


# --------------------------------------------------------------------------------------------
# Filters
# --------------------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.STR)
class RecordFilter(df.Filter):
    """Records by id or slug (repeatable, any of them): ``?author=12&author=lech-walesa``."""

    field_class = RecordField

    def __init__(self, *args, model, slug: bool = True, **kwargs):
        kwargs.setdefault("lookup_expr", "in")
        super().__init__(*args, model=model, slug=slug, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__{self.lookup_expr}": value})


@extend_schema_field(PARTIAL_DATE_SCHEMA)
class SpanFilter(df.Filter):
    """Overlap of the record's ``start_field``/``end_field`` with a requested span.

    ``side="after"``: the record may end on or after the span's first day.
    ``side="before"``: the record may start on or before the span's last day.
    ``side="both"``: both (``year``, ``decade``).
    """

    field_class = PartialDateField

    def __init__(
        self, *args, start_field: str, end_field: str, side: str, partner: str = "", **kwargs
    ):
        self.start_field, self.end_field, self.side = start_field, end_field, side
        #: The filter bounding the other side of the same span (``date_after`` ↔
        #: ``date_before``): given together, they are one overlap, not two.
        self.partner = partner
        kwargs.setdefault("field_name", start_field)
        kwargs.setdefault("lookup_expr", "overlap")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        other = self.parent.form.cleaned_data.get(self.partner) if self.partner else None
        if other is None:
            return qs.filter(overlap_q(self.start_field, self.end_field, value, self.side))
        if self.side == "before":
            return qs  # the "after" side filters for both
        # One overlap with the whole span: PostgreSQL reads it from the range index once and
        # knows how few rows it keeps (two half-open overlaps each keep half the table).
        return qs.filter(models_overlap_q(self.start_field, self.end_field, value.start, other.end))


def overlap_q(start_field: str, end_field: str, span, side: str = "both") -> Q:
    """Records whose bounds may overlap ``span`` (``side="after"``: from its first day on;
    ``"before"``: up to its last day). The rule itself is the model layer's
    (``archive.models.base.overlap_q``): open (NULL) bounds are open, undated never."""
    first = span.start if side in ("after", "both") else None
    last = span.end if side in ("before", "both") else None
    return models_overlap_q(start_field, end_field, first, last)


@extend_schema_field(OpenApiTypes.INT)
class YearFilter(SpanFilter):
    field_class = YearField


@extend_schema_field({"type": "string", "pattern": r"^\d{3}0s?$"})
class DecadeFilter(SpanFilter):
    field_class = DecadeField


@extend_schema_field(PARTIAL_DATE_SCHEMA)
class DateValueFilter(df.Filter):
    """A partial date handed to a FilterSet method (combined there with other values)."""

    field_class = PartialDateField


@extend_schema_field({"type": "string", "pattern": r"^(person|organisation|place|event):[-\w]+$"})
class EntityRefFilter(df.Filter):
    """``TYPE:ID_OR_SLUG`` references handed to a FilterSet method."""

    field_class = EntityRefField


class IntegerFilter(df.NumberFilter):
    field_class = WholeNumberField


@extend_schema_field(OpenApiTypes.BOOL)
class BooleanFilter(df.Filter):
    field_class = StrictBooleanField


def _invalid_choice_message(choices: Iterable[tuple[str, str]]) -> str:
    allowed = ", ".join(str(value) for value, _label in choices)
    # Keeps Django's wording ("valid choice") and says what would have been valid.
    return f"Select a valid choice: %(value)s is not one of the allowed values ({allowed})."


class ChoiceFilter(df.ChoiceFilter):
    """One value from a fixed list; a bad value is a 400 listing the allowed ones."""

    def __init__(self, *args, choices, **kwargs):
        kwargs.setdefault("error_messages", {"invalid_choice": _invalid_choice_message(choices)})
        kwargs.setdefault("empty_label", None)
        super().__init__(*args, choices=choices, **kwargs)


class MultipleChoiceFilter(df.MultipleChoiceFilter):
    """Repeatable choice (``?kind=party&kind=union``), any of them; a bad choice is a 400
    listing the allowed values."""

    def __init__(self, *args, choices, **kwargs):
        kwargs.setdefault("widget", RepeatableWidget)
        kwargs.setdefault("error_messages", {"invalid_choice": _invalid_choice_message(choices)})
        super().__init__(*args, choices=choices, **kwargs)


class LanguageField(forms.CharField):
    """A BCP 47 tag that some public record carries; otherwise an error listing those that
    do (a typo such as ``en-UK`` must not quietly return nothing)."""

    def __init__(self, *, languages: Callable[[], Iterable[str]], **kwargs):
        self.languages = languages
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return value
        present = sorted({tag for tag in self.languages() if tag})
        if value.lower() not in {tag.lower() for tag in present}:
            raise ValidationError(
                "Unknown language %(value)r: the languages present are %(present)s.",
                code="unknown_language",
                params={"value": value, "present": ", ".join(present) or "none"},
            )
        return value


@extend_schema_field(OpenApiTypes.STR)
class LanguageFilter(df.CharFilter):
    """``language`` of the resource's public records (case-insensitive)."""

    field_class = LanguageField

    def __init__(self, *args, model: type[models.Model], **kwargs):
        def languages() -> list[str]:
            # Every request naming a language checks it against this list, and reading it
            # is a scan of the public records (1.6 s at a million articles): kept in the
            # cache under the content version, so any change to the archive renews it.
            from archive.caching import content_version, page_cache

            key = f"archive:languages:{model._meta.label_lower}:{content_version()}"
            found = page_cache().get(key)
            if found is None:
                found = list(
                    model.objects.public().order_by().values_list("language", flat=True).distinct()
                )
                page_cache().set(key, found, 24 * 3600)
            return found

        kwargs.setdefault("field_name", "language")
        kwargs.setdefault("lookup_expr", "iexact")
        super().__init__(*args, languages=languages, **kwargs)


def date_filters(start_field: str, end_field: str, label: str) -> dict[str, df.Filter]:
    """``date_after``, ``date_before``, ``year`` and ``decade`` over one pair of bounds."""
    common = {"start_field": start_field, "end_field": end_field}
    return {
        "date_after": SpanFilter(
            side="after", partner="date_before", **common,
            help_text=f"{label} may fall on or after this date (YYYY, YYYY-MM or "
            "YYYY-MM-DD), e.g. 1989 or 1989-11. Not after date_before.",
        ),
        "date_before": SpanFilter(
            side="before", partner="date_after", **common,
            help_text=f"{label} may fall on or before this date (YYYY, YYYY-MM or "
            "YYYY-MM-DD), e.g. 1991-12-31.",
        ),
        "year": YearFilter(
            side="both", **common, help_text=f"{label} may fall in this year, e.g. 1989."
        ),
        "decade": DecadeFilter(
            side="both", **common,
            help_text=f"{label} may fall in this decade (its first year), e.g. 1980.",
        ),
    }  # fmt: skip


def ordering_filter(fields: dict[str, str], default: str) -> df.OrderingFilter:
    """``ordering`` from a whitelist; prefix ``-`` for descending; ties broken by id."""
    names = [f"{prefix}{name}" for name in fields.values() for prefix in ("", "-")]
    return TieBreakOrderingFilter(
        fields=tuple(fields.items()),
        error_messages={"invalid_choice": _invalid_choice_message((n, n) for n in names)},
        help_text=(
            f"Sort by {', '.join(fields.values())} (prefix - for descending), "
            f"e.g. -{next(iter(fields.values()))}. Default: {default}."
        ),
    )


class TieBreakOrderingFilter(df.OrderingFilter):
    """Append ``id`` so equal sort keys still come in one stable order (cursor pages)."""

    def filter(self, qs, value):
        # "?ordering=," parses as two empty names: skip them (order_by("") is a FieldError).
        value = [param for param in value or [] if param]
        if not value:
            return qs
        ordering = [self.get_ordering_value(param) for param in value]
        last = ordering[-1]
        if last.lstrip("-") not in ("id", "pk"):
            ordering.append("-id" if last.startswith("-") else "id")
        return qs.order_by(*ordering)


__all__ = [
    "EARLIEST",
    "LATEST",
    "NON_FILTER_PARAMETERS",
    "BooleanFilter",
    "ChoiceFilter",
    "DateValueFilter",
    "DecadeFilter",
    "EntityRefFilter",
    "IntegerFilter",
    "LanguageFilter",
    "MultipleChoiceFilter",
    "RecordFilter",
    "SpanFilter",
    "StrictFilterSet",
    "TieBreakOrderingFilter",
    "YearFilter",
    "date_filters",
    "ordering_filter",
    "overlap_q",
]
