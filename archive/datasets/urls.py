"""Bulk data downloads at /downloads/ (see docs/data.md)."""

from django.urls import path, re_path

from . import views

app_name = "datasets"

urlpatterns = [
    path("", views.downloads, name="downloads"),
    re_path(
        r"^(?P<release>\d{4}-\d{2}-\d{2}-v[1-9]\d{0,8})/(?P<filename>[A-Za-z0-9][A-Za-z0-9._-]*)$",
        views.release_file,
        name="release-file",
    ),
]
