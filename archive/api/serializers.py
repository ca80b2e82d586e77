"""JSON shapes of the API: compact list items, detail records that embed what a reader needs.

Every record and every embedded reference carries a ``url`` to its API detail, so clients
can walk the archive without building URLs. Related data is fetched by the views with
``select_related``/``prefetch_related`` (list query counts are pinned in tests), and only
public related records are embedded, by the model layer's rule (``Model.objects.public()``,
``Model.public_q()``, ``is_public()``, ``Article.public_authorships``): a serializer never
decides visibility itself.
"""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from archive.models import (
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
)
from archive.search import attach_snippets


def api_url(request, name: str, pk) -> str | None:
    """The record's canonical API URL (absolute when there is a request). Unlike DRF's
    ``reverse`` it does not carry the request's ``?format=`` along: a record's ``url`` is
    the same in every answer."""
    if pk is None:
        return None
    return _absolute(request, reverse(f"api:{name}-detail", kwargs={"pk": pk}))


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


# -- publications and issues -----------------------------------------------------------------


class PublicationSerializer(_Base):
    api_name = "publication"
    publisher = serializers.SerializerMethodField()
    place = serializers.SerializerMethodField()

    class Meta:
        model = Publication
        fields = [
            "id", "url", "page_url", "slug", "title", "kind", "language", "issn",
            "run", "run_start", "run_end", "publisher", "place", "description", "wikidata",
        ]  # fmt: skip

    @extend_schema_field(EntityRefSerializer(allow_null=True))
    def get_publisher(self, obj):
        return _public_ref(obj.publisher, self.context)

    @extend_schema_field(EntityRefSerializer(allow_null=True))
    def get_place(self, obj):
        return _public_ref(obj.place, self.context)


def _public_ref(obj, context):
    """A reference to ``obj`` when the public may see it, else ``None`` (never a draft's name)."""
    if obj is None or not obj.is_public():
        return None
    return EntityRefSerializer(obj, context=context).data


class PublicationDetailSerializer(PublicationSerializer):
    issues = serializers.SerializerMethodField()

    class Meta(PublicationSerializer.Meta):
        fields = [*PublicationSerializer.Meta.fields, "issues"]

    @extend_schema_field(IssueRefSerializer(many=True))
    def get_issues(self, obj):
        issues = obj.issues.public().order_by("date_start", "id")
        return IssueRefSerializer(issues, many=True, context=self.context).data


class IssueSerializer(_Base):
    api_name = "issue"
    publication = PublicationRefSerializer()

    class Meta:
        model = Issue
        fields = [
            "id", "url", "page_url", "publication", "slug", "volume", "number", "title",
            "date", "date_start", "date_end", "date_display", "pages", "notes",
        ]  # fmt: skip


class ArticleRefSerializer(_Base):
    api_name = "article"

    class Meta:
        model = Article
        fields = ["id", "url", "title", "slug"]


class IssueDetailSerializer(IssueSerializer):
    articles = serializers.SerializerMethodField()

    class Meta(IssueSerializer.Meta):
        fields = [*IssueSerializer.Meta.fields, "articles"]

    @extend_schema_field(ArticleRefSerializer(many=True))
    def get_articles(self, obj):
        articles = obj.articles.public().order_by("position", "id")
        return ArticleRefSerializer(articles, many=True, context=self.context).data


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


class ArticleSerializer(_Base):
    """An article. ``date`` is its effective date (``Article.effective_date_rule()``), the one
    it is filtered, sorted and cited by; ``date_source`` says where it comes from; the
    dateline is kept as printed (``date_display``) and as EDTF (``dateline``)."""

    api_name = "article"
    publication = PublicationRefSerializer(source="issue.publication")
    issue = IssueRefSerializer()
    authors = AuthorSerializer(source="public_authorships", many=True)
    date = serializers.CharField(
        source="effective_date",
        help_text="The article's date in EDTF: its dateline, else the date it was first "
        "published (a reprint), else, for an introduction, editorial or timeline, its issue's "
        "date; empty when undated. See date_source.",
    )
    date_start = serializers.DateField(
        source="effective_date_start", allow_null=True,
        help_text="Earliest day the date may fall on; null when undated.",
    )  # fmt: skip
    date_end = serializers.DateField(
        source="effective_date_end", allow_null=True,
        help_text="Latest day the date may fall on; null when undated.",
    )  # fmt: skip
    date_source = serializers.ChoiceField(
        choices=Article.DateSource.choices,
        help_text="Where date comes from: dateline, first_published, issue or undated.",
    )
    dateline = serializers.CharField(
        source="date", help_text="The article's own dateline in EDTF; empty when it has none."
    )
    rank = serializers.FloatField(
        source="search_rank", read_only=True, allow_null=True,
        help_text="With q: the hit's relevance, higher is better (ordering=relevance lists "
        "hits by it). Null without q.",
    )  # fmt: skip
    snippet = serializers.CharField(
        source="search_snippet", read_only=True, allow_null=True,
        help_text="With q: a passage of the body as HTML, the text escaped and the matching "
        "words in <mark>. Null without q.",
    )  # fmt: skip

    class Meta:
        model = Article
        list_serializer_class = ArticleListSerializer
        fields = [
            "id", "url", "page_url", "slug", "title", "subtitle", "kind", "label", "position",
            "language", "date", "date_start", "date_end", "date_source", "dateline",
            "date_display", "first_published_date", "pages", "word_count", "publication",
            "issue", "authors", *SEARCH_FIELDS,
        ]  # fmt: skip


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


