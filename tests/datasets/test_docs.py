"""docs/data.md documents every file and column a release contains."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from archive.exports.release import NOT_RELEASED, release_exporters

DOC = Path(settings.BASE_DIR) / "docs" / "data.md"


def sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^### (\w+) — .*$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_release_column_is_documented_with_its_type():
    documented = sections()
    for resource, exporter in release_exporters().items():
        assert resource in documented, f"docs/data.md has no section for {resource}"
        rows = re.findall(r"^\| `(\w+)` \| (\w+) \|", documented[resource], flags=re.M)
        columns = [(c.name, c.type) for c in exporter(full_text=True).fields]
        assert rows == columns, f"docs/data.md is out of date for {resource}"


def test_fields_left_out_of_releases_are_documented():
    text = DOC.read_text(encoding="utf-8")
    for field in NOT_RELEASED:
        assert f"`{field}`" in text
