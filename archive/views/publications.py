"""Publications, issues (as tables of contents) and the article reader."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from django.db.models import Count, DateField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.utils.safestring import mark_safe

from archive.citations import Citation, article_jsonld
from archive.dates import edtf_display
from archive.models import Alias, Article, Authorship, Issue, Mention, Publication, Status

from .common import (
    BadParameter,
    PastSlugRedirect,
    absolute,
    bad_request,
    get_visible,
    is_staff,
    keyset_paginate,
    page,
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
            article_count=_count_subquery(Article, "issue", status=Status.PUBLISHED),
        )
        .select_related("publication")
    )
    try:
        pg = keyset_paginate(request, issues, ["sort_date", "id"], per_page=50)
    except BadParameter as exc:
        return bad_request(exc)
    successors = list(visible(request, publication.successors.all()))
    return page(
        request,
        "archive/publication_detail.html",
        {
            "nav": "publications",
            "publication": publication,
            "run_display": edtf_display(publication.run),
            "page_obj": pg,
            "successors": successors,
            "api": f"/api/issues/?publication={publication.pk}",
        },
        canonical=publication.get_absolute_url(),
        obj=publication,
    )


def issue_detail(request: HttpRequest, publication: str, slug: str) -> HttpResponse:
    issue, redirect = _lookup(
        request,
        Issue.objects.select_related("publication"),
        publication__slug=publication,
        slug=slug,
    )
    if redirect:
        return redirect
    if not is_visible_parent(request, issue.publication):
        raise Http404("No issue here.")
    articles = list(
        visible(request, issue.articles.all()).prefetch_related(
            Prefetch("authorships", queryset=Authorship.objects.select_related("person"))
        )
    )
    for article in articles:
        article.issue = issue  # links need the issue's publication: no query per row
    return page(
        request,
        "archive/issue_detail.html",
        {
            "nav": "publications",
            "issue": issue,
            "publication": issue.publication,
            "date_text": edtf_display(issue.date),
            "articles": articles,
            "api": f"/api/articles/?issue={issue.pk}",
        },
        canonical=issue.get_absolute_url(),
        obj=issue,
    )


def is_visible_parent(request: HttpRequest, obj) -> bool:
    """A published record inside an unpublished one stays hidden from the public."""
    return is_staff(request) or obj.is_published()


def _citation(request: HttpRequest, article: Article) -> str:
    """The formatted citation, from the same module the API's /cite/ uses."""
    return Citation.for_article(
        article, url=absolute(request, article.get_absolute_url())
    ).as_text()


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


def _citation_date(article: Article) -> str:
    """citation_publication_date as YYYY/MM/DD, YYYY/MM or YYYY from the known bounds."""
    date = article.date or article.issue.date
    parts = (date.split("/")[0].rstrip("?~%")).split("-") if date else []
    if parts and parts[0].isdigit():
        return "/".join(p for p in parts if p.isdigit())
    return ""


def article_detail(request: HttpRequest, publication: str, issue: str, slug: str) -> HttpResponse:
    article, redirect = _lookup(
        request,
        Article.objects.select_related(
            "issue__publication__publisher",
            "issue__publication__place",
            "first_published_in_issue__publication",
            "first_published_in_publication",
        ),
        issue__publication__slug=publication,
        issue__slug=issue,
        slug=slug,
    )
    if redirect:
        return redirect
    if not (
        is_visible_parent(request, article.issue)
        and is_visible_parent(request, article.issue.publication)
    ):
        raise Http404("No article here.")
    authors = list(article.authorships.select_related("person").order_by("order", "id"))
    article.public_authorships = authors  # the citation module reuses them
    mentions = list(
        Mention.objects.published()
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
    illustrations = list(article.illustrations.all())
    for ill in illustrations:
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
            "date_text": edtf_display(article.date),
            "first_date_text": edtf_display(article.first_published_date),
            "body_html": body_html,
            "sections": sections,
            "mention_groups": [
                ("People", grouped["person"]),
                ("Organisations", grouped["organisation"]),
                ("Places", grouped["place"]),
                ("Events", grouped["event"]),
            ],
            "has_mentions": bool(mentions),
            "previous": previous,
            "next": following,
            "citation": _citation(request, article),
            "citation_date": _citation_date(article),
            "json_ld": _json_ld(request, article, mentions),
            "api": api,
            "description": (article.body.replace("## ", "")[:200].rsplit(" ", 1)[0] + "…")
            if len(article.body) > 200
            else article.body,
        },
        canonical=article.get_absolute_url(),
        obj=article,
    )
