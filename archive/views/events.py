"""The timeline of events (grouped by year, drawn as server-side SVG) and event pages."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from django.db.models import Count, DateField, Exists, OuterRef, Prefetch, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect

from archive.dates import edtf_display
from archive.models import (
    Event,
    EventParticipant,
    Mention,
    Organisation,
    Person,
    Place,
)

from .common import (
    EFFECTIVE_DATE_ORDER,
    FAR_PAST,
    BadParameter,
    PastSlugRedirect,
    bad_request,
    effective_date_order,
    get_visible,
    keyset_paginate,
    page,
    visible,
)

#: How many recording and mentioning articles an event's page lists (the API has them all).
EVENT_ARTICLES_SHOWN = 100


@dataclass
class Bar:
    year: int
    count: int
    x: float
    y: float
    width: float
    height: float
    label_x: float


def year_counts_svg(counts: dict[int, int], width: int = 720, height: int = 140) -> dict:
    """Geometry for a bar chart of events per year, drawn by the template as inline SVG
    (no JavaScript, readable by screen readers through its title and a table fallback)."""
    if not counts:
        return {"bars": [], "width": width, "height": height, "ticks": []}
    first, last = min(counts), max(counts)
    years = list(range(first, last + 1))
    top = max(counts.values())
    left, bottom, chart_h = 30, 20, height - 35
    slot = (width - left - 10) / len(years)
    bars = []
    for i, year in enumerate(years):
        n = counts.get(year, 0)
        h = chart_h * n / top if top else 0
        bars.append(
            Bar(
                year=year,
                count=n,
                x=round(left + i * slot + slot * 0.1, 1),
                y=round(height - bottom - h, 1),
                width=round(max(slot * 0.8, 1), 1),
                height=round(h, 1),
                label_x=round(left + i * slot + slot / 2, 1),
            )
        )
    step = max(1, len(years) // 10)
    ticks = [b for i, b in enumerate(bars) if i % step == 0 or b.year == last]
    return {
        "bars": bars,
        "ticks": ticks,
        "width": width,
        "height": height,
        "axis_y": height - bottom,
        "top": top,
    }


def _filter_events(request: HttpRequest, qs):
    """Apply ?person=, ?organisation=, ?place= (slugs); return (qs, chosen, api_params)."""
    chosen = {}
    api = []
    for param, model in (("person", Person), ("organisation", Organisation), ("place", Place)):
        value = request.GET.get(param, "").strip()
        if not value:
            continue
        obj = model.objects.public().filter(slug=value).first()
        if obj is None:
            raise BadParameter(param, f"no public {param} with the slug {value!r}")
        chosen[param] = obj
        api.append(f"{param}={obj.pk}")
        if param == "place":
            qs = qs.filter(places=obj)
        else:
            qs = qs.filter(
                pk__in=EventParticipant.objects.filter(**{param: obj}).values("event_id")
            )
    return qs, chosen, api


def timeline(request: HttpRequest) -> HttpResponse:
    base = Event.objects.public()
    try:
        base, chosen, api = _filter_events(request, base)
    except BadParameter as exc:
        return bad_request(exc)
    counts = dict(
        base.exclude(date_start__isnull=True)
        .annotate(year=ExtractYear("date_start"))
        .order_by()
        .values_list("year")
        .annotate(n=Count("id"))
    )
    qs = base.annotate(
        sort_date=Coalesce("date_start", "date_end", Value(FAR_PAST, output_field=DateField()))
    ).prefetch_related(
        # Only the public ends of each event's links are named.
        Prefetch("places", queryset=Place.objects.public(), to_attr="visible_places"),
        Prefetch(
            "participants",
            queryset=EventParticipant.objects.public().select_related("person", "organisation"),
            to_attr="visible_participants",
        ),
    )
    try:
        pg = keyset_paginate(request, qs, ["sort_date", "id"], per_page=100)
    except BadParameter as exc:
        return bad_request(exc)
    for event in pg.items:
        event.date_text = edtf_display(event.date)
    years = [
        (year, list(items))
        for year, items in groupby(
            pg.items, key=lambda e: e.date_start.year if e.date_start else None
        )
    ]
    # Filter choices: public people, organisations and places with a public link to a
    # public event (EventParticipant.public(), Event.public_place_links()).
    filter_choices = {
        "people": Person.objects.public()
        .filter(Exists(EventParticipant.objects.public().filter(person=OuterRef("pk"))))
        .order_by("sort_name_folded")
        .values("slug", "name")[:500],
        "organisations": Organisation.objects.public()
        .filter(Exists(EventParticipant.objects.public().filter(organisation=OuterRef("pk"))))
        .order_by("name_folded")
        .values("slug", "name")[:500],
        "places": Place.objects.public()
        .filter(Exists(Event.public_place_links().filter(place=OuterRef("pk"))))
        .order_by("name_folded")
        .values("slug", "name")[:500],
    }
    return page(
        request,
        "archive/timeline.html",
        {
            "nav": "timeline",
            "page_obj": pg,
            "years": years,
            "chart": year_counts_svg(counts),
            "chosen": chosen,
            "choices": filter_choices,
            "api": "/api/events/" + ("?" + "&".join(api) if api else ""),
        },
        canonical="/timeline/",
    )


def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        event = get_visible(request, Event.objects.all(), slug=slug)
    except PastSlugRedirect as redirect:
        return HttpResponsePermanentRedirect(redirect.url)
    participants = list(
        visible(request, event.participants.all()).select_related("person", "organisation")
    )
    places = list(visible(request, event.places.all()))
    # Articles that record the event (public only: with their issue and publication), and
    # public mentions of it, both in the order of the articles' effective dates.
    articles = list(
        visible(request, event.articles.all())
        .with_related()
        .order_by(*EFFECTIVE_DATE_ORDER)[:EVENT_ARTICLES_SHOWN]
    )
    mentioned_in = list(
        Mention.objects.public(target="event")
        .filter(event=event)
        .select_related("article__issue__publication")
        .order_by(*effective_date_order("article__"))[:EVENT_ARTICLES_SHOWN]
    )
    return page(
        request,
        "archive/event_detail.html",
        {
            "nav": "timeline",
            "event": event,
            "date_text": edtf_display(event.date),
            "participants": participants,
            "places": places,
            "articles": articles,
            "mentioned_in": mentioned_in,
            "api": f"/api/events/{event.pk}/",
        },
        canonical=event.get_absolute_url(),
        obj=event,
    )
