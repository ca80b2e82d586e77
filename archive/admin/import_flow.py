"""The guided import: upload one or several text files → a report that leads with what needs
a decision → decide on unknown names → accept → the new issue's review page.

1. The curator uploads one or several UTF-8 text files for one publication. Each is run by
   the importer as a *dry run* (one transaction, rolled back): nothing is in the archive yet.
   The bytes, the options and each file's report wait in the curator's session
   (server-side), under a token made of the files' SHA-256s.
2. The report page (``import/report/``) leads, file by file, with what needs a decision:
   text that was not imported (with the lines themselves), flagged repairs with the source
   lines around them, ambiguous names, and the unknown names. For each unknown name one
   click creates a draft person, organisation or place, adds it as a variant of a close
   existing record, or sets it aside as "not a name" (archive/admin/names.py). Then come the
   draft articles, and the importer's full report.
3. "Accept" runs the same importer for real on the same bytes and options, keeps the names
   set aside in each new source document's report, and opens the first new issue's review
   page (archive/admin/review.py). Going away instead leaves nothing behind; a newer upload
   replaces the waiting one.

With a task queue (``TASKS_BACKEND=database``, archive/tasks.py) the same steps run on the
task worker and each request returns at once: the upload keeps the files in the uploads
storage (:mod:`archive.storage`) and opens a progress page (queued, running n/N, failed with
one line) that turns into the report when the dry runs are done; "Accept" queues the real
import and opens its progress page, which ends with a table of the imported files and links
to their review pages. Inline (the default) nothing changes: no job, no stored upload.
"""

from __future__ import annotations

import base64
import hashlib
import re

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from archive import storage
from archive.dates import validate_edtf
from archive.importers.review import (
    DISMISSED_KEY,
    known_name_keys,
    text_around,
    undecided_names,
)
from archive.importers.service import ImportRefused, ImportReport, TextImporter, decode_source
from archive.models import BackgroundJob, JobKind, JobStatus, Publication, SourceDocument
from archive.tasks import enqueue, runs_inline

from .names import name_rows

__all__ = [
    "SESSION_KEY",
    "ImportForm",
    "accept_view",
    "import_view",
    "job_view",
    "keep_dismissed",
    "report_view",
]

SESSION_KEY = "archive_pending_import"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_FILES = 20
#: Unknown names shown per file before "show all".
NAMES_SHOWN = 25
_NOT_IMPORTED = re.compile(r"^Lines 1–(\d+) come before the first unit")
_REPORT_FIELDS = set(ImportReport.__dataclass_fields__)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or several files (Django's documented pattern); cleans to a list."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data] or [single(None, initial)]
        return [single(data, initial)]


class ImportForm(forms.Form):
    file = MultipleFileField(
        label="Files",
        help_text="Plain text extracted from printed issues, UTF-8: one file per issue. "
        "Several files can be chosen at once.",
    )
    publication = forms.ModelChoiceField(queryset=Publication.objects.order_by("title"))
    issue_slug = forms.SlugField(
        required=False, help_text="Default: made from the file name. An existing issue with "
        "this slug is updated (fields curators edited are kept). One file only.",
    )  # fmt: skip
    issue_title = forms.CharField(required=False, max_length=255, help_text="One file only.")
    issue_date = forms.CharField(
        required=False, max_length=64, validators=[validate_edtf],
        help_text="EDTF, e.g. 1992 or 1992-10? — leave blank if the text does not say. "
        "One file only.",
    )  # fmt: skip
    issue_volume = forms.CharField(required=False, max_length=40, help_text="One file only.")
    issue_number = forms.CharField(required=False, max_length=40, help_text="One file only.")

    PER_ISSUE = ("issue_slug", "issue_title", "issue_date", "issue_volume", "issue_number")

    def clean_file(self) -> list[tuple[str, bytes]]:
        uploads = self.cleaned_data["file"]
        if len(uploads) > MAX_FILES:
            raise ValidationError(f"Upload at most {MAX_FILES} files at a time.")
        files = []
        for upload in uploads:
            if upload.size > MAX_UPLOAD_BYTES:
                raise ValidationError(
                    f"{upload.name} is {upload.size:,} bytes; uploads are limited to "
                    f"{MAX_UPLOAD_BYTES:,} bytes (use manage.py import_text for larger files)."
                )
            data = upload.read()
            try:
                decode_source(data)
            except ImportRefused as exc:
                prefix = f"{upload.name}: " if len(uploads) > 1 else ""
                raise ValidationError(f"{prefix}{exc}") from exc
            files.append((upload.name, data))
        return files

    def clean(self):
        cleaned = super().clean()
        files = cleaned.get("file") or []
        given = [name for name in self.PER_ISSUE if cleaned.get(name)]
        if len(files) > 1 and given:
            raise ValidationError(
                "The issue's slug, title, date, volume and number describe one issue: leave "
                "them empty when uploading several files (each file makes its own issue, "
                "named after the file; edit them on the review page)."
            )
        return cleaned

    @property
    def file_name(self) -> str:
        return ", ".join(name for name, _data in self.cleaned_data["file"])

    def options(self) -> dict:
        return {
            "publication": self.cleaned_data["publication"].pk,
            **{name: self.cleaned_data[name] for name in self.PER_ISSUE},
        }


def _importer(options: dict) -> TextImporter:
    publication = Publication.objects.get(pk=options["publication"])
    return TextImporter(**{**options, "publication": publication})


def _can_import(request) -> bool:
    return request.user.has_perm("archive.add_article") and request.user.has_perm(
        "archive.change_sourcedocument"
    )


def _form_page(model_admin, request, form, *, status: int = 200, error: str = ""):
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Import text files",
        "form": form,
        "error": error,
    }
    return TemplateResponse(
        request, "admin/archive/sourcedocument/import_form.html", context, status=status
    )


