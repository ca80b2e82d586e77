"""verify_releases: every stored release checked against what it states about itself."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from archive.datasets.fixity import verify_release
from archive.datasets.releases import build_release
from tests.factories import ArticleFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_releases(dataset_root):
    ArticleFactory(title="The risen people", body="Trotsky’s heirs & Wałęsa’s union.")
    first = build_release().release
    PersonFactory(name="Rosa Luxemburg")
    second = build_release().release
    return first, second


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_releases", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def flip_a_byte(path, offset: int = 10) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_intact_releases_pass(two_releases):
    out, err = run()
    first, second = two_releases
    assert f"{first.name}: OK" in out and f"{second.name}: OK" in out
    assert "2 release(s) verified" in out and err == ""


@pytest.mark.parametrize(
    "name", ["articles.csv", "people.jsonl", "datapackage.json", "SHA256SUMS", "merged-ids.csv"]
)
def test_one_flipped_byte_fails_naming_the_file(two_releases, name):
    first, second = two_releases
    flip_a_byte(second.path / name)
    err = io.StringIO()
    with pytest.raises(CommandError, match=second.name):
        call_command("verify_releases", stdout=io.StringIO(), stderr=err)
    assert f"FAILED {second.name}/{name}: " in err.getvalue()
    assert verify_release(first.path) == []


def test_a_flipped_byte_in_the_zip_is_caught_by_the_index_card(two_releases):
    _first, second = two_releases
    flip_a_byte(second.path / second.manifest["zip"], offset=100)
    problems = verify_release(second.path)
    assert [p.file for p in problems] == [second.manifest["zip"]]
    assert "release.json says" in problems[0].message


def test_missing_extra_and_resized_files_are_named(two_releases):
    _first, second = two_releases
    (second.path / "people.csv").unlink()
    (second.path / "notes.txt").write_text("left here by hand")
    with open(second.path / "events.jsonl", "ab") as handle:
        handle.write(b"\n")
    problems = {
        (p.file, p.message.split(" (")[0].split(",")[0]) for p in verify_release(second.path)
    }
    assert ("people.csv", "missing") in problems
    assert ("notes.txt", "not listed in SHA256SUMS or release.json") in problems
    assert any(file == "events.jsonl" for file, _ in problems)


def test_a_lost_index_card_is_a_problem_not_a_skip(two_releases):
    _first, second = two_releases
    (second.path / "release.json").write_text("{not json")
    with pytest.raises(CommandError, match=r"release\.json"):
        run()


def test_one_release_can_be_checked_by_name(two_releases):
    first, second = two_releases
    flip_a_byte(second.path / "articles.jsonl")
    out, _err = run(first.name)
    assert f"{first.name}: OK" in out
    with pytest.raises(CommandError, match="No release called"):
        run("2026-01-01-v99")
    package = json.loads((first.path / "datapackage.json").read_text())
    assert package["resources"]
