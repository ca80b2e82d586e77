"""Importing in the admin: upload a text file, read the dry-run report, accept; review repairs.

The flow (``/admin/archive/sourcedocument/import/``):

1. The curator uploads a UTF-8 text file and picks the publication (and, optionally, issue
   slug, title, date, volume, number).
2. The importer runs as a *dry run* (one transaction, rolled back) and the page shows its
   report and the draft articles it would create. The uploaded bytes wait in the curator's
   session (server-side, database-backed), keyed by their SHA-256; nothing is in the archive
   yet.
3. "Accept and import" runs the same importer for real on the same bytes and options, and
   opens the new source document. Going away instead leaves nothing behind; a newer upload
   replaces the waiting one.

TextRepair's list filters by kind and status; its actions accept flagged repairs and revert
applied ones (see :mod:`archive.importers.review`).
"""

from __future__ import annotations

import base64
import hashlib
import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from archive.dates import validate_edtf
from archive.importers.review import (
    document_unknown_names,
    known_name_keys,
    repairs_accept,
    repairs_revert,
)
from archive.importers.service import ImportRefused, ImportReport, TextImporter, decode_source
from archive.models import Publication, SourceDocument, TextRepair

from .base import ArchiveModelAdmin

SESSION_KEY = "archive_pending_import"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(help_text="Plain text extracted from the printed issue, UTF-8.")
    publication = forms.ModelChoiceField(queryset=Publication.objects.order_by("title"))
    issue_slug = forms.SlugField(
        required=False, help_text="Default: made from the file name. An existing issue with "
        "this slug is updated (fields curators edited are kept).",
    )  # fmt: skip
    issue_title = forms.CharField(required=False, max_length=255)
    issue_date = forms.CharField(
        required=False, max_length=64, validators=[validate_edtf],
        help_text="EDTF, e.g. 1992 or 1992-10? — leave blank if the text does not say.",
    )  # fmt: skip
    issue_volume = forms.CharField(required=False, max_length=40)
    issue_number = forms.CharField(required=False, max_length=40)

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                f"The file is {upload.size:,} bytes; uploads are limited to "
                f"{MAX_UPLOAD_BYTES:,} bytes (use manage.py import_text for larger files)."
            )
        data = upload.read()
        try:
            decode_source(data)
        except ImportRefused as exc:
            raise ValidationError(str(exc)) from exc
        self.file_name = upload.name
        return data

    def options(self) -> dict:
        return {
            "publication": self.cleaned_data["publication"].pk,
            "issue_slug": self.cleaned_data["issue_slug"],
            "issue_title": self.cleaned_data["issue_title"],
            "issue_date": self.cleaned_data["issue_date"],
            "issue_volume": self.cleaned_data["issue_volume"],
            "issue_number": self.cleaned_data["issue_number"],
        }


def _importer(options: dict) -> TextImporter:
    publication = Publication.objects.get(pk=options["publication"])
    return TextImporter(**{**options, "publication": publication})


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
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', text)

    @admin.display(description="text (as imported, read-only)")
    def text_as_imported(self, obj) -> str:
        """The file's text is provenance (the hash is of its bytes): shown, never edited."""
        if not obj.text:
            return "—"
        return format_html('<pre class="provenance" style="white-space: pre-wrap">{}</pre>',
                           obj.text)  # fmt: skip

    # -- the upload → report → accept flow

    def get_urls(self):
        urls = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="archive_sourcedocument_import",
            ),
        ]
        return urls + super().get_urls()

    def _can_import(self, request) -> bool:
        return request.user.has_perm("archive.add_article") and request.user.has_perm(
            "archive.change_sourcedocument"
        )

    def import_view(self, request):
        if not self._can_import(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import a text file",
        }
        if request.method == "POST" and request.POST.get("action") == "accept":
            return self._accept(request, context)
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST":
            if form.is_valid():
                return self._preview(request, form, context)
            return TemplateResponse(
                request, "admin/archive/sourcedocument/import_form.html",
                {**context, "form": form}, status=400,
            )  # fmt: skip
        return TemplateResponse(
            request, "admin/archive/sourcedocument/import_form.html", {**context, "form": form}
        )

    def _preview(self, request, form: ImportForm, context: dict):
        data = form.cleaned_data["file"]
        options = form.options()
        try:
            report = _importer(options).run(data, dry_run=True, name=form.file_name)
        except ImportRefused as exc:
            form.add_error("file", str(exc))
            return TemplateResponse(
                request, "admin/archive/sourcedocument/import_form.html",
                {**context, "form": form}, status=400,
            )  # fmt: skip
        token = hashlib.sha256(data).hexdigest()
        if report.status != "unchanged":
            request.session[SESSION_KEY] = {
                "token": token,
                "name": form.file_name,
                "data": base64.b64encode(data).decode("ascii"),
                "options": options,
            }
        return TemplateResponse(
            request,
            "admin/archive/sourcedocument/import_report.html",
            {
                **context,
                "title": f"Import report: {form.file_name}",
                "report": report,
                "report_text": report.as_text(),
                "token": token,
                "can_accept": report.status != "unchanged",
            },
        )

    def _accept(self, request, context: dict):
        pending = request.session.get(SESSION_KEY)
        if not pending or pending.get("token") != request.POST.get("token"):
            error = (
                "There is no uploaded file waiting to be accepted (it was accepted already, "
                "or replaced by a newer upload). Upload it again."
            )
            return TemplateResponse(
                request, "admin/archive/sourcedocument/import_form.html",
                {**context, "form": ImportForm(), "error": error}, status=400,
            )  # fmt: skip
        data = base64.b64decode(pending["data"])
        try:
            report = _importer(pending["options"]).run(data, name=pending["name"])
        except Exception as exc:  # the import rolled back: say why in one line
            reason = " ".join(str(exc).split()) or type(exc).__name__
            self.message_user(request, f"Nothing was imported: {reason}", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:archive_sourcedocument_import"))
        del request.session[SESSION_KEY]
        units = len(report.units)
        self.message_user(
            request,
            f"Imported {pending['name']}: {units} draft articles; review the flagged repairs "
            "and mentions before publishing.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse("admin:archive_sourcedocument_change", args=[report.source_document_id])
        )


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
        "after", "note", "created", "updated",
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
