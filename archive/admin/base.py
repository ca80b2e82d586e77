"""What every curated record's admin shares: faithful saves, status actions, permissions,
history, filters and how a status is shown.

**Faithful saves.** Every admin form and inline is built on :class:`FaithfulModelForm`: text
is taken exactly as typed, except that line breaks are normalised (a browser posts a
textarea's lines with CRLF; CRLF and a lone CR become LF, nothing else: no stripping of
leading or trailing spaces, which Django's form fields do by default). A text field the
curator left alone keeps its stored value exactly. Then :class:`FaithfulSaveMixin` writes a
record only when a field really differs from the stored row: pressing Save without changing
anything changes no field (not even ``updated``), adds no history entry and no admin log
entry, and leaves unchanged inline rows alone.
"""

from __future__ import annotations

import datetime as dt
import functools

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Min
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from archive.exports.admin import export_selected_as_csv
from archive.models import Status
from archive.services import PUBLISH_PERMISSION, records_set_status

from .concurrency import OptimisticConcurrencyAdminMixin
from .history import ChangeReasonMixin, ensure_history_baseline

__all__ = [
    "PUBLISH_PERMISSION",
    "ArchiveModelAdmin",
    "ArchiveTabularInline",
    "DecadeListFilter",
    "FaithfulModelForm",
    "FaithfulSaveMixin",
    "PublishableAdmin",
    "ValuesListFilter",
    "can_publish",
    "normalise_newlines",
    "status_with_visibility",
    "stored_differences",
    "visibility",
]


def can_publish(request) -> bool:
    """Curators publish; Contributors edit drafts only."""
    return request.user.has_perm(PUBLISH_PERMISSION)


# ---------------------------------------------------------------- faithful forms


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR → LF, and nothing else.

    Browsers post the lines of a textarea joined by CRLF whatever the stored text used, so
    without this every save of an unchanged body would look like an edit of every line.
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")


class FaithfulTextMixin:
    """Mixed into each text form field of an admin form: no stripping, newlines normalised
    before the value is compared with the stored one and before it is stored."""

    def to_python(self, value):
        if isinstance(value, str):
            value = normalise_newlines(value)
        return super().to_python(value)

    def has_changed(self, initial, data) -> bool:
        if isinstance(initial, str):
            initial = normalise_newlines(initial)
        return super().has_changed(initial, data)


@functools.cache
def _faithful_class(field_class: type[forms.CharField]) -> type[forms.CharField]:
    return type(f"Faithful{field_class.__name__}", (FaithfulTextMixin, field_class), {})


