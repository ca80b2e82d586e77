"""docs/curating.md shows the admin as it is: every picture it names exists, is a 1280 px
wide screenshot and small enough to keep in the repository; every admin page it names
exists."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "curating.md"


def test_every_picture_exists_is_1280_wide_and_under_300_kb():
    pictures = re.findall(r"!\[[^\]]*\]\((img/curating/[^)]+\.png)\)", DOC.read_text())
    assert len(pictures) >= 8
    for picture in pictures:
        path = DOC.parent / picture
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", picture
        width, _height = struct.unpack(">II", data[16:24])
        assert width == 1280, picture
        assert len(data) < 300 * 1024, picture


def test_every_module_it_points_to_exists():
    for module in re.findall(r"`(archive/[\w/]+\.(?:py|css))`", DOC.read_text()):
        assert (ROOT / module).exists(), module


@pytest.mark.django_db
def test_the_pages_it_describes_exist(client, curator):
    client.force_login(curator)
    for name in ("admin:index", "admin:archive_sourcedocument_import"):
        assert client.get(reverse(name)).status_code == 200
