"""A–Z indexes and pages of people, organisations and places."""

from __future__ import annotations

import string
from typing import Any

from django.db.models import Count, DateField, F, Value, Window
from django.db.models.functions import Coalesce, RowNumber, Substr
from django.db.models.lookups import IsNull
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect

from archive.dates import edtf_display
from archive.models import (
    Article,
    Authorship,
    Event,
    EventParticipant,
    Mention,
    Organisation,
    Person,
    Place,
)
from archive.models.entities import OrganisationKind, PlaceKind
from archive.search.engine import id_set

from .common import (
    BadParameter,
    PastSlugRedirect,
    bad_request,
    effective_date_order,
    get_visible,
    keyset_paginate,
    keyset_paginate_read,
    page,
    shown,
    visible,
)
from .maps import place_location
from .network import NEIGHBOURS, network
from .reader import snippet

FAR_FUTURE = "9999-12-31"
LETTERS = list(string.ascii_lowercase)

CONFIG: dict[str, dict[str, Any]] = {
    "person": {
        "model": Person,
        "sort": "sort_name_folded",
        "nav": "people",
        "title": "People",
        "singular": "person",
        "api": "/api/people/",
        "list_url": "/people/",
        "kinds": None,
    },
    "organisation": {
        "model": Organisation,
        "sort": "name_folded",
        "nav": "organisations",
        "title": "Organisations",
        "singular": "organisation",
        "api": "/api/organisations/",
        "list_url": "/organisations/",
        "kinds": OrganisationKind,
    },
    "place": {
        "model": Place,
        "sort": "name_folded",
        "nav": "places",
        "title": "Places",
        "singular": "place",
        "api": "/api/places/",
        "list_url": "/places/",
        "kinds": PlaceKind,
    },
}


def entity_list(request: HttpRequest, kind: str) -> HttpResponse:
    """An A–Z index with mention counts and filters (letter, name, kind, mentioned only)."""
    cfg = CONFIG[kind]
    model = cfg["model"]
    sort = cfg["sort"]
    qs = visible(request, model.objects.all())
    letter = request.GET.get("letter", "").lower()
    name = request.GET.get("q", "").strip()
    kind_value = request.GET.get("kind", "")
    api_params = []
    if letter:
        if letter not in LETTERS and letter != "other":
            return bad_request(BadParameter("letter", "use a single letter a–z or 'other'"))
        if letter == "other":
            qs = qs.exclude(**{f"{sort}__regex": r"^[a-z]"})
        else:
            qs = qs.filter(**{f"{sort}__startswith": letter})
    if name:
        qs = qs.matching_name(name)
        api_params.append(f"name={name}")
    if kind_value:
        if not cfg["kinds"] or kind_value not in cfg["kinds"].values:
            return bad_request(BadParameter("kind", f"unknown kind {kind_value!r}"))
        qs = qs.filter(kind=kind_value)
        api_params.append(f"kind={kind_value}")
    # mention_count is stored and kept exact by triggers (archive/counts.py): counting live
    # read every mention of each row shown, which grew with the archive.
    if request.GET.get("mentioned") == "1":
        qs = qs.filter(mention_count__gt=0)
    try:
        pg = keyset_paginate(request, qs, [sort, "id"], per_page=60)
    except BadParameter as exc:
        return bad_request(exc)
    present = set(
        visible(request, model.objects.all())
        .annotate(initial=Substr(sort, 1, 1))
        .order_by()
        .values_list("initial", flat=True)
        .distinct()
    )
    letters = [(c, c in present) for c in LETTERS]
    has_other = any(c not in LETTERS for c in present if c)
    api = cfg["api"] + ("?" + "&".join(api_params) if api_params else "")
    return page(
        request,
        "archive/entity_list.html",
        {
            "nav": cfg["nav"],
            "cfg": cfg,
            "kind": kind,
            "page_obj": pg,
            "letters": letters,
            "has_other": has_other,
            "letter": letter,
            "name": name,
            "kind_value": kind_value,
            "kinds": cfg["kinds"].choices if cfg["kinds"] else None,
            "mentioned": request.GET.get("mentioned") == "1",
            "api": api,
        },
        canonical=cfg["list_url"],
    )


