"""Source documents and their text repairs in the admin; the guided import.

The upload → report → decide on names → accept flow is in archive/admin/import_flow.py and
archive/admin/names.py; its pages hang from the source documents' admin
(``/admin/archive/sourcedocument/import/``).

TextRepair's list filters by kind and status; its actions accept flagged repairs and revert
applied ones (see :mod:`archive.importers.review`); a repair's page shows the source text
around it.
"""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.urls import path, reverse
from django.utils.html import format_html

from archive.importers.review import (
    document_unknown_names,
    known_name_keys,
    repairs_accept,
    repairs_revert,
    text_around,
)
from archive.importers.service import ImportReport
from archive.models import SourceDocument, TextRepair

from .base import ArchiveModelAdmin
from .import_flow import SESSION_KEY, ImportForm, accept_view, import_view, job_view, report_view
from .names import names_decide_view, names_page_view

__all__ = ["SESSION_KEY", "ImportForm", "SourceDocumentAdmin", "TextRepairAdmin"]


class UnknownNamesFilter(admin.SimpleListFilter):
    """``?names=undecided``: documents whose import left names no curator has decided on."""

    title = "unknown names"
    parameter_name = "names"

    def lookups(self, request, model_admin):
        return [("undecided", "Some undecided")]

    def queryset(self, request, queryset):
        if self.value() != "undecided":
            return queryset
        known = known_name_keys()
        ids = [
            document.pk
            for document in SourceDocument.objects.only("pk", "report")
            if document_unknown_names(document, known=known)
        ]
        return queryset.filter(pk__in=ids)


@admin.register(SourceDocument)
class SourceDocumentAdmin(ArchiveModelAdmin):
    change_list_template = "admin/archive/sourcedocument/change_list.html"
    list_display = ["name", "short_sha", "size", "imported_at", "importer_version",
                    "repairs_link"]  # fmt: skip
    search_fields = ["name", "sha256", "notes"]
    list_filter = [UnknownNamesFilter]
    date_hierarchy = "imported_at"
    readonly_fields = [
        "name", "sha256", "size", "imported_at", "importer_version", "repairs_link",
        "report_text", "text_as_imported", "created", "updated",
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": [*readonly_fields[:6], "notes", "report_text", "created",
                           "updated"]}),
        ("Source text", {"classes": ["collapse"], "fields": ["text_as_imported"]}),
    ]  # fmt: skip

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .defer("text")
            .annotate(
                repair_count=Count("repairs"),
                flagged_count=Count("repairs", filter=Q(repairs__status="flagged")),
            )
        )

    def has_add_permission(self, request) -> bool:
        return False  # source documents come from imports only

    @admin.display(description="SHA-256")
    def short_sha(self, obj) -> str:
        return obj.sha256[:12] + "…"

    @admin.display(description="repairs")
    def repairs_link(self, obj) -> str:
        url = reverse("admin:archive_textrepair_changelist")
        total = getattr(obj, "repair_count", None)
        flagged = getattr(obj, "flagged_count", None)
        if total is None:
            total = obj.repairs.count()
            flagged = obj.repairs.filter(status="flagged").count()
        return format_html(
            '<a href="{}?source_document__id__exact={}">{} repairs</a> · '
            '<a href="{}?source_document__id__exact={}&amp;status__exact=flagged">{} flagged</a>',
            url, obj.pk, total, url, obj.pk, flagged,
        )  # fmt: skip

    @admin.display(description="import report")
    def report_text(self, obj) -> str:
        if not obj.report:
            return "—"
        try:
            fields = {k: v for k, v in obj.report.items() if k in _REPORT_FIELDS}
            text = ImportReport(**fields).as_text()
        except (TypeError, KeyError, ValueError, AttributeError):
            # Not an importer's report (the curated seed records a summary of its own):
            # show what is stored rather than fail the page.
            text = json.dumps(obj.report, indent=2, ensure_ascii=False)
        return format_html('<pre class="import-report-text">{}</pre>', text)

    @admin.display(description="text (as imported, read-only)")
    def text_as_imported(self, obj) -> str:
        """The file's text is provenance (the hash is of its bytes): shown, never edited."""
        if not obj.text:
            return "—"
        return format_html('<pre class="provenance">{}</pre>', obj.text)

    # -- the guided import (archive/admin/import_flow.py, archive/admin/names.py)

    def get_urls(self):
        view = self.admin_site.admin_view
        urls = [
            path("import/", view(self.import_view), name="archive_sourcedocument_import"),
            path("import/report/", view(self.import_report_view),
                 name="archive_sourcedocument_import_report"),
            path("import/names/", view(self.names_decide_view),
                 name="archive_sourcedocument_names_decide"),
            path("import/jobs/<int:job_id>/", view(self.import_job_view),
                 name="archive_sourcedocument_import_job"),
            path("<path:object_id>/names/", view(self.names_view),
                 name="archive_sourcedocument_names"),
        ]  # fmt: skip
        return urls + super().get_urls()

    def import_view(self, request):
        return import_view(self, request)

    def import_report_view(self, request):
        return report_view(self, request)

    def accept_view(self, request):
        return accept_view(self, request)

    def import_job_view(self, request, job_id: int):
        return job_view(self, request, job_id)

    def names_decide_view(self, request):
        return names_decide_view(self, request)

    def names_view(self, request, object_id):
        return names_page_view(self, request, object_id)

    def get_list_display(self, request):
        """The list ends with each document's undecided names, linked to their page (the
        known names are read once per page, not once per row)."""
        known: set[str] | None = None

        @admin.display(description="unknown names")
        def names_link(obj) -> str:
            nonlocal known
            if known is None:
                known = known_name_keys()
            count = len(document_unknown_names(obj, known=known))
            if not count:
                return "—"
            url = reverse("admin:archive_sourcedocument_names", args=[obj.pk])
            return format_html('<a href="{}">{} to decide</a>', url, count)

        return [*super().get_list_display(request), names_link]


