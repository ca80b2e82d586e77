"""Curator operations with side effects, kept out of views, admin and ``save()``.

Each function is ``<entity>_<action>`` with keyword-only arguments, validates before it
writes, and runs in one transaction so a failure leaves nothing half-done.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify

from archive.models import (
    Alias,
    Article,
    Event,
    Issue,
    Mention,
    Organisation,
    PastSlug,
    Person,
    Place,
    PublishableModel,
    Status,
)
from archive.models.base import derive_fields
from archive.text import fold

#: The permission that lets a user publish, unpublish and send records back to review
#: (Curators have it; Contributors edit drafts only).
PUBLISH_PERMISSION = "archive.publish_record"


def records_set_status(
    *, queryset: models.QuerySet, status: str, user=None, reason: str = ""
) -> int:
    """Publish, send back to review or unpublish records, one history entry per record.

    Uses ``save()`` per record (not ``update()``) so that ``published_at``, history and
    search vectors follow the change. Issues are published only with their articles, by
    :func:`issue_publish`, so publishing them here is refused.
    """
    if status not in Status.values:
        raise ValidationError({"status": f"{status!r} is not one of {', '.join(Status.values)}"})
    if queryset.model is Issue and status not in (Status.DRAFT, Status.REVIEW):
        raise ValidationError(
            "An issue is published together with its articles: use issue_publish() "
            "(the admin's “Publish with its articles…”)."
        )
    changed = 0
    with transaction.atomic():
        # Lock the rows themselves, not the caller's query: an admin list's queryset may carry
        # aggregates (counts), and PostgreSQL refuses FOR UPDATE with GROUP BY.
        pks = list(queryset.order_by().values_list("pk", flat=True).distinct())
        rows = queryset.model._default_manager.select_for_update().filter(pk__in=pks)
        for obj in rows.order_by("pk"):
            changed += _set_status(obj, status, user=user, reason=reason)
    return changed


#: How long a history entry's reason may be (django-simple-history's column).
REASON_LENGTH = 100


def change_reason(text: str) -> str:
    """``text`` cut to fit a history entry's reason, ending in "…" when cut."""
    text = " ".join(text.split())
    return text if len(text) <= REASON_LENGTH else text[: REASON_LENGTH - 1] + "…"


def _set_status(obj: PublishableModel, status: str, *, user=None, reason: str = "") -> int:
    """Set one record's status through ``save()`` (validated, in its history); 1 if changed."""
    if obj.status == status:
        return 0
    obj.status = status
    obj.full_clean()
    obj._change_reason = change_reason(reason or f"status → {status}")
    if user is not None:
        obj._history_user = user
    obj.save()
    return 1


# ---------------------------------------------------------------- publishing an issue


@dataclass(frozen=True)
class IssuePublishPlan:
    """What publishing an issue would do, shown to the curator before anything is written.

    The rule (docs/data-model.md, "Publishing an issue"): the issue is published together
    with every article *in review*; articles already published stay published (and become
    public with it); while any article is still a *draft*, or an article in review could not
    be published as it stands (e.g. it has no body text), nothing is published and the
    refusal names them.
    """

    issue: Issue
    to_publish: tuple[Article, ...]
    already_published: tuple[Article, ...]
    drafts: tuple[Article, ...]
    invalid: tuple[tuple[Article, str], ...]

    @property
    def articles(self) -> list[Article]:
        """Every article of the issue, in reading order."""
        rows = [*self.to_publish, *self.already_published, *self.drafts]
        rows += [article for article, _ in self.invalid]
        return sorted(rows, key=lambda a: (a.position, a.pk))

    @property
    def allowed(self) -> bool:
        return not self.drafts and not self.invalid

    @property
    def publication_is_public(self) -> bool:
        """Whether the issue's publication is public: if not, publishing the issue makes
        nothing public yet (the visibility rule needs the whole chain)."""
        return self.issue.publication.is_public()

    @property
    def refusals(self) -> list[str]:
        """Why the issue cannot be published, one message per reason, naming the articles."""
        messages = []
        if self.drafts:
            names = ", ".join(_article_name(a) for a in self.drafts)
            messages.append(
                f"“{self.issue}” cannot be published: {len(self.drafts)} of its articles "
                f"{'is' if len(self.drafts) == 1 else 'are'} still a draft ({names}). "
                "Send them to review once they are checked, or move them to another issue."
            )
        for article, reason in self.invalid:
            messages.append(
                f"“{self.issue}” cannot be published: {_article_name(article)} cannot be "
                f"published as it stands: {reason}"
            )
        return messages

    @property
    def to_publish_ids(self) -> list[int]:
        return [a.pk for a in self.to_publish]


