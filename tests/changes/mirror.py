"""A mirror of the public archive kept only by following ``/api/changes/``.

Written as an outside client would write it, from docs/api.md ("Changes") and docs/data.md
(the release's CSV rules), and nothing of the archive's own code: it pages through the feed
with ``after``, keeps each row's latest ``record`` and drops rows that left, and writes CSV
files the way the documentation says a release writes them, column order and types taken
from the release's ``datapackage.json``.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class Mirror:
    def __init__(self, client, *, page_size: int = 7) -> None:
        self.client = client
        self.page_size = page_size
        self.after = 0
        self.rows: dict[str, dict[int, dict[str, Any]]] = {}
        self.applied: list[dict[str, Any]] = []

    # -- following the feed -----------------------------------------------------------------

    def follow(self, *, until_seq: int | None = None) -> int:
        """Apply every change after the saved cursor (up to ``until_seq``); return how many."""
        count = 0
        while True:
            response = self.client.get(
                "/api/changes/", {"after": self.after, "limit": self.page_size}
            )
            assert response.status_code == 200, response.content
            page = json.loads(response.content, parse_float=Decimal)
            for entry in page["changes"]:
                if until_seq is not None and entry["seq"] > until_seq:
                    return count
                self.apply(entry)
                count += 1
            if page["next"] is None:
                return count

    def follow_jsonl(self) -> int:
        """The same, from one JSON Lines download of everything after the cursor."""
        response = self.client.get("/api/changes/", {"after": self.after, "format": "jsonl"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/jsonl")
        text = b"".join(response.streaming_content).decode()
        count = 0
        for line in text.splitlines():
            self.apply(json.loads(line, parse_float=Decimal))
            count += 1
        return count

    def apply(self, entry: dict[str, Any]) -> None:
        assert entry["seq"] > self.after, "changes come in order, each once"
        rows = self.rows.setdefault(entry["kind"], {})
        if entry["record"] is None:
            rows.pop(entry["id"], None)
        else:
            assert entry["record"]["id"] == entry["id"]
            rows[entry["id"]] = entry["record"]
        self.after = entry["seq"]
        self.applied.append(entry)

    # -- saving and resuming ----------------------------------------------------------------

    def save(self) -> str:
        return json.dumps({"after": self.after, "rows": self.rows}, default=_encode)

    @classmethod
    def restore(cls, client, saved: str, **kwargs) -> Mirror:
        mirror = cls(client, **kwargs)
        state = json.loads(saved, object_hook=_decode)
        mirror.after = state["after"]
        mirror.rows = {
            kind: {int(k): v for k, v in rows.items()} for kind, rows in state["rows"].items()
        }
        return mirror

    # -- writing CSV ------------------------------------------------------------------------

    def write_csvs(self, folder: Path, datapackage: dict[str, Any]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for resource in datapackage["resources"]:
            if resource["format"] != "csv":
                continue
            fields = resource["schema"]["fields"]
            lines = [",".join(f["name"] for f in fields)]
            rows = self.rows.get(resource["name"], {})
            for record_id in sorted(rows):
                record = rows[record_id]
                lines.append(",".join(_cell(record[f["name"]], f["type"]) for f in fields))
            (folder / resource["path"]).write_bytes(("\n".join(lines) + "\n").encode())


def _encode(value: Any) -> Any:
    """Exact decimals survive a save: ``{"$decimal": "54.35200"}``."""
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    raise TypeError(type(value))


def _decode(obj: dict[str, Any]) -> Any:
    return Decimal(obj["$decimal"]) if set(obj) == {"$decimal"} else obj


def _cell(value: Any, kind: str) -> str:
    """One CSV field as docs/data.md describes the release's CSV."""
    if value is None:
        return ""
    if kind == "boolean":
        return "true" if value else "false"
    if kind in ("integer", "number"):
        return format(value, "f") if isinstance(value, Decimal) else str(value)
    text = str(value)
    if kind == "string" and text.startswith(FORMULA_PREFIXES):
        text = "'" + text
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text
