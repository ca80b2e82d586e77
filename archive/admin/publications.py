"""Admin for publications, issues and articles (the reading units)."""

from __future__ import annotations

from django.contrib import admin

from archive.exports.admin import export_selected_as_csv
from archive.models import Article, Authorship, Illustration, Issue, Mention, Publication

from .base import DecadeListFilter, PublishableAdmin


class IssueInline(admin.TabularInline):
    model = Issue
    extra = 0
    fields = ["title", "volume", "number", "date", "status"]
    show_change_link = True


@admin.register(Publication)
class PublicationAdmin(PublishableAdmin):
    list_display = ["title", "kind", "publisher", "run", "language", "status"]
    list_filter = ["status", "kind", "language"]
    search_fields = ["title", "slug", "issn", "description"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["publisher", "place", "predecessor"]
    readonly_fields = ["created", "updated", "published_at"]
    inlines = [IssueInline]


class RunDecadeFilter(DecadeListFilter):
    date_field = "date_start"


@admin.register(Issue)
class IssueAdmin(PublishableAdmin):
    list_display = ["__str__", "publication", "volume", "number", "date", "status"]
    list_filter = ["status", "publication", RunDecadeFilter]
    search_fields = ["title", "slug", "publication__title", "number"]
    autocomplete_fields = ["publication"]
    raw_id_fields = ["source_document"]
    readonly_fields = ["created", "updated", "published_at"]
    list_select_related = ["publication"]


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    extra = 0
    fields = ["person", "role", "order"]
    autocomplete_fields = ["person"]


class IllustrationInline(admin.TabularInline):
    model = Illustration
    extra = 0
    fields = ["position", "caption", "page", "after_paragraph"]


class ArticleMentionInline(admin.TabularInline):
    model = Mention
    extra = 0
    fields = ["person", "organisation", "place", "event", "count", "status", "context"]
    readonly_fields = ["context"]
    autocomplete_fields = ["person", "organisation", "place", "event"]


class HasAuthorFilter(admin.SimpleListFilter):
    title = "authorship"
    parameter_name = "signed"

    def lookups(self, request, model_admin):
        return [("yes", "Signed"), ("no", "Unsigned")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(authorships__isnull=False).distinct()
        if self.value() == "no":
            return queryset.unsigned()
        return queryset


@admin.register(Article)
class ArticleAdmin(PublishableAdmin):
    list_display = ["title", "label", "kind", "issue", "position", "date", "word_count", "status"]
    list_filter = [
        "status", "kind", "issue__publication", DecadeListFilter, HasAuthorFilter, "language",
    ]  # fmt: skip
    search_fields = ["title", "subtitle", "label", "body", "slug"]
    autocomplete_fields = ["issue", "first_published_in_issue", "first_published_in_publication"]
    readonly_fields = [
        "word_count", "curator_edited_fields", "created", "updated", "published_at",
    ]  # fmt: skip
    list_select_related = ["issue__publication"]
    inlines = [AuthorshipInline, IllustrationInline, ArticleMentionInline]
    fieldsets = [
        (None, {"fields": ["issue", "position", "label", "kind", "title", "subtitle", "slug",
                           "status"]}),
        ("Date", {"fields": ["date", "date_display"]}),
        ("First published", {"fields": ["first_published_in_publication",
                                         "first_published_in_issue", "first_published_date"]}),
        ("Text", {"fields": ["pages", "language", "body", "word_count"]}),
        ("Provenance", {"classes": ["collapse"], "fields": ["raw_text"]}),
        ("Curation", {"fields": ["curator_notes", "curator_edited_fields", "created", "updated",
                                 "published_at"]}),
    ]  # fmt: skip

    def save_model(self, request, obj, form, change):
        """Remember which fields a curator changed, so re-imports leave them alone."""
        if change and form.changed_data:
            edited = set(obj.curator_edited_fields) | set(form.changed_data)
            obj.curator_edited_fields = sorted(edited - {"status"})
        super().save_model(request, obj, form, change)


@admin.register(Authorship)
class AuthorshipAdmin(admin.ModelAdmin):
    actions = [export_selected_as_csv]
    list_display = ["person", "role", "article", "order"]
    list_filter = ["role"]
    search_fields = ["person__name", "article__title"]
    autocomplete_fields = ["person", "article"]
    list_select_related = ["person", "article"]


@admin.register(Illustration)
class IllustrationAdmin(admin.ModelAdmin):
    actions = [export_selected_as_csv]
    list_display = ["__str__", "article", "page", "position"]
    search_fields = ["caption", "article__title"]
    autocomplete_fields = ["article"]
    list_select_related = ["article"]
