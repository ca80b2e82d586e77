"""Events: who took part, where, when."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from archive.models import Event, EventParticipant, Organisation, Person, Place

from .base import (
    MultipleChoiceFilter,
    RecordFilter,
    StrictFilterSet,
    date_filters,
    ordering_filter,
)


class EventFilterSet(StrictFilterSet):
    default_ordering = ("sort_date", "id")

    kind = MultipleChoiceFilter(
        field_name="kind", lookup_expr="exact", choices=Event.Kind.choices,
        help_text="Kind (repeatable, any of them), e.g. strike.",
    )  # fmt: skip
    person = RecordFilter(
        model=Person, field_name="participants__person", method="filter_participant",
        help_text="This person took part (id or slug; repeatable, any of them), e.g. lech-walesa.",
    )  # fmt: skip
    organisation = RecordFilter(
        model=Organisation, field_name="participants__organisation", method="filter_participant",
        help_text="This organisation took part (id or slug; repeatable), e.g. solidarnosc.",
    )  # fmt: skip
    place = RecordFilter(
        model=Place, field_name="places", method="filter_place",
        help_text="Happened in this place (id or slug; repeatable), e.g. gdansk.",
    )  # fmt: skip
    locals().update(date_filters("date_start", "date_end", "The event"))
    ordering = ordering_filter({"sort_date": "date", "title": "title", "id": "id"}, "date")

    class Meta:
        model = Event
        fields: list[str] = []

    def filter_participant(self, queryset, name, value):
        target = name.rsplit("__", 1)[-1]  # "participants__person" → "person"
        participants = EventParticipant.objects.public().filter(
            event=OuterRef("pk"), **{f"{target}__in": value}
        )
        return queryset.filter(Exists(participants))

    def filter_place(self, queryset, name, value):
        links = Event.public_place_links().filter(event=OuterRef("pk"), place__in=value)
        return queryset.filter(Exists(links))


__all__ = ["EventFilterSet"]
