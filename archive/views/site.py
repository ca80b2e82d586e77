"""Home, search, the data page, sitemap.xml and robots.txt."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control

from archive import search as search_engine
from archive.models import (
    Article,
    Event,
    Issue,
    Organisation,
    Person,
    Place,
    Publication,
)
from archive.search.suggest import help_for

from .common import absolute, bad_request, page
from .events import overview, overview_counts


def home(request: HttpRequest) -> HttpResponse:
    # public(): an article counts only if its issue and publication are public too.
    counts = [
        ("article", Article.objects.public().count()),
        ("issue", Issue.objects.public().count()),
        ("publication", Publication.objects.public().count()),
        ("person", Person.objects.public().count()),
        ("organisation", Organisation.objects.public().count()),
        ("place", Place.objects.public().count()),
        ("event", Event.objects.public().count()),
    ]
    publications = list(
        Publication.objects.public().select_related("publisher").order_by("title", "id")[:12]
    )
    return page(
        request,
        "archive/home.html",
        {
            "nav": "home",
            "counts": counts,
            "publications": publications,
            "overview": overview(overview_counts(Event.objects.public())),
        },
        canonical="/",
    )


def search(request: HttpRequest) -> HttpResponse:
    """The search page: the API's ArticleFilterSet (``archive.search.SearchParams``) plus a
    template, so its hits are ``/api/articles/`` with the same parameters, in the same order,
    and its data links are its own query string minus ``page``."""
    try:
        params = search_engine.SearchParams.from_query_dict(request.GET)
        results = search_engine.search(params) if params.query else None
    except search_engine.SearchError as exc:
        return bad_request(exc)
    # Choosing a facet value replaces the parameters it clears; a chosen value links to the
    # query without them (to remove it).
    facet_links = [
        (facet, params.query_string(*facet.clears))
        for facet in (results.facets if results is not None else [])
    ]
    # Nothing found: corrected spellings, close names, fewer words or filters, each a search
    # that was run and finds articles.
    no_hits = results is not None and not results.total
    help_ = help_for(params, results.entities) if no_hits else None
    return page(
        request,
        "archive/search.html",
        {
            "nav": "search",
            "params": params,
            "search_query": params.query,
            "kept": params.kept("q", "ordering"),
            "orderings": search_engine.PAGE_ORDERINGS,
            "results": results,
            "facet_links": facet_links,
            "help": help_,
            "page_keep": params.query_string(),
            "api": "/api/articles/?" + params.query_string(),
        },
        canonical="/search/",
    )


def data(request: HttpRequest) -> HttpResponse:
    return page(request, "archive/data.html", {"nav": "data"}, canonical="/data/")


SITEMAP_SOURCES = (
    (Publication, "publication"),
    (Person, "person"),
    (Organisation, "organisation"),
    (Place, "place"),
    (Event, "event"),
)


def sitemap(request: HttpRequest) -> HttpResponse:
    """Every public page, streamed as one sitemap (50,000 URLs is the protocol's cap per
    file; past that a sitemap index is needed, which this archive is far from)."""
    urls = [
        absolute(request, p)
        for p in (
            "/",
            "/publications/",
            "/people/",
            "/organisations/",
            "/places/",
            "/map/",
            "/timeline/",
            "/data/",
        )
    ]
    rows = []
    for model, _name in SITEMAP_SOURCES:
        for obj in model.objects.public().only("slug", "updated").order_by("pk").iterator():
            rows.append((absolute(request, obj.get_absolute_url()), obj.updated))
    # Issue.public() and Article.public() include their parents: nothing under a draft.
    for issue in (
        Issue.objects.public()
        .select_related("publication")
        .only("slug", "updated", "publication__slug")
        .order_by("pk")
        .iterator()
    ):
        rows.append((absolute(request, issue.get_absolute_url()), issue.updated))
    for article in (
        Article.objects.public()
        .select_related("issue__publication")
        .only("slug", "updated", "issue__slug", "issue__publication__slug")
        .order_by("pk")
        .iterator()
    ):
        rows.append((absolute(request, article.get_absolute_url()), article.updated))
    body = render_to_string("archive/sitemap.xml", {"urls": urls, "rows": rows})
    response = HttpResponse(body, content_type="application/xml; charset=utf-8")
    patch_cache_control(response, public=True, max_age=3600)
    return response


def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "Disallow: /oai/",
        "Disallow: /corrections/",
        f"Sitemap: {absolute(request, '/sitemap.xml')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
