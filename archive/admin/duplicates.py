"""Suspected duplicates among people, organisations and places, for the review dashboard.

Two records of one kind are suspected duplicates when a name or variant name of one and a
name or variant name of the other are the same words once case, diacritics, punctuation and
word order are set aside (``archive.text.fold``): "Lech Wałęsa" and "Walesa, Lech";
"Nicolae Ceaușescu" and a variant "Nicolae Ceauşescu" of another record. It is one pass over
names and variants (no pairwise comparison), so it stays cheap on a large catalogue; close
but different spellings are caught when a record is created instead (the near-duplicate
warning, archive/admin/nearby.py).
"""

from __future__ import annotations

import re
from collections import defaultdict

from django.contrib import admin
from django.db import models

from archive.models import Alias
from archive.text import fold

__all__ = ["AuthorityIdFilter", "SuspectedDuplicateFilter", "name_key", "suspected_duplicates"]

_NOT_WORD = re.compile(r"[^\w]+")


def name_key(name: str) -> str:
    """The words of a folded name, sorted: the same for "Walesa, Lech" and "Lech Wałęsa"."""
    return " ".join(sorted(_NOT_WORD.sub(" ", fold(name)).split()))


def suspected_duplicates(model: type[models.Model]) -> dict[int, set[int]]:
    """``{id: ids of the other records of the kind it may duplicate}``, for records that have
    one; ``model`` is Person, Organisation or Place."""
    field = model._meta.model_name
    holders: dict[str, set[int]] = defaultdict(set)
    for pk, name in model._default_manager.values_list("pk", "name"):
        holders[name_key(name)].add(pk)
    aliases = Alias.objects.filter(**{f"{field}__isnull": False})
    for pk, name in aliases.values_list(f"{field}_id", "name"):
        holders[name_key(name)].add(pk)
    found: dict[int, set[int]] = defaultdict(set)
    for key, ids in holders.items():
        if key and len(ids) > 1:
            for pk in ids:
                found[pk] |= ids - {pk}
    return dict(found)


class SuspectedDuplicateFilter(admin.SimpleListFilter):
    """``?duplicates=suspected``: the records sharing a name or variant with another."""

    title = "duplicates"
    parameter_name = "duplicates"

    def lookups(self, request, model_admin):
        return [("suspected", "Suspected duplicates")]

    def queryset(self, request, queryset):
        if self.value() == "suspected":
            return queryset.filter(pk__in=suspected_duplicates(queryset.model))
        return queryset


class AuthorityIdFilter(admin.SimpleListFilter):
    """``?authority=missing``: records without a Wikidata id (the archive's authority)."""

    title = "Wikidata id"
    parameter_name = "authority"

    def lookups(self, request, model_admin):
        return [("missing", "Missing"), ("present", "Present")]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(wikidata="")
        if self.value() == "present":
            return queryset.exclude(wikidata="")
        return queryset
