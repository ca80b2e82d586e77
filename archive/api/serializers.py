"""JSON shapes of the API: each record is its export row, plus links and what a detail embeds.

A list item is, key for key and value for value, the row the resource's CSV and JSON Lines
downloads hold (:meth:`archive.exports.Exporter.json_record`: same columns, ``null`` for a
missing value, many values joined with ``"; "``), followed by its ``url`` (API detail) and
``page_url`` (public page); a search hit adds ``rank`` and ``snippet``. So a researcher who
moves between JSON, CSV and JSON Lines finds the same fields and the same values
(``tests/api/test_format_parity.py``, ``tests/api/test_pandas_parity.py``). A detail is the
same record with what a reader needs embedded (issues, mentions, events…).

Only public related records are embedded, by the model layer's rule
(``Model.objects.public()``, ``Model.public_q()``, ``is_public()``,
``Article.public_authorships``): a serializer never decides visibility itself.
"""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from archive.exports import (
    ArticleExporter,
    EventExporter,
    Exporter,
    IssueExporter,
    MentionExporter,
    OrganisationExporter,
    PersonExporter,
    PlaceExporter,
    PublicationExporter,
)
from archive.models import (
    Article,
    Authorship,
    Event,
    EventParticipant,
    Issue,
    Mention,
    Publication,
)
from archive.routes import route
from archive.search import attach_snippets


def api_url(request, name: str, pk) -> str | None:
    """The record's canonical API URL (absolute when there is a request). Unlike DRF's
    ``reverse`` it does not carry the request's ``?format=`` along: a record's ``url`` is
    the same in every answer."""
    if pk is None:
        return None
    return _absolute(request, route(f"api:{name}-detail", pk=pk))


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def page_url(request, obj) -> str | None:
    """The record's public page, once the public pages define its route."""
    try:
        path = obj.get_absolute_url()
    except NoReverseMatch:
        return None
    return request.build_absolute_uri(path) if request is not None else path


class _Base(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    api_name: str = ""

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str | None:
        return api_url(self.context.get("request"), self.api_name, obj.pk)

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, obj) -> str | None:
        return page_url(self.context.get("request"), obj)


# -- small references embedded in other records ----------------------------------------------


class PublicationRefSerializer(_Base):
    api_name = "publication"

    class Meta:
        model = Publication
        fields = ["id", "url", "title", "slug"]


class IssueRefSerializer(_Base):
    api_name = "issue"
    label = serializers.SerializerMethodField()

    class Meta:
        model = Issue
        fields = ["id", "url", "label", "slug", "date", "date_display"]

    def get_label(self, obj) -> str:
        parts = (obj.volume and f"vol. {obj.volume}", obj.number and f"no. {obj.number}")
        return " ".join(p for p in parts if p) or obj.title or obj.date


class EntityRefSerializer(serializers.Serializer):
    """``{"id", "url", "name", "slug"}`` for a person, organisation, place or event."""

    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    name = serializers.SerializerMethodField()
    slug = serializers.CharField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str | None:
        return api_url(self.context.get("request"), obj._meta.model_name, obj.pk)

    def get_name(self, obj) -> str:
        return getattr(obj, "name", None) or getattr(obj, "title", "")


class AuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="person.id")
    url = serializers.SerializerMethodField()
    name = serializers.CharField(source="person.name")
    slug = serializers.CharField(source="person.slug")
    role = serializers.CharField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str | None:
        return api_url(self.context.get("request"), "person", obj.person_id)


class MentionedSerializer(EntityRefSerializer):
    count = serializers.IntegerField(help_text="Times mentioned in the article.")


# -- export rows ------------------------------------------------------------------------------

#: How each export column type is declared in the schema (all but the id may be null).
_COLUMN_FIELDS = {
    "integer": serializers.IntegerField,
    "string": serializers.CharField,
    "date": serializers.DateField,
    "datetime": serializers.DateTimeField,
    "number": serializers.FloatField,
    "boolean": serializers.BooleanField,
}


