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
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from archive import changes

from .fields import (
    _DAY_30,
    _DAY_31,
    _DAY_FEBRUARY,
    _LEAP_YEAR,
    _MONTH_30,
    _MONTH_31,
    _YEAR,
    anchored,
    literal,
    repeatable_schema,
)
from .renderers import JSONLinesRenderer

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
PARAMETERS = {"after", "kind", "since", "until", "limit", "format"}
_WHOLE = re.compile(r"[0-9]{1,18}")
#: A day that exists (``2026-11-25``), from the parts of the filters' own date pattern.
_DAY_ONLY = (
    rf"(?:{_YEAR}-(?:{_MONTH_31}-{_DAY_31}|{_MONTH_30}-{_DAY_30}|02-{_DAY_FEBRUARY})"
    rf"|{_LEAP_YEAR}-02-29)"
)
#: ``since`` and ``until``: a day, or a day with a time of day and an optional offset. The
#: schema's pattern is this expression, so what the schema allows is exactly what is read.
TIME_PATTERN = anchored(
    rf"{_DAY_ONLY}(?:T(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{{1,6}})?)?"
    r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])?)?"
)


def _invalid(parameter: str, code: str, message: str) -> exceptions.ValidationError:
    return exceptions.ValidationError({parameter: [exceptions.ErrorDetail(message, code=code)]})


def _whole(params, name: str, default: int | None, low: int, high: int) -> int | None:
    raw = params.get(name, "")
    if raw == "":
        return default
    if not _WHOLE.fullmatch(raw) or not low <= int(raw) <= high:
        raise _invalid(name, "invalid", f"{raw!r} is not a whole number from {low} to {high}.")
    return int(raw)


def _time(params, name: str) -> dt.datetime | None:
    """``YYYY-MM-DD`` (midnight UTC) or an ISO 8601 date-time (UTC unless it names an
    offset), e.g. ``2026-11-25T17:01:01Z``."""
    raw = params.get(name, "")
    if raw == "":
        return None
    value = None
    if re.match(TIME_PATTERN, raw):
        try:
            if len(raw) == 10:
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
        for kind in (k.strip(" ") for k in raw.split(",")):
            if not kind:
                continue
            if kind not in known:
                raise _invalid(
                    "kind", "invalid_choice",
                    f"{kind!r} is not a kind of record; use one or more of {', '.join(known)}.",
                )  # fmt: skip
            kinds.append(kind)
    return kinds


CHANGE_SCHEMA = {
    "type": "object",
    "required": ["seq", "time", "kind", "id", "change", "merged_into", "reason", "record"],
    "properties": {
        "seq": {"type": "integer", "description": "Position in the log; only grows."},
        "time": {"type": "string", "format": "date-time", "description": "When recorded."},
        "kind": {"type": "string", "description": "The data release's resource of the row."},
        "id": {"type": "integer", "description": "The row's id in that resource."},
        "change": {
            "type": "string",
            "enum": ["created", "published", "updated", "withdrawn", "merged", "deleted"],
        },
        "merged_into": {
            "type": "integer", "nullable": True,
            "description": "For merged: the id of the surviving record.",
        },
        "reason": {
            "type": "string", "nullable": True,
            "description": "Why a row was withdrawn or deleted, when a curator said.",
        },
        "record": {
            "type": "object", "nullable": True, "additionalProperties": True,
            "description": "The row as the data release's JSON Lines file holds it; null "
            "when the row left the public archive.",
        },
    },
}  # fmt: skip
CHANGES_PAGE_SCHEMA = {
    "type": "object",
    "required": ["changes", "last", "next"],
    "properties": {
        "changes": {"type": "array", "items": CHANGE_SCHEMA},
        "last": {"type": "integer", "description": "The seq to pass as after next time."},
        "next": {
            "type": "string", "format": "uri", "nullable": True,
            "description": "The following page, null at the end.",
        },
    },
}  # fmt: skip
CHANGES_PARAMETERS = [
    OpenApiParameter(
        "after", OpenApiTypes.INT,
        description="Only changes with a larger seq (default 0: from the beginning), e.g. 42.",
    ),
    OpenApiParameter(
        "kind", OpenApiTypes.STR,
        description="Only these kinds of rows, comma-separated, e.g. articles,mentions.",
    ),
    OpenApiParameter(
        "since", OpenApiTypes.STR,
        description="Only changes recorded at or after: a date or an ISO 8601 date-time "
        "(UTC unless it names an offset), e.g. 2026-11-25.",
    ),
    OpenApiParameter(
        "until", OpenApiTypes.STR,
        description="Only changes recorded before: as since, e.g. 2026-11-25T17:01:01Z.",
    ),
    OpenApiParameter(
        "limit", OpenApiTypes.INT,
        description=f"Changes per JSON page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT}); JSON "
        "Lines streams every change unless given, e.g. 500.",
    ),
    OpenApiParameter(
        "format", OpenApiTypes.STR, enum=["json", "jsonl"],
        description="json (default, paged) or jsonl (one change per line, streamed), e.g. jsonl.",
    ),
]  # fmt: skip


def changes_parameter_schemas() -> dict[str, dict]:
    """Exact schemas of the parameters, for schema-driven clients: what the view reads."""
    kinds = "|".join(literal(k) for k in changes.resources())
    return {
        "after": {"type": "integer", "minimum": 0, "maximum": 10**18 - 1},
        "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
        "since": {"type": "string", "pattern": TIME_PATTERN},
        "until": {"type": "string", "pattern": TIME_PATTERN},
        "kind": repeatable_schema(kinds),
    }


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

    @extend_schema(
        operation_id="changes_list",
        summary="Every public change since a point",
        description="Every change of the public archive, oldest first: keep the last `seq` "
        "you applied and ask for `?after=` it next time (docs/api.md, Changes). Each "
        "`record` is the row as the data release's JSON Lines holds it. Example: "
        "`/api/changes/?after=42&kind=articles`.",
        parameters=CHANGES_PARAMETERS,
        responses={
            (200, "application/json"): OpenApiResponse(
                CHANGES_PAGE_SCHEMA, description="One page of changes."
            ),
            (200, "application/jsonl"): OpenApiResponse(
                OpenApiTypes.STR, description="One change (as in the JSON page) per line."
            ),
        },
        tags=["changes"],
    )
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
