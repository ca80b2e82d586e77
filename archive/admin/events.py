"""Admin for dated events and who took part in them."""

from __future__ import annotations

from django.contrib import admin

from archive.models import Event, EventParticipant

from .base import ArchiveModelAdmin, ArchiveTabularInline, DecadeListFilter, PublishableAdmin
from .merging import MergeMixin
from .nearby import NearDuplicateMixin


class ParticipantInline(ArchiveTabularInline):
    model = EventParticipant
    extra = 0
    fields = ["person", "organisation", "role"]
    autocomplete_fields = ["person", "organisation"]


@admin.register(Event)
class EventAdmin(MergeMixin, NearDuplicateMixin, PublishableAdmin):
    near_duplicate_name_field = "title"
    list_display = ["title", "date", "date_display", "kind", "status"]
    list_filter = ["status", "kind", DecadeListFilter]
    search_fields = ["title", "description", "date_display", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["places", "articles"]
    readonly_fields = ["created", "updated", "published_at"]
    inlines = [ParticipantInline]
    actions = [*PublishableAdmin.actions, "merge_selected"]


@admin.register(EventParticipant)
class EventParticipantAdmin(ArchiveModelAdmin):
    list_display = ["event", "person", "organisation", "role"]
    list_filter = ["role"]
    search_fields = ["event__title", "person__name", "organisation__name"]
    autocomplete_fields = ["event", "person", "organisation"]
    list_select_related = ["event", "person", "organisation"]
