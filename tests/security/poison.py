"""Fill every free-text field of a record with a hostile value, field by field.

Fields the database constrains (formats, uniqueness) keep their value when the payload
breaks the constraint: what matters is that every field that *can* hold it does.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, models, transaction

from archive.models.base import EDTFField

SKIP = {"slug", "status", "curator_edited_fields"}


def poisonable_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not isinstance(f, EDTFField | models.SlugField)
        and not f.choices and not f.unique and f.editable and f.name not in SKIP
    ]  # fmt: skip


def poison(obj: models.Model, payloads: Iterable[str]) -> list[str]:
    """Set each free-text field to the next payload (cut to max_length); return those set."""
    payloads = list(payloads)
    done = []
    for i, field in enumerate(poisonable_fields(type(obj))):
        value = payloads[i % len(payloads)]
        if field.max_length:
            value = value[: field.max_length]
        old = getattr(obj, field.attname)
        setattr(obj, field.attname, value)
        try:
            with transaction.atomic():
                obj.save()
            done.append(field.name)
        except (IntegrityError, ValueError):
            setattr(obj, field.attname, old)
    return done