def row_fields(exporter_class: type[Exporter]) -> dict[str, serializers.Field]:
    """The exporter's columns as read-only serializer fields (for the OpenAPI schema). A
    full-text column (an article's ``body``) is only there when asked for (``full_text``):
    it is described in the text, not declared, so a record without it matches the schema."""
    fields: dict[str, serializers.Field] = {}
    for column in exporter_class().fields:
        fields[column.name] = _COLUMN_FIELDS[column.type](
            read_only=True, allow_null=not column.primary_key, help_text=column.description
        )
    return fields


class RowSerializer(serializers.Serializer):
    """A record as its export row (``instance.export_record``, set by the view from the
    exporter's one query for the page), then every other declared field (links, search
    fields, embedded data) computed from the instance."""

    url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    api_name: str = ""

    def to_representation(self, instance):
        data = dict(instance.export_record)
        for field in self._readable_fields:
            if field.field_name in data or field.field_name in self.row_names:
                continue
            attribute = field.get_attribute(instance)
            data[field.field_name] = (
                None if attribute is None else field.to_representation(attribute)
            )
        return data

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str | None:
        return api_url(self.context.get("request"), self.api_name, obj.pk)

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, obj) -> str | None:
        return page_url(self.context.get("request"), obj)


def row_serializer(
    name: str, exporter_class: type[Exporter], api_name: str, base=RowSerializer
) -> type[RowSerializer]:
    """A serializer whose fields are ``exporter_class``'s columns, then ``url``, ``page_url``
    and ``base``'s own fields."""
    fields = row_fields(exporter_class)
    return type(
        name,
        (base,),
        {
            **fields,
            "api_name": api_name,
            "row_names": frozenset(fields),
            "__module__": __name__,
            "__doc__": f"A {api_name}: its export row ({exporter_class.resource}), then links.",
        },
    )


# -- publications and issues -----------------------------------------------------------------


PublicationSerializer = row_serializer("Publication", PublicationExporter, "publication")


def _public_ref(obj, context):
    """A reference to ``obj`` when the public may see it, else ``None`` (never a draft's name)."""
    if obj is None or not obj.is_public():
        return None
    return EntityRefSerializer(obj, context=context).data


class _PublicationDetail(RowSerializer):
    issues = serializers.SerializerMethodField()

    @extend_schema_field(IssueRefSerializer(many=True))
    def get_issues(self, obj):
        issues = obj.issues.public().order_by("date_start", "id")
        return IssueRefSerializer(issues, many=True, context=self.context).data


PublicationDetailSerializer = row_serializer(
    "PublicationDetail", PublicationExporter, "publication", _PublicationDetail
)
IssueSerializer = row_serializer("Issue", IssueExporter, "issue")


class ArticleRefSerializer(_Base):
    api_name = "article"

    class Meta:
        model = Article
        fields = ["id", "url", "title", "slug"]


class _IssueDetail(RowSerializer):
    articles = serializers.SerializerMethodField()

    @extend_schema_field(ArticleRefSerializer(many=True))
    def get_articles(self, obj):
        articles = obj.articles.public().order_by("position", "id")
        return ArticleRefSerializer(articles, many=True, context=self.context).data


IssueDetailSerializer = row_serializer("IssueDetail", IssueExporter, "issue", _IssueDetail)


# -- articles ------------------------------------------------------------------------------


class ArticleListSerializer(serializers.ListSerializer):
    """A page of articles; with ``?q=`` each hit also gets its highlighted snippet, in one
    query for the page (``archive.search.attach_snippets``)."""

    def to_representation(self, data):
        request = self.context.get("request")
        query = (request.query_params.get("q") or "").strip() if request is not None else ""
        articles = data.all() if hasattr(data, "all") else data
        return super().to_representation(attach_snippets(articles, query))


#: Fields only a full-text search fills (null otherwise); a detail has none.
SEARCH_FIELDS = ("rank", "snippet")


