"""Read-only API views. One code path builds the filtered queryset for every format.

``list`` runs the view's ``filter_queryset`` (the resource's strict FilterSet and ordering)
once, then either pages it as JSON (cursor pagination) or hands the *same queryset* to the
resource's exporter, which streams every matching row as CSV or JSON Lines.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from archive.caching import cached_api_data
from archive.citations import Citation, article_jsonld
from archive.exports import (
    ArticleExporter,
    EventExporter,
    IssueExporter,
    MentionExporter,
    OrganisationExporter,
    PersonExporter,
    PlaceExporter,
    PublicationExporter,
)
from archive.exports.kept import KeptExport, keeping_on
from archive.models import (
    Article,
    Event,
    Issue,
    Mention,
    Organisation,
    Person,
    Place,
    Publication,
)

from . import filters, schema, serializers
from .pagination import ArchiveCursorPagination
from .renderers import CSVRenderer, JSONLDRenderer, JSONLinesRenderer, PlainTextRenderer

assert schema.ArchiveFilterExtension  # registers the OpenAPI extension

#: Sort key for a nullable start date (``sort_date``): an open or unknown start sorts first.
#: Cursor pagination needs a non-NULL key; only used to order, never shown. The FilterSets'
#: stand-in, which migration 0025's indexes name.
EARLIEST = filters.EARLIEST

EXPORT_FORMATS = {
    "csv": ("text/csv; charset=utf-8", "iter_csv"),
    "jsonl": ("application/jsonl; charset=utf-8", "iter_jsonl"),
}

FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json", "csv", "jsonl"],
    description="json (default, paged), csv or jsonl (every matching row as one streamed "
    "download). The Accept header works too: text/csv, application/jsonl; e.g. csv.",
)


class AnonymousThrottle(AnonRateThrottle):
    """Anonymous rate from settings at request time (``API_ANON_THROTTLE``, e.g. 600/min),
    so tests and deployments can change it without re-importing DRF."""

    def get_rate(self):
        return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(self.scope)


class AnyRenderer(BaseRenderer):
    """Lets a view that builds its own ``HttpResponse`` accept any ``Accept`` header."""

    media_type = "*/*"
    format = "txt"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class JSONErrorsMixin:
    """Errors are JSON in the API's one shape, whatever format was asked for or the view
    renders (a CSV client still reads the reason; the schema view would answer YAML, the
    docs page HTML)."""

    def finalize_response(self, request, response, *args, **kwargs):
        if isinstance(response, Response) and response.status_code >= 400:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = "application/json"
        return super().finalize_response(request, response, *args, **kwargs)


class ArchiveSchemaView(JSONErrorsMixin, SpectacularAPIView):
    """The OpenAPI schema (YAML, or JSON with ``?format=json``)."""


class ArchiveDocsView(JSONErrorsMixin, SpectacularSwaggerSplitView):
    """Swagger UI over the schema, from local files."""


class ArchiveRedocView(JSONErrorsMixin, SpectacularRedocView):
    """Redoc over the schema, from local files: the package's template loads web fonts from
    a third party and starts Redoc with an inline script, so ours does neither."""

    template_name = "api/redoc.html"


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, keeping the FilterSet it built on the view: a search's total
    (how many articles match, not how many were ranked) is the FilterSet's, and the
    pagination reads it there (``ArchiveCursorPagination.paginate_queryset``)."""

    def get_filterset(self, request, queryset, view):
        view.filterset = super().get_filterset(request, queryset, view)
        return view.filterset


