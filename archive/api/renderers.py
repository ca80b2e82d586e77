"""Renderers that declare the download formats for content negotiation and the schema.

The rows themselves never pass through these renderers: list views stream CSV and JSON Lines
straight from :mod:`archive.exports` (all matching rows, no page limit). A renderer is only
called for errors, which are always JSON (see :mod:`archive.api.errors`).
"""

from __future__ import annotations

import json

from rest_framework.renderers import BaseRenderer


class _ErrorAsJSONRenderer(BaseRenderer):
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data, ensure_ascii=False).encode()


class CSVRenderer(_ErrorAsJSONRenderer):
    media_type = "text/csv"
    format = "csv"


class JSONLinesRenderer(_ErrorAsJSONRenderer):
    media_type = "application/jsonl"
    format = "jsonl"


class PlainTextRenderer(BaseRenderer):
    media_type = "text/plain"
    format = "txt"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, str):
            return data.encode()
        return json.dumps(data, ensure_ascii=False).encode()


class JSONLDRenderer(_ErrorAsJSONRenderer):
    media_type = "application/ld+json"
    format = "jsonld"
