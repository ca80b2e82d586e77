"""Near-duplicates are caught before they are saved: creating a person, organisation, place
or event whose name (or a variant name typed in the same form) is close to an existing
record of the same kind shows those records and asks the curator to confirm.

"Close" is the search's own name matching (:func:`archive.search.entities.match_entities`:
trigram similarity on PostgreSQL, a similarity ratio over folded names on SQLite, names and
variant names), drafts included; for events, whose titles are not names, the same ratio
(``name_similarity``) over folded titles. The warning is a form error with a "Create it even
so" box: the curator either opens the existing record (and adds the spelling there as a
variant name) or ticks the box and saves again. Changing an existing record is not checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from archive.models import Event
from archive.search.entities import match_entities, name_similarity
from archive.text import fold

__all__ = ["CONFIRM_FIELD", "Candidate", "NearDuplicateMixin", "near_duplicates"]

CONFIRM_FIELD = "confirm_not_duplicate"
#: How many similar records the warning lists at most.
LIMIT = 6
#: Event titles at least this similar (0–1, folded) are near-duplicates…
EVENT_TITLE_SIMILARITY = 0.75
#: …or at least this similar when the two events' dates overlap.
EVENT_TITLE_SIMILARITY_SAME_DATE = 0.5


@dataclass(frozen=True)
class Candidate:
    """An existing record a new one may duplicate."""

    pk: int
    label: str
    status: str
    matched: str  # the name or variant name that is close ("" when it is the record's name)


def near_duplicates(
    model: type[models.Model], names: list[str], *, date: str = ""
) -> list[Candidate]:
    """Existing records of ``model`` whose name or a variant is close to one of ``names``."""
    names = [n for n in dict.fromkeys(n.strip() for n in names) if n]
    if model is Event:
        return _near_events(names, date)
    kind = model._meta.model_name
    scores: dict[int, tuple[float, str]] = {}
    for name in names:
        for match in match_entities(name, limit=LIMIT * 2, public_only=False):
            if match.kind != kind or match.id is None:
                continue
            best = scores.get(match.id)
            if best is None or best[0] < match.score:
                scores[match.id] = (match.score, match.matched)
    return _candidates(model, scores)


def _near_events(titles: list[str], date: str) -> list[Candidate]:
    from archive.dates import edtf_bounds

    bounds = edtf_bounds(date) if date else None
    scores: dict[int, tuple[float, str]] = {}
    keys = [fold(t) for t in titles if len(fold(t)) >= 3]
    for pk, title, start, end in Event.objects.values_list("pk", "title", "date_start", "date_end"):
        same_date = (
            bounds is not None
            and None not in (bounds.start, bounds.end, start, end)
            and start <= bounds.end
            and bounds.start <= end
        )
        threshold = EVENT_TITLE_SIMILARITY_SAME_DATE if same_date else EVENT_TITLE_SIMILARITY
        score = max((name_similarity(key, fold(title)) for key in keys), default=0.0)
        if score >= threshold:
            scores[pk] = (score, "")
    return _candidates(Event, scores)


def _candidates(model, scores: dict[int, tuple[float, str]]) -> list[Candidate]:
    order = sorted(scores, key=lambda pk: -scores[pk][0])[:LIMIT]
    records = model._default_manager.in_bulk(order)
    return [
        Candidate(pk, str(records[pk]), records[pk].get_status_display(), scores[pk][1])
        for pk in order
        if pk in records
    ]


_ALIAS_NAME = re.compile(r"^aliases-\d+-name$")


class NearDuplicateMixin:
    """For the admins of people, organisations, places and events (see the module)."""

    #: The form field holding the record's name.
    near_duplicate_name_field = "name"

    def _near_duplicates(self, request) -> list[Candidate]:
        """The similar records for the add form being posted, once per request."""
        if request.method != "POST":
            return []
        cached = getattr(request, "_archive_near_duplicates", None)
        if cached is None:
            post = request.POST
            names = [post.get(self.near_duplicate_name_field, "")]
            names += [
                value
                for key, value in post.items()
                if _ALIAS_NAME.match(key) and not post.get(key.replace("-name", "-DELETE"))
            ]
            cached = near_duplicates(self.model, names, date=post.get("date", ""))
            request._archive_near_duplicates = cached
        return cached

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None and not change:
            candidates = self._near_duplicates(request)
            if candidates:
                base = kwargs.get("form") or self.form
                kwargs["form"] = _checked_form(
                    base, self.model, candidates, self._candidate_links(candidates)
                )
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None or not self._near_duplicates(request):
            return fieldsets
        rest = [
            (title, {**options, "fields": [f for f in options["fields"] if f != CONFIRM_FIELD]})
            for title, options in fieldsets
        ]
        warning = ("Similar records", {"fields": [CONFIRM_FIELD], "classes": ["near-duplicates"]})
        return [warning, *rest]

    def _candidate_links(self, candidates: list[Candidate]) -> str:
        opts = self.model._meta
        change = f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change"
        return format_html_join(
            "",
            '<li><a href="{}" target="_blank" rel="noopener">{}</a> ({}{}, opens in a new '
            "tab)</li>",
            (
                (
                    reverse(change, args=[c.pk]),
                    c.label,
                    c.status.lower(),
                    format_html(", by its variant name “{}”", c.matched) if c.matched else "",
                )
                for c in candidates
            ),
        )


def _checked_form(base: type[forms.ModelForm], model, candidates, links: str) -> type:
    """``base`` with the "create it even so" box, refusing to save until it is ticked."""
    count = len(candidates)
    kind = model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural

    def clean(self):
        cleaned = super(form, self).clean()
        if not cleaned.get(CONFIRM_FIELD):
            raise ValidationError(
                format_html(
                    '{} similar {} already {}: <ul class="near-duplicate-list">{}</ul>'
                    "If it is one of them, open it and add this spelling as a variant name "
                    "instead. If it is not, tick “Create it even so” and save again.",
                    count,
                    kind,
                    "exists" if count == 1 else "exist",
                    links,
                ),
                code="near_duplicate",
            )
        return cleaned

    confirm = forms.BooleanField(
        required=False,
        label="Create it even so",
        help_text="It is not the same as any of the similar records listed above.",
    )
    form = type(
        f"NearDuplicateChecked{base.__name__}",
        (base,),
        {CONFIRM_FIELD: confirm, "clean": clean, "near_duplicates": candidates},
    )
    return form
