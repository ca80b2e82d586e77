"""The site's URLs plus two made for the streaming tests, never part of the site.

* ``/_test/slow/<delay>/<path>``: the site's own answer at ``path`` (an export, say), handed
  out in 512-byte pieces with ``delay`` seconds between them: a slow stream made on purpose,
  as a very large export or a slow client would make it, without a million rows.
* ``/_test/stuck/``: a request that never answers, as one stuck on a lock would.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import include, path, resolve

PIECE = 512


def _pieces(chunks: Iterable[bytes], delay: float) -> Iterator[bytes]:
    for chunk in chunks:
        for start in range(0, len(chunk), PIECE):
            time.sleep(delay)
            yield chunk[start : start + PIECE]


def slow(request: HttpRequest, delay: str, rest: str) -> StreamingHttpResponse:
    match = resolve(f"/{rest}")
    response = match.func(request, *match.args, **match.kwargs)
    if callable(getattr(response, "render", None)):
        response = response.render()
    chunks = response.streaming_content if response.streaming else [response.content]
    slowed = StreamingHttpResponse(_pieces(chunks, float(delay)), status=response.status_code)
    for name, value in response.items():
        if name.lower() != "content-length":
            slowed[name] = value
    return slowed


def stuck(request: HttpRequest) -> HttpResponse:
    time.sleep(3600)
    return HttpResponse("never")


urlpatterns = [
    path("_test/slow/<str:delay>/<path:rest>", slow),
    path("_test/stuck/", stuck),
    path("", include("config.urls")),
]
