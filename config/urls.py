"""Site URLs: public pages, the REST API, OAI-PMH, bulk downloads and the curators' admin."""

from django.contrib import admin
from django.urls import include, path

from archive.feeds import NewArticlesFeed

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("archive.api.urls")),
    path("oai/", include("archive.oai.urls")),
    path("downloads/", include("archive.datasets.urls")),
    path("feeds/articles.atom", NewArticlesFeed(), name="feed-articles"),
    path("", include("archive.urls")),
]

# A database outage anywhere in the stack answers 503 + Retry-After (archive/middleware.py).
handler500 = "archive.middleware.server_error"
handler404 = "archive.middleware.page_not_found"
