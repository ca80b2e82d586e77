"""Records never silently vanish: 410 Gone for what was public once, 301 for a merge.

A page or an API detail answers 404 for a record the public may not see. When that record
*was* public once, a bare 404 lies by omission: a reader following an old citation, or a
harvester checking a link, deserves to know it was withdrawn or deleted, when, and (if a
curator said) why, and a merged record should lead to the record that absorbed it.

:class:`TombstoneMiddleware` looks at every 404 answer to a GET or HEAD, so no page or API
view needs to know about it:

1. the URL is resolved to the route that answered 404: a page of a publication, issue,
   article, person, organisation, place or event (by slug), or an API detail of one of them
   or of a mention (by id, with its ``text/``, ``jsonld/`` and ``cite/`` formats);
2. for a page, the slugs are looked up in the records *and in their history* (django-simple-
   history keeps every version, deleted records too), so a deleted record's old URL is found;
3. the public changes log (:mod:`archive.changes`) says what became of each candidate: if
   its newest change is ``withdrawn`` or ``deleted`` the answer is **410 Gone** saying when
   and why; if it is ``merged``, the merge is followed to the record that survived and, if
   that one is public, the answer is **301** to it (a page to its page, an API detail to its
   detail with the same format and query), else 410.

A record that never was public stays a plain 404: the log only knows public rows. Under
``/api/`` the 410 is the API's error shape (docs/api.md, "Errors") with a ``gone`` object; on
pages it is a short HTML page (``archive/gone.html``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DatabaseError, models
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from archive import changes
from archive.exports.base import utc_timestamp
from archive.middleware import is_api_request
from archive.models import (
    Article,
    Change,
    ChangeKind,
    Event,
    Issue,
    Mention,
    Organisation,
    Person,
    Place,
    Publication,
)

#: Page routes: route name → (release resource, model).
PAGES: dict[str, tuple[str, type[models.Model]]] = {
    "archive:publication-detail": ("publications", Publication),
    "archive:issue-detail": ("issues", Issue),
    "archive:article-detail": ("articles", Article),
    "archive:person-detail": ("people", Person),
    "archive:organisation-detail": ("organisations", Organisation),
    "archive:place-detail": ("places", Place),
    "archive:event-detail": ("events", Event),
}
#: API router basenames → (release resource, model).
API: dict[str, tuple[str, type[models.Model]]] = {
    "publication": ("publications", Publication),
    "issue": ("issues", Issue),
    "article": ("articles", Article),
    "person": ("people", Person),
    "organisation": ("organisations", Organisation),
    "place": ("places", Place),
    "event": ("events", Event),
    "mention": ("mentions", Mention),
}


@dataclass(frozen=True)
class Tombstone:
    """What became of the record behind a URL."""

    resource: str
    model: type[models.Model]
    record_id: int
    change: Change
    #: For a merge whose survivor is public: where to go.
    survivor_id: int | None = None

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)

    def message(self) -> str:
        when = self.change.time.date().isoformat()
        if self.change.change == ChangeKind.MERGED:
            text = f"This {self.label} was merged into another record on {when}"
            text += ", which is no longer public." if self.survivor_id is None else "."
        elif self.change.change == ChangeKind.DELETED:
            text = f"This {self.label} was deleted from the archive on {when}."
        else:
            text = f"This {self.label} was withdrawn from the archive on {when}."
        if self.change.reason:
            text += f" Reason: {self.change.reason}"
        return text

    def as_json(self) -> dict:
        return {
            "kind": self.resource,
            "id": self.record_id,
            "change": self.change.change,
            "time": utc_timestamp(self.change.time),
            "reason": self.change.reason or None,
            "merged_into": self.change.merged_into,
            "seq": self.change.pk,
        }


class TombstoneMiddleware:
    """Turn the 404 of a record that was public once into 410 Gone, or 301 after a merge."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        try:
            return answer(request) or response
        except DatabaseError:
            return response  # the 404 stands; an outage is reported by its own middleware


