"""Articles, and the full-text search over them: one FilterSet for ``/api/articles/`` (JSON
pages, CSV, JSON Lines) and the search page.

With ``q``, the FilterSet narrows the public articles by every other filter, asks the search
engine for the matching ids in the requested ``ordering`` (``relevance``, ``date`` or
``-date``: the engines' own plans, at most ``RANK_CAP`` hits) and lists exactly those rows,
ordered by the same keys and annotated with ``search_rank``. The search page reads the same
queryset, so the page, its data links and the API list the same ids in the same order.

Orderings (``ORDERINGS``; ties broken by id in the same direction, except relevance, whose
ties come by ascending id):

* ``relevance``: rank descending. The default when ``q`` is given; needs ``q``.
* ``date`` / ``-date``: the article's effective date (``effective_date_start``, from
  ``Article.effective_date_rule``), oldest / newest first; undated articles last either way.
* ``id`` (the default without ``q``), ``title``, ``word_count``, each with ``-``. With ``q``
  they list every match (not only the best ``RANK_CAP``).
"""

from __future__ import annotations

import operator
from functools import reduce

import django_filters as df
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from archive.models import (
    TARGETS,
    Article,
    Authorship,
    Event,
    Issue,
    Mention,
    Organisation,
    Person,
    Place,
    Publication,
)
from archive.search import engine
from archive.search.query import MAX_QUERY_LENGTH, parse

from .base import (
    EARLIEST,
    LATEST,
    BooleanFilter,
    ChoiceFilter,
    IntegerFilter,
    LanguageFilter,
    MultipleChoiceFilter,
    RecordFilter,
    StrictFilterSet,
    date_filters,
)

#: At most this many articles mentioning the records a list is filtered by are listed by
#: their ids (``ArticleFilterSet.records``); more are found by a correlated ``EXISTS``.
FEW_MENTIONED = 5_000

#: Every ``ordering`` value the articles accept, the search engines' first.
ORDERINGS = (
    *engine.ORDERINGS, "id", "-id", "title", "-title", "word_count", "-word_count",
)  # fmt: skip
MENTION_MODES = (("any", "any"), ("all", "all"))
ARTICLE_DATE = (
    "The article's date (its dateline; else its first publication; else, for introductions, "
    "timelines and editorials, its issue's date)"
)


def order_articles(queryset: QuerySet, ordering: str) -> QuerySet:
    """``queryset`` in ``ordering`` (see the module docstring), always ending in ``id`` so
    cursor pages are stable. Undated articles sort last through a stand-in key (cursor pages
    compare the first key and cannot compare NULL); the search engines order the same way."""
    if ordering == "relevance":
        return queryset.order_by("-search_rank", "id")
    if ordering == "date":
        key = Coalesce("effective_date_start", LATEST)
        return queryset.annotate(date_order=key).order_by("date_order", "id")
    if ordering == "-date":
        key = Coalesce("effective_date_start", EARLIEST)
        return queryset.annotate(date_order=key).order_by("-date_order", "-id")
    descending = ordering.startswith("-")
    if ordering.lstrip("-") == "id":
        return queryset.order_by(ordering)
    return queryset.order_by(ordering, "-id" if descending else "id")


