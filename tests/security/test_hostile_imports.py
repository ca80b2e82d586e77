"""Malformed import files are refused with one clear line, and nothing at all is written."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from tests.factories import PublicationFactory

pytestmark = pytest.mark.django_db

GOOD = "1. THE WORKERS OF GDAŃSK\n\nNovember 1989\n\nWałęsa and Ceaușescu, Trotsky’s heirs.\n"

MALFORMED = {
    "latin-2 (not UTF-8)": ("Wałęsa w Gdańsku\n".encode("iso-8859-2"), "not valid UTF-8"),
    "windows-1250": ("Wałęsa".encode("cp1250") + b"\n", "not valid UTF-8"),
    "utf-16 with BOM": (GOOD.encode("utf-16"), "binary file"),
    "binary (PNG)": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file"),
    "truncated multi-byte character": (GOOD.encode()[:-1] + "ł".encode()[:1], "not valid UTF-8"),
    "enormous line": (("word " * 5000).encode() + b"\n", "characters long"),
    "empty": (b"", "empty"),
    "only whitespace": (b" \n\t\r\n  \n", "empty"),
    "NUL in the middle": (GOOD.encode()[:20] + b"\x00" + GOOD.encode()[20:], "binary file"),
}


def row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()
            if m._meta.app_label in ("archive", "simple_history")}  # fmt: skip


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_file_is_refused_in_one_line_and_writes_nothing(tmp_path, case):
    publication = PublicationFactory(slug="workers-liberty")
    data, reason = MALFORMED[case]
    path = tmp_path / "upload.txt"
    path.write_bytes(data)
    before = row_counts()
    with pytest.raises(CommandError) as info:
        call_command("import_text", str(path), "--publication", publication.slug)
    message = str(info.value)
    assert reason in message, message
    assert "\n" not in message.strip()
    assert "Traceback" not in message
    assert row_counts() == before


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path):
    from archive.importers.service import MAX_BYTES

    publication = PublicationFactory(slug="workers-liberty")
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: costs no disk
    before = row_counts()
    with pytest.raises(CommandError, match="the limit is"):
        call_command("import_text", str(path), "--publication", publication.slug)
    assert row_counts() == before


def test_the_well_formed_version_is_imported(tmp_path):
    """The other side: the same content, well formed, goes in."""
    publication = PublicationFactory(slug="workers-liberty")
    path = tmp_path / "paper.txt"
    path.write_text(GOOD, encoding="utf-8")
    before = row_counts()
    call_command("import_text", str(path), "--publication", publication.slug, "--no-link")
    after = row_counts()
    assert after["archive.Article"] == before["archive.Article"] + 1


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_upload_in_the_admin_is_refused_and_writes_nothing(admin_client, case):
    """The same files through the curators' upload form: a 400 saying why, nothing saved."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    publication = PublicationFactory(slug="workers-liberty")
    data, reason = MALFORMED[case]
    before = row_counts()
    response = admin_client.post(
        "/admin/archive/sourcedocument/import/",
        {"action": "preview", "publication": publication.pk,
         "file": SimpleUploadedFile("upload.txt", data, content_type="text/plain")},
    )  # fmt: skip
    assert response.status_code == 400, case
    assert reason in response.content.decode(), case
    assert row_counts() == before