class _ArticleSearchFields(RowSerializer):
    """An article of a list: with ``q``, the hit's relevance and passage (JSON only)."""

    rank = serializers.FloatField(
        source="search_rank", read_only=True, allow_null=True, default=None,
        help_text="With q: the hit's relevance, higher is better (ordering=relevance lists "
        "hits by it). Null without q.",
    )  # fmt: skip
    snippet = serializers.CharField(
        source="search_snippet", read_only=True, allow_null=True, default=None,
        help_text="With q: a passage of the body as HTML, the text escaped and the matching "
        "words in <mark>. Null without q.",
    )  # fmt: skip

    class Meta:
        list_serializer_class = ArticleListSerializer


ArticleSerializer = row_serializer("Article", ArticleExporter, "article", _ArticleSearchFields)


class IllustrationSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    caption = serializers.CharField()
    page = serializers.CharField()
    after_paragraph = serializers.IntegerField(allow_null=True)


class EventRefSerializer(_Base):
    """``{"id", "url", "slug", "title", "date"}`` of an event an article records."""

    api_name = "event"

    class Meta:
        model = Event
        fields = ["id", "url", "slug", "title", "date"]


class _ArticleDetail(RowSerializer):
    body = serializers.CharField(read_only=True)
    mentions = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    illustrations = IllustrationSerializer(many=True, read_only=True)
    formats = serializers.SerializerMethodField()

    authors = AuthorSerializer(
        source="public_authorships", many=True, read_only=True,
        help_text="The public authors, editors and translators, with their roles.",
    )  # fmt: skip

    @extend_schema_field(EventRefSerializer(many=True))
    def get_events(self, obj):
        """Public events the article records (prefetched by the view as ``public_events``)."""
        events = getattr(obj, "public_events", None)
        if events is None:
            events = Event.objects.public().filter(articles=obj).order_by("date_start", "id")
        return EventRefSerializer(events, many=True, context=self.context).data

    @extend_schema_field(
        inline_serializer(
            name="ArticleMentions",
            fields={
                t: MentionedSerializer(many=True)
                for t in ("people", "organisations", "places", "events")
            },
        )
    )
    def get_mentions(self, obj):
        groups = {"people": [], "organisations": [], "places": [], "events": []}
        plural = {"person": "people", "organisation": "organisations", "place": "places",
                  "event": "events"}  # fmt: skip
        for mention in obj.public_mentions:
            target = mention.target
            target.count = mention.count
            groups[plural[mention.target_type]].append(
                MentionedSerializer(target, context=self.context).data
            )
        return groups

    @extend_schema_field(
        {"type": "object", "additionalProperties": {"type": "string", "format": "uri"}}
    )
    def get_formats(self, obj) -> dict[str, str]:
        request = self.context.get("request")
        base = api_url(request, "article", obj.pk)
        return {
            "json": base,
            "text": f"{base}text/",
            "jsonld": f"{base}jsonld/",
            "bibtex": f"{base}cite/?style=bibtex",
            "ris": f"{base}cite/?style=ris",
            "csl-json": f"{base}cite/?style=csl-json",
            "csv": f"{base}?format=csv",
        }


ArticleDetailSerializer = row_serializer(
    "ArticleDetail", ArticleExporter, "article", _ArticleDetail
)


# -- people, organisations, places ---------------------------------------------------------

PersonSerializer = row_serializer("Person", PersonExporter, "person")
OrganisationSerializer = row_serializer("Organisation", OrganisationExporter, "organisation")
PlaceSerializer = row_serializer("Place", PlaceExporter, "place")


#: How many related articles a detail record embeds; the ``all`` link lists every one.
EMBED_LIMIT = 100