class ArticleDetailSerializer(ArticleSerializer):
    body = serializers.CharField()
    mentions = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    illustrations = IllustrationSerializer(many=True)
    formats = serializers.SerializerMethodField()

    class Meta(ArticleSerializer.Meta):
        fields = [
            *(f for f in ArticleSerializer.Meta.fields if f not in SEARCH_FIELDS),
            "body", "mentions", "events", "illustrations", "formats",
        ]  # fmt: skip

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


# -- people, organisations, places ---------------------------------------------------------


class _EntitySerializer(_Base):
    variant_names = serializers.SerializerMethodField()

    def get_variant_names(self, obj) -> list[str]:
        return [alias.name for alias in obj.aliases.all()]


class PersonSerializer(_EntitySerializer):
    api_name = "person"

    class Meta:
        model = Person
        fields = [
            "id", "url", "page_url", "slug", "name", "sort_name", "variant_names",
            "birth", "birth_start", "birth_end", "death", "death_start", "death_end",
            "country", "description", "wikidata", "viaf",
        ]  # fmt: skip


class OrganisationSerializer(_EntitySerializer):
    api_name = "organisation"
    parent = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = [
            "id", "url", "page_url", "slug", "name", "acronym", "kind", "country",
            "variant_names", "founded", "founded_start", "founded_end", "dissolved",
            "dissolved_start", "dissolved_end", "parent", "description", "wikidata",
        ]  # fmt: skip

    @extend_schema_field(EntityRefSerializer(allow_null=True))
    def get_parent(self, obj):
        return _public_ref(obj.parent, self.context)


class PlaceSerializer(_EntitySerializer):
    api_name = "place"

    class Meta:
        model = Place
        fields = [
            "id", "url", "page_url", "slug", "name", "kind", "country_code", "latitude",
            "longitude", "variant_names", "description", "geonames", "wikidata",
        ]  # fmt: skip


#: How many related articles a detail record embeds; the ``all`` link lists every one.
EMBED_LIMIT = 100


class _EntityDetailMixin(serializers.Serializer):
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


class PersonDetailSerializer(_EntityDetailMixin, PersonSerializer):
    target = "person"
    authored = serializers.SerializerMethodField()

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "authored", "articles", "events"]

    @extend_schema_field(ArticleRefSerializer(many=True))
    def get_authored(self, obj):
        """Articles the person wrote, edited or translated."""
        authored = Exists(Authorship.objects.filter(article=OuterRef("pk"), person=obj))
        articles = Article.objects.public().filter(authored)
        return ArticleRefSerializer(
            articles.order_by(F("effective_date_start").asc(nulls_last=True), "id")[:EMBED_LIMIT],
            many=True, context=self.context,
        ).data  # fmt: skip


class OrganisationDetailSerializer(_EntityDetailMixin, OrganisationSerializer):
    target = "organisation"

    class Meta(OrganisationSerializer.Meta):
        fields = [*OrganisationSerializer.Meta.fields, "articles", "events"]


class PlaceDetailSerializer(_EntityDetailMixin, PlaceSerializer):
    target = "place"

    class Meta(PlaceSerializer.Meta):
        fields = [*PlaceSerializer.Meta.fields, "articles", "events"]


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


class EventSerializer(_Base):
    api_name = "event"
    places = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "id", "url", "page_url", "slug", "title", "kind", "date", "date_start",
            "date_end", "date_display", "description", "places",
        ]  # fmt: skip

    @extend_schema_field(EntityRefSerializer(many=True))
    def get_places(self, obj):
        """Public places (prefetched by the view as ``public_places``)."""
        places = getattr(obj, "public_places", None)
        if places is None:
            places = obj.places.public().order_by("name_folded", "id")
        return EntityRefSerializer(places, many=True, context=self.context).data


class EventDetailSerializer(EventSerializer):
    participants = serializers.SerializerMethodField()
    articles = serializers.SerializerMethodField()

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "participants", "articles"]

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


class MentionSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    article = ArticleRefSerializer()
    target_type = serializers.CharField()
    target = serializers.SerializerMethodField()

    class Meta:
        model = Mention
        fields = [
            "id", "url", "article", "target_type", "target", "count", "first_offset",
            "context", "status",
        ]  # fmt: skip

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str | None:
        return api_url(self.context.get("request"), "mention", obj.pk)

    @extend_schema_field(EntityRefSerializer)
    def get_target(self, obj):
        return EntityRefSerializer(obj.target, context=self.context).data