def import_view(model_admin, request):
    """The upload form; posting it runs the dry runs and shows the report."""
    if not _can_import(request):
        raise PermissionDenied
    if request.method == "POST" and request.POST.get("action") == "accept":
        return accept_view(model_admin, request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        return _form_page(model_admin, request, form)
    if not form.is_valid():
        return _form_page(model_admin, request, form, status=400)
    options = form.options()
    if not runs_inline():
        return _queue_check(request, form, options)
    pending, shown = [], []
    for name, data in form.cleaned_data["file"]:
        try:
            report = _importer(options).run(data, dry_run=True, name=name)
        except ImportRefused as exc:
            form.add_error("file", f"{name}: {exc}")
            return _form_page(model_admin, request, form, status=400)
        entry = {
            "name": name,
            "sha256": report.sha256,
            "options": options,
            "report": report.as_dict(),
        }
        if storage.uploads_shared():  # several machines: the bytes wait in the bucket
            entry["upload"] = storage.save_upload(data)
        else:
            entry["data"] = base64.b64encode(data).decode("ascii")
        shown.append(entry)
        if report.status != "unchanged":
            pending.append(entry)
    token = hashlib.sha256("".join(e["sha256"] for e in shown).encode()).hexdigest()
    batch = {"token": token, "name": form.file_name, "files": shown, "dismissed": []}
    if pending:
        request.session[SESSION_KEY] = batch
    return _report_page(model_admin, request, batch)


def _queue_check(request, form: ImportForm, options: dict):
    """Keep the files in the uploads storage, queue their dry runs, open the progress page."""
    items = [
        {"name": name, "upload": storage.save_upload(data), "options": options}
        for name, data in form.cleaned_data["file"]
    ]
    job = BackgroundJob.objects.create(
        kind=JobKind.CHECK, name=form.file_name[:255], total=len(items), items=items,
        created_by=request.user,
    )  # fmt: skip
    enqueue(job)
    return HttpResponseRedirect(reverse("admin:archive_sourcedocument_import_job", args=[job.pk]))


def report_view(model_admin, request):
    """The waiting import's report again (after a decision on a name)."""
    if not _can_import(request):
        raise PermissionDenied
    batch = request.session.get(SESSION_KEY)
    if not batch:
        model_admin.message_user(
            request, "There is no import waiting: upload the files again.", messages.WARNING
        )
        return HttpResponseRedirect(reverse("admin:archive_sourcedocument_import"))
    return _report_page(model_admin, request, batch, show_all=request.GET.get("all") == "1")


def _report_page(model_admin, request, batch: dict, *, show_all: bool = False):
    known = known_name_keys()
    report_url = reverse("admin:archive_sourcedocument_import_report")
    files = [
        _file_section(request, entry, batch.get("dismissed", []), known, report_url, show_all)
        for entry in batch["files"]
    ]
    waiting = [f for f in files if f["can_accept"]]
    units = sum(len(f["report"]["units"]) for f in waiting)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": f"Import report: {batch['name']}",
        "files": files,
        "token": batch["token"],
        "can_accept": bool(waiting),
        "accept_label": f"Accept and import {units} draft articles"
        + (f" from {len(waiting)} files" if len(waiting) > 1 else ""),
        "decisions": sum(f["decisions"] for f in files),
        "import_url": reverse("admin:archive_sourcedocument_import"),
    }
    return TemplateResponse(request, "admin/archive/sourcedocument/import_report.html", context)


