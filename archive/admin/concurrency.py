"""Optimistic concurrency for curators: a save based on a stale copy is refused, not applied.

Two curators open the same article; the first saves; without a check the second save would
silently overwrite the first curator's work with the older copy it was editing. Each change
form therefore carries a hidden *version token*, the record's ``updated`` timestamp as it was
in the database when the form was drawn. On save, the form re-reads the record's current
``updated`` (locking the row inside the admin's transaction) and refuses the save with a
message naming who changed it and when if the two differ. Nothing is written; the curator
reopens the record and re-applies their edit to the current version.

The token is read from the database, not from the instance, because the history "revert"
form is built from an *old* historical instance: its own ``updated`` is the old one, but a
revert is a new edit of the current version and must be checked against it.
"""

from __future__ import annotations

from django import forms
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, router, transaction
from django.utils import timezone

VERSION_FIELD = "concurrency_version"


class VersionTokenField(forms.CharField):
    """A hidden field that never counts as a change (so it is not logged as an edit)."""

    widget = forms.HiddenInput

    def has_changed(self, initial, data) -> bool:
        return False


def current_version(model, pk, *, lock: bool = False) -> str | None:
    """The record's ``updated`` timestamp in the database, as an ISO string; None if gone."""
    queryset = model._default_manager.filter(pk=pk)
    if lock and connections[router.db_for_write(model)].in_atomic_block:
        queryset = queryset.select_for_update()
    updated = queryset.values_list("updated", flat=True).first()
    return updated.isoformat() if updated is not None else None


def last_change_by(model, pk) -> str:
    """Who made the latest change, for the refusal message ("Ada (ada) at 14:02 UTC")."""
    history = getattr(model, "history", None)
    if history is None:
        return "another user"
    latest = history.filter(**{model._meta.pk.attname: pk}).select_related("history_user")
    record = latest.order_by("-history_date", "-history_id").first()
    if record is None:
        return "another user"
    who = record.history_user.get_username() if record.history_user else "an automated process"
    when = timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M:%S %Z")
    return f"{who} at {when}"


class ConcurrencyCheckedForm(forms.ModelForm):
    """Mixed into the admin's ModelForm for existing records (see ``concurrency_form``)."""

    concurrency_version = VersionTokenField(required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            # Put it in ``initial`` too, so code that copies a form's initial data to post it
            # back (tests, scripts) carries the token like a browser does.
            token = current_version(type(self.instance), self.instance.pk)
            self.initial[VERSION_FIELD] = token
            self.fields[VERSION_FIELD].initial = token

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        model = type(self.instance)
        submitted = (self.data.get(self.add_prefix(VERSION_FIELD)) or "").strip()
        current = current_version(model, self.instance.pk, lock=True)
        if current is None:
            raise ValidationError(
                "This record was deleted by another user while you were editing it; "
                "your changes were not saved.",
                code="concurrent_delete",
            )
        if not submitted:
            raise ValidationError(
                "This form has no version token, so it cannot be checked against other "
                "curators' edits; your changes were not saved. Reload the page and try again.",
                code="missing_version",
            )
        if submitted != current:
            raise ValidationError(
                "This record was changed by %(who)s after you opened it. Your changes were not "
                "saved, so that their work is not overwritten. Open the record again to see "
                "the current version, then re-apply your edits.",
                code="concurrent_edit",
                params={"who": last_change_by(model, self.instance.pk)},
            )
        return cleaned


def concurrency_form(form_class: type[forms.ModelForm]) -> type[forms.ModelForm]:
    """Return ``form_class`` with the version check mixed in (once)."""
    if issubclass(form_class, ConcurrencyCheckedForm):
        return form_class
    return type(f"ConcurrencyChecked{form_class.__name__}", (ConcurrencyCheckedForm, form_class),
                {})  # fmt: skip


class OptimisticConcurrencyAdminMixin:
    """ModelAdmin mixin: every change form (and history revert form) is version-checked.

    Requires the model to have an ``updated`` field with ``auto_now=True``, which every
    ``TimeStampedModel`` has; every save, including status actions, moves it on.
    """

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and obj.pk is not None:
            kwargs["form"] = concurrency_form(kwargs.get("form") or self.form)
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.pk is None:
            return fieldsets
        if VERSION_FIELD in flatten_fieldsets(fieldsets):
            return fieldsets
        # Explicit fieldsets don't list the token: add it (hidden) to the first one.
        title, options = fieldsets[0]
        first = (title, {**options, "fields": [*options["fields"], VERSION_FIELD]})
        return [first, *fieldsets[1:]]

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history lets anyone who may *view* history post a revert; a revert is an
        # edit of the current record, so it needs the change permission on that record.
        if request.method == "POST":
            current = self.get_object(request, unquote(object_id))
            if current is None or not self.has_change_permission(request, current):
                raise PermissionDenied
        # The admin's own change view runs in a transaction; simple-history's revert view
        # does not, so wrap it: the check-then-save must hold the row lock until commit.
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)
