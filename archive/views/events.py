"""The timeline of events (grouped by year, drawn as server-side SVG) and event pages."""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from django.db.models import Count, DateField, Exists, Max, OuterRef, Prefetch, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse

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
    query_without,
    visible,
)
from .reader import snippet
from .timeline_chart import NARROW, WIDE, EventPoint, focus_chart, overview_chart

#: The chart draws at most this many events (the list beneath pages through all of them).
CHART_MAX = 600
KIND_LABELS = dict(Event.Kind.choices)
#: Up to this many events the list beneath the chart is shown whole, else folded by decade.
LIST_UNFOLDED = 30

#: How many recording and mentioning articles an event's page lists (the API has them all).
EVENT_ARTICLES_SHOWN = 100


def overview_counts(qs) -> dict[int, int]:
    """Events per year of their start, for the overview strip (home page and timeline)."""
    return dict(
        qs.exclude(date_start__isnull=True)
        .annotate(year=ExtractYear("date_start"))
        .order_by()
        .values_list("year")
        .annotate(n=Count("id"))
    )


def overview(counts: dict[int, int], focus: tuple[int, int] | None = None) -> dict:
    """The overview strip at both widths (the stylesheet shows one)."""
    return {
        "wide": overview_chart(counts, focus, WIDE),
        "narrow": overview_chart(counts, focus, NARROW, height=70),
        "total": sum(counts.values()),
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
    kind = request.GET.get("kind", "").strip()
    if kind:
        if kind not in Event.Kind.values:
            raise BadParameter("kind", f"unknown kind {kind!r}")
        qs = qs.filter(kind=kind)
        chosen["kind"] = kind
        api.append(f"kind={kind}")
    return qs, chosen, api


def _decade(request: HttpRequest) -> int | None:
    """``?decade=1980`` (or ``1980s``): the decade to focus on and list."""
    value = request.GET.get("decade", "").strip().removesuffix("s")
    if not value:
        return None
    if not value.isdigit() or int(value) % 10 or not 1000 <= int(value) <= 2990:
        raise BadParameter("decade", "use the first year of a decade, e.g. 1980")
    return int(value)


def timeline(request: HttpRequest) -> HttpResponse:
    """Events drawn as a focus + context chart (SVG, server-side) above the text list,
    which is what screen readers and readers without JavaScript or a wide screen use.

    ``?decade=1980`` focuses the chart on a decade and lists its events; ``?kind=``,
    ``?person=``, ``?organisation=``, ``?place=`` filter both."""
    base = Event.objects.public()
    try:
        base, chosen, api = _filter_events(request, base)
        decade = _decade(request)
    except BadParameter as exc:
        return bad_request(exc)
    counts = overview_counts(base)
    listed = (
        base
        if decade is None
        else base.overlapping(dt.date(decade, 1, 1), dt.date(decade + 9, 12, 31))
    )
    if decade is not None:
        first, last = decade, decade + 9
    elif counts:
        first, last = min(counts), max(counts)
        last_end = base.aggregate(last=Max("date_end"))["last"]
        if last_end is not None:
            last = max(last, last_end.year)
    else:
        first = last = None
    chart = None
    if first is not None:
        points = [
            EventPoint(
                pk=e["pk"],
                title=e["title"],
                url=reverse("archive:event-detail", args=[e["slug"]]),
                kind=e["kind"],
                kind_label=KIND_LABELS.get(e["kind"], e["kind"]),
                date_text=edtf_display(e["date"]),
                start=e["date_start"],
                end=e["date_end"],
            )
            for e in listed.exclude(date_start__isnull=True, date_end__isnull=True)
            .order_by("date_start", "id")
            .values("pk", "title", "slug", "kind", "date", "date_start", "date_end")[:CHART_MAX]
        ]
        chart = {
            "wide": focus_chart(points, Event.Kind.choices, first, last, WIDE),
            "narrow": focus_chart(points, Event.Kind.choices, first, last, NARROW),
            "decade": decade,
        }
    qs = listed.annotate(
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
    # The list beneath, by decade and year; decades fold away (<details>) when the whole
    # span is listed, so a phone does not scroll through every event to reach the 1980s.
    listed_decades = [
        (key, sum(len(events) for _, events in group), group)
        for key, group in (
            (key, list(group))
            for key, group in groupby(
                years, key=lambda pair: pair[0] - pair[0] % 10 if pair[0] else None
            )
        )
    ]
    decades = sorted({year - year % 10 for year in counts})
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
        "kinds": Event.Kind.choices,
    }
    keep = query_without(request, "decade")
    if decade is not None:
        api.append(f"decade={decade}")
    return page(
        request,
        "archive/timeline.html",
        {
            "nav": "timeline",
            "page_obj": pg,
            "years": years,
            "listed_decades": listed_decades,
            "fold": decade is None and len(pg.items) > LIST_UNFOLDED,
            "chart": chart,
            "overview": overview(counts, (decade, decade + 9) if decade is not None else None),
            "decades": decades,
            "decade": decade,
            "keep": keep,
            "decade_url": f"?{keep}&" if keep else "?",
            "chosen": chosen,
            "chosen_kind_label": KIND_LABELS.get(chosen.get("kind", ""), ""),
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
    for mention in mentioned_in:
        mention.snippet = snippet(mention.context, [event.title])
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