def _file_section(request, entry, dismissed, known, report_url, show_all) -> dict:
    """One file's part of the report: what needs a decision first, then the drafts."""
    report = entry["report"]
    text = decode_source(_entry_bytes(entry))
    can_accept = report["status"] != "unchanged"
    not_imported = []
    for message in report.get("messages", []):
        match = _NOT_IMPORTED.match(message)
        if match:
            last = int(match.group(1))
            not_imported.append({"message": message, "text": "\n".join(text.splitlines()[:last])})
    repairs = [
        {**repair, "around": text_around(text, line=repair["line"], part=repair["before"])}
        for repair in report.get("flagged_repairs", [])
    ]
    unknown = undecided_names(report.get("candidates", []), dismissed=dismissed, known=known)
    shown = unknown if show_all else unknown[:NAMES_SHOWN]
    fields = {k: v for k, v in report.items() if k in _REPORT_FIELDS}
    return {
        "name": entry["name"],
        "report": report,
        "can_accept": can_accept,
        "not_imported": not_imported,
        "repairs": repairs,
        "ambiguous": report.get("flagged_mentions", []),
        "unknown_count": len(unknown),
        "names": name_rows(request, shown, next_url=report_url) if can_accept else [],
        "more_names": len(unknown) - len(shown),
        "report_text": ImportReport(**fields).as_text(),
        "decisions": len(not_imported) + len(repairs) + len(unknown) if can_accept else 0,
    }


def accept_view(model_admin, request):
    """Import the waiting files for real; open the (first) new issue's review page."""
    if not _can_import(request):
        raise PermissionDenied
    batch = request.session.get(SESSION_KEY)
    if not batch or batch.get("token") != request.POST.get("token"):
        error = (
            "There is no uploaded file waiting to be accepted (it was accepted already, "
            "or replaced by a newer upload). Upload it again."
        )
        return _form_page(model_admin, request, ImportForm(), status=400, error=error)
    if not runs_inline():
        return _queue_import(request, batch)
    imported, failed = [], []
    several = len(batch["files"]) > 1
    for entry in batch["files"]:
        if entry["report"]["status"] == "unchanged":
            continue
        data = _entry_bytes(entry)
        try:
            report = _importer(entry["options"]).run(data, name=entry["name"])
        except Exception as exc:  # that file's import rolled back: say why in one line
            reason = " ".join(str(exc).split()) or type(exc).__name__
            where = f" from {entry['name']}" if several else ""
            model_admin.message_user(
                request, f"Nothing was imported{where}: {reason}", messages.ERROR
            )
            failed.append(entry)
            continue
        keep_dismissed(report.source_document_id, batch.get("dismissed", []))
        if "upload" in entry:
            storage.delete_upload(entry["upload"])
        imported.append((entry["name"], report))
    if failed:  # still waiting, to be accepted again once the problem is solved
        request.session[SESSION_KEY] = {**batch, "files": failed}
    else:
        del request.session[SESSION_KEY]
    if not imported:
        return HttpResponseRedirect(reverse("admin:archive_sourcedocument_import_report"))
    links = format_html_join(
        "; ",
        '{} → <a href="{}">{} draft article{} to review</a>',
        (
            (name, reverse("admin:archive_issue_review", args=[report.issue_id]),
             len(report.units), "" if len(report.units) == 1 else "s")
            for name, report in imported
        ),
    )  # fmt: skip
    model_admin.message_user(
        request,
        format_html("Imported {}. Confirm the mentions and repairs before publishing.", links),
        messages.SUCCESS,
    )
    first = imported[0][1]
    return HttpResponseRedirect(reverse("admin:archive_issue_review", args=[first.issue_id]))


