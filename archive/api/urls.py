"""REST API routes: eight read-only resources, the OpenAPI schema and its browsable docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"

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
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("docs/redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("", include(router.urls)),
]