def _article_name(article: Article) -> str:
    return f"#{article.position} “{article.title}”"


def _publish_problem(obj: PublishableModel) -> str:
    """Why ``obj`` could not be saved as published ("" if it could).

    Checks only the validation that involves the status (the model's constraints, such as
    "a published article has a body"), on a copy, so nothing is changed.
    """
    trial = copy.copy(obj)
    trial.status = Status.PUBLISHED
    checked = {"status", "body"}
    exclude = [f.name for f in obj._meta.concrete_fields if f.name not in checked]
    try:
        trial.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


def issue_publish_plan(*, issue: Issue, lock: bool = False) -> IssuePublishPlan:
    """Sort the issue's articles by what publishing the issue would do to them."""
    articles = issue.articles.order_by("position", "pk")
    if lock:
        articles = articles.select_for_update()
    by_status: dict[str, list[Article]] = {value: [] for value in Status.values}
    for article in articles:
        by_status[article.status].append(article)
    drafts = by_status.pop(Status.DRAFT)
    in_review = by_status.pop(Status.REVIEW)
    already = [a for rest in by_status.values() for a in rest]
    invalid = [(a, problem) for a in in_review if (problem := _publish_problem(a))]
    failed = {a.pk for a, _ in invalid}
    return IssuePublishPlan(
        issue=issue,
        to_publish=tuple(a for a in in_review if a.pk not in failed),
        already_published=tuple(already),
        drafts=tuple(drafts),
        invalid=tuple(invalid),
    )


def issue_publish(
    *, issue: Issue, user=None, expected: Iterable[int] | None = None
) -> IssuePublishPlan:
    """Publish ``issue`` with its articles in review, in one transaction (see
    :class:`IssuePublishPlan` for the rule). Returns what was done.

    ``expected``: the ids of the articles the curator was shown as about to be published;
    if the issue's articles changed since (one more sent to review, one moved away), nothing
    is published and the curator is asked to look again. ``user``: who publishes; they need
    the publish permission. Raises ``ValidationError`` (nothing written) when refused.
    """
    if user is not None and not user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied("Only curators with the publish permission publish issues.")
    with transaction.atomic():
        locked = Issue.objects.select_for_update().get(pk=issue.pk)
        plan = issue_publish_plan(issue=locked, lock=True)
        if not plan.allowed:
            raise ValidationError(plan.refusals)
        problem = _publish_problem(locked)
        if problem:
            raise ValidationError(f"“{locked}” cannot be published: {problem}")
        if expected is not None and set(expected) != set(plan.to_publish_ids):
            raise ValidationError(
                f"The articles of “{locked}” changed after the list you confirmed was "
                "drawn; nothing was published. Look at the new list and confirm again."
            )
        for article in plan.to_publish:
            _set_status(
                article, Status.PUBLISHED, user=user, reason=f"Published with its issue ({locked})"
            )
        count = len(plan.to_publish)
        _set_status(
            locked, Status.PUBLISHED, user=user,
            reason=f"Published with {count} article{'s' if count != 1 else ''} in review",
        )  # fmt: skip
    return plan


# ---------------------------------------------------------------- reviewing mentions


def mentions_set_status(*, mentions: Iterable[Mention], status: str, user=None) -> int:
    """Confirm or reject mentions (or send them back to automatic), in one transaction;
    returns how many changed.

    Saved one by one (not ``update()``) so that each decision is in the mention's history,
    with who made it, and the stored counts' triggers see it.
    """
    if status not in Mention.Status.values:
        raise ValidationError({"status": f"{status!r} is not a mention status"})
    changed = 0
    with transaction.atomic():
        for mention in mentions:
            if mention.status == status:
                continue
            mention.status = status
            mention._change_reason = change_reason(str(Mention.Status(status).label))
            if user is not None:
                mention._history_user = user
            mention.save()
            changed += 1
    return changed


# ---------------------------------------------------------------- names found by an import


