"""Curator operations with side effects, kept out of views, admin and ``save()``.

Each function is ``<entity>_<action>`` with keyword-only arguments, validates before it
writes, and runs in one transaction so a failure leaves nothing half-done.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from archive.models import (
    Alias,
    Authorship,
    EventParticipant,
    Mention,
    Organisation,
    PastSlug,
    Person,
    PublishableModel,
    Status,
)


def records_set_status(
    *, queryset: models.QuerySet, status: str, user=None, reason: str = ""
) -> int:
    """Publish, send back to review or unpublish records, one history entry per record.

    Uses ``save()`` per record (not ``update()``) so that ``published_at``, history and
    search vectors follow the change.
    """
    if status not in Status.values:
        raise ValidationError({"status": f"{status!r} is not one of {', '.join(Status.values)}"})
    changed = 0
    with transaction.atomic():
        for obj in queryset.select_for_update():
            if obj.status == status:
                continue
            obj.status = status
            obj.full_clean()
            obj._change_reason = reason or f"status → {status}"
            if user is not None:
                obj._history_user = user
            obj.save()
            changed += 1
    return changed


MERGE_RELATIONS: dict[type[PublishableModel], list[tuple[type[models.Model], str]]] = {
    Person: [(Mention, "person"), (Authorship, "person"), (Alias, "person"),
             (EventParticipant, "person")],
    Organisation: [(Mention, "organisation"), (Alias, "organisation"),
                   (EventParticipant, "organisation")],
}  # fmt: skip


def entity_merge(*, survivor: Person | Organisation, duplicates: Iterable, user=None) -> int:
    """Merge duplicate people or organisations into ``survivor``, in one transaction.

    Moves mentions (adding counts where both were mentioned in the same article), authorships,
    aliases and event roles onto the survivor; keeps each duplicate's name as an alias and its
    slug as a PastSlug (its URL then redirects); records the merge in the survivor's history;
    deletes the duplicates. Returns how many were merged.
    """
    model = type(survivor)
    if model not in MERGE_RELATIONS:
        raise ValidationError(f"Cannot merge {model._meta.verbose_name_plural}.")
    duplicates = [d for d in duplicates if d.pk != survivor.pk]
    if not duplicates:
        raise ValidationError("Choose at least one record other than the one that survives.")
    if any(type(d) is not model for d in duplicates):
        raise ValidationError("Only records of the same kind can be merged.")
    field = model._meta.model_name
    content_type = ContentType.objects.get_for_model(model)
    with transaction.atomic():
        for duplicate in duplicates:
            _move_mentions(field, duplicate, survivor)
            _move_unique(Authorship, field, duplicate, survivor, ("article", "role"))
            _move_unique(EventParticipant, field, duplicate, survivor, ("event", "role"))
            # Keep every distinct spelling (case aside): "Lech Walesa" is worth keeping
            # beside "Lech Wałęsa" even though matching folds them together.
            existing = {a.name.lower() for a in survivor.aliases.all()} | {survivor.name.lower()}
            for alias in Alias.objects.filter(**{field: duplicate}):
                if alias.name.lower() in existing:
                    alias.delete()
                else:
                    setattr(alias, field, survivor)
                    alias.save()
                    existing.add(alias.name.lower())
            if duplicate.name.lower() not in existing:
                Alias.objects.create(
                    **{field: survivor}, name=duplicate.name, kind=Alias.Kind.VARIANT
                )
            PastSlug.objects.filter(content_type=content_type, object_id=duplicate.pk).update(
                object_id=survivor.pk
            )
            PastSlug.objects.get_or_create(
                content_type=content_type, slug=duplicate.slug, defaults={"object_id": survivor.pk}
            )
            duplicate.delete()
        names = ", ".join(f"{d.name} (#{d.pk}, {d.slug})" for d in duplicates)
        survivor._change_reason = f"Merged {names} into this record"
        if user is not None:
            survivor._history_user = user
        survivor.updated = timezone.now()
        survivor.save()
    return len(duplicates)


def _move_mentions(field: str, duplicate, survivor) -> None:
    for mention in Mention.objects.filter(**{field: duplicate}):
        other = Mention.objects.filter(article=mention.article, **{field: survivor}).first()
        if other is None:
            setattr(mention, field, survivor)
            mention.save()
            continue
        other.count += mention.count
        if mention.first_offset < other.first_offset:
            other.first_offset, other.context = mention.first_offset, mention.context
        if Mention.Status.CONFIRMED in (mention.status, other.status):
            other.status = Mention.Status.CONFIRMED
        other.save()
        mention.delete()


def _move_unique(model, field: str, duplicate, survivor, keys: tuple[str, ...]) -> None:
    for row in model.objects.filter(**{field: duplicate}):
        clash = model.objects.filter(
            **{field: survivor}, **{k: getattr(row, k) for k in keys}
        ).exists()
        if clash:
            row.delete()
        else:
            setattr(row, field, survivor)
            row.save()
