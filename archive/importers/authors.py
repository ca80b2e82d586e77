"""Bylines become proposed authorships: a link to a known person, or a draft person.

A byline ("By Jane Smith and Ali Khan") names the authors of a unit; the parser keeps the
names (:attr:`archive.importers.text.Unit.bylines`). The importer proposes, for each name,
an :class:`~archive.models.Authorship` of the imported (draft) article: to the one person
known by that name or one of its variant names (case and diacritics ignored), or, when none
or several are, to a new **draft** person the curator reviews (merging it into an existing
record if it is a variant). Nothing is published by this: the article is a draft, and so is
any person made here.
"""

from __future__ import annotations

from django.utils.text import slugify

from archive.models import Alias, Authorship, Person, Status
from archive.text import fold


def _person_for(name: str) -> tuple[Person, bool]:
    key = fold(name)
    ids = set(Person.objects.filter(name_folded=key).values_list("pk", flat=True))
    ids |= set(
        Alias.objects.filter(name_folded=key, person__isnull=False).values_list(
            "person_id", flat=True
        )
    )
    if len(ids) == 1:
        return Person.objects.get(pk=ids.pop()), False
    base = slugify(name)[:240] or "author"
    slug, n = base, 2
    while Person.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    note = "several people have this name" if ids else "no person has this name yet"
    person = Person(
        name=name[:255],
        slug=slug,
        status=Status.DRAFT,
        description=f"Proposed by the text importer from a byline ({note}); check it.",
    )
    person.full_clean()
    person.save()
    return person, True


def propose_authorships(article, names: list[str]) -> list[dict]:
    """Authorships of ``article`` for the byline's ``names``, in order; what was done."""
    out = []
    for order, name in enumerate(names, start=1):
        person, created = _person_for(name)
        Authorship.objects.get_or_create(
            article=article,
            person=person,
            role=Authorship.Role.AUTHOR,
            defaults={"order": order},
        )
        out.append({"name": name, "person_id": person.pk, "new_person": created})
    return out