class ArchiveViewSet(JSONErrorsMixin, viewsets.ReadOnlyModelViewSet):
    """Public records only (the model layer's ``public()``); strict filters; JSON pages or
    streamed CSV / JSON Lines."""

    exporter_class: type = None
    detail_serializer_class: type | None = None
    filter_backends = [FilterBackend]
    #: The FilterSet of the request (set by :class:`FilterBackend`).
    filterset = None
    pagination_class = ArchiveCursorPagination
    renderer_classes = [JSONRenderer, CSVRenderer, JSONLinesRenderer]
    throttle_classes = [AnonymousThrottle]
    #: Query parameters a detail view accepts (it has no filters).
    detail_parameters = frozenset({"format"})
    #: What a record's public page URL is built from (``get_absolute_url``), joined once.
    page_url_related: tuple[str, ...] = ()
    #: The only columns a list page's rows read, besides the key and what orders them: its
    #: values come from the exporter's own query (:meth:`attach_records`), so the rows need
    #: only what links them (``get_absolute_url``). ``None``: every column.
    page_fields: tuple[str, ...] | None = ("slug",)

    def get_queryset(self):
        """The public records (``Model.objects.public()``, the whole chain of parents), with
        what filters and ordering need (no display joins)."""
        return self.queryset.model.objects.public()

    def with_related(self, queryset):
        """Joins and prefetches a detail's embedded data needs (a list's records come from
        the exporter's query, see :meth:`attach_records`)."""
        return queryset

    def get_serializer_class(self):
        if self.action != "list" and self.detail_serializer_class:
            return self.detail_serializer_class
        return self.serializer_class

    # -- content negotiation and errors ---------------------------------------------------

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force)
        except Http404 as exc:  # DRF's answer to an unknown ?format=
            formats = [r.format for r in self.get_renderers() if r.format]
            raise exceptions.ValidationError(
                {"format": [f"Unknown format {request.query_params.get('format')!r}: use one "
                            f"of {', '.join(formats)}."]}
            ) from exc  # fmt: skip

    # -- list and detail -------------------------------------------------------------------

    def list(self, request, *args, **kwargs):
        fmt = getattr(request.accepted_renderer, "format", "json")
        if fmt in EXPORT_FORMATS:
            queryset = self.filter_queryset(self.get_queryset())
            # Downloads are not paged, but a bad page_size is still a 400, not ignored.
            self.paginator.get_page_size(request)
            return self.export(queryset, fmt)

        def produce() -> tuple[Any, dict]:
            # Filtered only when not cached: the filters may read the database (a search
            # gathers its hits there, 20-70 ms at a million articles), and an answer kept
            # under the current content version came from these same parameters over the
            # same rows. A bad parameter raises here, and a 400 is never kept.
            queryset = self.filter_queryset(self.get_queryset())
            page = self.paginate_queryset(self.page_rows(queryset))
            self.attach_records(page)
            response = self.get_paginated_response(self.get_serializer(page, many=True).data)
            headers = {k: v for k, v in response.items() if k.lower() != "content-type"}
            return response.data, headers

        # Cached after authentication and throttling, keyed on the content version.
        data, headers = cached_api_data(request, fmt, produce)
        return Response(data, headers=headers)

    def page_rows(self, queryset: QuerySet) -> QuerySet:
        """``queryset`` reading only the columns a list page uses (:attr:`page_fields`): the
        rows of 50 articles with every column of their issues and publications took longer
        to turn into models than to read, for values the page takes from the export row."""
        queryset = queryset.select_related(*self.page_url_related)
        if self.page_fields is None:
            return queryset
        model = queryset.model
        ordered = []
        for name in queryset.query.order_by:
            name = name.lstrip("-") if isinstance(name, str) else None
            try:
                field = model._meta.get_field(name) if name and name != "pk" else None
            except FieldDoesNotExist:
                field = None  # an annotation: always read
            if field is not None and field.concrete:
                ordered.append(name)
        return queryset.only(*self.page_url_related, *self.page_fields, *ordered)

    def get_object(self):
        """Detail views ignore list filters but still refuse unknown parameters."""
        unknown = sorted(set(self.request.query_params) - self.detail_parameters)
        if unknown:
            raise exceptions.ValidationError(
                {name: [f"Unknown parameter {name!r} for this resource. Known parameters: "
                        f"{', '.join(sorted(self.detail_parameters))}."] for name in unknown}
            )  # fmt: skip
        lookup = str(self.kwargs[self.lookup_url_kwarg or self.lookup_field])
        # ASCII digits within a 64-bit id ("²" is a digit to Python; a 30-digit id overflows
        # the database's integer): anything else names no record.
        if not re.fullmatch(r"[0-9]+", lookup) or int(lookup) >= 2**63:
            raise exceptions.NotFound(f"No {self.queryset.model._meta.verbose_name} {lookup!r}.")
        obj = get_object_or_404(self.with_related(self.get_queryset()), pk=lookup)
        self.check_object_permissions(self.request, obj)
        return obj

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        fmt = getattr(request.accepted_renderer, "format", "json")
        if fmt in EXPORT_FORMATS:
            return self.export(self.get_queryset().filter(pk=obj.pk), fmt)
        self.attach_records([obj])
        return Response(self.get_serializer(obj).data)

    def attach_records(self, objects: list) -> None:
        """Give each record its export row (``export_record``), read by the exporter in one
        query for the page, so a JSON record holds exactly the CSV's and JSON Lines' values."""
        using = objects[0]._state.db if objects else "default"
        records = self.get_exporter().json_records([obj.pk for obj in objects], using)
        for obj in objects:
            obj.export_record = records[obj.pk]

    def get_exporter(self):
        return self.exporter_class()

    def export(self, queryset, fmt: str) -> HttpResponse:
        """Stream every row of the filtered queryset through the resource's exporter; a
        large list download is kept, and later readers get the kept file until the archive
        changes (archive/exports/kept.py)."""
        exporter = self.get_exporter()
        content_type, writer = EXPORT_FORMATS[fmt]
        filename = exporter.filename(fmt)
        chunks = getattr(exporter, writer)(queryset)
        if self.action == "list" and keeping_on():
            kept = KeptExport.of(
                exporter.resource,
                fmt,
                self.request.query_params,
                variant=f"full_text={exporter.full_text}",
                using=queryset.db,
            )
            response = kept.response(self.request, content_type, filename)
            if response is not None:
                return response
            chunks = kept.stream(queryset, chunks)
        response = StreamingHttpResponse(chunks, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def _list_schema(resource: str, filterset: str):
    return extend_schema_view(
        list=extend_schema(
            summary=f"List or download {resource}",
            description=(
                f"Published {resource}, filtered by the parameters below. JSON is paged with a "
                "cursor; `format=csv` or `format=jsonl` streams every matching row "
                f"(columns documented in docs/api.md). Example: `/api/{resource}/?format=csv`."
            ),
            parameters=[FORMAT_PARAMETER],
        ),
        retrieve=extend_schema(
            summary=f"One of the {resource}",
            parameters=[FORMAT_PARAMETER],
        ),
    )


# -- resources ---------------------------------------------------------------------------------


@_list_schema("publications", "PublicationFilterSet")
class PublicationViewSet(ArchiveViewSet):
    queryset = Publication.objects.all()
    serializer_class = serializers.PublicationSerializer
    detail_serializer_class = serializers.PublicationDetailSerializer
    filterset_class = filters.PublicationFilterSet
    exporter_class = PublicationExporter

    def get_queryset(self):
        return Publication.objects.public().annotate(sort_date=Coalesce("run_start", EARLIEST))


@_list_schema("issues", "IssueFilterSet")
class IssueViewSet(ArchiveViewSet):
    queryset = Issue.objects.all()
    serializer_class = serializers.IssueSerializer
    detail_serializer_class = serializers.IssueDetailSerializer
    filterset_class = filters.IssueFilterSet
    exporter_class = IssueExporter
    page_url_related = ("publication",)
    page_fields = ("slug", "publication__slug")

    def get_queryset(self):
        return Issue.objects.public().annotate(sort_date=Coalesce("date_start", EARLIEST))


CITATION_STYLES = {
    "bibtex": ("application/x-bibtex; charset=utf-8", "as_bibtex", "bib"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "as_ris", "ris"),
    "csl-json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "as_csl_json", "json"),
    "text": ("text/plain; charset=utf-8", "as_text", "txt"),
}
DEFAULT_CITATION_STYLE = "bibtex"

STYLE_PARAMETER = OpenApiParameter(
    "style",
    OpenApiTypes.STR,
    enum=list(CITATION_STYLES),
    description="Citation format (default bibtex; empty means the default), e.g. ris.",
)
#: The per-article formats are their own URLs: they take no ``format`` parameter, so the
#: schema must not offer one (drf-spectacular adds it for views with several renderers).
NO_FORMAT_PARAMETER = OpenApiParameter("format", exclude=True)

#: CSL-JSON is a list of CSL items (https://citeproc-js.readthedocs.io/en/latest/csl-json/).
CSL_JSON_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["id", "type", "title"],
        "properties": {
            "id": {"type": "string"},
            "type": {"type": "string"},
            "title": {"type": "string"},
        },
        "additionalProperties": True,
    },
}
CITATION_RESPONSES = {
    (200, content_type.split(";")[0]): OpenApiResponse(
        CSL_JSON_SCHEMA if style == "csl-json" else OpenApiTypes.STR,
        description=f"The reference as {style}.",
    )
    for style, (content_type, _method, _extension) in CITATION_STYLES.items()
}