_REPORT_FIELDS = set(ImportReport.__dataclass_fields__)


@admin.register(TextRepair)
class TextRepairAdmin(ArchiveModelAdmin):
    list_display = ["line", "kind", "status", "before_short", "after_short", "article",
                    "source_document"]  # fmt: skip
    list_filter = ["kind", "status", "source_document"]
    search_fields = ["before", "after", "note", "article__title"]
    list_select_related = ["article", "source_document"]
    readonly_fields = [
        "article", "source_document", "kind", "line", "sequence", "offset", "before",
        "after", "note", "source_text_around", "created", "updated",
    ]  # fmt: skip
    fields = ["status", *readonly_fields]
    actions = ["accept_repairs", "revert_repairs"]
    list_per_page = 100

    def has_add_permission(self, request) -> bool:
        return False  # repairs come from imports only

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("article", "source_document")
            .defer("source_document__text", "source_document__report")
        )

    @admin.display(description="source text around it")
    def source_text_around(self, obj) -> str:
        """The lines of the source file around the repair, its printed form highlighted."""
        text = (
            SourceDocument.objects.filter(pk=obj.source_document_id)
            .values_list("text", flat=True)
            .first()
        )
        if not text:
            return "—"
        around = text_around(text, line=obj.line, part=obj.before)
        return format_html(
            '<span class="quiet">lines {}–{}</span><div class="context-lines">{}'
            '<mark class="repair">{}</mark>{}</div>',
            around.first_line, around.last_line, around.before, around.part, around.after,
        )  # fmt: skip

    @admin.display(description="before")
    def before_short(self, obj) -> str:
        return _short(obj.before)

    @admin.display(description="after")
    def after_short(self, obj) -> str:
        return _short(obj.after)

    @admin.action(description="Accept the selected flagged repairs", permissions=["change"])
    def accept_repairs(self, request, queryset):
        self._report(
            request, repairs_accept(repairs=queryset.select_related("article")), "accepted"
        )

    @admin.action(description="Revert the selected repairs", permissions=["change"])
    def revert_repairs(self, request, queryset):
        self._report(
            request, repairs_revert(repairs=queryset.select_related("article")), "reverted"
        )

    def _report(self, request, result, verb: str) -> None:
        if result.done:
            self.message_user(request, f"{len(result.done)} repair(s) {verb}.", messages.SUCCESS)
        for repair, reason in result.skipped[:10]:
            self.message_user(request, f"Line {repair.line} ({repair.kind}): {reason}.",
                              messages.WARNING)  # fmt: skip
        if len(result.skipped) > 10:
            self.message_user(
                request, f"… and {len(result.skipped) - 10} more skipped.", messages.WARNING
            )


def _short(value: str, width: int = 60) -> str:
    text = value.replace("\n", "⏎")
    return text if len(text) <= width else text[: width - 1] + "…"
