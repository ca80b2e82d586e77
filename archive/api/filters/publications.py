"""Publications and their issues."""

from __future__ import annotations

import django_filters as df

from archive.models import Issue, Organisation, Place, Publication

from .base import (
    LanguageFilter,
    MultipleChoiceFilter,
    RecordFilter,
    StrictFilterSet,
    date_filters,
    ordering_filter,
)


class PublicationFilterSet(StrictFilterSet):
    default_ordering = ("title", "id")

    title = df.CharFilter(
        field_name="title", lookup_expr="icontains",
        help_text="Title contains this text (case-insensitive), e.g. focus.",
    )  # fmt: skip
    kind = MultipleChoiceFilter(
        field_name="kind", lookup_expr="exact", choices=Publication.Kind.choices,
        help_text="Kind (repeatable), e.g. journal.",
    )  # fmt: skip
    language = LanguageFilter(
        model=Publication,
        help_text="BCP 47 tag, one of the publications' languages (case-insensitive), e.g. en.",
    )
    publisher = RecordFilter(
        model=Organisation, field_name="publisher",
        help_text="Published by this organisation (id or slug; repeatable), e.g. 3.",
    )  # fmt: skip
    place = RecordFilter(
        model=Place, field_name="place",
        help_text="Published in this place (id or slug; repeatable), e.g. london.",
    )  # fmt: skip
    locals().update(date_filters("run_start", "run_end", "The run"))
    ordering = ordering_filter({"title": "title", "sort_date": "date", "id": "id"}, "title")

    class Meta:
        model = Publication
        fields: list[str] = []


class IssueFilterSet(StrictFilterSet):
    default_ordering = ("id",)

    publication = RecordFilter(
        model=Publication, field_name="publication",
        help_text="In this publication (id or slug; repeatable), e.g. labour-focus.",
    )  # fmt: skip
    locals().update(date_filters("date_start", "date_end", "The issue date"))
    ordering = ordering_filter({"sort_date": "date", "id": "id"}, "id")

    class Meta:
        model = Issue
        fields: list[str] = []


__all__ = ["IssueFilterSet", "PublicationFilterSet"]
