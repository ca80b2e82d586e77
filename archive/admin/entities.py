"""Admin for people, organisations and places, with variant names and merging
(archive/admin/merging.py)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count

from archive.exports.admin import export_selected_as_csv
from archive.models import Alias, EventParticipant, Organisation, Person, Place

from .base import ArchiveModelAdmin, ArchiveTabularInline, PublishableAdmin, ValuesListFilter
from .duplicates import AuthorityIdFilter, SuspectedDuplicateFilter
from .mentions import CompactMentionInline
from .merging import MergeMixin
from .nearby import NearDuplicateMixin

#: The list filters every entity list has: the dashboard's figures link to them.
ENTITY_FILTERS = ["status", AuthorityIdFilter, SuspectedDuplicateFilter]


class AliasInline(ArchiveTabularInline):
    model = Alias
    extra = 0
    fields = ["name", "kind", "language"]


class PersonAliasInline(AliasInline):
    fk_name = "person"


class OrganisationAliasInline(AliasInline):
    fk_name = "organisation"


class PlaceAliasInline(AliasInline):
    fk_name = "place"


class EntityMentionInline(CompactMentionInline):
    """The record's mentions, one compact row each (see CompactMentionInline)."""

    fields = ["article_shown", "count", "status", "context_shown"]


class EventRoleInline(ArchiveTabularInline):
    model = EventParticipant
    extra = 0
    fields = ["event", "role"]
    autocomplete_fields = ["event"]


class EntityAdmin(NearDuplicateMixin, PublishableAdmin):
    """Shared by the three entity admins: search covers variant names."""

    search_fields = ["name", "name_folded", "aliases__name", "aliases__name_folded", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    list_filter = ENTITY_FILTERS
    readonly_fields = ["created", "updated", "published_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(mentions_total=Count("mentions"))

    # Every mention, rejected or not (a curator's figure; the public one is mention_count).
    @admin.display(description="mentions", ordering="mentions_total")
    def mentions_count(self, obj) -> int:
        return obj.mentions_total


@admin.register(Person)
class PersonAdmin(MergeMixin, EntityAdmin):
    list_display = ["name", "sort_name", "birth", "death", "country", "status", "mentions_count"]
    list_filter = [*ENTITY_FILTERS, ("country", ValuesListFilter)]
    inlines = [PersonAliasInline, EventRoleInline, EntityMentionInline]
    actions = [*EntityAdmin.actions, "merge_selected"]
    fieldsets = [
        (None, {"fields": ["name", "sort_name", "slug", "status", "description"]}),
        ("Dates", {"fields": ["birth", "death"]}),
        ("Identifiers", {"fields": ["country", "wikidata", "viaf"]}),
        ("Curation", {"fields": ["curator_notes", "created", "updated", "published_at"]}),
    ]


@admin.register(Organisation)
class OrganisationAdmin(MergeMixin, EntityAdmin):
    list_display = ["name", "acronym", "kind", "country", "founded", "status", "mentions_count"]
    list_filter = [*ENTITY_FILTERS, "kind", ("country", ValuesListFilter)]
    search_fields = [*EntityAdmin.search_fields, "acronym"]
    autocomplete_fields = ["parent", "predecessor"]
    inlines = [OrganisationAliasInline, EventRoleInline, EntityMentionInline]
    actions = [*EntityAdmin.actions, "merge_selected"]
    fieldsets = [
        (None, {"fields": ["name", "acronym", "slug", "kind", "status", "description"]}),
        ("Dates", {"fields": ["founded", "dissolved"]}),
        ("Relations", {"fields": ["parent", "predecessor"]}),
        ("Identifiers", {"fields": ["country", "wikidata"]}),
        ("Curation", {"fields": ["curator_notes", "created", "updated", "published_at"]}),
    ]


@admin.register(Place)
class PlaceAdmin(MergeMixin, EntityAdmin):
    list_display = ["name", "kind", "country_code", "status", "mentions_count"]
    list_filter = [*ENTITY_FILTERS, "kind", ("country_code", ValuesListFilter)]
    inlines = [PlaceAliasInline, EntityMentionInline]
    actions = [*EntityAdmin.actions, "merge_selected"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "status", "description"]}),
        ("Location", {"fields": ["country_code", "latitude", "longitude"]}),
        ("Identifiers", {"fields": ["wikidata", "geonames"]}),
        ("Curation", {"fields": ["curator_notes", "created", "updated", "published_at"]}),
    ]


@admin.register(Alias)
class AliasAdmin(ArchiveModelAdmin):
    actions = [export_selected_as_csv]
    list_display = ["name", "kind", "language", "person", "organisation", "place"]
    list_filter = ["kind", "language"]
    search_fields = ["name", "name_folded"]
    autocomplete_fields = ["person", "organisation", "place"]