@_list_schema("articles", "ArticleFilterSet")
class ArticleViewSet(ArchiveViewSet):
    queryset = Article.objects.all()
    serializer_class = serializers.ArticleSerializer
    detail_serializer_class = serializers.ArticleDetailSerializer
    filterset_class = filters.ArticleFilterSet
    exporter_class = ArticleExporter
    page_url_related = ("issue__publication",)
    page_fields = ("slug", "issue__slug", "issue__publication__slug")

    def get_queryset(self):
        # Dated, sorted and filtered by the stored effective date (Article.effective_date_rule).
        return Article.objects.public().annotate(
            sort_date=Coalesce("effective_date_start", EARLIEST)
        )

    def with_related(self, queryset):
        # Issue, publication and the public authors (Article.public_authorships), which the
        # citation formats need, and what a detail embeds.
        queryset = queryset.with_related()
        if self.action != "list":
            queryset = queryset.prefetch_related(
                "illustrations",
                Prefetch(
                    "mentions",
                    queryset=Mention.objects.public()
                    .select_related("person", "organisation", "place", "event")
                    .order_by("-count", "first_offset", "id"),
                    to_attr="public_mentions",
                ),
                Prefetch(
                    "events",
                    queryset=Event.objects.public().order_by("date_start", "id"),
                    to_attr="public_events",
                ),
            )
        return queryset

    def get_exporter(self):
        full_text = self.request.query_params.get("full_text", "").lower() in {"true", "1", "yes"}
        return self.exporter_class(full_text=full_text)

    def _article(self, allowed: frozenset[str]):
        self.detail_parameters = allowed
        return self.get_object()

    def _page_url(self, article) -> str:
        return serializers.page_url(self.request, article) or serializers.api_url(
            self.request, "article", article.pk
        )

    @extend_schema(
        summary="An article as plain text",
        parameters=[NO_FORMAT_PARAMETER],
        responses={(200, "text/plain"): OpenApiResponse(OpenApiTypes.STR)},
    )
    @action(detail=True, methods=["get"], renderer_classes=[PlainTextRenderer, AnyRenderer])
    def text(self, request, pk=None):
        """Title, byline, date, source and the reading text, as UTF-8 plain text."""
        article = self._article(frozenset())
        citation = Citation.for_article(article, url=self._page_url(article))
        lines = [citation.title]
        if citation.authors:
            lines.append("By " + ", ".join(a.natural() for a in citation.authors))
        lines += ["", citation.as_text(), "", article.body.strip(), ""]
        return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")

    @extend_schema(
        summary="An article as schema.org JSON-LD",
        parameters=[NO_FORMAT_PARAMETER],
        responses={(200, "application/ld+json"): OpenApiResponse(OpenApiTypes.OBJECT)},
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONLDRenderer, AnyRenderer])
    def jsonld(self, request, pk=None):
        article = self._article(frozenset())
        data = article_jsonld(
            article, url=self._page_url(article), mentions=article.public_mentions
        )
        return HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2),
            content_type="application/ld+json; charset=utf-8",
        )

    @extend_schema(
        summary="Cite an article",
        description="BibTeX, RIS, CSL-JSON or a plain-text reference. Example: "
        "`/api/articles/1/cite/?style=bibtex`.",
        parameters=[STYLE_PARAMETER, NO_FORMAT_PARAMETER],
        # One media type per style, each with its own shape (CSL-JSON is JSON).
        responses=CITATION_RESPONSES,
    )
    @action(detail=True, methods=["get"], renderer_classes=[PlainTextRenderer, AnyRenderer])
    def cite(self, request, pk=None):
        article = self._article(frozenset({"style"}))
        style = request.query_params.get("style") or DEFAULT_CITATION_STYLE
        if style not in CITATION_STYLES:
            raise exceptions.ValidationError(
                {"style": [f"Unknown citation style {style!r}: use one of "
                           f"{', '.join(CITATION_STYLES)}."]}
            )  # fmt: skip
        content_type, method, extension = CITATION_STYLES[style]
        citation = Citation.for_article(article, url=self._page_url(article))
        response = HttpResponse(getattr(citation, method)(), content_type=content_type)
        response["Content-Disposition"] = f'inline; filename="article-{article.pk}.{extension}"'
        return response


