"""Publications, issues (as tables of contents) and the article reader."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from django.db.models import Count, DateField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.utils.safestring import mark_safe

from archive.citations import Citation, article_jsonld
from archive.dates import edtf_display
from archive.models import Alias, Article, Authorship, Event, Issue, Mention, Publication
from archive.models.emendations import editorial_changes

from .common import (
    EFFECTIVE_DATE_ORDER,
    FAR_PAST,
    BadParameter,
    PastSlugRedirect,
    absolute,
    bad_request,
    get_visible,
    is_staff,
    keyset_paginate,
    page,
    shown,
    visible,
)
from .reader import LinkTarget, render_body

FAR_FUTURE = "9999-12-31"


def _count_subquery(model, field: str, *conditions: Q, **filters: Any) -> Subquery:
    """A correlated COUNT per row: computed only for the rows shown, so a page of a long
    list costs the same whatever the size of the archive."""
    qs = (
        model.objects.filter(*conditions, **{field: OuterRef("pk")}, **filters)
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(qs), 0)


def publication_list(request: HttpRequest) -> HttpResponse:
    qs = (
        visible(request, Publication.objects.all())
        # issue_count and article_count are stored, kept exact by triggers
        # (archive/counts.py): counting a publication's articles live read all of them.
        .select_related("publisher", "place")
    )
    try:
        pg = keyset_paginate(request, qs, ["title", "id"], per_page=50)
    except BadParameter as exc:
        return bad_request(exc)
    return page(
        request,
        "archive/publication_list.html",
        {"nav": "publications", "page_obj": pg, "api": "/api/publications/"},
        canonical="/publications/",
    )


def _lookup(request, qs, **lookup):
    try:
        return get_visible(request, qs, **lookup), None
    except PastSlugRedirect as redirect:
        return None, HttpResponsePermanentRedirect(redirect.url)


#: How many reprinted articles a publication's page lists (the API has them all).
REPRINTS_SHOWN = 100


def publication_detail(request: HttpRequest, slug: str) -> HttpResponse:
    publication, redirect = _lookup(
        request,
        Publication.objects.select_related("publisher", "place", "predecessor"),
        slug=slug,
    )
    if redirect:
        return redirect
    issues = (
        visible(request, Issue.objects.filter(publication=publication))
        .annotate(
            sort_date=Coalesce("date_start", Value(FAR_FUTURE, output_field=DateField())),
            article_count=_count_subquery(Article, "issue", Article.public_q()),
        )
        .select_related("publication")
    )
    try:
        pg = keyset_paginate(request, issues, ["sort_date", "id"], per_page=50)
    except BadParameter as exc:
        return bad_request(exc)
    successors = list(visible(request, publication.successors.all()))
    # Articles first published here and reprinted in the archive's other issues.
    reprints = list(
        visible(request, publication.reprints.all())
        .with_related()
        .order_by(*EFFECTIVE_DATE_ORDER)[: REPRINTS_SHOWN + 1]
    )
    return page(
        request,
        "archive/publication_detail.html",
        {
            "nav": "publications",
            "publication": publication,
            "publisher": shown(request, publication.publisher),
            "place": shown(request, publication.place),
            "predecessor": shown(request, publication.predecessor),
            "run_display": edtf_display(publication.run),
            "page_obj": pg,
            "successors": successors,
            "reprints": reprints[:REPRINTS_SHOWN],
            "more_reprints": len(reprints) > REPRINTS_SHOWN,
            "api": f"/api/issues/?publication={publication.pk}",
        },
        canonical=publication.get_absolute_url(),
        obj=publication,
    )


def issue_detail(request: HttpRequest, publication: str, slug: str) -> HttpResponse:
    # get_visible() applies Issue.public(): an issue of a draft publication is 404 too.
    issue, redirect = _lookup(
        request,
        Issue.objects.select_related("publication"),
        publication__slug=publication,
        slug=slug,
    )
    if redirect:
        return redirect
    # with_related(): credited authors are the public ones only (Article.public_authorships).
    articles = list(visible(request, issue.articles.all()).with_related())
    return page(
        request,
        "archive/issue_detail.html",
        {
            "nav": "publications",
            "issue": issue,
            "publication": issue.publication,
            "articles": articles,
            # The Pages column only when some article has its pages recorded.
            "show_pages": any(a.pages for a in articles),
            "api": f"/api/articles/?issue={issue.pk}",
        },
        canonical=issue.get_absolute_url(),
        obj=issue,
    )


def _json_ld(request: HttpRequest, article: Article, mentions: list) -> str:
    """schema.org JSON-LD, the same document the API serves at /jsonld/, made safe to
    embed: inside <script>, "</" would end the element, so <, > and & are escaped."""
    data = article_jsonld(
        article, url=absolute(request, article.get_absolute_url()), mentions=mentions
    )
    text = json.dumps(_drop_none(data), ensure_ascii=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 - JSON with markup characters escaped


def _drop_none(value):
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v not in (None, "", [])}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def _article_events(request: HttpRequest, article: Article, mentioned: list[Mention]) -> list:
    """The events the article records (``Event.articles``, only links whose event and article
    are public) and those it mentions, once each, in date order; each says which it is."""
    links = (
        Event.articles.through.objects.all() if is_staff(request) else Event.public_article_links()
    )
    events = {
        link.event_id: link.event for link in links.filter(article=article).select_related("event")
    }
    for event in events.values():
        event.recorded, event.mention_count = True, 0
    for mention in mentioned:
        event = events.setdefault(mention.event_id, mention.event)
        event.recorded = getattr(event, "recorded", False)
        event.mention_count = mention.count
    for event in events.values():
        event.date_text = edtf_display(event.date)
    return sorted(
        events.values(),
        key=lambda e: (e.date_start is None, e.date_start or FAR_PAST, e.title, e.pk),
    )


def article_detail(request: HttpRequest, publication: str, issue: str, slug: str) -> HttpResponse:
    # get_visible() applies Article.public(): an article in a draft issue or a draft
    # publication is 404 for readers, like a draft article.
    # Where a reprint first appeared is loaded when the article has one (few do): each join
    # of the lookup costs PostgreSQL planning time on every page view, rows or not.
    article, redirect = _lookup(
        request,
        Article.objects.with_related()
        .select_related("issue__publication__publisher", "issue__publication__place")
        .defer("raw_text", "curator_notes"),  # the text as extracted, notes for curators
        issue__publication__slug=publication,
        issue__slug=issue,
        slug=slug,
    )
    if redirect:
        return redirect
    authors = article.public_authorships  # prefetched by with_related(); public people only
    # A reader's article is public (get_visible checked its chain): the mentions' rule need
    # not join it again, which costs more to plan than the query takes to run. Staff may be
    # previewing a draft, whose mentions are not public yet.
    mentions = list(
        Mention.objects.public(article_public=not is_staff(request))
        .filter(article=article)
        .select_related("person", "organisation", "place", "event")
        .order_by("first_offset", "id")
    )
    # Variant names of the mentioned entities, so "Walesa" in the text links to Wałęsa.
    ids = defaultdict(list)
    for m in mentions:
        ids[m.target_type].append(getattr(m, f"{m.target_type}_id"))
    aliases = defaultdict(list)
    if any(ids[t] for t in ("person", "organisation", "place")):
        for alias in Alias.objects.filter(
            Q(person_id__in=ids["person"])
            | Q(organisation_id__in=ids["organisation"])
            | Q(place_id__in=ids["place"])
        ).only("name", "person_id", "organisation_id", "place_id"):
            key = (
                ("person", alias.person_id)
                if alias.person_id
                else ("organisation", alias.organisation_id)
                if alias.organisation_id
                else ("place", alias.place_id)
            )
            aliases[key].append(alias.name)
    targets = []
    grouped: dict[str, list[Mention]] = {"person": [], "organisation": [], "place": [], "event": []}
    for m in mentions:
        m.label = getattr(m.target, "name", None) or m.target.title
        grouped[m.target_type].append(m)
        if m.target_type == "event":
            continue
        target = m.target
        names = [target.name, *aliases[(m.target_type, target.pk)]]
        if m.target_type == "organisation" and target.acronym:
            names.append(target.acronym)
        targets.append(LinkTarget(target.get_absolute_url(), str(target), names))
    for key in grouped:
        grouped[key].sort(key=lambda m: (-m.count, str(m.target)))
    captions: dict[int, list[str]] = defaultdict(list)
    for ill in visible(request, article.illustrations.all()):
        captions[ill.after_paragraph or 10**6].append(ill.caption)
    body_html, sections = render_body(article.body, captions=dict(captions), targets=targets)
    siblings = visible(request, Article.objects.filter(issue=article.issue)).only(
        "title", "slug", "position", "label", "issue_id"
    )
    previous = siblings.filter(position__lt=article.position).order_by("-position").first()
    following = siblings.filter(position__gt=article.position).order_by("position").first()
    for sibling in (previous, following):
        if sibling is not None:  # their links need the issue and publication already loaded
            sibling.issue = article.issue
    url = absolute(request, article.get_absolute_url())
    citation = Citation.for_article(article, url=url)  # the same module the API's /cite/ uses
    # Where it first appeared: the model's one rule, with this reader's view of related records.
    first = article.first_appearance(visible=lambda record: shown(request, record) is not None)
    recorded = first if first is not None and first.recorded else None
    first_page, _, last_page = article.pages.replace("—", "–").replace("-", "–").partition("–")
    api = f"/api/articles/{article.pk}/"
    return page(
        request,
        "archive/article_detail.html",
        {
            "nav": "publications",
            "article": article,
            "issue": article.issue,
            "publication": article.issue.publication,
            "authors": authors,
            "citation_authors": [a for a in authors if a.role == Authorship.Role.AUTHOR],
            "first_issue": recorded.issue if recorded else None,
            "first_publication": recorded.publication if recorded and not recorded.issue else None,
            "first_date_text": edtf_display(recorded.date) if recorded else "",
            "body_html": body_html,
            "editorial": editorial_changes(article),  # the importer's repairs, the emendations
            "sections": sections,
            "mention_groups": [
                ("People", grouped["person"]),
                ("Organisations", grouped["organisation"]),
                ("Places", grouped["place"]),
            ],
            "events": _article_events(request, article, grouped["event"]),
            "has_mentions": any(grouped[t] for t in ("person", "organisation", "place")),
            "previous": previous,
            "next": following,
            "citation": citation.as_text(),
            "citation_date": citation.highwire_date(),
            "dublin_core": citation.dublin_core(),
            "first_page": first_page,
            "last_page": last_page,
            "json_ld": _json_ld(request, article, mentions),
            "api": api,
            "description": (article.body.replace("## ", "")[:200].rsplit(" ", 1)[0] + "…")
            if len(article.body) > 200
            else article.body,
        },
        canonical=article.get_absolute_url(),
        obj=article,
    )