class FaithfulModelForm(forms.ModelForm):
    """The base form of every admin form and inline (see the module docstring)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in self._text_fields():
            field = self.fields[name]
            # Each form holds deep copies of its fields, so changing this one's class and
            # ``strip`` changes nothing outside this form. Subclasses (SlugField…) keep
            # their own cleaning.
            if not isinstance(field, FaithfulTextMixin):
                field.__class__ = _faithful_class(type(field))
            field.strip = False

    def _text_fields(self) -> list[str]:
        model_fields = {f.name for f in self._meta.model._meta.concrete_fields}
        return [
            name
            for name, field in self.fields.items()
            if isinstance(field, forms.CharField)
            and not isinstance(field, forms.JSONField)
            and name in model_fields
        ]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned  # nothing stored yet: what was typed (blank included) is saved
        # A text the curator did not change keeps its stored form exactly, even where it
        # differs from what the browser posted only by its line breaks.
        changed = set(self.changed_data)
        for name in self._text_fields():
            if name in cleaned and name not in changed:
                cleaned[name] = self.get_initial_for_field(self.fields[name], name)
        return cleaned


def _compared_fields(model: type[models.Model]) -> list[models.Field]:
    """The columns a save writes and a curator can cause to change: every concrete field
    but the primary key, the ``auto_now`` timestamp and trigger-kept stored counts."""
    counts = set(getattr(model, "STORED_COUNTS", ()))
    return [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and not getattr(f, "auto_now", False) and f.name not in counts
    ]


def _comparable(field: models.Field, value):
    try:
        return field.to_python(value)
    except ValidationError:
        return value


def stored_differences(obj: models.Model) -> list[str]:
    """Names of the fields whose value on ``obj`` differs from its stored row.

    What saving ``obj`` would really change; every field for a record not (or no longer)
    stored. Compared with the database rather than with what the form was drawn from,
    because a history revert builds its form from an *old* version.
    """
    fields = _compared_fields(type(obj))
    if obj.pk is None:
        return [f.name for f in fields]
    stored = (
        type(obj)
        ._default_manager.filter(pk=obj.pk)
        .values_list(*[f.attname for f in fields])
        .first()
    )
    if stored is None:
        return [f.name for f in fields]
    return [
        f.name
        for f, value in zip(fields, stored, strict=True)
        if _comparable(f, f.value_from_object(obj)) != _comparable(f, value)
    ]


class FaithfulSaveMixin:
    """For every ModelAdmin: faithful forms, and a save that changes nothing writes nothing.

    ``save_model`` skips ``obj.save()`` when no field differs from the stored row and no
    many-to-many choice changed, so no history row, no new ``updated`` and no admin log
    entry; inline rows are saved only when they differ too. When only inline rows changed,
    the record's ``updated`` still moves on (without a history entry), so a curator's stale
    copy of the page is refused as before (archive/admin/concurrency.py).
    """

    form = FaithfulModelForm

    class Media:
        # The archive's few additions to the admin's own styles (provenance text that wraps,
        # compact inlines, highlighted names) and accessible names for the autocomplete
        # boxes; loaded from files, as the CSP allows.
        css = {"all": ["archive/admin.css"]}
        js = ["archive/admin-a11y.js"]

    def save_model(self, request, obj, form, change):
        obj._nothing_saved = False
        if change and not stored_differences(obj) and not self._m2m_changed(form):
            obj._nothing_saved = True
            return
        if change:
            ensure_history_baseline(obj)  # so the history can show what this save changes
        super().save_model(request, obj, form, change)

    @staticmethod
    def _m2m_changed(form) -> bool:
        names = {f.name for f in form._meta.model._meta.many_to_many}
        return bool(names & set(form.changed_data))

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)
        saved = 0
        for row in formset.deleted_objects:
            row.delete()
            saved += 1
        for row in formset.new_objects:
            row.save()
            saved += 1
        really_changed = []
        for row, fields in formset.changed_objects:
            if stored_differences(row):
                row.save()
                really_changed.append((row, fields))
        saved += len(really_changed)
        formset.changed_objects = really_changed  # what the admin log then reports
        formset.save_m2m()
        formset._rows_saved = saved

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        if not getattr(obj, "_nothing_saved", False):
            return
        if any(getattr(formset, "_rows_saved", 0) for formset in formsets):
            obj._nothing_saved = False
            if any(f.name == "updated" for f in obj._meta.concrete_fields):
                type(obj)._default_manager.filter(pk=obj.pk).update(updated=timezone.now())

    def log_change(self, request, obj, message):
        if getattr(obj, "_nothing_saved", False):
            return None
        return super().log_change(request, obj, message)


class ArchiveModelAdmin(FaithfulSaveMixin, admin.ModelAdmin):
    """Base of the admins of records that are not published on their own (mentions,
    authorships, variant names, illustrations, event roles, source files, repairs)."""


class InlineRowForm(FaithfulModelForm):
    """A row of a tabular inline. Django draws its controls under the column headings with
    no label of their own, so screen readers announced "edit text, blank" 80 times on an
    article: each control gets an accessible name, "Status — Gdańsk in …"."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        row = str(self.instance) if self.instance.pk is not None else "new row"
        for field in self.fields.values():
            if not field.widget.is_hidden:
                field.widget.attrs.setdefault("aria-label", f"{field.label} — {row}")


class InlineRowFormSet(forms.BaseInlineFormSet):
    """Names the "Delete?" box of each row too (it is added after the row's form)."""

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            row = str(form.instance) if form.instance.pk is not None else "new row"
            form.fields["DELETE"].widget.attrs["aria-label"] = f"Delete — {row}"


class ArchiveTabularInline(admin.TabularInline):
    """Base of every inline: rows are edited through the faithful form too, and each
    control has an accessible name."""

    form = InlineRowForm
    formset = InlineRowFormSet


# ---------------------------------------------------------------- visibility, as shown


#: How a parent's status reads in "not public: issue is a draft".
STATUS_PHRASES = {Status.DRAFT: "a draft", Status.REVIEW: "in review"}


def _blocking_parent(obj) -> models.Model | None:
    """The record ``obj`` hangs from that keeps it from being public, if any.

    Walks the chain from the top (publication, then issue) and returns the first record
    that is not public by the model's own rule (``is_public()``): everything above it is
    public, so its own status is the reason.
    """
    for path in reversed(getattr(obj, "PARENTS", ())):
        parent = obj
        for step in path.split("__"):
            parent = getattr(parent, step, None)
        if parent is not None and not parent.is_public():
            return parent
    return None


