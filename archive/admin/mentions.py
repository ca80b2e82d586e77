"""Admin for mentions: review what the linker found, confirm or reject."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from archive.exports.admin import export_selected_as_csv
from archive.models import Mention
from archive.services import mentions_set_status

from .base import ArchiveModelAdmin, ArchiveTabularInline
from .review import highlight_names, mention_names


class CompactMentionInline(ArchiveTabularInline):
    """Mentions as compact rows: the record named (or the article) as a link, not an empty
    autocomplete box per kind; the count and review status to edit; the words around the
    first occurrence with the name highlighted. Ambiguous and automatic ones come first.
    New mentions come from the linker or from "Add a mention" (a mention needs its record
    chosen, which a blank row of four boxes made hard to see)."""

    model = Mention
    extra = 0
    readonly_fields = ["target_shown", "article_shown", "context_shown"]
    show_change_link = True
    classes = ["compact-mentions"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("article__issue", "person", "organisation", "place", "event")
            .prefetch_related("person__aliases", "organisation__aliases", "place__aliases")
            .order_by("status", "article__issue_id", "article__position", "first_offset", "pk")
        )

    @admin.display(description="record")
    def target_shown(self, obj) -> str:
        return _linked(obj.target)

    @admin.display(description="article")
    def article_shown(self, obj) -> str:
        return _linked(obj.article)

    @admin.display(description="context")
    def context_shown(self, obj) -> str:
        """The words around the first occurrence, the name highlighted, on a line or two."""
        if not obj.context or obj.target is None:
            return "—"
        return highlight_names(obj.context, mention_names(obj), obj.target_type, width=110)


def _linked(obj) -> str:
    if obj is None:
        return "—"
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<span class="quiet">{}</span> <a href="{}">{}</a>',
                       opts.verbose_name, url, obj)  # fmt: skip


class TargetTypeFilter(admin.SimpleListFilter):
    title = "target type"
    parameter_name = "target"

    def lookups(self, request, model_admin):
        return [(t, t.capitalize()) for t in ("person", "organisation", "place", "event")]

    def queryset(self, request, queryset):
        if self.value() in ("person", "organisation", "place", "event"):
            return queryset.filter(**{f"{self.value()}__isnull": False})
        return queryset


@admin.register(Mention)
class MentionAdmin(ArchiveModelAdmin):
    list_display = ["__str__", "article", "count", "status"]
    list_filter = ["status", TargetTypeFilter, "article__issue__publication"]
    search_fields = [
        "article__title", "person__name", "organisation__name", "place__name", "event__title",
        "context",
    ]  # fmt: skip
    autocomplete_fields = ["article", "person", "organisation", "place", "event"]
    list_select_related = ["article", "person", "organisation", "place", "event"]
    actions = ["confirm", "reject", export_selected_as_csv]

    @admin.action(description="Confirm selected mentions", permissions=["change"])
    def confirm(self, request, queryset):
        count = self._set_status(request, queryset, Mention.Status.CONFIRMED)
        self.message_user(request, f"Confirmed {count} mention(s).", messages.SUCCESS)

    @admin.action(description="Reject selected mentions", permissions=["change"])
    def reject(self, request, queryset):
        count = self._set_status(request, queryset, Mention.Status.REJECTED)
        self.message_user(request, f"Rejected {count} mention(s).", messages.SUCCESS)

    @staticmethod
    def _set_status(request, queryset, status: str) -> int:
        return mentions_set_status(mentions=queryset, status=status, user=request.user)
