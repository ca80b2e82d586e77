"""The map of places, and the small map on each place's page.

Places are drawn on the committed base map ``static/archive/map/world.svg`` (Natural Earth,
public domain; see its README) with the projection it was made with, so no map service,
tile server or CDN is involved and the Content-Security-Policy stays ``'self'``. The map
zooms to the places it shows; the list beneath gives the same places as text, by country.

``?decade=1980`` or ``?from=1989&to=1991`` (years) keep the places mentioned in articles of
that period (by the article's effective date: ``Article.effective_date_rule``), through the
one visibility rule for mentions (``Mention.objects.public(target="place")``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static

from archive.models import Mention, Place
from archive.words import country_name

from .common import BadParameter, bad_request, page, visible

#: Units per degree of the base map (``scripts/build_basemap.py``, SCALE).
SCALE = 4
WORLD_WIDTH, WORLD_HEIGHT = 360 * SCALE, 180 * SCALE
#: Places labelled on the map by name (the most mentioned); the others by their title.
LABELLED = 12


def project(latitude: float, longitude: float) -> tuple[float, float]:
    """Equirectangular: the formula the base map was drawn with."""
    return (longitude + 180) * SCALE, (90 - latitude) * SCALE


@dataclass
class Dot:
    place: Place
    x: float
    y: float
    r: float
    count: int


@dataclass
class Label:
    text: str
    x: float
    y: float


def view_box(points: list[tuple[float, float]], *, min_degrees: float = 24) -> dict[str, float]:
    """The rectangle (2:1, like the map) around ``points``, with a margin, inside the world."""
    if not points:
        return {"x": 0, "y": 0, "width": WORLD_WIDTH, "height": WORLD_HEIGHT}
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    margin = 4 * SCALE
    left, right = min(xs) - margin, max(xs) + margin
    top, bottom = min(ys) - margin, max(ys) + margin
    width = max(right - left, min_degrees * SCALE, (bottom - top) * 2)
    height = width / 2
    cx, cy = (left + right) / 2, (top + bottom) / 2
    width, height = min(width, WORLD_WIDTH), min(height, WORLD_HEIGHT)
    x = min(max(cx - width / 2, 0), WORLD_WIDTH - width)
    y = min(max(cy - height / 2, 0), WORLD_HEIGHT - height)
    return {"x": round(x, 1), "y": round(y, 1), "width": round(width, 1),
            "height": round(height, 1)}  # fmt: skip


def map_chart(places: list[Place], counts: dict[int, int], *, labelled: int = LABELLED) -> dict:
    """Dots sized by how many articles mention each place, in a view that fits them."""
    located = [p for p in places if p.latitude is not None and p.longitude is not None]
    points = [project(float(p.latitude), float(p.longitude)) for p in located]
    box = view_box(points)
    unit = box["width"] / 100  # dot sizes and text follow the zoom
    top = max([counts.get(p.pk, 0) for p in located] or [1]) or 1
    dots = []
    for place, (x, y) in zip(located, points, strict=True):
        n = counts.get(place.pk, 0)
        r = unit * (0.55 + 1.1 * math.sqrt(n / top))
        dots.append(Dot(place, round(x, 2), round(y, 2), round(r, 2), n))
    ranked = sorted(dots, key=lambda d: (-d.count, d.place.name_folded))[:labelled]
    wide_font, narrow_font = unit * 1.7, unit * 3.6
    dots.sort(key=lambda d: -d.r)  # big dots first, so small ones stay clickable on top
    return {
        "box": box,
        "dots": dots,
        # Two sets of labels, for wide screens and phones (the stylesheet shows one): on a
        # phone the text is larger relative to the map, so fewer names fit.
        "labels_wide": _labels(ranked, box, font=wide_font),
        "labels_narrow": _labels(ranked, box, font=narrow_font),
        "font_wide": round(wide_font, 2),
        "font_narrow": round(narrow_font, 2),
        "halo_wide": round(wide_font * 0.25, 3),
        "halo_narrow": round(narrow_font * 0.25, 3),
        "stroke": round(unit * 0.12, 3),
        "world_width": WORLD_WIDTH,
        "world_height": WORLD_HEIGHT,
        "base": static("archive/map/world.svg"),
    }


def _labels(dots: list[Dot], box: dict[str, float], *, font: float) -> list[Label]:
    """Names beside the dots, most mentioned first, each only where it overlaps no label
    already placed; left of its dot when the right side would leave the map."""
    placed: list[tuple[float, float, float, float]] = []
    labels = []
    for dot in dots:
        width, height = len(dot.place.name) * font * 0.56, font
        left = dot.x + dot.r + font * 0.25
        if left + width > box["x"] + box["width"]:
            left = dot.x - dot.r - font * 0.25 - width
        baseline = dot.y + font * 0.35
        rect = (left, baseline - height, left + width, baseline + height * 0.25)
        if any(
            rect[0] < other[2] and other[0] < rect[2] and rect[1] < other[3] and other[1] < rect[3]
            for other in placed
        ):
            continue
        placed.append(rect)
        labels.append(Label(dot.place.name, round(left, 2), round(baseline, 2)))
    return labels


def _period(request: HttpRequest) -> tuple[dt.date | None, dt.date | None, dict[str, Any]]:
    """``?decade=`` or ``?from=``/``?to=`` (years) → inclusive bounds and what was chosen."""
    decade = request.GET.get("decade", "").strip().removesuffix("s")
    start = request.GET.get("from", "").strip()
    end = request.GET.get("to", "").strip()
    if decade:
        if not decade.isdigit() or int(decade) % 10 or not 1000 <= int(decade) <= 2990:
            raise BadParameter("decade", "use the first year of a decade, e.g. 1980")
        year = int(decade)
        return dt.date(year, 1, 1), dt.date(year + 9, 12, 31), {"decade": year}
    chosen: dict[str, Any] = {}
    bounds: list[dt.date | None] = [None, None]
    for i, (name, value) in enumerate((("from", start), ("to", end))):
        if not value:
            continue
        if not value.isdigit() or not 1000 <= int(value) <= 2999:
            raise BadParameter(name, "use a year, e.g. 1989")
        chosen[name] = int(value)
        bounds[i] = dt.date(int(value), 1, 1) if i == 0 else dt.date(int(value), 12, 31)
    if bounds[0] and bounds[1] and bounds[0] > bounds[1]:
        raise BadParameter("to", "the period ends before it starts")
    return bounds[0], bounds[1], chosen


def period_mentions(start: dt.date | None, end: dt.date | None):
    """Public mentions of places in articles whose effective date may fall in the period
    (an undated article is in no period)."""
    mentions = Mention.objects.public(target="place")
    if start is not None:
        mentions = mentions.filter(article__effective_date_end__gte=start)
    if end is not None:
        mentions = mentions.filter(article__effective_date_start__lte=end)
    return mentions


def place_map(request: HttpRequest) -> HttpResponse:
    try:
        start, end, chosen = _period(request)
    except BadParameter as exc:
        return bad_request(exc)
    places = visible(request, Place.objects.all())
    if chosen:
        articles = (
            period_mentions(start, end)
            .filter(place=OuterRef("pk"))
            .order_by()
            .values("place")
            .annotate(n=Count("article", distinct=True))
            .values("n")
        )
        places = places.annotate(
            period_count=Coalesce(Subquery(articles, output_field=IntegerField()), Value(0))
        ).filter(period_count__gt=0)
    else:
        places = places.annotate(period_count=Coalesce("mention_count", Value(0)))
    places = list(places.order_by("name_folded", "id"))
    counts = {p.pk: p.period_count for p in places}
    chart = map_chart(places, counts)
    unlocated = [p for p in places if p.latitude is None or p.longitude is None]
    by_country = [
        (country_name(code) or "Country not recorded", list(items))
        for code, items in groupby(
            sorted(places, key=lambda p: (country_name(p.country_code) or "~", p.name_folded)),
            key=lambda p: p.country_code,
        )
    ]
    decades = list(range(1910, 2000, 10))
    return page(
        request,
        "archive/map.html",
        {
            "nav": "map",
            "chart": chart,
            "places": places,
            "by_country": by_country,
            "unlocated": unlocated,
            "chosen": chosen,
            "decades": decades,
            "api": "/api/places/",
        },
        canonical="/map/",
    )


def place_location(place: Place) -> dict | None:
    """The small map on a place's page: the place in its region (about 40° across)."""
    if place.latitude is None or place.longitude is None:
        return None
    x, y = project(float(place.latitude), float(place.longitude))
    box = view_box([(x, y)], min_degrees=40)
    unit = box["width"] / 100
    return {
        "box": box,
        "x": round(x, 2),
        "y": round(y, 2),
        "r": round(unit * 1.4, 2),
        "font": round(unit * 4.5, 2),
        "label_x": round(x + unit * 2.4, 2),
        "label_y": round(y + unit * 1.5, 2),
        "stroke": round(unit * 0.2, 3),
        "halo": round(unit * 1.1, 3),
        "world_width": WORLD_WIDTH,
        "world_height": WORLD_HEIGHT,
        "base": static("archive/map/world.svg"),
    }
