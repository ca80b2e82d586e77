"""Readable history: what changed, word by word, who changed it and why.

django-simple-history's history page shows each change as "old → new" cut to 100
characters ("The s[20 chars]rsday"), useless for an article's body. Here:

* a text that changed is shown as a **word-level diff** (``difflib`` over words): every
  deleted and inserted word marked, each change with a few words of context around it and
  the unchanged stretches between changes elided — every change is shown, none is cut;
* short values are shown whole, "old → new";
* each entry shows **who** made it and the **reason** given: the admin's forms have a
  "Reason for this change" box (:class:`ChangeReasonMixin`), services give their own
  ("Published with its issue", "Merged … into this record");
* a record loaded without history (the curated collection is loaded from fixtures) gets
  its stored version recorded just before its first edit in the admin
  (:func:`ensure_history_baseline`), so that first edit has something to be diffed against.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from django import forms
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from simple_history.template_utils import HistoricalRecordContextHelper

from archive.services import REASON_LENGTH, change_reason

__all__ = ["REASON_FIELD", "ArchiveHistoryContextHelper", "ChangeReasonMixin", "word_diff"]

#: Words of unchanged text kept on each side of a change.
CONTEXT_WORDS = 8
#: Values longer than this (or spanning lines) are shown as a word diff.
LONG_TEXT = 60
#: No value is cut for display (simple-history cuts at 100 by default).
NEVER_CUT = 10**9
REASON_FIELD = "change_reason"

_TOKENS = re.compile(r"\s+|\w+(?:['’]\w+)*|[^\w\s]")


def _tokens(text: str) -> list[str]:
    return _TOKENS.findall(text)


def _words(tokens: list[str]) -> int:
    return sum(1 for t in tokens if not t.isspace())


def _keep(tokens: list[str], count: int, *, from_end: bool) -> list[str]:
    """The last (or first) ``count`` words of ``tokens``, with the spaces between them."""
    kept, words = [], 0
    for token in reversed(tokens) if from_end else tokens:
        if not token.isspace():
            if words == count:
                break
            words += 1
        kept.append(token)
    return list(reversed(kept)) if from_end else kept


def word_diff(old: str, new: str, *, context: int = CONTEXT_WORDS) -> SafeString:
    """``old`` → ``new`` as HTML: deleted words in ``<del>``, inserted ones in ``<ins>``,
    ``context`` words kept around each change and longer unchanged stretches elided."""
    a, b = _tokens(old or ""), _tokens(new or "")
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    opcodes = matcher.get_opcodes()
    out: list[str] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            same = a[i1:i2]
            first, last = index == 0, index == len(opcodes) - 1
            if _words(same) <= (1 if first or last else 2) * context:
                out.append(escape("".join(same)))
                continue
            head = [] if first else _keep(same, context, from_end=False)
            tail = [] if last else _keep(same, context, from_end=True)
            out.append(escape("".join(head)))
            out.append('<span class="elided"> … </span>')
            out.append(escape("".join(tail)))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return mark_safe("".join(out))  # noqa: S308 - every piece of text is escaped


#: The reason on the version recorded before a record's first edit in the admin.
BASELINE_REASON = "As it stood before its first edit in the admin"


def ensure_history_baseline(obj) -> bool:
    """Record ``obj``'s stored version in its history if it has none yet; True if done.

    Called just before a save from the admin, so the history shows what that save changed.
    """
    history = getattr(type(obj), "history", None)
    if history is None or obj.pk is None:
        return False
    if history.filter(**{type(obj)._meta.pk.attname: obj.pk}).exists():
        return False
    stored = type(obj)._default_manager.filter(pk=obj.pk).first()
    if stored is None:
        return False
    history.bulk_history_create(
        [stored], update=True, default_change_reason=BASELINE_REASON,
        default_date=getattr(stored, "updated", None),
    )  # fmt: skip
    # Not the curator's doing: the version was made before this request (simple-history
    # would credit the request's user).
    history.filter(**{type(obj)._meta.pk.attname: obj.pk}).update(history_user=None)
    return True


def _is_long_text(value: Any) -> bool:
    return isinstance(value, str) and (len(value) > LONG_TEXT or "\n" in value)


class ArchiveHistoryContextHelper(HistoricalRecordContextHelper):
    """Long texts as word diffs, everything else whole (see the module docstring)."""

    def __init__(self, model, historical_record, **kwargs) -> None:
        kwargs.setdefault("max_displayed_delta_change_chars", NEVER_CUT)
        super().__init__(model, historical_record, **kwargs)

    def context_for_delta_changes(self, delta) -> list[dict[str, Any]]:
        rows = super().context_for_delta_changes(delta)
        for row, change in zip(rows, delta.changes, strict=True):
            if _is_long_text(change.old) or _is_long_text(change.new):
                row["diff"] = word_diff(change.old or "", change.new or "")
        return rows


class ChangeReasonMixin:
    """For the admins of records with history: an optional "Reason for this change" box at
    the end of the change form; what is typed becomes the history entry's reason."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and obj.pk is not None:
            base = kwargs.get("form") or self.form
            if REASON_FIELD not in getattr(base, "declared_fields", {}):
                field = forms.CharField(
                    required=False,
                    max_length=REASON_LENGTH,
                    label="Reason for this change",
                    help_text="Optional; shown in the record's history beside what changed.",
                )
                kwargs["form"] = type(f"Reasoned{base.__name__}", (base,), {REASON_FIELD: field})
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.pk is None:
            return fieldsets
        rest = [
            (title, {**options, "fields": [f for f in options["fields"] if f != REASON_FIELD]})
            for title, options in fieldsets
        ]
        return [*rest, ("Why", {"fields": [REASON_FIELD], "classes": ["change-reason"]})]

    def save_model(self, request, obj, form, change):
        reason = (form.cleaned_data.get(REASON_FIELD) or "").strip() if change else ""
        if reason:
            obj._change_reason = change_reason(reason)
        super().save_model(request, obj, form, change)

    def get_historical_record_context_helper(self, request, historical_record):
        return ArchiveHistoryContextHelper(self.model, historical_record)
