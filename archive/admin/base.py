"""What every curated record's admin shares: status actions, permissions, history, filters."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages
from django.db.models import Min
from simple_history.admin import SimpleHistoryAdmin

from archive.exports.admin import export_selected_as_csv
from archive.models import Status
from archive.services import records_set_status

from .concurrency import OptimisticConcurrencyAdminMixin

PUBLISH_PERMISSION = "archive.publish_record"


def can_publish(request) -> bool:
    """Curators publish; Contributors edit drafts only."""
    return request.user.has_perm(PUBLISH_PERMISSION)


class DecadeListFilter(admin.SimpleListFilter):
    """Filter by the decade a record's date may fall in (lower EDTF bound)."""

    title = "decade"
    parameter_name = "decade"
    date_field = "date_start"

    def lookups(self, request, model_admin):
        first = model_admin.get_queryset(request).aggregate(first=Min(self.date_field))["first"]
        if not first:
            return []
        start = first.year // 10 * 10
        return [(str(y), f"{y}s") for y in range(start, dt.date.today().year + 1, 10)]

    def queryset(self, request, queryset):
        if not self.value() or not self.value().isdigit():
            return queryset
        start = int(self.value())
        return queryset.filter(
            **{
                f"{self.date_field}__lte": dt.date(start + 9, 12, 31),
                f"{self.date_field.replace('_start', '_end')}__gte": dt.date(start, 1, 1),
            }
        )


class PublishableAdmin(OptimisticConcurrencyAdminMixin, SimpleHistoryAdmin):
    """Publish / send back to review actions, guarded by the publish permission.

    History (who changed what, when) and revert come from django-simple-history's admin;
    a save based on a stale copy of the record is refused (archive/admin/concurrency.py).
    """

    actions = ["publish", "send_back_to_review", export_selected_as_csv]
    list_per_page = 50

    def has_publish_permission(self, request) -> bool:
        return can_publish(request)

    def has_change_permission(self, request, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        # A Contributor may not edit what is already public.
        return obj is None or obj.status != Status.PUBLISHED or can_publish(request)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not can_publish(request):
            fields.append("status")
        return fields

    def save_model(self, request, obj, form, change):
        # Status is read-only in the form for Contributors, but a history revert saves a
        # whole old version, status included: keep the status the record has now.
        if change and not can_publish(request):
            obj.status = type(obj)._default_manager.values_list("status", flat=True).get(pk=obj.pk)
        super().save_model(request, obj, form, change)

    @admin.action(description="Publish selected records", permissions=["publish"])
    def publish(self, request, queryset):
        changed = records_set_status(
            queryset=queryset, status=Status.PUBLISHED, user=request.user, reason="Published"
        )
        self.message_user(request, f"Published {changed} record(s).", messages.SUCCESS)

    @admin.action(description="Send selected records back to review", permissions=["publish"])
    def send_back_to_review(self, request, queryset):
        changed = records_set_status(
            queryset=queryset, status=Status.REVIEW, user=request.user, reason="Back to review"
        )
        self.message_user(request, f"Sent {changed} record(s) back to review.", messages.SUCCESS)
