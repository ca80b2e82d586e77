"""Public page routes: browse, read, search, data. Slugs make the canonical URLs."""

from django.urls import path

from archive import views

app_name = "archive"

urlpatterns = [
    path("", views.home, name="home"),
    path("publications/", views.publication_list, name="publication-list"),
    path("publications/<slug:slug>/", views.publication_detail, name="publication-detail"),
    path("publications/<slug:publication>/<slug:slug>/", views.issue_detail, name="issue-detail"),
    path(
        "publications/<slug:publication>/<slug:issue>/<slug:slug>/",
        views.article_detail,
        name="article-detail",
    ),
    path("people/", views.person_list, name="person-list"),
    path("people/<slug:slug>/", views.person_detail, name="person-detail"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation-detail"),
    path("places/", views.place_list, name="place-list"),
    path("places/<slug:slug>/", views.place_detail, name="place-detail"),
    path("map/", views.place_map, name="place-map"),
    path("timeline/", views.timeline, name="timeline"),
    path("events/<slug:slug>/", views.event_detail, name="event-detail"),
    path("search/", views.search, name="search"),
    path("corrections/new/", views.suggest_correction, name="correction-new"),
    path("corrections/thanks/", views.correction_thanks, name="correction-thanks"),
    path("data/", views.data, name="data"),
    path("sitemap.xml", views.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", views.sitemap_section, name="sitemap-section"),
    path("robots.txt", views.robots_txt, name="robots"),
]
