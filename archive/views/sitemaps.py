"""The sitemap: ``/sitemap.xml`` is a sitemap index of pages of at most ``SITEMAP_LIMIT`` URLs.

The sitemap protocol caps one file at 50,000 URLs (and 50 MB); a million articles are twenty
times that, and one file built in memory took seconds. So the sitemap is split by section
(static pages, publications, issues, articles, people, organisations, places, events), each
section into pages served by Django's own ``django.contrib.sitemaps`` view with ``?p=N``.

A record section is paged by primary-key range, not by OFFSET: page ``N`` holds the public
records with ``(N - 1) * limit < pk <= N * limit``, in pk order. Reading a late page is then
an index range scan of at most ``limit`` rows whatever its number, and a page's content
changes only when one of its own records does (with OFFSET, publishing one early record would
shift every later page). Gaps in the ids (drafts, deleted records) make some pages shorter;
the index lists only the pages that hold a public record.

Visibility is the model layer's ``.public()``: nothing under a draft issue or publication.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.db.models import Count, F, Max, Value
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property

from archive.models import Article, Event, Issue, Organisation, Person, Place, Publication

from .common import absolute

#: The protocol's cap on URLs per sitemap file; ``settings.SITEMAP_LIMIT`` overrides it (the
#: tests use 2 to get several pages from a small archive).
SITEMAP_LIMIT = 50_000

#: Lists and pages that are not one record's page.
STATIC_PATHS = (
    "/",
    "/publications/",
    "/people/",
    "/organisations/",
    "/places/",
    "/map/",
    "/timeline/",
    "/data/",
)


def sitemap_limit() -> int:
    return getattr(settings, "SITEMAP_LIMIT", SITEMAP_LIMIT)


@dataclass(frozen=True)
class IndexEntry:
    """One page of one section, as the index lists it."""

    number: int
    lastmod: datetime | None = None


@dataclass(frozen=True)
class PkRangePage:
    """What Django's ``Sitemap`` reads from a paginator's page."""

    number: int
    object_list: models.QuerySet


class PkRangePaginator:
    """Pages of a queryset ordered by pk, page ``N`` being the pk range
    ``((N - 1) * limit, N * limit]``: at most ``limit`` rows each, found through the primary
    key's index however late the page (Django's ``Paginator`` counts every row and then reads
    past ``OFFSET`` rows, which at a million articles is the whole table for the last page).
    """

    def __init__(self, queryset: models.QuerySet, limit: int) -> None:
        self.queryset = queryset
        self.limit = limit

    @cached_property
    def num_pages(self) -> int:
        """Up to the page of the highest public pk: one backward walk of the pk index."""
        last = self.queryset.order_by("-pk").values_list("pk", flat=True).first()
        return max(1, -(-last // self.limit)) if last else 1

    def validate_number(self, number: Any) -> int:
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if number < 1 or number > self.num_pages:
            raise EmptyPage("That page contains no results")
        return number

    def page(self, number: Any) -> PkRangePage:
        number = self.validate_number(number)
        low, high = (number - 1) * self.limit, number * self.limit
        return PkRangePage(number, self.queryset.filter(pk__gt=low, pk__lte=high).order_by("pk"))

    def filled_pages(self) -> list[IndexEntry]:
        """The pages holding at least one public record, each with its latest ``updated``:
        one grouped query over the section."""
        bucket = (F("pk") - 1) / Value(self.limit)
        rows = (
            self.queryset.order_by()
            .annotate(bucket=bucket)
            .values("bucket")
            .annotate(lastmod=Max("updated"), n=Count("pk"))
            .order_by("bucket")
        )
        return [IndexEntry(row["bucket"] + 1, row["lastmod"]) for row in rows]


class ArchiveSitemap(Sitemap):
    """A section whose URLs start with ``SITE_URL`` (the canonical base, as on every page),
    not with whatever Host the request carried."""

    @property
    def limit(self) -> int:  # type: ignore[override]
        return sitemap_limit()

    def get_protocol(self, protocol: str | None = None) -> str:
        if settings.SITE_URL:
            return settings.SITE_URL.split("://", 1)[0]
        return super().get_protocol(protocol)

    def get_domain(self, site: Any = None) -> str:
        if settings.SITE_URL:
            return settings.SITE_URL.rstrip("/").split("://", 1)[1]
        return super().get_domain(site)

    def filled_pages(self) -> list[IndexEntry]:
        raise NotImplementedError


class StaticSitemap(ArchiveSitemap):
    """The lists and fixed pages: a handful of paths, no record behind them."""

    def items(self) -> list[str]:
        return list(STATIC_PATHS)

    def location(self, item: str) -> str:
        return item

    def filled_pages(self) -> list[IndexEntry]:
        pages = Paginator(self.items(), self.limit).num_pages
        return [IndexEntry(number) for number in range(1, pages + 1)]


class RecordSitemap(ArchiveSitemap):
    """The public records of one model, by pk range, each with its ``updated`` as lastmod."""

    model: type[models.Model]
    related: tuple[str, ...] = ()
    #: What ``get_absolute_url()`` reads, besides the record's own slug.
    fields: tuple[str, ...] = ()

    def items(self) -> models.QuerySet:
        queryset = self.model.objects.public()
        if self.related:
            queryset = queryset.select_related(*self.related)
        return queryset.only("pk", "slug", "updated", *self.fields).order_by("pk")

    def lastmod(self, item: models.Model) -> datetime:
        return item.updated

    @property
    def paginator(self) -> PkRangePaginator:  # type: ignore[override]
        return PkRangePaginator(self.items(), self.limit)

    def get_latest_lastmod(self) -> datetime | None:
        """One aggregate (Django's default would read every record to find it)."""
        return self.items().order_by().aggregate(latest=Max("updated"))["latest"]

    def filled_pages(self) -> list[IndexEntry]:
        return self.paginator.filled_pages()


def record_sitemap(
    model: type[models.Model], related: tuple[str, ...] = (), fields: tuple[str, ...] = ()
) -> type[RecordSitemap]:
    return type(
        f"{model.__name__}Sitemap",
        (RecordSitemap,),
        {"model": model, "related": related, "fields": fields},
    )


#: Section name (in the page's URL) → its sitemap. Issue and Article ``public()`` include
#: their parents, and their URLs name the publication's (and issue's) slug.
SECTIONS: dict[str, type[ArchiveSitemap]] = {
    "pages": StaticSitemap,
    "publications": record_sitemap(Publication),
    "issues": record_sitemap(Issue, ("publication",), ("publication__slug",)),
    "articles": record_sitemap(
        Article, ("issue__publication",), ("issue__slug", "issue__publication__slug")
    ),
    "people": record_sitemap(Person),
    "organisations": record_sitemap(Organisation),
    "places": record_sitemap(Place),
    "events": record_sitemap(Event),
}


def _cacheable(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=3600)
    return response


def sitemap_index(request: HttpRequest) -> HttpResponse:
    """``/sitemap.xml``: every page of every section, with its latest ``lastmod``.

    Not Django's ``views.index``: that one writes the request's Host into each location
    (the archive's links use ``SITE_URL``), gives every page of a section the section's
    latest date, and sizes each section with ``Paginator.count``; this one lists only the
    pages that hold a public record, each with its own date, from one grouped query per
    section. The pages themselves are Django's ``views.sitemap``.
    """
    entries = []
    for section, sitemap_class in SECTIONS.items():
        location = absolute(request, reverse("archive:sitemap-section", args=[section]))
        for page in sitemap_class().filled_pages():
            url = location if page.number == 1 else f"{location}?p={page.number}"
            entries.append((url, page.lastmod))
    body = render_to_string("archive/sitemap_index.xml", {"entries": entries})
    response = HttpResponse(body, content_type="application/xml; charset=utf-8")
    return _cacheable(response)


def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    """One page (``?p=N``, 1 by default) of one section: Django's sitemap view; an unknown
    section or a page past the last is 404."""
    response = sitemap_views.sitemap(
        request,
        SECTIONS,
        section=section,
        template_name="archive/sitemap.xml",
        content_type="application/xml; charset=utf-8",
    )
    return _cacheable(response)