def answer(request: HttpRequest) -> HttpResponse | None:
    """The 410 or 301 for this request's URL, or ``None`` to keep the 404."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if match.view_name in PAGES:
        resource, model = PAGES[match.view_name]
        candidates = page_candidates(model, match.kwargs)
        api = False
    elif match.namespace == "api" and "pk" in match.kwargs:
        basename = match.url_name.rsplit("-", 1)[0]
        pk = str(match.kwargs["pk"])
        # ASCII digits within a 64-bit id, as the API reads ids ("²" is a digit to Python).
        if basename not in API or not re.fullmatch(r"[0-9]+", pk) or int(pk) >= 2**63:
            return None
        resource, model = API[basename]
        candidates = {int(match.kwargs["pk"])}
        api = True
    else:
        return None
    if not candidates:
        return None
    stone = find(resource, model, candidates)
    if stone is None:
        return None
    if stone.survivor_id is not None:
        target = _survivor_url(request, match, stone, api)
        if target:
            return HttpResponsePermanentRedirect(target)
    if api or is_api_request(request):
        # The API's error shape (archive.middleware.api_error), plus what became of it.
        return JsonResponse(
            {
                "status": 410,
                "errors": [
                    {"parameter": None, "code": stone.change.change, "message": stone.message()}
                ],
                "gone": stone.as_json(),
            },
            status=410,
            json_dumps_params={"ensure_ascii": False},
        )
    return render(
        request,
        "archive/gone.html",
        {"tombstone": stone, "message": stone.message(), "record": stone.as_json()},
        status=410,
    )


def find(resource: str, model: type[models.Model], candidates: set[int]) -> Tombstone | None:
    """The newest tombstone among the candidate records, if any of them left the public."""
    changes.ensure_current(wait=False)
    newest = [
        c for c in changes.latest(resource, candidates).values() if c.change in ChangeKind.gone()
    ]
    if not newest:
        return None
    change = max(newest, key=lambda c: c.pk)
    survivor_id = None
    if change.change == ChangeKind.MERGED:
        final_id, final = changes.final_survivor(resource, change.record_id)
        if final is not None and final.change in ChangeKind.present():
            survivor_id = final_id
    return Tombstone(resource, model, change.record_id, change, survivor_id)


def _ids(model: type[models.Model], **lookup) -> set[int]:
    """Ids of records of ``model`` matching ``lookup`` now or in any past version."""
    ids = set(model._base_manager.filter(**lookup).values_list("pk", flat=True))
    history = getattr(getattr(model, "history", None), "model", None)
    if history is not None:
        ids |= set(history.objects.filter(**lookup).values_list("id", flat=True))
    return ids


def page_candidates(model: type[models.Model], kwargs: dict) -> set[int]:
    """Records that had the page's URL at some point (slugs of the record and its parents)."""
    if model is Issue:
        publications = _ids(Publication, slug=kwargs["publication"])
        return _ids(Issue, slug=kwargs["slug"], publication_id__in=publications)
    if model is Article:
        publications = _ids(Publication, slug=kwargs["publication"])
        issues = _ids(Issue, slug=kwargs["issue"], publication_id__in=publications)
        return _ids(Article, slug=kwargs["slug"], issue_id__in=issues)
    return _ids(model, slug=kwargs["slug"])


def _survivor_url(request: HttpRequest, match, stone: Tombstone, api: bool) -> str | None:
    if api:
        try:
            path = reverse(match.view_name, kwargs={**match.kwargs, "pk": stone.survivor_id})
        except NoReverseMatch:
            return None
        query = request.META.get("QUERY_STRING", "")
        return f"{path}?{query}" if query else path
    survivor = stone.model.objects.public().filter(pk=stone.survivor_id).first()
    return survivor.get_absolute_url() if survivor is not None else None