def person_list(request: HttpRequest) -> HttpResponse:
    return entity_list(request, "person")


def organisation_list(request: HttpRequest) -> HttpResponse:
    return entity_list(request, "organisation")


def place_list(request: HttpRequest) -> HttpResponse:
    return entity_list(request, "place")


def visible_mentions(kind: str, obj):
    """Public mentions of ``obj``: ``Mention.objects.public(target=kind)`` (not rejected, the
    article public with its issue and publication, the target public), without the four-way
    OR over target kinds that the general rule needs."""
    return Mention.objects.public(target=kind).filter(**{kind: obj})


def _co_mentioned(kind: str, obj, ids: list[int], limit: int = 12) -> tuple[list[dict], list[dict]]:
    """The people and organisations, then the places, most often mentioned in the same
    public articles as ``obj`` (at most ``limit`` of each): ``ids``, the articles of its
    public mentions; the other mentions obey the same rule (``Mention.public()``)."""
    # The record's public articles are read first, once, with the page's list of mentions
    # (entity_detail). As a subquery, PostgreSQL joined every mention of the archive with
    # its targets before keeping those few articles' (4 s at a million articles); with the
    # ids in hand it reads those articles' mentions only. They are public already, so the
    # other mentions need only their own rule.
    articles = id_set(ids)
    others = Mention.objects.public(article_public=True).filter(
        article_id__in=articles, event__isnull=True
    )
    found = _most_mentioned(others, kind, obj, limit)
    return (
        [row for row in found if row["type"] != "place"],
        [row for row in found if row["type"] == "place"],
    )


def _most_mentioned(others, kind: str, obj, limit: int) -> list[dict[str, Any]]:
    """The ``limit`` people and organisations and the ``limit`` places of ``others``
    (mentions) found in the most articles, ``obj`` left out, as the page and its network
    draw them."""
    rows = (
        others.exclude(**{kind: obj})
        .values(
            "person_id",
            "person__name",
            "person__slug",
            "person__sort_name",
            "organisation_id",
            "organisation__name",
            "organisation__slug",
            "organisation__acronym",
            "place_id",
            "place__name",
            "place__slug",
        )
        .annotate(n=Count("article_id", distinct=True))
        # One reading of the mentions for both lists: the first ``limit`` of the people
        # and organisations and the first ``limit`` of the places, ranked apart.
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[IsNull(F("place_id"), True)],
                order_by=[F("n").desc(), "person__name", "organisation__name", "place__name"],
            )
        )
        .filter(rank__lte=limit)
        .order_by("-n", "person__name", "organisation__name", "place__name")
    )
    out = []
    for row in rows:
        for target, prefix in (
            ("person", "/people/"),
            ("organisation", "/organisations/"),
            ("place", "/places/"),
        ):
            if row[f"{target}_id"]:
                out.append(
                    {
                        "type": target,
                        "id": row[f"{target}_id"],
                        "acronym": row.get(f"{target}__acronym") or "",
                        "sort_name": row.get(f"{target}__sort_name") or "",
                        "name": row[f"{target}__name"],
                        "url": f"{prefix}{row[f'{target}__slug']}/",
                        "count": row["n"],
                    }
                )
    return out


#: How many of a person's articles their page lists (the API has them all).
AUTHORED_SHOWN = 50


