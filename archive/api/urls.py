"""REST API routes: eight read-only resources, the OpenAPI schema and its browsable docs."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views
from .changes import ChangesView

app_name = "api"
DOCS_CSP = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})

router = DefaultRouter(trailing_slash=True)
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
    path("changes/", ChangesView.as_view(), name="changes"),
    path("", include(router.urls)),
]
