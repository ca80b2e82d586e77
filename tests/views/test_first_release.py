"""`make run` builds the first data release, so /downloads/ is never empty on a fresh
install while the home page advertises bulk downloads."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

pytestmark = pytest.mark.django_db

MAKEFILE = Path(settings.BASE_DIR) / "Makefile"


def recipe(target: str) -> list[str]:
    """The commands of a Makefile target, in order."""
    text = MAKEFILE.read_text(encoding="utf-8")
    block = re.search(rf"^{target}:.*?\n((?:\t.*\n)+)", text, re.M)[1]
    return [line.strip() for line in block.splitlines()]


def test_make_run_loads_the_collection_then_builds_its_release():
    assert re.search(r"^run: load\b", MAKEFILE.read_text(encoding="utf-8"), re.M)
    load = recipe("load")
    collection = next(i for i, c in enumerate(load) if "load_collection" in c)
    release = next(i for i, c in enumerate(load) if "build_dataset" in c)
    assert collection < release


def test_downloads_list_a_release_after_a_fresh_load(client, settings, tmp_path):
    settings.DATASET_ROOT = tmp_path / "datasets"
    assert "No release has been published yet" in client.get("/downloads/").content.decode()
    call_command("load_collection", stdout=StringIO())
    call_command("build_dataset", stdout=StringIO())  # what `make load` runs next
    html = client.get("/downloads/").content.decode()
    assert "No release has been published yet" not in html
    assert re.search(r"\.zip", html)
    out = StringIO()
    call_command("build_dataset", stdout=out)  # a second `make run`: nothing changed
    assert "not rebuilt" in out.getvalue()
    releases = [p for p in (tmp_path / "datasets").iterdir() if not p.name.startswith(".")]
    assert len(releases) == 1