def entity_detail(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    cfg = CONFIG[kind]
    model = cfg["model"]
    try:
        obj = get_visible(request, model.objects.all(), slug=slug)
    except PastSlugRedirect as redirect:
        return HttpResponsePermanentRedirect(redirect.url)
    aliases = list(obj.aliases.all())
    # Quotes in the order of the articles' effective dates, undated last (keyset on a
    # non-null sort key: an undated article sorts after every dated one).
    mentions_qs = (
        visible_mentions(kind, obj)
        .select_related("article__issue__publication")
        .defer(*Article.list_deferred("article__"))
        .annotate(
            sort_date=Coalesce(
                "article__effective_date_start", Value(FAR_FUTURE, output_field=DateField())
            )
        )
    )
    # A public record's count is stored, kept equal to its public mentions by triggers
    # (archive/counts.py): counting them live cost 12-46 ms at a million articles. A draft,
    # seen by a curator, has no public mentions to list, and its count says so.
    total_mentions = obj.mention_count if obj.is_public() else mentions_qs.count()
    # Every public mention's keys, read once: they page the list below and their articles
    # give the names mentioned alongside (_co_mentioned); the page's 40 are then read whole.
    keyed = [
        ((sort_date.isoformat(), article_id), pk)
        for sort_date, article_id, pk in mentions_qs.order_by().values_list(
            "sort_date", "article_id", "pk"
        )
    ]
    try:
        pg = keyset_paginate_read(request, keyed, width=2, per_page=40)
    except BadParameter as exc:
        return bad_request(exc)
    shown_mentions = mentions_qs.in_bulk(pg.items)
    pg.items = [shown_mentions[pk] for pk in pg.items]
    if kind == "place":
        events = visible(request, Event.objects.filter(places=obj))
    else:
        events = visible(
            request,
            Event.objects.filter(
                pk__in=EventParticipant.objects.filter(**{kind: obj}).values("event_id")
            ),
        )
    events = list(events.order_by("date_start", "id")[:100])
    roles = {}
    if kind != "place":
        for ep in EventParticipant.objects.filter(**{kind: obj}, event__in=[e.pk for e in events]):
            roles.setdefault(ep.event_id, []).append(ep.get_role_display())
    for event in events:
        event.date_text = edtf_display(event.date)
        event.roles = roles.get(event.pk, [])
    # Quotes read as prose, the record's own names highlighted in them.
    names = [obj.name, *(a.name for a in aliases), getattr(obj, "acronym", "")]
    for mention in pg.items:
        mention.snippet = snippet(mention.context, names)
    # The people and organisations named with it (drawn as a network too), then places.
    articles = sorted({article_id for (_date, article_id), _pk in keyed})
    co_people, co_places = _co_mentioned(kind, obj, articles, 12)
    co_mentioned = co_people + co_places
    context = {
        "nav": cfg["nav"],
        "cfg": cfg,
        "kind": kind,
        "obj": obj,
        "aliases": aliases,
        "mentions_page": pg,
        "total_mentions": total_mentions,
        "events": events,
        "co_mentioned": co_mentioned,
        "network": (
            network(kind, obj, co_people[:NEIGHBOURS], articles) if kind != "place" else None
        ),
        "external": _external_links(kind, obj),
        "api": f"{cfg['api']}{obj.pk}/",
        "articles_api": f"/api/articles/?{kind}={obj.pk}",
    }
    if kind == "person":
        context["dates"] = {
            "birth": edtf_display(obj.birth),
            "death": edtf_display(obj.death),
        }
        # Public authorships only (the article public with its issue and publication).
        authored = list(
            Authorship.objects.public()
            .filter(person=obj)
            .select_related("article__issue__publication")
            .defer(*Article.list_deferred("article__"))
            .order_by(*effective_date_order("article__"), "role")[: AUTHORED_SHOWN + 1]
        )
        context["authored"] = authored[:AUTHORED_SHOWN]
        context["more_authored"] = len(authored) > AUTHORED_SHOWN
    elif kind == "place":
        context["location"] = place_location(obj)
    if kind == "organisation":
        context["dates"] = {
            "founded": edtf_display(obj.founded),
            "dissolved": edtf_display(obj.dissolved),
        }
        context["parent"] = shown(request, obj.parent)
        context["predecessor"] = shown(request, obj.predecessor)
    return page(
        request,
        "archive/entity_detail.html",
        context,
        canonical=obj.get_absolute_url(),
        obj=obj,
    )


def _external_links(kind: str, obj) -> list[tuple[str, str]]:
    links = []
    if getattr(obj, "wikidata", ""):
        links.append(("Wikidata", f"https://www.wikidata.org/wiki/{obj.wikidata}"))
    if kind == "person" and obj.viaf:
        links.append(("VIAF", f"https://viaf.org/viaf/{obj.viaf}/"))
    if kind == "place" and obj.geonames:
        links.append(("GeoNames", f"https://www.geonames.org/{obj.geonames}/"))
    return links


def person_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return entity_detail(request, "person", slug)


def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return entity_detail(request, "organisation", slug)


def place_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return entity_detail(request, "place", slug)