class ArticleFilterSet(StrictFilterSet):
    """Articles. Its queryset must be public articles (``Article.objects.public()``)."""

    default_ordering = ("id",)

    publication = RecordFilter(
        model=Publication, field_name="issue__publication",
        help_text="In this publication (id or slug; repeatable, any of them), e.g. labour-focus.",
    )  # fmt: skip
    issue = RecordFilter(
        model=Issue, slug=False, field_name="issue",
        help_text="In this issue (id; repeatable, any of them), e.g. 3.",
    )  # fmt: skip
    # distinct=False: a column of the article itself cannot repeat rows, and a DISTINCT base
    # keeps PostgreSQL from joining it as a semi-join (it then read all 100,000 editorials).
    kind = MultipleChoiceFilter(
        field_name="kind", lookup_expr="exact", choices=Article.Kind.choices, distinct=False,
        help_text="Kind of text (repeatable, any of them), e.g. introduction.",
    )  # fmt: skip
    language = LanguageFilter(
        model=Article,
        help_text="BCP 47 tag, one of the articles' languages (case-insensitive), e.g. en.",
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
        model=Person, field_name="mentions__person", method="filter_combined",
        help_text="Mentions this person (id or slug; repeatable; see mentions_mode), "
        "e.g. lech-walesa.",
    )  # fmt: skip
    organisation = RecordFilter(
        model=Organisation, field_name="mentions__organisation", method="filter_combined",
        help_text="Mentions this organisation (id or slug; repeatable), e.g. solidarnosc.",
    )  # fmt: skip
    place = RecordFilter(
        model=Place, field_name="mentions__place", method="filter_combined",
        help_text="Mentions this place (id or slug; repeatable), e.g. gdansk.",
    )  # fmt: skip
    event = RecordFilter(
        model=Event, field_name="mentions__event", method="filter_combined",
        help_text="Records this event: linked to it by a curator, or mentioning it (id or "
        "slug; repeatable), e.g. fall-of-the-berlin-wall.",
    )  # fmt: skip
    mentions_mode = ChoiceFilter(
        field_name="mentions", lookup_expr="exact", choices=MENTION_MODES,
        method="filter_combined",
        help_text="How person, organisation, place and event combine: any (default: at least "
        "one of them is mentioned) or all (every one is mentioned), e.g. all.",
    )  # fmt: skip
    q = df.CharFilter(
        field_name="body", lookup_expr="search", method="filter_combined",
        max_length=MAX_QUERY_LENGTH,
        help_text='Full text in title, headings and body (web-search syntax: "phrase", OR, '
        "-word, prefix*; case, accents and stop words such as 'the' ignored), e.g. "
        "solidarity. Hits are the best 500 by relevance (or the first 500 by date); each "
        "carries its rank and snippet.",
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
    locals().update(date_filters("effective_date_start", "effective_date_end", ARTICLE_DATE))
    undated = BooleanFilter(
        field_name="date_source", lookup_expr="exact", method="filter_undated",
        help_text="true: only articles with no known date (the date filters never match them); "
        "false: only dated ones; e.g. true.",
    )  # fmt: skip
    ordering = ChoiceFilter(
        field_name="ordering", lookup_expr="exact", method="filter_combined",
        choices=[(o, o) for o in ORDERINGS],
        help_text="relevance (needs q; the default with q), date or -date (the article's "
        "date; undated last), id (the default without q), title, word_count; - for "
        "descending; ties by id; e.g. -date.",
    )  # fmt: skip

    class Meta:
        model = Article
        fields: list[str] = []

    #: The search engine's answer when ``q`` was given with an engine ordering (set by
    #: ``qs``): every hit's id in order, and the total. ``None`` otherwise.
    found: engine.Candidates | None = None

    @property
    def resolved_ordering(self) -> str:
        """The ``ordering`` asked for, else the default: relevance with ``q``, else id."""
        data = self.form.cleaned_data
        return data.get("ordering") or ("relevance" if data.get("q") else "id")

    def combination_errors(self) -> dict[str, list[ValidationError]]:
        errors = super().combination_errors()
        data = self.form.cleaned_data
        if data.get("ordering") == "relevance" and not data.get("q"):
            errors["ordering"] = [
                ValidationError(
                    "ordering=relevance needs a full-text query (q); without one use date, "
                    "-date, id, title or word_count.",
                    code="needs_query",
                )
            ]
        return errors

    def narrows(self) -> bool:
        """Whether any filter besides ``q`` narrows the articles (the engines plan for it)."""
        ignored = {"q", "ordering", "full_text", "mentions_mode"}
        return any(
            value not in (None, "", [])
            for name, value in self.form.cleaned_data.items()
            if name not in ignored
        )

    def years(self) -> list[int]:
        """The years the date filters keep (``engine.span_years``), for the search index."""
        data = self.form.cleaned_data
        spans = [data.get(name) for name in ("date_after", "year", "decade")]
        firsts = [s.start for s in spans if s is not None]
        spans = [data.get(name) for name in ("date_before", "year", "decade")]
        lasts = [s.end for s in spans if s is not None]
        if not firsts or not lasts:
            return []
        return engine.span_years(max(firsts), min(lasts))

    def keys(self) -> dict[str, list]:
        """The publications and kinds the filters keep, for the search index's copy of each
        article's keys (``engine.find``): narrowing only, the filters still decide."""
        data = self.form.cleaned_data
        keys = {}
        if data.get("publication"):
            keys["publication"] = list(data["publication"])  # ids (RecordField)
        if data.get("kind"):
            keys["kind"] = list(data["kind"])
        return keys

    # -- filters --------------------------------------------------------------------------

    def filter_author(self, queryset, name, value):
        return queryset.filter(
            Exists(Authorship.objects.filter(article=OuterRef("pk"), person__in=value))
        )

    def filter_has_author(self, queryset, name, value):
        # The same rule as Article.objects.unsigned(): only a public person signs.
        signed = Exists(
            Authorship.objects.filter(Person.public_q("person__"), article=OuterRef("pk"))
        )
        return queryset.filter(signed if value else ~signed)

    def filter_undated(self, queryset, name, value):
        undated = Q(date_source=Article.DateSource.UNDATED)
        return queryset.filter(undated if value else ~undated)

    def filter_full_text(self, queryset, name, value):
        return queryset  # read by the view's exporter, not a filter on rows

    def filter_combined(self, queryset, name, value):
        return queryset  # applied together in filter_queryset

    def records(self, target: str, pks: list[int], using: str = "default") -> Exists | Q:
        """Articles with a public mention of any of ``pks``; for events, also the articles
        a curator linked to them (``Event.public_article_links()``).

        When those articles are few (at most ``FEW_MENTIONED``), their ids are read first
        (one index read of the mentions) and the filter is ``pk IN (ids)``. As a correlated
        ``EXISTS``, PostgreSQL estimated the publications joined to the mentions of one
        place as ten rows instead of ten per mention, crossed them, and looked each
        article up once per publication: ten lookups per row, 76 ms instead of 10 for a
        place's 2,000 articles at a million, in the list, the search and the export alike.
        Many articles (a person named in half the archive) keep the ``EXISTS``."""
        # The queryset is public articles already (the class docstring).
        mentions = Mention.objects.using(using).public(target=target, article_public=True)
        mentions = mentions.filter(**{f"{target}__in": pks})
        few = [mentions]
        if target == "event":
            links = Event.public_article_links().using(using).filter(event__in=pks)
            few.append(links)
        found: set[int] = set()
        read = 0
        for related in few:
            # Not DISTINCT in SQL: that would read every mention before the LIMIT.
            ids = list(related.order_by().values_list("article_id", flat=True)[: FEW_MENTIONED + 1])
            read += len(ids)
            found.update(ids)
            if read > FEW_MENTIONED:
                break
        else:
            return Q(pk__in=engine.id_set(sorted(found)))
        kept = Exists(mentions.filter(article=OuterRef("pk")))
        if target == "event":
            kept = kept | Exists(links.filter(article=OuterRef("pk")))
        return kept

    def filter_mentioned(self, queryset: QuerySet) -> QuerySet:
        data = self.form.cleaned_data
        wanted = {target: data.get(target) or [] for target in TARGETS}
        if not any(wanted.values()):
            return queryset
        if data.get("mentions_mode") == "all":
            for target, pks in wanted.items():
                for pk in pks:
                    queryset = queryset.filter(self.records(target, [pk], queryset.db))
            return queryset
        conditions = [
            self.records(target, pks, queryset.db) for target, pks in wanted.items() if pks
        ]
        return queryset.filter(reduce(operator.or_, conditions))

    def filter_queryset(self, queryset):
        # Each filter in turn (q, ordering and the mention filters are no-ops there), then
        # the mentions together, then the search, then the order.
        narrowed = self.filter_mentioned(df.FilterSet.filter_queryset(self, queryset))
        query = self.form.cleaned_data.get("q")
        ordering = self.resolved_ordering
        if query:
            parsed = parse(query)
            if ordering in engine.ORDERINGS:
                self.found = engine.find(
                    parsed,
                    narrowed,
                    ordering,
                    narrowed=self.narrows(),
                    years=self.years(),
                    keys=self.keys(),
                )
                narrowed = engine.hits(queryset, self.found, parsed, ordering)
            else:
                narrowed = engine.filter_articles(narrowed, query)
        return order_articles(narrowed, ordering)


__all__ = ["ORDERINGS", "ArticleFilterSet", "order_articles"]
