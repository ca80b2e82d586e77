"""Mentions: which article names which person, organisation, place or event."""

from __future__ import annotations

from django.db.models import Q

from archive.models import TARGETS, Article, Mention

from .base import (
    EntityRefFilter,
    MultipleChoiceFilter,
    RecordFilter,
    StrictFilterSet,
    ordering_filter,
)


class MentionFilterSet(StrictFilterSet):
    default_ordering = ("id",)

    article = RecordFilter(
        model=Article, slug=False, field_name="article",
        help_text="In this article (id; repeatable, any of them), e.g. 12.",
    )  # fmt: skip
    target_type = MultipleChoiceFilter(
        field_name="target_type", lookup_expr="exact", method="filter_target_type",
        choices=[(t, t) for t in TARGETS],
        help_text="What is mentioned (repeatable): person, organisation, place, event; e.g. place.",
    )  # fmt: skip
    target = EntityRefFilter(
        field_name="target", lookup_expr="exact", method="filter_target",
        help_text="The mentioned record as TYPE:ID or TYPE:SLUG (repeatable, any of them), "
        "e.g. person:lech-walesa.",
    )  # fmt: skip
    status = MultipleChoiceFilter(
        field_name="status", lookup_expr="exact",
        # A rejected mention is never public, so it is not a value to ask for.
        choices=[c for c in Mention.Status.choices if c[0] != Mention.Status.REJECTED],
        help_text="Review status (repeatable): auto, confirmed or flagged; e.g. confirmed.",
    )  # fmt: skip
    ordering = ordering_filter({"id": "id", "count": "count"}, "id")

    class Meta:
        model = Mention
        fields: list[str] = []

    def filter_target_type(self, queryset, name, value):
        if not value:
            return queryset
        query = Q()
        for target in value:
            query |= Q(**{f"{target}__isnull": False})
        return queryset.filter(query)

    def filter_target(self, queryset, name, value):
        if not value:
            return queryset
        query = Q()
        for ref in value:
            query |= Q(**{f"{ref.target}_id": ref.pk})
        return queryset.filter(query)


__all__ = ["MentionFilterSet"]
