"""The archive's URLs under a prefix, for tests/test_routes.py."""

from django.urls import include, path

urlpatterns = [path("mirror/", include("config.urls"))]