class _EntityDetailMixin(RowSerializer):
    articles = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    target = ""

    @extend_schema_field(
        inline_serializer(
            name="MentioningArticles",
            fields={
                "count": serializers.IntegerField(),
                "all": serializers.URLField(),
                "results": MentionedSerializer(many=True),
            },
        )
    )
    def get_articles(self, obj):
        """Articles mentioning the record (first 100 by date, undated last; ``all`` lists
        every one)."""
        mentions = (
            Mention.objects.public(target=self.target)
            .filter(**{self.target: obj})
            .select_related("article")
            .order_by(F("article__effective_date_start").asc(nulls_last=True), "article_id")
        )
        request = self.context.get("request")
        results = []
        for mention in mentions[:EMBED_LIMIT]:
            article = mention.article
            article.count = mention.count
            results.append(
                {
                    "id": article.pk,
                    "url": api_url(request, "article", article.pk),
                    "name": article.title,
                    "slug": article.slug,
                    "count": mention.count,
                }
            )
        base = _absolute(request, reverse("api:article-list"))
        return {"count": mentions.count(), "all": f"{base}?{self.target}={obj.pk}",
                "results": results}  # fmt: skip

    @extend_schema_field(EntityRefSerializer(many=True))
    def get_events(self, obj):
        """Events the record took part in (people, organisations) or that happened there."""
        if self.target == "place":
            events = obj.events.public()
        else:
            roles = EventParticipant.objects.public().filter(
                event=OuterRef("pk"), **{self.target: obj}
            )
            events = Event.objects.public().filter(Exists(roles))
        return EntityRefSerializer(
            events.order_by("date_start", "id"), many=True, context=self.context
        ).data


class _PersonDetail(_EntityDetailMixin):
    target = "person"
    authored = serializers.SerializerMethodField()

    @extend_schema_field(ArticleRefSerializer(many=True))
    def get_authored(self, obj):
        """Articles the person wrote, edited or translated."""
        authored = Exists(Authorship.objects.filter(article=OuterRef("pk"), person=obj))
        articles = Article.objects.public().filter(authored)
        return ArticleRefSerializer(
            articles.order_by(F("effective_date_start").asc(nulls_last=True), "id")[:EMBED_LIMIT],
            many=True, context=self.context,
        ).data  # fmt: skip


class _OrganisationDetail(_EntityDetailMixin):
    target = "organisation"


class _PlaceDetail(_EntityDetailMixin):
    target = "place"


PersonDetailSerializer = row_serializer("PersonDetail", PersonExporter, "person", _PersonDetail)
OrganisationDetailSerializer = row_serializer(
    "OrganisationDetail", OrganisationExporter, "organisation", _OrganisationDetail
)
PlaceDetailSerializer = row_serializer("PlaceDetail", PlaceExporter, "place", _PlaceDetail)


# -- events and mentions ---------------------------------------------------------------------


class ParticipantSerializer(serializers.Serializer):
    role = serializers.CharField()
    person = serializers.SerializerMethodField()
    organisation = serializers.SerializerMethodField()

    @extend_schema_field(EntityRefSerializer(allow_null=True))
    def get_person(self, obj):
        return _public_ref(obj.person, self.context)

    @extend_schema_field(EntityRefSerializer(allow_null=True))
    def get_organisation(self, obj):
        return _public_ref(obj.organisation, self.context)


EventSerializer = row_serializer("Event", EventExporter, "event")


class _EventDetail(RowSerializer):
    participants = serializers.SerializerMethodField()
    articles = serializers.SerializerMethodField()

    @extend_schema_field(ParticipantSerializer(many=True))
    def get_participants(self, obj):
        participants = (
            obj.participants.public()
            .select_related("person", "organisation")
            .order_by("role", "id")
        )
        return ParticipantSerializer(participants, many=True, context=self.context).data

    @extend_schema_field(ArticleRefSerializer(many=True))
    def get_articles(self, obj):
        """Public articles that record the event (public event–article links) or mention it
        (public mentions), by date, undated last."""
        records = Event.public_article_links().filter(event=obj, article=OuterRef("pk"))
        mentions = Mention.objects.public(target="event").filter(event=obj, article=OuterRef("pk"))
        articles = Article.objects.public().filter(Q(Exists(records)) | Q(Exists(mentions)))
        return ArticleRefSerializer(
            articles.order_by(F("effective_date_start").asc(nulls_last=True), "id")[:EMBED_LIMIT],
            many=True, context=self.context,
        ).data  # fmt: skip


EventDetailSerializer = row_serializer("EventDetail", EventExporter, "event", _EventDetail)


class _MentionLinks(RowSerializer):
    page_url = None  # a mention has no page of its own (its article has: article_id)


MentionSerializer = row_serializer("Mention", MentionExporter, "mention", _MentionLinks)
