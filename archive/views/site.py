"""Home, search, the data page and robots.txt (the sitemap is in sitemaps.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

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
        ("article", Article.objects.public_count()),
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
