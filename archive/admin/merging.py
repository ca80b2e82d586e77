"""Merging two records of one kind (people, organisations, places, events) from a
side-by-side comparison.

The curator selects the two records in the list and picks "Compare and merge…" (or follows
"compare with" in the list of suspected duplicates). The comparison page shows both records'
fields and what each is linked to, lets the curator choose the record that survives and,
field by field where they differ, which value it keeps; "Merge" runs
:func:`archive.services.entity_merge` (one transaction) and "Cancel" leaves both records as
they were. Merging needs the permissions to change and to delete: Curators merge,
Contributors do not.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.utils import display_for_field
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from archive.services import entity_links, entity_merge, merge_fields

from .duplicates import suspected_duplicates

__all__ = ["MergeMixin"]

SIDES = ("a", "b")


def _empty(value) -> bool:
    return value in (None, "", [], {})


class MergeMixin:
    """For the admin of a mergeable kind: the comparison page, its action and list column."""

    merge_template = "admin/archive/merge.html"

    def get_urls(self):
        opts = self.model._meta
        merge = path(
            "merge/",
            self.admin_site.admin_view(self.merge_view),
            name=f"{opts.app_label}_{opts.model_name}_merge",
        )
        return [merge, *super().get_urls()]

    def has_merge_permission(self, request) -> bool:
        return self.has_change_permission(request) and self.has_delete_permission(request)

    def merge_url(self, a, b) -> str:
        opts = self.model._meta
        url = reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_merge")
        return f"{url}?{urlencode({'a': a, 'b': b})}"

    @admin.action(description="Compare and merge the two selected…", permissions=["merge"])
    def merge_selected(self, request, queryset):
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:3])
        if len(ids) != 2:
            self.message_user(
                request, "Select exactly two records to compare and merge.", messages.WARNING
            )
            return None
        return HttpResponseRedirect(self.merge_url(*ids))

    def get_list_display(self, request):
        """In the list of suspected duplicates, a column linking each record to the
        comparison with the record(s) it may duplicate."""
        shown = super().get_list_display(request)
        if request.GET.get("duplicates") != "suspected" or not self.has_merge_permission(request):
            return shown
        pairs = suspected_duplicates(self.model)
        others = {o for group in pairs.values() for o in group}
        names = {obj.pk: str(obj) for obj in self.model._default_manager.filter(pk__in=others)}

        @admin.display(description="compare with")
        def compare_with(obj) -> str:
            return format_html_join(
                ", ", '<a href="{}" class="compare-link">{}</a>',
                ((self.merge_url(obj.pk, other), names.get(other, f"#{other}"))
                 for other in sorted(pairs.get(obj.pk, ()))),
            )  # fmt: skip

        return [*shown, compare_with]

    # -- the comparison page

    def merge_view(self, request):
        if not self.has_merge_permission(request):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else request.GET
        records = {side: self._merge_record(request, data.get(side)) for side in SIDES}
        changelist = reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_changelist"
        )
        if None in records.values() or records["a"].pk == records["b"].pk:
            self.message_user(
                request,
                "Those two records cannot be compared: one was not found (merged or deleted "
                "already?) or both are the same record.",
                messages.WARNING,
            )
            return HttpResponseRedirect(changelist)
        fields = merge_fields(self.model)
        error = ""
        if request.method == "POST":
            survivor_side = data.get("survivor")
            if survivor_side in SIDES:
                other_side = "b" if survivor_side == "a" else "a"
                survivor, other = records[survivor_side], records[other_side]
                values = {
                    f.name: getattr(other, f.name)
                    for f in fields
                    if data.get(f"keep-{f.name}") == other_side
                }
                try:
                    entity_merge(
                        survivor=survivor, duplicates=[other], user=request.user, values=values
                    )
                except ValidationError as exc:
                    error = " ".join(exc.messages)
                else:
                    change = reverse(
                        f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}"
                        "_change",
                        args=[survivor.pk],
                    )
                    self.message_user(
                        request,
                        format_html(
                            'Merged “{}” into <a href="{}">“{}”</a>. Its address now '
                            "redirects there, and its name is kept as a variant name.",
                            other,
                            change,
                            survivor,
                        ),
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(change)
            else:
                error = "Choose the record that survives."
        context = {
            **self.admin_site.each_context(request),
            "title": f"Compare and merge two {self.opts.verbose_name_plural}",
            "opts": self.opts,
            "records": records,
            "rows": self._merge_rows(records, fields, data if error else None),
            "links": self._merge_links(records),
            "error": error,
            "cancel_url": changelist,
            "survivor": data.get("survivor", "a") if error else "a",
        }
        return TemplateResponse(request, self.merge_template, context)

    def _merge_record(self, request, value):
        if not value or not str(value).isdigit():
            return None
        return self.get_queryset(request).filter(pk=value).first()

    def _merge_rows(self, records, fields, posted) -> list[dict]:
        """One row per field: both values, whether they differ, which one is kept."""
        empty = self.get_empty_value_display()
        rows = []
        for field in fields:
            values = {side: getattr(records[side], field.name) for side in SIDES}
            shown = {side: display_for_field(values[side], field, empty) for side in SIDES}
            differs = values["a"] != values["b"]
            keep = "b" if _empty(values["a"]) and not _empty(values["b"]) else "a"
            if posted is not None and posted.get(f"keep-{field.name}") in SIDES:
                keep = posted[f"keep-{field.name}"]
            rows.append(
                {
                    "name": field.name,
                    "label": str(field.verbose_name)[:1].upper() + str(field.verbose_name)[1:],
                    "a": shown["a"],
                    "b": shown["b"],
                    "differs": differs,
                    "keep": keep,
                }
            )
        return rows

    def _merge_links(self, records) -> list[dict]:
        a, b = (entity_links(records[side]) for side in SIDES)
        return [
            {"label": label[:1].upper() + label[1:], "a": count_a, "b": count_b}
            for (label, count_a), (_label, count_b) in zip(a, b, strict=True)
        ]
