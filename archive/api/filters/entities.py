"""People, organisations and places: by name (variant names too) and by where and when
they are mentioned."""

from __future__ import annotations

import django_filters as df
from django.db.models import Exists, OuterRef, Q

from archive.models import Alias, Article, Mention, Organisation, Person, Place, Publication
from archive.text import fold

from .base import (
    DateValueFilter,
    EntityRefFilter,
    MultipleChoiceFilter,
    RecordFilter,
    StrictFilterSet,
    date_filters,
    ordering_filter,
    overlap_q,
)


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
        field_name="mentions__article__effective_date_end", lookup_expr="gte",
        method="filter_mentioned",
        help_text="Mentioned in an article whose date may fall on or after this date "
        "(YYYY, YYYY-MM, YYYY-MM-DD), e.g. 1989. Undated articles never match.",
    )  # fmt: skip
    mentioned_before = DateValueFilter(
        field_name="mentions__article__effective_date_start", lookup_expr="lte",
        method="filter_mentioned",
        help_text="Mentioned in an article whose date may fall on or before this date, "
        "e.g. 1990-06.",
    )  # fmt: skip
    co_mentioned_with = EntityRefFilter(
        field_name="mentions__article__mentions", lookup_expr="exact",
        method="filter_co_mentioned",
        help_text="Mentioned in an article that also mentions this record (TYPE:ID or "
        "TYPE:SLUG; repeatable, all of them), e.g. person:lech-walesa.",
    )  # fmt: skip

    def mentions(self):
        """Public mentions of ``OuterRef('pk')`` (the model's rule, for this kind only)."""
        return Mention.objects.public(target=self.target).filter(**{self.target: OuterRef("pk")})

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
            others = Mention.objects.public(target=ref.target).filter(
                article=OuterRef("article"), **{f"{ref.target}_id": ref.pk}
            )
            queryset = queryset.filter(Exists(self.mentions().filter(Exists(others))))
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
        mentions = self.mentions()
        if articles:
            mentions = mentions.filter(article__in=articles)
        if publications:
            mentions = mentions.filter(article__issue__publication__in=publications)
        # The article's stored effective date (Article.effective_date_rule), by overlap.
        start, end = "article__effective_date_start", "article__effective_date_end"
        if after:
            mentions = mentions.filter(overlap_q(start, end, after, "after"))
        if before:
            mentions = mentions.filter(overlap_q(start, end, before, "before"))
        return queryset.filter(Exists(mentions))


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


__all__ = ["EntityFilterSet", "OrganisationFilterSet", "PersonFilterSet", "PlaceFilterSet"]
