"""One explicit FilterSet per resource; it serves JSON pages, CSV and JSON Lines alike.

A typo must not quietly return everything: :class:`StrictFilterSet` rejects unknown query
parameters and every field validates its value, so a bad request is a 400 naming the
parameter and the reason (see docs/api.md "Errors").

Dates are matched by *overlap*: a record whose EDTF date may fall in the requested span
matches. ``?date_after=1991&date_before=1991`` keeps everything that may fall in 1991,
including "1990/1992" and "199X". A NULL bound is open (``1987/..`` is still running).
Records without any date do not match a date filter.
"""

from __future__ import annotations

import datetime as dt

import django_filters as df
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q, Value
from django.forms.utils import ErrorDict, ErrorList
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions

from archive.models import (
    Alias,
    Article,
    Authorship,
    Event,
    EventParticipant,
    Issue,
    Mention,
    Organisation,
    Person,
    Place,
    Publication,
    Status,
)
from archive.text import fold

from .fields import (
    DecadeField,
    EntityRefField,
    PartialDateField,
    RecordField,
    RepeatableWidget,
    StrictBooleanField,
    YearField,
)

#: Query parameters that are not filters but are understood by the API.
NON_FILTER_PARAMETERS = frozenset({"format", "page_size", "cursor"})

#: A partial date in a query parameter: YYYY, YYYY-MM or YYYY-MM-DD.
PARTIAL_DATE_SCHEMA = {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}

#: Sort key for nullable dates: an open or unknown start sorts first. Only used to order.
EARLIEST = Value(dt.date(1, 1, 1))
LATEST = Value(dt.date(9999, 12, 31))


# --------------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------------


class StrictFilterSet(df.FilterSet):
    """A FilterSet that refuses query parameters it does not know (django-filter #603).

    Subclasses set ``default_ordering``: rows always come in a stable, documented order so
    cursor pages, CSV and JSON Lines list the same records in the same order.
    """

    default_ordering: tuple[str, ...] = ("id",)

    def unknown_parameters(self) -> list[str]:
        known = set(self.filters) | NON_FILTER_PARAMETERS
        return sorted(name for name in self.data if name not in known)

    @property
    def errors(self) -> ErrorDict:
        errors = ErrorDict(self.form.errors)
        known = ", ".join(sorted(set(self.filters) | NON_FILTER_PARAMETERS))
        for name in self.unknown_parameters():
            errors[name] = ErrorList(
                [
                    ValidationError(
                        "Unknown parameter %(name)r. Known parameters: %(known)s.",
                        code="unknown_parameter",
                        params={"name": name, "known": known},
                    )
                ]
            )
        return errors

    def is_valid(self) -> bool:
        return self.form.is_valid() and not self.unknown_parameters()

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not queryset.query.order_by:
            queryset = queryset.order_by(*self.default_ordering)
        return queryset