def entity_create_draft(
    *, model: type[PublishableModel], name: str, user=None, reason: str = ""
) -> PublishableModel:
    """A new draft person, organisation or place called ``name`` (as printed), with a slug
    made from it that no record of the kind has yet (nor had: past slugs redirect)."""
    if model not in (Person, Organisation, Place):
        raise ValidationError(f"Cannot create {model._meta.verbose_name_plural} from a name.")
    name = " ".join(name.split())
    if not name:
        raise ValidationError("A record needs a name.")
    base = slugify(fold(name))[:200] or model._meta.model_name
    content_type = ContentType.objects.get_for_model(model)
    taken = set(model._default_manager.filter(slug__startswith=base).values_list("slug", flat=True))
    taken |= set(
        PastSlug.objects.filter(content_type=content_type, slug__startswith=base).values_list(
            "slug", flat=True
        )
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    obj = model(name=name, slug=slug, status=Status.DRAFT)
    obj.full_clean()
    obj._change_reason = change_reason(reason or "Created from a name an import found")
    if user is not None:
        obj._history_user = user
    with transaction.atomic():
        obj.save()
    return obj


def alias_add(*, entity: Person | Organisation | Place, name: str, user=None,
              kind: str = Alias.Kind.SOURCE_SPELLING) -> Alias:  # fmt: skip
    """Record ``name`` (as printed in a source) as a variant name of ``entity``; an existing
    variant of the same spelling (case aside) is returned as it is."""
    field = type(entity)._meta.model_name
    name = " ".join(name.split())
    existing = Alias.objects.filter(**{field: entity}, name__iexact=name).first()
    if existing is not None:
        return existing
    alias = Alias(**{field: entity}, name=name, kind=kind)
    alias.full_clean()
    alias._change_reason = change_reason(f"Spelling found by an import, for {entity}")
    if user is not None:
        alias._history_user = user
    with transaction.atomic():
        alias.save()
    return alias


# ---------------------------------------------------------------- merging duplicates

#: The kinds of record that can be merged.
MERGEABLE: tuple[type[PublishableModel], ...] = (Person, Organisation, Place, Event)

#: Fields a merge never takes from the other record: the survivor keeps its own address
#: (the other's becomes a redirect), and the rest are kept by the database or derived.
MERGE_FIXED_FIELDS = frozenset({"id", "slug", "created", "updated", "published_at"})


def merge_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields a curator may take from either record when merging two of ``model``: the
    record's own fields first (name, dates, identifiers…), the workflow's last."""
    fields = [
        f for f in model._meta.concrete_fields if f.editable and f.name not in MERGE_FIXED_FIELDS
    ]
    workflow = {"status", "curator_notes"}
    return [f for f in fields if f.name not in workflow] + [f for f in fields if f.name in workflow]


def _related(model: type[models.Model]) -> list:
    """Relations pointing at ``model`` that a merge moves (history tables excluded: they
    record what was true then, the merge is recorded as a new history entry)."""
    return [
        rel
        for rel in model._meta.related_objects
        if not getattr(rel.related_model, "instance_type", None)  # simple-history models
    ]


def entity_links(obj: models.Model) -> list[tuple[str, int]]:
    """What a record is linked to, as ``(what, how many)``: every relation a merge moves,
    for the comparison page."""
    links = []
    for rel in _related(type(obj)):
        model = rel.related_model
        if rel.many_to_many:
            count = getattr(obj, rel.get_accessor_name()).count()
            label = f"{model._meta.verbose_name_plural} ({rel.field.verbose_name})"
        else:
            count = model._default_manager.filter(**{rel.field.name: obj}).count()
            label = str(model._meta.verbose_name_plural)
            if model is type(obj) or model._meta.model_name in ("publication",):
                label = f"{label} ({rel.field.verbose_name})"
        links.append((label, count))
    for field in type(obj)._meta.many_to_many:
        links.append((str(field.verbose_name), getattr(obj, field.name).count()))
    return links


def _record_name(obj: models.Model, width: int = 40) -> str:
    """“Lev Trotsky” (#12): a record named so it can be found after a merge (its id is
    in every history row; a long name is cut, the id never)."""
    name = str(obj)
    if len(name) > width:
        name = name[: width - 1] + "…"
    return f"“{name}” (#{obj.pk})"


def entity_merge(
    *, survivor: PublishableModel, duplicates: Iterable, user=None, values: dict | None = None
) -> int:
    """Merge duplicates of a person, organisation, place or event into ``survivor``, in one
    transaction; returns how many were merged.

    Every record linked to a duplicate is linked to the survivor instead: mentions (counts
    added where both were mentioned in the same article, a curator's confirmation kept),
    authorships, variant names, event roles, publications, sub-organisations, events' places
    and articles. A link the survivor already has is not doubled. Each duplicate's name is
    kept as a variant name (people, organisations, places) and its slug as a PastSlug, so its
    address redirects (301) to the survivor. ``values`` (field → value) are taken onto the
    survivor from the comparison page (e.g. the other record's Wikidata id) and validated.
    Both records' histories name the other: the survivor's "Merged … into this record",
    the duplicate's last entry "Merged into …". Nothing is written if anything fails.
    """
    model = type(survivor)
    if model not in MERGEABLE:
        raise ValidationError(f"Cannot merge {model._meta.verbose_name_plural}.")
    duplicates = [d for d in duplicates if d.pk != survivor.pk]
    if not duplicates:
        raise ValidationError("Choose at least one record other than the one that survives.")
    if any(type(d) is not model for d in duplicates):
        raise ValidationError("Only records of the same kind can be merged.")
    allowed = {f.name for f in merge_fields(model)}
    unknown = set(values or {}) - allowed
    if unknown:
        raise ValidationError(
            f"These fields cannot be taken in a merge: {', '.join(sorted(unknown))}."
        )
    content_type = ContentType.objects.get_for_model(model)
    with transaction.atomic():
        survivor = model._default_manager.select_for_update().get(pk=survivor.pk)
        duplicates = list(
            model._default_manager.select_for_update().filter(pk__in=[d.pk for d in duplicates])
        )
        names = ", ".join(_record_name(d) for d in duplicates)
        for name, value in (values or {}).items():
            setattr(survivor, name, value)
        for duplicate in duplicates:
            _move_links(duplicate, survivor)
            if hasattr(model, "aliases"):
                _keep_names(duplicate, survivor)
            PastSlug.objects.filter(content_type=content_type, object_id=duplicate.pk).update(
                object_id=survivor.pk
            )
            PastSlug.objects.get_or_create(
                content_type=content_type, slug=duplicate.slug, defaults={"object_id": survivor.pk}
            )
            duplicate._change_reason = change_reason(f"Merged into {_record_name(survivor)}")
            if user is not None:
                duplicate._history_user = user
            duplicate.delete()
        derive_fields(survivor)  # the date bounds the constraints check follow the values
        survivor.full_clean()
        survivor._change_reason = change_reason(f"Merged {names} into this record")
        if user is not None:
            survivor._history_user = user
        survivor.updated = timezone.now()
        survivor.save()
    return len(duplicates)


def _move_links(duplicate, survivor) -> None:
    """Point every relation at ``survivor`` instead of ``duplicate`` (see entity_merge)."""
    model = type(survivor)
    for rel in _related(model):
        related, field = rel.related_model, rel.field.name
        if rel.many_to_many:
            for owner in getattr(duplicate, rel.get_accessor_name()).all():
                getattr(owner, field).add(survivor)
        elif related is Mention:
            _move_mentions(field, duplicate, survivor)
        elif related is Alias:
            continue  # names are kept by _keep_names
        else:
            _move_rows(related, field, duplicate, survivor)
    for field in model._meta.many_to_many:
        getattr(survivor, field.name).add(*getattr(duplicate, field.name).all())


def _keep_names(duplicate, survivor) -> None:
    """Every distinct spelling (case aside) of the duplicate stays, as a variant of the
    survivor: "Lech Walesa" is worth keeping beside "Lech Wałęsa" even though matching
    folds them together."""
    field = type(survivor)._meta.model_name
    existing = {a.name.lower() for a in Alias.objects.filter(**{field: survivor})}
    existing.add(survivor.name.lower())
    for alias in Alias.objects.filter(**{field: duplicate}):
        if alias.name.lower() in existing:
            alias.delete()
        else:
            setattr(alias, field, survivor)
            alias.save()
            existing.add(alias.name.lower())
    if duplicate.name.lower() not in existing:
        Alias.objects.create(**{field: survivor}, name=duplicate.name, kind=Alias.Kind.VARIANT)


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


def _unique_keys(model: type[models.Model], field: str) -> list[tuple[str, ...]]:
    """The other fields of each unique constraint on ``model`` that includes ``field``."""
    return [
        tuple(f for f in constraint.fields if f != field)
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint) and field in constraint.fields
    ]


def _move_rows(model, field: str, duplicate, survivor) -> None:
    """Move the rows of ``model`` whose ``field`` is ``duplicate`` onto ``survivor``; a row
    the survivor already has (same values under a unique constraint) is dropped instead, and
    a record that would point at itself (an organisation its own parent) points nowhere."""
    keys = _unique_keys(model, field)
    for row in model._default_manager.filter(**{field: duplicate}):
        if model is type(survivor) and row.pk == survivor.pk:
            setattr(survivor, field, None)  # written with the survivor, at the end
            continue
        clash = any(
            model._default_manager.filter(**{field: survivor}, **{k: getattr(row, k) for k in key})
            .exclude(pk=row.pk)
            .exists()
            for key in keys
        )
        if clash:
            row.delete()
        else:
            setattr(row, field, survivor)
            row.save()
