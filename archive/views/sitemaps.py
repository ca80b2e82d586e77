"""The sitemap: ``/sitemap.xml`` is a sitemap index of pages of at most ``SITEMAP_LIMIT`` URLs.

The sitemap protocol caps one file at 50,000 URLs (and 50 MB); a million articles are twenty
times that, and one file built in memory takes minutes. So the sitemap is split by section
(static pages, publications, issues, articles, people, organisations, places, events), each
section into pages (``/sitemap-<section>.xml?p=N``), with ``django.contrib.sitemaps``'
``Sitemap`` classes giving each page its URLs.

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
from xml.sax.saxutils import escape as xml_escape

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.utils.http import http_date

from archive.models import Article, Event, Issue, Organisation, Person, Place, Publication
from archive.routes import path_format

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

URLSET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
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
    def last_pk(self) -> int | None:
        """The highest public pk: one backward walk of the primary key's index."""
        return self.queryset.order_by("-pk").values_list("pk", flat=True).first()

    @cached_property
    def num_pages(self) -> int:
        """Up to the page of the highest public pk (page 1, empty, when there is none)."""
        return -(-self.last_pk // self.limit) if self.last_pk else 1

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

    def filled_pages(self) -> list[int]:
        """The numbers of the pages holding at least one public record: the last page by
        definition, each earlier one by a look into its pk range that stops at the first
        public record (a few milliseconds a page). Reading the section whole to date each
        page took 3.7 s at a million articles."""
        if self.last_pk is None:
            return []
        earlier = [
            number
            for number in range(1, self.num_pages)
            if self.queryset.filter(
                pk__gt=(number - 1) * self.limit, pk__lte=number * self.limit
            ).exists()
        ]
        return [*earlier, self.num_pages]


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

    def rows(self, number: Any, request: HttpRequest) -> list[tuple[str, datetime | None]]:
        """Page ``number``'s absolute URLs with their lastmod, through Django's
        ``get_urls()``; raises ``EmptyPage`` or ``PageNotAnInteger`` for a bad number."""
        site = get_current_site(request)
        urls = self.get_urls(page=number, site=site, protocol=request.scheme)
        return [(url["location"], url["lastmod"]) for url in urls]


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
    """The public records of one model, by pk range, each with its ``updated`` as lastmod.

    A page of 50,000 articles built from model instances and ``get_absolute_url()`` took
    21 s at a million articles, most of it in ``reverse()`` once per URL and in building
    the models. So the rows are tuples of what the URL needs, and the URL is the detail
    route reversed once with placeholders (``archive.routes``), then filled in per row; the
    tests check every
    location against the model's ``get_absolute_url()``.
    """

    model: type[models.Model]
    url_name: str
    #: The detail route's keyword arguments → the field each one is read from.
    url_kwargs: dict[str, str]

    def __init__(self) -> None:
        path = path_format(self.url_name, tuple(self.url_kwargs))
        if path is None:
            raise ImproperlyConfigured(f"{self.url_name} takes no placeholders (archive.routes)")
        self.path_format = path

    def items(self) -> models.QuerySet:
        return (
            self.model.objects.public()
            .order_by("pk")
            .values_list("pk", "updated", *self.url_kwargs.values())
        )

    def location(self, item: tuple) -> str:
        # The routes' slug converter matches ASCII letters, digits, "-" and "_" only: nothing
        # that reverse() would quote.
        return self.path_format.format(*item[2:])

    def lastmod(self, item: tuple) -> datetime:
        return item[1]

    @property
    def paginator(self) -> PkRangePaginator:  # type: ignore[override]
        return PkRangePaginator(self.items(), self.limit)

    def rows(self, number: Any, request: HttpRequest) -> list[tuple[str, datetime | None]]:
        """As ``get_urls()``, without its dictionary of five lookups per URL (a second of
        the 50,000 URLs' page at a million articles)."""
        protocol = self.get_protocol(request.scheme)
        base = f"{protocol}://{self.get_domain(get_current_site(request))}"
        return [
            (base + self.location(row), row[1]) for row in self.paginator.page(number).object_list
        ]

    def get_latest_lastmod(self) -> datetime | None:
        """The section's latest change: a backward walk of the ``updated`` index to the
        first public record (Django's default reads every record)."""
        return self.items().order_by("-updated").values_list("updated", flat=True).first()

    def filled_pages(self) -> list[IndexEntry]:
        """Each page dated by the section's latest change, as Django's own index does: a
        date per page would read every record of the section."""
        latest = self.get_latest_lastmod()
        return [IndexEntry(number, latest) for number in self.paginator.filled_pages()]


def record_sitemap(
    model: type[models.Model], url_name: str, **url_kwargs: str
) -> type[RecordSitemap]:
    return type(
        f"{model.__name__}Sitemap",
        (RecordSitemap,),
        {"model": model, "url_name": url_name, "url_kwargs": url_kwargs or {"slug": "slug"}},
    )


#: Section name (in the page's URL) → its sitemap. Issue and Article ``public()`` include
#: their parents, and their URLs name the publication's (and issue's) slug.
SECTIONS: dict[str, type[ArchiveSitemap]] = {
    "pages": StaticSitemap,
    "publications": record_sitemap(Publication, "archive:publication-detail"),
    "issues": record_sitemap(
        Issue, "archive:issue-detail", publication="publication__slug", slug="slug"
    ),
    "articles": record_sitemap(
        Article,
        "archive:article-detail",
        publication="issue__publication__slug",
        issue="issue__slug",
        slug="slug",
    ),
    "people": record_sitemap(Person, "archive:person-detail"),
    "organisations": record_sitemap(Organisation, "archive:organisation-detail"),
    "places": record_sitemap(Place, "archive:place-detail"),
    "events": record_sitemap(Event, "archive:event-detail"),
}


def _cacheable(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=3600)
    return response


@sitemap_views.x_robots_tag
def sitemap_index(request: HttpRequest) -> HttpResponse:
    """``/sitemap.xml``: every page of every section that holds a public record, dated by
    the section's latest change.

    Not Django's ``views.index``: that one writes the request's Host into each location
    (the archive's links use ``SITE_URL``) and sizes each section with ``Paginator.count``,
    which reads every row; this one costs two short queries per section, plus one look into
    each earlier page's pk range (0.2 s at a million articles).
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


@sitemap_views.x_robots_tag
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    """One page (``?p=N``, 1 by default) of one section; an unknown section, or a page number
    that is not one or is past the last, is 404.

    Not Django's ``views.sitemap`` and its template: at a million articles the template
    engine took 10 s for a page of 50,000 URLs, and ``get_urls()`` another second; these few
    strings take a fraction of that. The sections are still Django ``Sitemap`` classes.
    """
    if section not in SECTIONS:
        raise Http404("No such sitemap")
    try:
        rows = SECTIONS[section]().rows(request.GET.get("p", 1), request)
    except (EmptyPage, PageNotAnInteger):
        raise Http404("No such sitemap page") from None
    zone = timezone.get_current_timezone()
    lines = [URLSET_OPEN]
    latest = None
    for location, lastmod in rows:
        if lastmod is None:
            lines.append(f"<url><loc>{xml_escape(location)}</loc></url>\n")
            continue
        latest = lastmod if latest is None or lastmod > latest else latest
        day = lastmod.astimezone(zone).date().isoformat()
        lines.append(f"<url><loc>{xml_escape(location)}</loc><lastmod>{day}</lastmod></url>\n")
    lines.append("</urlset>\n")
    response = HttpResponse("".join(lines), content_type="application/xml; charset=utf-8")
    if latest is not None:
        response["Last-Modified"] = http_date(latest.timestamp())
    return _cacheable(response)