@extend_schema_field(OpenApiTypes.STR)
class RecordFilter(df.Filter):
    """Records by id or slug (repeatable, any of them): ``?author=12&author=lech-walesa``."""

    field_class = RecordField

    def __init__(self, *args, model, slug: bool = True, **kwargs):
        kwargs.setdefault("lookup_expr", "in")
        super().__init__(*args, model=model, slug=slug, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__{self.lookup_expr}": value})


@extend_schema_field(PARTIAL_DATE_SCHEMA)
class SpanFilter(df.Filter):
    """Overlap of the record's ``start_field``/``end_field`` with a requested span.

    ``side="after"``: the record may end on or after the span's first day.
    ``side="before"``: the record may start on or before the span's last day.
    ``side="both"``: both (``year``, ``decade``).
    """

    field_class = PartialDateField

    def __init__(self, *args, start_field: str, end_field: str, side: str, **kwargs):
        self.start_field, self.end_field, self.side = start_field, end_field, side
        kwargs.setdefault("field_name", start_field)
        kwargs.setdefault("lookup_expr", "overlap")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(overlap_q(self.start_field, self.end_field, value, self.side))


def overlap_q(start_field: str, end_field: str, span, side: str = "both") -> Q:
    """Records whose bounds may overlap ``span``; open (NULL) bounds are open, undated never."""
    query = ~Q(**{f"{start_field}__isnull": True, f"{end_field}__isnull": True})
    if side in ("after", "both"):
        query &= Q(**{f"{end_field}__gte": span.start}) | Q(**{f"{end_field}__isnull": True})
    if side in ("before", "both"):
        query &= Q(**{f"{start_field}__lte": span.end}) | Q(**{f"{start_field}__isnull": True})
    return query


@extend_schema_field(OpenApiTypes.INT)
class YearFilter(SpanFilter):
    field_class = YearField


@extend_schema_field({"type": "string", "pattern": r"^\d{3}0s?$"})
class DecadeFilter(SpanFilter):
    field_class = DecadeField


@extend_schema_field(PARTIAL_DATE_SCHEMA)
class DateValueFilter(df.Filter):
    """A partial date handed to a FilterSet method (combined there with other values)."""

    field_class = PartialDateField


@extend_schema_field({"type": "string", "pattern": r"^(person|organisation|place|event):[-\w]+$"})
class EntityRefFilter(df.Filter):
    """``TYPE:ID_OR_SLUG`` references handed to a FilterSet method."""

    field_class = EntityRefField


class IntegerFilter(df.NumberFilter):
    field_class = df.fields.forms.IntegerField


@extend_schema_field(OpenApiTypes.BOOL)
class BooleanFilter(df.Filter):
    field_class = StrictBooleanField


class MultipleChoiceFilter(df.MultipleChoiceFilter):
    """Repeatable choice (``?kind=party&kind=union``), any of them; bad choices are a 400."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", RepeatableWidget)
        super().__init__(*args, **kwargs)


def date_filters(start_field: str, end_field: str, label: str) -> dict[str, df.Filter]:
    """``date_after``, ``date_before``, ``year`` and ``decade`` over one pair of bounds."""
    common = {"start_field": start_field, "end_field": end_field}
    return {
        "date_after": SpanFilter(
            side="after", **common,
            help_text=f"{label} may fall on or after this date (YYYY, YYYY-MM or "
            "YYYY-MM-DD), e.g. 1989 or 1989-11.",
        ),
        "date_before": SpanFilter(
            side="before", **common,
            help_text=f"{label} may fall on or before this date (YYYY, YYYY-MM or "
            "YYYY-MM-DD), e.g. 1991-12-31.",
        ),
        "year": YearFilter(
            side="both", **common, help_text=f"{label} may fall in this year, e.g. 1989."
        ),
        "decade": DecadeFilter(
            side="both", **common,
            help_text=f"{label} may fall in this decade (its first year), e.g. 1980.",
        ),
    }  # fmt: skip


def ordering_filter(fields: dict[str, str], default: str) -> df.OrderingFilter:
    """``ordering`` from a whitelist; prefix ``-`` for descending; ties broken by id."""
    return TieBreakOrderingFilter(
        fields=tuple(fields.items()),
        help_text=(
            f"Sort by {', '.join(fields.values())} (prefix - for descending), "
            f"e.g. -{next(iter(fields.values()))}. Default: {default}."
        ),
    )


class TieBreakOrderingFilter(df.OrderingFilter):
    """Append ``id`` so equal sort keys still come in one stable order (cursor pages)."""

    def filter(self, qs, value):
        # "?ordering=," parses as two empty names: skip them (order_by("") is a FieldError).
        value = [param for param in value or [] if param]
        if not value:
            return qs
        ordering = [self.get_ordering_value(param) for param in value]
        last = ordering[-1]
        if last.lstrip("-") not in ("id", "pk"):
            ordering.append("-id" if last.startswith("-") else "id")
        return qs.order_by(*ordering)


# --------------------------------------------------------------------------------------------
# Shared pieces for the three kinds of entity
# --------------------------------------------------------------------------------------------


def article_dates(queryset: models.QuerySet, prefix: str = "") -> models.QuerySet:
    """Annotate an article's effective bounds: its own dateline, else its issue's date."""
    own = f"{prefix}date"
    return queryset.annotate(
        effective_date_start=models.Case(
            models.When(~Q(**{own: ""}), then=models.F(f"{own}_start")),
            default=models.F(f"{prefix}issue__date_start"),
        ),
        effective_date_end=models.Case(
            models.When(~Q(**{own: ""}), then=models.F(f"{own}_end")),
            default=models.F(f"{prefix}issue__date_end"),
        ),
    )


def visible_mentions(target: str) -> models.QuerySet:
    """Published mentions of ``OuterRef('pk')`` as ``target`` (person, place, …)."""
    return Mention.objects.published().filter(**{target: OuterRef("pk")})


class EntityFilterSet(StrictFilterSet):
    """Filters shared by people, organisations and places. ``target`` is the mention field."""

    target: str = ""
    default_ordering = ("name_folded", "id")

    name = df.CharFilter(
        field_name="name_folded",
        lookup_expr="contains",
        method="filter_name",
        help_text="Name or variant name contains this text, ignoring case and diacritics "
        "(walesa finds Wałęsa), e.g. walesa.",
    )
    mentioned_in_article = RecordFilter(
        model=Article, slug=False, field_name="mentions__article", method="filter_mentioned",
        help_text="Mentioned in this article (id; repeatable, any of them), e.g. 12.",
    )  # fmt: skip
    mentioned_in_publication = RecordFilter(
        model=Publication, field_name="mentions__article__issue__publication",
        method="filter_mentioned",
        help_text="Mentioned in this publication (id or slug; repeatable), e.g. labour-focus.",
    )  # fmt: skip
    mentioned_after = DateValueFilter(
        field_name="mentions__article__date_end", lookup_expr="gte", method="filter_mentioned",
        help_text="Mentioned in an article that may date from on or after this date "
        "(YYYY, YYYY-MM, YYYY-MM-DD), e.g. 1989.",
    )  # fmt: skip
    mentioned_before = DateValueFilter(
        field_name="mentions__article__date_start", lookup_expr="lte",
        method="filter_mentioned",
        help_text="Mentioned in an article that may date from on or before this date, "
        "e.g. 1990-06.",
    )  # fmt: skip
    co_mentioned_with = EntityRefFilter(
        field_name="mentions__article__mentions", lookup_expr="exact",
        method="filter_co_mentioned",
        help_text="Mentioned in an article that also mentions this record (TYPE:ID or "
        "TYPE:SLUG; repeatable, all of them), e.g. person:lech-walesa.",
    )  # fmt: skip

    def filter_name(self, queryset, name, value):
        key = fold(value)
        if not key:
            return queryset
        aliases = Alias.objects.filter(
            **{self.target: OuterRef("pk"), "name_folded__contains": key}
        )
        return queryset.filter(Q(name_folded__contains=key) | Exists(aliases))

    def filter_mentioned(self, queryset, name, value):
        # Combined in filter_queryset, so the article, publication and dates apply to the
        # same mention ("mentioned in Labour Focus between 1989 and 1990").
        return queryset

    def filter_co_mentioned(self, queryset, name, value):
        for ref in value or []:
            others = Mention.objects.published().filter(
                article=OuterRef("article"), **{f"{ref.target}_id": ref.pk}
            )
            queryset = queryset.filter(Exists(visible_mentions(self.target).filter(Exists(others))))
            if ref.target == self.target:
                queryset = queryset.exclude(pk=ref.pk)
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        articles = data.get("mentioned_in_article")
        publications = data.get("mentioned_in_publication")
        after, before = data.get("mentioned_after"), data.get("mentioned_before")
        if not (articles or publications or after or before):
            return queryset
        mentions = visible_mentions(self.target)
        if articles:
            mentions = mentions.filter(article__in=articles)
        if publications:
            mentions = mentions.filter(article__issue__publication__in=publications)
        if after or before:
            mentions = article_dates(mentions, "article__")
            if after:
                mentions = mentions.filter(
                    overlap_q("effective_date_start", "effective_date_end", after, "after")
                )
            if before:
                mentions = mentions.filter(
                    overlap_q("effective_date_start", "effective_date_end", before, "before")
                )
        return queryset.filter(Exists(mentions))


# --------------------------------------------------------------------------------------------
# One FilterSet per resource
# --------------------------------------------------------------------------------------------


class PublicationFilterSet(StrictFilterSet):
    default_ordering = ("title", "id")

    title = df.CharFilter(
        field_name="title", lookup_expr="icontains",
        help_text="Title contains this text (case-insensitive), e.g. focus.",
    )  # fmt: skip
    kind = MultipleChoiceFilter(
        field_name="kind", lookup_expr="exact", choices=Publication.Kind.choices,
        help_text="Kind (repeatable), e.g. journal.",
    )  # fmt: skip
    language = df.CharFilter(
        field_name="language", lookup_expr="iexact", help_text="BCP 47 tag, e.g. en."
    )
    publisher = RecordFilter(
        model=Organisation, field_name="publisher",
        help_text="Published by this organisation (id or slug; repeatable), e.g. 3.",
    )  # fmt: skip
    place = RecordFilter(
        model=Place, field_name="place",
        help_text="Published in this place (id or slug; repeatable), e.g. london.",
    )  # fmt: skip
    locals().update(date_filters("run_start", "run_end", "The run"))
    ordering = ordering_filter({"title": "title", "sort_date": "date", "id": "id"}, "title")

    class Meta:
        model = Publication
        fields: list[str] = []


class IssueFilterSet(StrictFilterSet):
    default_ordering = ("id",)

    publication = RecordFilter(
        model=Publication, field_name="publication",
        help_text="In this publication (id or slug; repeatable), e.g. labour-focus.",
    )  # fmt: skip
    locals().update(date_filters("date_start", "date_end", "The issue date"))
    ordering = ordering_filter({"sort_date": "date", "id": "id"}, "id")

    class Meta:
        model = Issue
        fields: list[str] = []


MENTION_MODES = (("any", "any"), ("all", "all"))


class ArticleFilterSet(StrictFilterSet):
    """Articles. The queryset must carry ``effective_date_start``/``_end`` (see views)."""

    default_ordering = ("id",)

    publication = RecordFilter(
        model=Publication, field_name="issue__publication",
        help_text="In this publication (id or slug; repeatable, any of them), e.g. labour-focus.",
    )  # fmt: skip
    issue = RecordFilter(
        model=Issue, slug=False, field_name="issue",
        help_text="In this issue (id; repeatable, any of them), e.g. 3.",
    )  # fmt: skip
    kind = MultipleChoiceFilter(
        field_name="kind", lookup_expr="exact", choices=Article.Kind.choices,
        help_text="Kind of text (repeatable, any of them), e.g. introduction.",
    )  # fmt: skip
    language = df.CharFilter(
        field_name="language", lookup_expr="iexact", help_text="BCP 47 tag, e.g. en."
    )
    author = RecordFilter(
        model=Person, field_name="authorships__person", method="filter_author",
        help_text="Written, edited or translated by this person (id or slug; repeatable, any "
        "of them), e.g. lech-walesa.",
    )  # fmt: skip
    has_author = BooleanFilter(
        field_name="authorships", lookup_expr="isnull", method="filter_has_author",
        help_text="true: signed articles only; false: unsigned only; e.g. true.",
    )  # fmt: skip
    person = RecordFilter(
        model=Person, field_name="mentions__person", method="filter_mentions",
        help_text="Mentions this person (id or slug; repeatable; see mentions_mode), "
        "e.g. lech-walesa.",
    )  # fmt: skip
    organisation = RecordFilter(
        model=Organisation, field_name="mentions__organisation", method="filter_mentions",
        help_text="Mentions this organisation (id or slug; repeatable), e.g. solidarnosc.",
    )  # fmt: skip
    place = RecordFilter(
        model=Place, field_name="mentions__place", method="filter_mentions",
        help_text="Mentions this place (id or slug; repeatable), e.g. gdansk.",
    )  # fmt: skip
    event = RecordFilter(
        model=Event, field_name="mentions__event", method="filter_mentions",
        help_text="Mentions this event (id or slug; repeatable), e.g. fall-of-the-berlin-wall.",
    )  # fmt: skip
    mentions_mode = df.ChoiceFilter(
        field_name="mentions", lookup_expr="exact", choices=MENTION_MODES,
        method="filter_mentions", empty_label=None,
        help_text="How person, organisation, place and event combine: any (default: at least "
        "one of them is mentioned) or all (every one is mentioned), e.g. all.",
    )  # fmt: skip
    q = df.CharFilter(
        field_name="body", lookup_expr="search", method="filter_text",
        help_text="Full text in title and body, e.g. solidarity.",
    )  # fmt: skip
    word_count_min = IntegerFilter(
        field_name="word_count", lookup_expr="gte", help_text="At least this many words, e.g. 500."
    )
    word_count_max = IntegerFilter(
        field_name="word_count", lookup_expr="lte", help_text="At most this many words, e.g. 3000."
    )
    full_text = BooleanFilter(
        field_name="body", lookup_expr="exact", method="filter_full_text",
        help_text="CSV and JSON Lines only: true adds the body column, e.g. true.",
    )  # fmt: skip
    locals().update(
        date_filters(
            "effective_date_start", "effective_date_end",
            "The article's date (its dateline, else its issue's date)",
        )
    )  # fmt: skip
    ordering = ordering_filter(
        {"id": "id", "title": "title", "sort_date": "date", "word_count": "word_count"}, "id"
    )

    class Meta:
        model = Article
        fields: list[str] = []

    def filter_author(self, queryset, name, value):
        return queryset.filter(
            Exists(Authorship.objects.filter(article=OuterRef("pk"), person__in=value))
        )

    def filter_has_author(self, queryset, name, value):
        signed = Exists(
            Authorship.objects.filter(article=OuterRef("pk"), person__status=Status.PUBLISHED)
        )
        return queryset.filter(signed if value else ~signed)

    def filter_mentions(self, queryset, name, value):
        return queryset  # combined in filter_queryset (AND/OR across the four targets)

    def filter_full_text(self, queryset, name, value):
        return queryset  # read by the view's exporter, not a filter on rows

    def filter_text(self, queryset, name, value):
        return search_articles(queryset, value)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        wanted = [
            (t, pk)
            for t in ("person", "organisation", "place", "event")
            for pk in data.get(t) or []
        ]
        if not wanted:
            return queryset
        mentions = Mention.objects.published().filter(article=OuterRef("pk"))
        if data.get("mentions_mode") == "all":
            for target, pk in wanted:
                queryset = queryset.filter(Exists(mentions.filter(**{f"{target}_id": pk})))
            return queryset
        any_of = Q()
        for target, pk in wanted:
            any_of |= Q(**{f"{target}_id": pk})
        return queryset.filter(Exists(mentions.filter(any_of)))


def search_articles(queryset: models.QuerySet, text: str) -> models.QuerySet:
    """Full-text filter through the site search, so the API and the search page agree on
    what matches (same syntax, folding and index; see docs/search.md)."""
    from archive.search import SearchError, filter_articles

    try:
        return filter_articles(queryset, text)
    except SearchError as exc:
        raise exceptions.ValidationError({"q": [exc.reason]}) from exc


class PersonFilterSet(EntityFilterSet):
    target = "person"
    default_ordering = ("sort_name_folded", "id")

    country = df.CharFilter(
        field_name="country", lookup_expr="iexact", help_text="ISO 3166-1 alpha-2, e.g. PL."
    )
    locals().update(date_filters("birth_start", "death_end", "The lifetime"))
    ordering = ordering_filter({"sort_name_folded": "name", "id": "id"}, "name")

    class Meta:
        model = Person
        fields: list[str] = []


class OrganisationFilterSet(EntityFilterSet):
    target = "organisation"

    kind = MultipleChoiceFilter(
        field_name="kind", lookup_expr="exact", choices=Organisation.Kind.choices,
        help_text="Kind (repeatable, any of them), e.g. union.",
    )  # fmt: skip
    country = df.CharFilter(
        field_name="country", lookup_expr="iexact", help_text="ISO 3166-1 alpha-2, e.g. PL."
    )
    locals().update(date_filters("founded_start", "dissolved_end", "Its existence"))
    ordering = ordering_filter({"name_folded": "name", "id": "id"}, "name")

    class Meta:
        model = Organisation
        fields: list[str] = []


class PlaceFilterSet(EntityFilterSet):
    target = "place"

    kind = MultipleChoiceFilter(
        field_name="kind", lookup_expr="exact", choices=Place.Kind.choices,
        help_text="Kind (repeatable, any of them), e.g. city.",
    )  # fmt: skip
    country = df.CharFilter(
        field_name="country_code", lookup_expr="iexact", help_text="ISO 3166-1 alpha-2, e.g. PL."
    )
    ordering = ordering_filter({"name_folded": "name", "id": "id"}, "name")

    class Meta:
        model = Place
        fields: list[str] = []


class EventFilterSet(StrictFilterSet):
    default_ordering = ("sort_date", "id")

    kind = MultipleChoiceFilter(
        field_name="kind", lookup_expr="exact", choices=Event.Kind.choices,
        help_text="Kind (repeatable, any of them), e.g. strike.",
    )  # fmt: skip
    person = RecordFilter(
        model=Person, field_name="participants__person", method="filter_participant",
        help_text="This person took part (id or slug; repeatable, any of them), e.g. lech-walesa.",
    )  # fmt: skip
    organisation = RecordFilter(
        model=Organisation, field_name="participants__organisation", method="filter_participant",
        help_text="This organisation took part (id or slug; repeatable), e.g. solidarnosc.",
    )  # fmt: skip
    place = RecordFilter(
        model=Place, field_name="places", method="filter_place",
        help_text="Happened in this place (id or slug; repeatable), e.g. gdansk.",
    )  # fmt: skip
    locals().update(date_filters("date_start", "date_end", "The event"))
    ordering = ordering_filter({"sort_date": "date", "title": "title", "id": "id"}, "date")

    class Meta:
        model = Event
        fields: list[str] = []

    def filter_participant(self, queryset, name, value):
        target = name.rsplit("__", 1)[-1]  # "participants__person" → "person"
        return queryset.filter(
            Exists(
                EventParticipant.objects.filter(event=OuterRef("pk"), **{f"{target}__in": value})
            )
        )

    def filter_place(self, queryset, name, value):
        through = Event.places.through
        return queryset.filter(
            Exists(through.objects.filter(event=OuterRef("pk"), place__in=value))
        )


class MentionFilterSet(StrictFilterSet):
    default_ordering = ("id",)

    article = RecordFilter(
        model=Article, slug=False, field_name="article",
        help_text="In this article (id; repeatable, any of them), e.g. 12.",
    )  # fmt: skip
    target_type = MultipleChoiceFilter(
        field_name="target_type", lookup_expr="exact", method="filter_target_type",
        choices=[(t, t) for t in ("person", "organisation", "place", "event")],
        help_text="What is mentioned (repeatable): person, organisation, place, event; e.g. place.",
    )  # fmt: skip
    target = EntityRefFilter(
        field_name="target", lookup_expr="exact", method="filter_target",
        help_text="The mentioned record as TYPE:ID or TYPE:SLUG (repeatable, any of them), "
        "e.g. person:lech-walesa.",
    )  # fmt: skip
    status = MultipleChoiceFilter(
        field_name="status", lookup_expr="exact",
        choices=[c for c in Mention.Status.choices if c[0] != Mention.Status.REJECTED],
        help_text="Review status (repeatable): auto, confirmed or flagged; e.g. confirmed.",
    )  # fmt: skip
    ordering = ordering_filter({"id": "id", "count": "count"}, "id")

    class Meta:
        model = Mention
        fields: list[str] = []

    def filter_target_type(self, queryset, name, value):
        if not value:
            return queryset
        query = Q()
        for target in value:
            query |= Q(**{f"{target}__isnull": False})
        return queryset.filter(query)

    def filter_target(self, queryset, name, value):
        if not value:
            return queryset
        query = Q()
        for ref in value:
            query |= Q(**{f"{ref.target}_id": ref.pk})
        return queryset.filter(query)


__all__ = [
    "ArticleFilterSet",
    "EventFilterSet",
    "IssueFilterSet",
    "MentionFilterSet",
    "OrganisationFilterSet",
    "PersonFilterSet",
    "PlaceFilterSet",
    "PublicationFilterSet",
    "StrictFilterSet",
    "article_dates",
    "overlap_q",
]
