"""build_collection fails loudly when an emendation no longer applies, and --propose mends it."""

from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SOURCES = FIXTURES / "sources"


@pytest.fixture
def sources(tmp_path) -> Path:
    copy = tmp_path / "sources"
    shutil.copytree(SOURCES, copy)
    return copy


def edit(path: Path, change) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data["emendations"])
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return data


def test_an_emendation_that_no_longer_applies_stops_the_build_in_one_line(sources, tmp_path):
    def garble(entries):
        entries[2]["printed"] = entries[2]["printed"] + " not in the text"

    edit(sources / "emendations.json", garble)
    output = tmp_path / "collection.json"
    for check in (False, True):
        with pytest.raises(CommandError) as caught:
            call_command("build_collection", sources=str(sources), output=str(output), check=check)
        message = str(caught.value)
        assert "\n" not in message
        assert "emendation 3 (" in message and "no longer applies" in message
        assert "occurs 0 times" in message and "--propose" in message
    assert not output.exists()


def test_propose_restores_a_dropped_emendation_and_the_build_is_current_again(sources):
    dropped = {}

    def drop(entries):
        index = next(i for i, e in enumerate(entries) if e["kind"] == "paragraphing")
        dropped.update(entries.pop(index))

    before = edit(sources / "emendations.json", drop)
    out = StringIO()
    call_command(
        "build_collection", sources=str(sources), output=str(FIXTURES / "collection.json"),
        propose=True, stdout=out,
    )  # fmt: skip
    assert f"kept {len(before['emendations'])}, dropped 0, added 1" in out.getvalue()
    proposed = json.loads((sources / "emendations.json").read_text(encoding="utf-8"))
    added = [e for e in proposed["emendations"] if e not in before["emendations"]]
    assert [(e["article"], e["printed"], e["corrected"], e["kind"]) for e in added] == [
        (dropped["article"], dropped["printed"], dropped["corrected"], "paragraphing")
    ]
    # The mended sources give the committed fixture's articles again (the restored entry
    # now comes last among its article's emendations, so only their order differs).
    output = sources.parent / "rebuilt.json"
    call_command("build_collection", sources=str(sources), output=str(output), stdout=StringIO())
    assert articles(output) == articles(FIXTURES / "collection.json")


def articles(path: Path) -> list[dict]:
    records = json.loads(path.read_text(encoding="utf-8"))
    return [r for r in records if r["model"] in ("archive.article", "archive.illustration")]
