"""``/api/changes/``: every public change, in the order it was recorded (see docs/api.md).

A thin view over :mod:`archive.changes`: it brings the log up to date, selects the changes
after the client's cursor (``after``, the ``seq`` of the last change it applied), of the kinds
and in the time window it asked for, and prints them as a JSON page or as JSON Lines. Each
change's ``record`` is the row's data-release line verbatim, so a client that applies the
changes in order holds the same rows, byte for byte, as the release built at that point.

Parameters are checked strictly, as for every list of the API: an unknown parameter or a
malformed value is a 400 in the API's error shape, never a silently wider answer.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from urllib.parse import urlencode

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from archive import changes

from .renderers import JSONLinesRenderer

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
PARAMETERS = {"after", "kind", "since", "until", "limit", "format"}
_WHOLE = re.compile(r"^[0-9]{1,18}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _invalid(parameter: str, code: str, message: str) -> exceptions.ValidationError:
    return exceptions.ValidationError({parameter: [exceptions.ErrorDetail(message, code=code)]})


def _whole(params, name: str, default: int | None, low: int, high: int) -> int | None:
    raw = params.get(name, "")
    if raw == "":
        return default
    if not _WHOLE.match(raw) or not low <= int(raw) <= high:
        raise _invalid(name, "invalid", f"{raw!r} is not a whole number from {low} to {high}.")
    return int(raw)


def _time(params, name: str) -> dt.datetime | None:
    """``YYYY-MM-DD`` (midnight UTC) or an ISO 8601 date-time (UTC unless it names an
    offset), e.g. ``2026-11-25T17:01:01Z``."""
    raw = params.get(name, "")
    if raw == "":
        return None
    try:
        if _DAY.match(raw):
            value = dt.datetime.combine(dt.date.fromisoformat(raw), dt.time(), dt.UTC)
        else:
            value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is None:
        raise _invalid(
            name, "invalid_time",
            f"{raw!r} is not a date (2026-11-25) or a date-time (2026-11-25T17:01:01Z).",
        )  # fmt: skip
    return value if timezone.is_aware(value) else value.replace(tzinfo=dt.UTC)


def _kinds(params) -> list[str]:
    known = changes.resources()
    kinds: list[str] = []
    for raw in params.getlist("kind"):
        for kind in (k.strip() for k in raw.split(",")):
            if not kind:
                continue
            if kind not in known:
                raise _invalid(
                    "kind", "invalid_choice",
                    f"{kind!r} is not a kind of record; use one or more of {', '.join(known)}.",
                )  # fmt: skip
            kinds.append(kind)
    return kinds


class ChangesView(APIView):
    """Every public change: created, updated, published, withdrawn, merged, deleted."""

    renderer_classes = [JSONRenderer, JSONLinesRenderer]

    def perform_content_negotiation(self, request, force=False):
        """An unknown ``format`` is a malformed request (400 naming it), as everywhere in
        the API, not "no such page"."""
        wanted = request.query_params.get("format", "")
        if wanted and not force and wanted not in ("json", "jsonl"):
            raise _invalid(
                "format", "invalid_choice", f"{wanted!r} is not a format here; use json or jsonl."
            )
        return super().perform_content_negotiation(request, force)

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        params = request.query_params
        unknown = sorted(set(params) - PARAMETERS)
        if unknown:
            raise _invalid(
                unknown[0], "unknown_parameter",
                f"Unknown parameter {unknown[0]!r}; this list takes "
                f"{', '.join(sorted(PARAMETERS))}.",
            )  # fmt: skip
        jsonl = request.accepted_renderer.format == "jsonl"
        after = _whole(params, "after", 0, 0, 10**18)
        limit = _whole(params, "limit", None if jsonl else DEFAULT_LIMIT, 1, MAX_LIMIT)
        kinds = _kinds(params)
        since, until = _time(params, "since"), _time(params, "until")
        if since is not None and until is not None and since > until:
            raise _invalid("until", "reversed_range", "'until' is earlier than 'since'.")

        changes.ensure_current(wait=False)
        selected = changes.changes(after=after, kinds=kinds, since=since, until=until)
        if jsonl:
            rows = selected if limit is None else selected[:limit]
            response = StreamingHttpResponse(
                _lines(rows), content_type="application/jsonl; charset=utf-8"
            )
            response["Content-Disposition"] = 'inline; filename="changes.jsonl"'
            return response
        page = list(selected[: limit + 1])
        more = len(page) > limit
        page = page[:limit]
        last = page[-1].pk if page else after
        next_url = None
        if more:
            query = {k: v for k, v in params.items() if k != "after"}
            next_url = request.build_absolute_uri(
                f"{request.path}?{urlencode({**query, 'after': last})}"
            )
        body = (
            '{"changes":['
            + ",".join(changes.entry_json(c) for c in page)
            + f'],"last":{last},"next":'
            + json.dumps(next_url)
            + "}"
        )
        return HttpResponse(body, content_type="application/json")


def _lines(rows) -> Iterator[bytes]:
    buffer: list[str] = []
    size = 0
    for change in rows.iterator(chunk_size=500):
        line = changes.entry_json(change) + "\n"
        buffer.append(line)
        size += len(line)
        if size >= 64 * 1024:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode()
