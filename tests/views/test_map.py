"""The map of places: drawn on the committed Natural Earth base map (no tiles, no CDN),
filtered by period through the articles that mention each place, and a small map on each
place's page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from archive import models
from archive.views.maps import WORLD_HEIGHT, WORLD_WIDTH, project, view_box
from tests.factories import ArticleFactory, IssueFactory, MentionFactory, PlaceFactory

pytestmark = pytest.mark.django_db

BASE_MAP = Path(settings.BASE_DIR) / "archive" / "static" / "archive" / "map" / "world.svg"


def test_the_base_map_is_committed_modest_and_says_where_it_comes_from():
    svg = BASE_MAP.read_text(encoding="utf-8")
    assert BASE_MAP.stat().st_size < 300 * 1024
    assert "Natural Earth" in svg and "public domain" in svg
    assert f'viewBox="0 0 {WORLD_WIDTH} {WORLD_HEIGHT}"' in svg
    assert svg.count("<path") > 150  # the countries of the world
    assert "<script" not in svg and "href" not in svg  # a picture, nothing more


def test_projection_and_view_box():
    assert project(0, 0) == (WORLD_WIDTH / 2, WORLD_HEIGHT / 2)
    x, y = project(54.35, 18.65)  # Gdańsk: right of the middle, above it
    assert x == pytest.approx((180 + 18.65) * 4) and y == pytest.approx((90 - 54.35) * 4)
    box = view_box([project(54.35, 18.65), project(55.75, 37.62)])
    assert box["width"] == pytest.approx(2 * box["height"], abs=0.2)
    assert box["x"] < project(54.35, 18.65)[0] < box["x"] + box["width"]
    assert view_box([])["width"] == WORLD_WIDTH


@pytest.fixture
def places(db):
    gdansk = PlaceFactory(name="Gdańsk", slug="gdansk", latitude="54.35", longitude="18.65",
                          country_code="PL")  # fmt: skip
    moscow = PlaceFactory(name="Moscow", slug="moscow", latitude="55.75", longitude="37.62",
                          country_code="SU")  # fmt: skip
    nowhere = PlaceFactory(name="Lenin Shipyard", slug="shipyard", country_code="PL")
    hidden = PlaceFactory(name="Draft Town", slug="draft-town", latitude="50", longitude="20",
                          status=models.Status.DRAFT)  # fmt: skip
    in_1980 = ArticleFactory(date="1980-08", title="Strike")
    in_1991 = ArticleFactory(date="1991-08", title="Coup")
    undated = ArticleFactory(date="", title="Undated piece")
    draft_issue = IssueFactory(status=models.Status.DRAFT)
    unpublished = ArticleFactory(issue=draft_issue, date="1991-01", title="Hidden")
    MentionFactory(article=in_1980, person=None, place=gdansk)
    MentionFactory(article=in_1980, person=None, place=nowhere)
    MentionFactory(article=in_1991, person=None, place=moscow)
    MentionFactory(article=undated, person=None, place=moscow)
    MentionFactory(article=unpublished, person=None, place=gdansk)
    MentionFactory(article=in_1991, person=None, place=hidden)
    return {"gdansk": gdansk, "moscow": moscow, "nowhere": nowhere, "hidden": hidden}


def dots(html: str) -> list[str]:
    return re.findall(r'<a href="(/places/[^"]+/)" class="map-place"', html)


def test_the_map_draws_public_places_on_the_local_base_map(client, places):
    html = client.get("/map/").content.decode()
    assert sorted(dots(html)) == ["/places/gdansk/", "/places/moscow/"]
    image = re.search(r'<image href="([^"]+)"', html)[1]
    assert image.startswith("/static/") and image.endswith("world.svg")  # no tiles, no CDN
    assert "Draft Town" not in html
    # The list beneath names every public place by country, with or without coordinates.
    assert '<h3 class="h4">Poland</h3>' in html and '<h3 class="h4">Soviet Union</h3>' in html
    assert "Lenin Shipyard</a>" in html and "(no coordinates)" in html
    assert client.get("/map/").status_code == 200
    assert 'href="/map/"' in client.get("/").content.decode()  # in the main navigation


def test_the_map_filters_by_period_through_the_articles(client, places):
    eighties = client.get("/map/?decade=1980").content.decode()
    assert dots(eighties) == ["/places/gdansk/"]
    assert "Moscow" not in eighties  # its articles are from 1991 and undated
    nineties = client.get("/map/?from=1990&to=1992").content.decode()
    assert dots(nineties) == ["/places/moscow/"]  # not Gdańsk: its 1991 article is unpublished
    assert "in 1 article" in nineties  # the undated article is in no period
    assert client.get("/map/?decade=1985").status_code == 400
    assert client.get("/map/?from=1992&to=1990").status_code == 400
    assert client.get("/map/?from=soon").status_code == 400


def test_a_place_page_shows_its_location(client, places):
    html = client.get("/places/gdansk/").content.decode()
    location = re.search(r'<figure class="place-location">.*?</figure>', html, re.S)[0]
    assert '<circle class="map-here"' in location and "world.svg" in location
    assert "54.35° N, 18.65° E" in html
    assert '<figure class="place-location">' not in client.get("/places/shipyard/").content.decode()