def _why_not_public(obj) -> str:
    """Why the public does not see ``obj`` (which is not public by ``is_public()``)."""
    parent = _blocking_parent(obj)
    if parent is None:
        return f"its status is “{obj.get_status_display()}”"
    phrase = STATUS_PHRASES.get(parent.status, parent.get_status_display().lower())
    return f"its {parent._meta.verbose_name} “{parent}” is {phrase}"


def visibility(obj) -> str:
    """Whether the public sees ``obj``, and if not why (for the change form and messages)."""
    if obj.pk is None:
        return "Not public: not saved yet"
    if obj.is_public():
        return "Public"
    return f"Not public: {_why_not_public(obj)}"


def status_with_visibility(obj) -> str:
    """The status column: "Published (not public: issue is a draft)" when a record the
    model's rule makes it depend on is not public, so an unpublished issue does not leave
    articles that look public."""
    label = obj.get_status_display()
    if obj.pk is None or obj.is_public():
        return label
    parent = _blocking_parent(obj)
    if parent is None:
        return label
    phrase = STATUS_PHRASES.get(parent.status, parent.get_status_display().lower())
    return f"{label} (not public: {parent._meta.verbose_name} is {phrase})"


# ---------------------------------------------------------------- list filters


class ValuesListFilter(admin.AllValuesFieldListFilter):
    """Django's list of a field's values, with a blank value named "(blank)": the stock
    filter drew it as a link with no text, which no screen reader can announce."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if choice["display"] in ("", None):
                choice = {**choice, "display": "(blank)"}
            yield choice


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


# ---------------------------------------------------------------- publishable records

#: Workflow states a Contributor may edit. Once published (public or waiting for its
#: issue), a record changes only through a curator, so nothing unreviewed goes out with it.
CONTRIBUTOR_EDITABLE = (Status.DRAFT, Status.REVIEW)


class PublishableAdmin(
    ChangeReasonMixin, FaithfulSaveMixin, OptimisticConcurrencyAdminMixin, SimpleHistoryAdmin
):
    """Publish / send back to review actions, guarded by the publish permission.

    History (who changed what, when, why, with long texts diffed word by word:
    archive/admin/history.py) and revert come from django-simple-history's admin; a save
    based on a stale copy of the record is refused (archive/admin/concurrency.py).
    """

    actions = ["publish", "send_back_to_review", export_selected_as_csv]
    list_per_page = 50
    object_history_template = "admin/archive/object_history.html"
    object_history_list_template = "admin/archive/history_list.html"

    def has_publish_permission(self, request) -> bool:
        return can_publish(request)

    def has_change_permission(self, request, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or obj.status in CONTRIBUTOR_EDITABLE or can_publish(request)

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

    @admin.display(description="status", ordering="status")
    def status_shown(self, obj) -> str:
        return status_with_visibility(obj)

    @admin.display(description="visibility")
    def visibility(self, obj) -> str:
        return visibility(obj)

    @admin.action(description="Publish selected records", permissions=["publish"])
    def publish(self, request, queryset):
        try:
            changed = records_set_status(
                queryset=queryset, status=Status.PUBLISHED, user=request.user, reason="Published"
            )
        except ValidationError as exc:
            self.message_user(request, f"Nothing was published: {' '.join(exc.messages)}",
                              messages.ERROR)  # fmt: skip
            return
        self.message_user(request, f"Published {changed} record(s).", messages.SUCCESS)
        self._warn_not_public(request, queryset)

    @admin.action(description="Send selected records back to review", permissions=["publish"])
    def send_back_to_review(self, request, queryset):
        changed = records_set_status(
            queryset=queryset, status=Status.REVIEW, user=request.user, reason="Back to review"
        )
        self.message_user(request, f"Sent {changed} record(s) back to review.", messages.SUCCESS)

    def _warn_not_public(self, request, queryset) -> None:
        """After publishing: name the records still not public because of a parent."""
        rows = queryset.select_related(*getattr(self.model, "PARENTS", ()))
        hidden = [obj for obj in rows if not obj.is_public()]
        if not hidden:
            return
        names = "; ".join(f"“{obj}”: {_why_not_public(obj)}" for obj in hidden[:5])
        more = f"; and {len(hidden) - 5} more" if len(hidden) > 5 else ""
        self.message_user(
            request,
            f"{len(hidden)} of them are published but not public yet ({names}{more}).",
            messages.WARNING,
        )
