"""Background jobs in the admin: every queued import and release build, and how far it got.

Read-only: jobs are made by the import pages and ``build_dataset --background`` and written
by the task worker (archive/tasks.py). An import's row links to its progress page.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from archive.models import BackgroundJob, JobKind

from .base import ArchiveModelAdmin


@admin.register(BackgroundJob)
class BackgroundJobAdmin(ArchiveModelAdmin):
    list_display = ["__str__", "name", "progress", "created", "finished", "created_by"]
    list_filter = ["kind", "status"]
    readonly_fields = ["kind", "status", "name", "progress", "items_text", "result", "message",
                       "task_id", "created_by", "created", "started", "finished"]  # fmt: skip
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="progress")
    def progress(self, obj: BackgroundJob) -> str:
        if obj.kind in (JobKind.CHECK, JobKind.IMPORT):
            url = reverse("admin:archive_sourcedocument_import_job", args=[obj.pk])
            return format_html('<a href="{}">{}</a>', url, obj.progress_text())
        return obj.progress_text()

    @admin.display(description="files")
    def items_text(self, obj: BackgroundJob) -> str:
        lines = [
            f"{item.get('name', '?')}: {item.get('status', 'waiting')}"
            + (f" ({item['message']})" if item.get("message") else "")
            for item in obj.items
        ]
        return "\n".join(lines) or "—"
