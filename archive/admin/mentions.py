"""Admin for mentions: review what the linker found, confirm or reject."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction

from archive.exports.admin import export_selected_as_csv
from archive.models import Mention

from .base import ArchiveModelAdmin


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
        """Save one by one (not update()) so each decision is in the mention's history."""
        count = 0
        with transaction.atomic():
            for mention in queryset.exclude(status=status):
                mention.status = status
                mention._history_user = request.user
                mention.save()
                count += 1
        return count
