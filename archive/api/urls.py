"""REST API routes: eight read-only resources, the OpenAPI schema and its browsable docs."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import Resolver404, include, path, re_path, resolve, reverse
from rest_framework.routers import DefaultRouter

from archive.middleware import page_not_found

from . import views
from .changes import ChangesView

app_name = "api"


def not_found(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """The API's JSON 404; a path that exists with a trailing slash is redirected to it first,
    as APPEND_SLASH would (this catch-all matches, so CommonMiddleware no longer does)."""
    if not request.path.endswith("/"):
        try:
            match = resolve(f"{request.path}/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "not-found":
            query = request.META.get("QUERY_STRING", "")
            target = f"{request.path}/" + (f"?{query}" if query else "")
            return HttpResponsePermanentRedirect(target)
    return page_not_found(request)


DOCS_CSP = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})


class ArchiveRootView(DefaultRouter.APIRootView):
    """The API's index: every resource, then the change log, the schema and its docs."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        for name in ("changes", "schema", "docs", "redoc"):
            response.data[name] = request.build_absolute_uri(reverse(f"api:{name}"))
        return response


router = DefaultRouter(trailing_slash=True)
router.APIRootView = ArchiveRootView
router.include_format_suffixes = False
router.register("publications", views.PublicationViewSet, basename="publication")
router.register("issues", views.IssueViewSet, basename="issue")
router.register("articles", views.ArticleViewSet, basename="article")
router.register("people", views.PersonViewSet, basename="person")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("places", views.PlaceViewSet, basename="place")
router.register("events", views.EventViewSet, basename="event")
router.register("mentions", views.MentionViewSet, basename="mention")

urlpatterns = [
    path("schema/", views.ArchiveSchemaView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file, so the Content-Security-
    # Policy needs no inline script; Swagger UI styles itself inline and starts a blob:
    # worker, so only the docs page relaxes style-src and worker-src.
    path("docs/", DOCS_CSP(views.ArchiveDocsView.as_view(url_name="api:schema")), name="docs"),
    # Redoc also styles itself inline and reads the schema in a blob: worker.
    path("redoc/", DOCS_CSP(views.ArchiveRedocView.as_view(url_name="api:schema")), name="redoc"),
    path("changes/", ChangesView.as_view(), name="changes"),
    path("", include(router.urls)),
    # Anything else under /api/ is the API's JSON 404, in development too (with DEBUG on,
    # Django answers an unmatched URL with its HTML debug page instead of handler404).
    re_path(r"^.*$", not_found, name="not-found"),
]