def keep_dismissed(document_id: int | None, dismissed: list[str]) -> None:
    """Names set aside before accepting stay set aside in the imported document's report."""
    if not document_id or not dismissed:
        return
    document = SourceDocument.objects.get(pk=document_id)
    report = dict(document.report or {})
    report[DISMISSED_KEY] = sorted(set(report.get(DISMISSED_KEY, [])) | set(dismissed))
    document.report = report
    document.save(update_fields=["report", "updated"])


def _entry_bytes(entry: dict) -> bytes:
    """A waiting file's bytes: in the session (inline), or in the uploads storage (queued)."""
    if "upload" in entry:
        return storage.read_upload(entry["upload"])
    return base64.b64decode(entry["data"])


def _queue_import(request, batch: dict):
    """Queue the real import of the waiting files; open its progress page at once."""
    items = []
    for entry in batch["files"]:
        if entry["report"]["status"] == "unchanged":
            continue
        upload = entry.get("upload") or storage.save_upload(_entry_bytes(entry))
        items.append({"name": entry["name"], "upload": upload, "options": entry["options"],
                      "sha256": entry["sha256"]})  # fmt: skip
    job = BackgroundJob.objects.create(
        kind=JobKind.IMPORT, name=batch["name"][:255], total=len(items), items=items,
        result={"dismissed": batch.get("dismissed", [])}, created_by=request.user,
    )  # fmt: skip
    enqueue(job)
    if batch.get("job"):  # the dry runs' page now leads to this import
        BackgroundJob.objects.filter(pk=batch["job"]).update(result={"imported_by": job.pk})
    del request.session[SESSION_KEY]
    return HttpResponseRedirect(reverse("admin:archive_sourcedocument_import_job", args=[job.pk]))


def job_view(model_admin, request, job_id: int):
    """An import's progress: queued, running n/N, failed with one line, or done.

    A finished dry run (the check) becomes the report, exactly as the inline upload shows
    it; a finished import shows each file's outcome with a link to its issue's review page.
    While the job waits or runs the page reloads itself every two seconds (no script).
    """
    if not _can_import(request):
        raise PermissionDenied
    job = BackgroundJob.objects.filter(pk=job_id, kind__in=[JobKind.CHECK, JobKind.IMPORT])
    job = job.first()
    if job is None:
        raise Http404("No such import.")
    if job.kind == JobKind.CHECK and job.result.get("imported_by"):
        url = reverse("admin:archive_sourcedocument_import_job", args=[job.result["imported_by"]])
        return HttpResponseRedirect(url)
    if job.kind == JobKind.CHECK and job.status == JobStatus.DONE:
        shown = [
            {key: entry[key] for key in ("name", "sha256", "upload", "options", "report")}
            for entry in job.items
        ]
        token = hashlib.sha256("".join(e["sha256"] for e in shown).encode()).hexdigest()
        batch = {"token": token, "name": job.name, "files": shown, "dismissed": [],
                 "job": job.pk}  # fmt: skip
        if any(e["report"]["status"] != "unchanged" for e in shown):
            waiting = request.session.get(SESSION_KEY) or {}
            if waiting.get("job") != job.pk:
                request.session[SESSION_KEY] = batch
            return HttpResponseRedirect(reverse("admin:archive_sourcedocument_import_report"))
        return _report_page(model_admin, request, batch)
    rows = []
    for entry in job.items:
        report = entry.get("report") or {}
        units = len(report.get("units", []))
        issue_id = report.get("issue_id")
        rows.append({
            "name": entry["name"],
            "status": entry.get("status")
            or ("running" if job.status == JobStatus.RUNNING and job.current == entry["name"]
                else "waiting"),
            "message": entry.get("message", ""),
            "units": units,
            "review_url": reverse("admin:archive_issue_review", args=[issue_id])
            if issue_id and job.kind == JobKind.IMPORT else "",
        })  # fmt: skip
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": f"{'Checking' if job.kind == JobKind.CHECK else 'Importing'}: {job.name}",
        "job": job,
        "rows": rows,
        "progress": job.progress_text(),
        "refresh": job.in_progress,
        "import_url": reverse("admin:archive_sourcedocument_import"),
    }
    return TemplateResponse(request, "admin/archive/sourcedocument/import_job.html", context)