class _EntityViewSet(ArchiveViewSet):
    """People, organisations and places."""


@_list_schema("people", "PersonFilterSet")
class PersonViewSet(_EntityViewSet):
    queryset = Person.objects.all()
    serializer_class = serializers.PersonSerializer
    detail_serializer_class = serializers.PersonDetailSerializer
    filterset_class = filters.PersonFilterSet
    exporter_class = PersonExporter


@_list_schema("organisations", "OrganisationFilterSet")
class OrganisationViewSet(_EntityViewSet):
    queryset = Organisation.objects.all()
    serializer_class = serializers.OrganisationSerializer
    detail_serializer_class = serializers.OrganisationDetailSerializer
    filterset_class = filters.OrganisationFilterSet
    exporter_class = OrganisationExporter


@_list_schema("places", "PlaceFilterSet")
class PlaceViewSet(_EntityViewSet):
    queryset = Place.objects.all()
    serializer_class = serializers.PlaceSerializer
    detail_serializer_class = serializers.PlaceDetailSerializer
    filterset_class = filters.PlaceFilterSet
    exporter_class = PlaceExporter


@_list_schema("events", "EventFilterSet")
class EventViewSet(ArchiveViewSet):
    queryset = Event.objects.all()
    serializer_class = serializers.EventSerializer
    detail_serializer_class = serializers.EventDetailSerializer
    filterset_class = filters.EventFilterSet
    exporter_class = EventExporter

    def get_queryset(self):
        return Event.objects.public().annotate(sort_date=Coalesce("date_start", EARLIEST))


@_list_schema("mentions", "MentionFilterSet")
class MentionViewSet(ArchiveViewSet):
    queryset = Mention.objects.all()
    serializer_class = serializers.MentionSerializer
    filterset_class = filters.MentionFilterSet
    exporter_class = MentionExporter
    page_fields = ()  # no page of its own: the key is all a row needs

    def get_queryset(self):
        return Mention.objects.public()


__all__ = [
    "ArticleViewSet",
    "EventViewSet",
    "IssueViewSet",
    "MentionViewSet",
    "OrganisationViewSet",
    "PersonViewSet",
    "PlaceViewSet",
    "PublicationViewSet",
]
