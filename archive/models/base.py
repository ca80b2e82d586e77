"""Building blocks shared by every archive model: timestamps, EDTF dates, publication status."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models.expressions import Col
from django.db.models.lookups import Exact
from django.db.models.sql.where import AND, WhereNode
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archive.dates import edtf_bounds, validate_edtf


def derive_fields(obj: models.Model) -> None:
    """Recompute, in place, every field of ``obj`` that is derived from its other fields.

    The one function for derived data, so that ``save()``, the collection build and the
    release loader cannot disagree: EDTF bounds of every :class:`EDTFField`, then the model's
    own ``derive()`` (folded names, word counts, an article's effective date).
    """
    for f in obj._meta.concrete_fields:
        if isinstance(f, EDTFField):
            f.derive(obj)
    derive = getattr(obj, "derive", None)
    if derive is not None:
        derive()


class TimeStampedModel(models.Model):
    """Every record says when it was created and last changed (used by data-release diffs)."""

    created = models.DateTimeField(auto_now_add=True, db_index=True)
    updated = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        derive_fields(self)
        super().save(*args, **kwargs)


class EDTFField(models.CharField):
    """An EDTF date string whose strict bounds are kept in two sibling DateFields.

    ``date = EDTFField(start_field="date_start", end_field="date_end")``: on every save the
    bounds are recomputed from the EDTF text, so they can never drift from it. Bounds are
    stored (not computed in queries) because range filters, ordering and indexes need them.
    """

    description = "EDTF (Extended Date/Time Format) date"

    def __init__(self, *args, start_field: str = "", end_field: str = "", **kwargs):
        self.start_field = start_field
        self.end_field = end_field
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault(
            "help_text",
            _(
                "Date in EDTF, e.g. 1989-11-09, 1979-12, 1989, 1980/1981, 199X, 1990-01? "
                "(uncertain), 1990~ (approximate)."
            ),
        )
        super().__init__(*args, **kwargs)
        self.validators.append(validate_edtf)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["start_field"] = self.start_field
        kwargs["end_field"] = self.end_field
        return name, path, args, kwargs

    def derive(self, model_instance) -> None:
        """Set the bound fields of ``model_instance`` from this field's EDTF text."""
        bounds = edtf_bounds(getattr(model_instance, self.attname) or "")
        if self.start_field:
            setattr(model_instance, self.start_field, bounds.start)
        if self.end_field:
            setattr(model_instance, self.end_field, bounds.end)

    def pre_save(self, model_instance, add):
        self.derive(model_instance)
        return super().pre_save(model_instance, add)


def date_bound_fields(label: str) -> tuple[models.DateField, models.DateField]:
    """The two indexed bound columns of an EDTF date, with help text naming the date."""
    return (
        models.DateField(
            null=True, blank=True, editable=False, db_index=True,
            help_text=f"Earliest day the {label} may fall on (derived from EDTF).",
        ),
        models.DateField(
            null=True, blank=True, editable=False, db_index=True,
            help_text=f"Latest day the {label} may fall on (derived from EDTF).",
        ),
    )  # fmt: skip


def bounds_constraint(model: str, field: str) -> models.CheckConstraint:
    """A date's lower bound never follows its upper bound."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}_start__isnull": True})
        | models.Q(**{f"{field}_end__isnull": True})
        | models.Q(**{f"{field}_start__lte": models.F(f"{field}_end")}),
        name=f"{model}_{field}_bounds_ordered",
    )


class DateOverlap(models.Expression):
    """True when a record's date bounds may overlap ``first``–``last`` (inclusive).

    The one rule for "this date may fall in that span" (the date filters ``year``,
    ``decade``, ``date_after``/``date_before`` of every resource, the mentions of a person by
    their article's date): a NULL bound of the record is open ("1987/.." is still running),
    and a record with no date at all (both bounds NULL) never overlaps. ``first`` or
    ``last`` ``None`` leaves that side of the span open.

    On PostgreSQL it is written as ``daterange(start, end, '[]') && daterange(first, last,
    '[]')`` (NULL bounds are unbounded there, the same rule), which a GiST index on the
    record's range can serve: migration 0019 indexes the article's effective date so. Two
    comparisons, the form kept for SQLite, bound neither column usefully, and a year's
    export read the whole article table.
    """

    conditional = True

    def __init__(self, start: str, end: str, first: dt.date | None, last: dt.date | None):
        super().__init__(output_field=models.BooleanField())
        self.start, self.end = models.F(start), models.F(end)
        self.first, self.last = first, last

    def get_source_expressions(self) -> list:
        return [self.start, self.end]

    def set_source_expressions(self, exprs) -> None:
        self.start, self.end = exprs

    def as_sql(self, compiler, connection, **extra_context):
        start, start_params = compiler.compile(self.start)
        end, end_params = compiler.compile(self.end)
        if start_params or end_params:
            raise ValueError("DateOverlap compares two columns")
        first = connection.ops.adapt_datefield_value(self.first)
        last = connection.ops.adapt_datefield_value(self.last)
        # Written as migration 0019's index condition, so PostgreSQL sees the index applies.
        dated = f"({start} IS NOT NULL OR {end} IS NOT NULL)"
        if connection.vendor == "postgresql":
            return (
                f"({dated} AND daterange({start}, {end}, '[]') && "
                "daterange(%s::date, %s::date, '[]'))",
                (first, last),
            )
        sql, params = [dated], []
        if self.first is not None:
            sql.append(f"({end} >= %s OR {end} IS NULL)")
            params.append(first)
        if self.last is not None:
            sql.append(f"({start} <= %s OR {start} IS NULL)")
            params.append(last)
        return "(" + " AND ".join(sql) + ")", tuple(params)

    def earliest_start(self, model: type[models.Model], using: str) -> dt.date | None:
        """The earliest start a row of ``model`` this overlap keeps can have (PostgreSQL,
        own columns, a span closed at its first day; else ``None``): the span's first day,
        or the earliest start of the rows over it."""
        if connections[using].vendor != "postgresql" or self.first is None:
            return None
        return _earliest_start_probe(self, model, using)

    def first_key(self, model: type[models.Model], using: str) -> tuple[bool, int | None]:
        """``(True, k)``: no row of ``model`` this overlap keeps has a primary key below ``k``
        (``k`` None: it keeps no row at all); ``(False, None)``: not cheaply known.

        Why: an export in key order over a wide date span (a decade keeps a quarter of the
        archive) would otherwise read from the table's first key; where the archive was
        loaded in date order, that is every earlier decade before the first row it sends.
        A row overlapping ``first``–``last`` either starts inside it, or started before
        and so its range contains ``first``; the smallest key of each is two index reads
        on PostgreSQL (the start's B-tree with the key beside it, index only, and the GiST
        range index for the few rows over the boundary), not a pass over the rows. Both
        span ends must be given; the bound holds whatever other filters are added."""
        if connections[using].vendor != "postgresql" or self.first is None or self.last is None:
            return False, None
        table, pk = model._meta.db_table, model._meta.pk.column
        start, end = _own_column(self.start, model), _own_column(self.end, model)
        if start is None or end is None:  # the dates of a related row, not the row's own
            return False, None
        # OFFSET 0 keeps each a subquery: asked for min(pk) directly, the planner walks the
        # primary key expecting an early match, which in a date-ordered table comes late.
        sql = (
            f'SELECT LEAST((SELECT min("{pk}") FROM (SELECT "{pk}" FROM "{table}" '
            f'WHERE "{start}" BETWEEN %s AND %s OFFSET 0) AS inside), '
            f'(SELECT min("{pk}") FROM (SELECT "{pk}" FROM "{table}" '
            f'WHERE ("{start}" IS NOT NULL OR "{end}" IS NOT NULL) '
            f'AND daterange("{start}", "{end}", \'[]\') @> %s::date OFFSET 0) AS across))'
        )
        with connections[using].cursor() as cursor:
            cursor.execute(sql, [self.first, self.last, self.first])
            return True, cursor.fetchone()[0]


def _earliest_start_probe(overlap: DateOverlap, model: type[models.Model], using: str):
    """See :meth:`DateOverlap.earliest_start`."""
    table = model._meta.db_table
    start, end = _own_column(overlap.start, model), _own_column(overlap.end, model)
    if start is None or end is None:
        return None
    # OFFSET 0 keeps the rows over the boundary a subquery the GiST index answers.
    sql = (
        f'SELECT LEAST(%s::date, (SELECT min("{start}") FROM (SELECT "{start}" FROM "{table}" '
        f'WHERE ("{start}" IS NOT NULL OR "{end}" IS NOT NULL) '
        f'AND daterange("{start}", "{end}", \'[]\') @> %s::date OFFSET 0) AS across))'
    )
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [overlap.first, overlap.first])
        return cursor.fetchone()[0]


def planner_rows(queryset: models.QuerySet) -> int | None:
    """How many rows PostgreSQL's planner expects ``queryset`` to return (``EXPLAIN``, not
    run: a millisecond where counting a million rows takes a second), or ``None`` on an
    engine without a planner estimate (SQLite). The API's counts, the exports' spans and
    the choice of which downloads to keep all read it here."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    try:
        sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        return 0
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


#: Seconds a date span's first key is kept (per content version; see _remembered_first_key).
FIRST_KEY_SECONDS = 3600


def first_key_by_dates(queryset: models.QuerySet) -> tuple[bool, int | None]:
    """A lower bound of the queryset's smallest key from the date spans it is filtered by
    (every :class:`DateOverlap` the filters AND together; the largest of their bounds), or
    ``(False, None)`` when it has none that tells. Exports start their spans of keys there,
    and the API's lists in key order their first page."""
    known, first = False, None
    for overlap in _anded(queryset.query.where, DateOverlap):
        told, key = _remembered_first_key(overlap, queryset.model, queryset.db)
        if not told:
            continue
        if key is None:  # this span keeps no row: neither does the export
            return True, None
        known, first = True, key if first is None else max(first, key)
    return known, first


def latest_start_by_dates(queryset: models.QuerySet, start: str) -> dt.date | None:
    """The latest ``start`` (a date column of the queryset's own table) a row the date
    spans it is filtered by keep can have: the earliest end of those spans over that
    column, for a row overlapping a span starts on or before its last day (a row with no
    start is kept by its end alone and has none). ``None`` when no such span is closed.

    Why: a list newest first, read down a date index, would otherwise start at the
    archive's newest row and pass every later one before the span's (a 1985-86 range
    passed 40 years of articles, 0.35 s at a million)."""
    lasts = [
        overlap.last
        for overlap in _anded(queryset.query.where, DateOverlap)
        if overlap.last is not None and _own_column(overlap.start, queryset.model) == start
    ]
    return min(lasts, default=None)


def earliest_start_by_dates(queryset: models.QuerySet, start: str) -> dt.date | None:
    """The earliest ``start`` (a date column of the queryset's own table) a row the date
    spans it is filtered by keep can have, ``None`` when not known (SQLite, or no span
    closed at its first day over that column). A row overlapping a span either starts in
    it or started before and so contains its first day: the bound is the earlier of that
    day and the earliest start among the rows containing it (the GiST range index reads
    those few), the latest such bound over every span. A row with no start is kept by its
    end alone and sorts after every date (the lists' stand-in key), so no bound leaves it.

    Why: a list oldest first, read up the date index, would otherwise start at the
    archive's oldest row and pass every earlier one before the span's (a year of 1985 passed
    612,500 rows, 0.7 s at a million). The twin of :func:`latest_start_by_dates`; the
    probe is kept per content version like the exports' first key."""
    using = queryset.db
    if connections[using].vendor != "postgresql":
        return None
    bounds = [
        _remembered("earliest-start", overlap, queryset.model, using,
                    lambda overlap=overlap: overlap.earliest_start(queryset.model, using))
        for overlap in _anded(queryset.query.where, DateOverlap)
        if overlap.first is not None and _own_column(overlap.start, queryset.model) == start
    ]  # fmt: skip
    return max(bounds, default=None)


def _remembered(
    name: str, overlap: DateOverlap, model: type[models.Model], using: str,
    probe: Callable[[], Any],
) -> Any:  # fmt: skip
    """``probe()`` (a bound ``name`` of ``overlap``'s span), kept in the default cache under
    the content version read on ``using`` (so in the reader's snapshot, an export's own
    connection): any change to the archive moves the version, so a kept bound is never
    older than the rows it bounds."""
    from django.core.cache import cache

    from archive.caching import content_version, versioned_key

    version = content_version(using) if connections[using].vendor == "postgresql" else 0
    if not version:  # SQLite (no probe to save), or no version row
        return probe()
    key = versioned_key(name, version, using, model._meta.db_table, overlap.start, overlap.end,
                        overlap.first, overlap.last)  # fmt: skip
    kept = cache.get(key, _MISSING)
    if kept is _MISSING:
        kept = probe()
        cache.set(key, kept, FIRST_KEY_SECONDS)
    return kept


_MISSING = object()


def _remembered_first_key(
    overlap: DateOverlap, model: type[models.Model], using: str
) -> tuple[bool, int | None]:
    """``overlap.first_key()``, kept per content version (:func:`_remembered`): it saves the
    probe's index read (25-45 ms for a decade at a million articles) on every later export
    of the same span until the archive changes."""
    return tuple(
        _remembered("first-key", overlap, model, using, lambda: overlap.first_key(model, using))
    )


def _anded(node, kind: type) -> Iterator:
    """The ``kind`` expressions a WHERE tree requires of every row: reached through AND
    nodes only, never under OR or NOT (where a row need not satisfy them)."""
    if isinstance(node, kind):
        yield node
    elif isinstance(node, Exact) and node.rhs is True and isinstance(node.lhs, kind):
        yield node.lhs  # filter(Q(expression)) is stored as "expression = true"
    elif isinstance(node, WhereNode) and node.connector == AND and not node.negated:
        for child in node.children:
            yield from _anded(child, kind)


def _own_column(expression, model: type[models.Model]) -> str | None:
    """The column of ``model``'s own table an expression reads (an unresolved ``F`` of a
    field name, or a resolved column of the base table), else None."""
    if isinstance(expression, models.F):
        if "__" in expression.name:
            return None
        return model._meta.get_field(expression.name).column
    own = (
        isinstance(expression, Col)
        and expression.alias == model._meta.db_table
        and issubclass(model, expression.target.model)
    )
    return expression.target.column if own else None


def overlap_q(start: str, end: str, first: dt.date | None, last: dt.date | None) -> models.Q:
    """Records whose ``start``/``end`` bounds may overlap ``first``–``last``
    (:class:`DateOverlap`, the one overlap rule), as a ``Q`` to combine with others."""
    return models.Q(DateOverlap(start, end, first, last))


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")


class PublicQuerySet(models.QuerySet):
    """``public()``: the rows the public may see, by the model's own ``public_q()``.

    This is the one visibility rule (docs/architecture.md, "One rule per concept"): pages,
    API lists, details and exports, citations, search, facets, the sitemap, OAI-PMH, data
    releases and the stored counts all call it, or the model's ``public_q()`` to apply it
    across a relation, or the instance twin ``is_public()``.
    """

    def public(self):
        return self.filter(self.model.public_q())


class PublishableQuerySet(PublicQuerySet):
    pass


class PublishableModel(TimeStampedModel):
    """A curated record that the public sees only once a curator has published it."""

    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    curator_notes = models.TextField(
        blank=True, help_text="Internal notes: sources, doubts, reasons for dating guesses."
    )

    #: Lookups to the publishable records this one hangs from: it is public only when they
    #: are too (an article needs its issue and the issue's publication).
    PARENTS: tuple[str, ...] = ()

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # published_at follows status, so it can't disagree with it.
        if self.status == Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        elif self.status != Status.PUBLISHED:
            self.published_at = None
        super().save(*args, **kwargs)

    @classmethod
    def public_q(cls, prefix: str = "") -> models.Q:
        """The visibility rule as a ``Q`` over ``prefix`` (e.g. ``"article__"``)."""
        q = models.Q(**{f"{prefix}status": Status.PUBLISHED})
        for parent in cls.PARENTS:
            q &= models.Q(**{f"{prefix}{parent}__status": Status.PUBLISHED})
        return q

    def is_public(self) -> bool:
        """Instance twin of ``public()``: published, and so is every parent."""
        if self.status != Status.PUBLISHED:
            return False
        for parent in self.PARENTS:
            obj = self
            for step in parent.split("__"):
                obj = getattr(obj, step)
            if obj is None or obj.status != Status.PUBLISHED:
                return False
        return True


def count_constraint(model: str, field: str) -> models.CheckConstraint:
    """A stored count is never negative (a trigger bug shows up as an error, not a figure)."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__gte": 0}), name=f"{model}_{field}_not_negative"
    )


def status_constraint(model: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(status__in=Status.values), name=f"{model}_status_valid"
    )
