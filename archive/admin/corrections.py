"""The curators' queue of corrections suggested by readers (archive/corrections.py).

Suggestions arrive as "new"; a curator reads one, corrects the record in its own admin
page if the reader is right, and marks the suggestion done, declined or spam. What the
reader wrote is shown read-only: it is their text, kept as sent.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html

from archive.models import Correction

from .base import ArchiveModelAdmin


def _mark(status: str, label: str):
    def action(modeladmin, request, queryset):
        n = queryset.exclude(status=status).update(
            status=status, handled_by=request.user, handled_at=timezone.now()
        )
        modeladmin.message_user(request, f"{n} marked “{label}”.", messages.SUCCESS)

    action.__name__ = f"mark_{status}"
    action.short_description = f"Mark selected suggestions: {label}"
    return action


@admin.register(Correction)
class CorrectionAdmin(ArchiveModelAdmin):
    list_display = ["created", "status", "about", "excerpt", "name"]
    list_filter = ["status", "content_type"]
    search_fields = ["message", "name", "email", "page"]
    date_hierarchy = "created"
    readonly_fields = [
        "about", "page_link", "message", "name", "email", "created", "handled_by", "handled_at",
    ]  # fmt: skip
    fields = [
        "about", "page_link", "message", "name", "email", "created",
        "status", "curator_note", "handled_by", "handled_at",
    ]  # fmt: skip
    actions = [
        _mark(Correction.Status.DONE, "done"),
        _mark(Correction.Status.DECLINED, "declined"),
        _mark(Correction.Status.SPAM, "spam"),
    ]

    def has_add_permission(self, request) -> bool:
        return False  # suggestions come from readers, through the site's form

    @admin.display(description="About")
    def about(self, obj: Correction) -> str:
        target = obj.target
        if target is None:
            return f"{obj.content_type.name} {obj.object_id} (since deleted)"
        opts = target._meta
        return format_html(
            '{} <a href="{}">{}</a>',
            opts.verbose_name.capitalize(),
            f"/admin/{opts.app_label}/{opts.model_name}/{target.pk}/change/",
            str(target),
        )

    @admin.display(description="Sent from")
    def page_link(self, obj: Correction) -> str:
        return format_html('<a href="{}">{}</a>', obj.page, obj.page)

    @admin.display(description="Message")
    def excerpt(self, obj: Correction) -> str:
        text = " ".join(obj.message.split())
        return text if len(text) <= 90 else text[:89] + "…"

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data:
            obj.handled_by = request.user
            obj.handled_at = timezone.now()
        super().save_model(request, obj, form, change)
