"""End to end on the seed collection: its real texts through the feed and into a release.

A client follows /api/changes/ over the curated collection (Walesa as printed, Wałęsa as
stored, Ceaușescu with both cedillas, curly apostrophes, full article texts), then over a
withdrawal of the seed's issue and its publication back again; at each step its copy writes
the same CSV files, byte for byte, as the release built at that step.
"""

from __future__ import annotations

import json

import pytest

from archive import models, services
from archive.datasets.releases import build_release
from tests.changes.mirror import Mirror
from tests.seed import load_seed

pytestmark = pytest.mark.django_db


def same_as_release(mirror: Mirror, folder) -> int:
    release = build_release(force=True).release
    package = json.loads((release.path / "datapackage.json").read_text())
    mirror.write_csvs(folder / release.name, package)
    rows = 0
    for resource in (r for r in package["resources"] if r["format"] == "csv"):
        ours = (folder / release.name / resource["path"]).read_bytes()
        assert ours == (release.path / resource["path"]).read_bytes(), resource["path"]
        rows += ours.count(b"\n") - 1
    assert release.last_seq == mirror.after
    return rows


def test_a_client_follows_the_seed_collection_byte_for_byte(client, dataset_root, tmp_path):
    load_seed()
    mirror = Mirror(client, page_size=250)
    assert mirror.follow() > 100
    assert {e["change"] for e in mirror.applied} == {"created"}
    assert "Lech Wałęsa" in {r["name"] for r in mirror.rows["people"].values()}
    everything = same_as_release(mirror, tmp_path)

    publication = models.Article.objects.public().first().issue.publication
    services.records_set_status(
        queryset=models.Publication.objects.filter(pk=publication.pk),
        status=models.Status.DRAFT,
        reason="Checking the rights of the reprint",
    )
    mirror.follow()
    assert not any(
        r["publication_id"] == publication.pk for r in mirror.rows.get("articles", {}).values()
    )
    assert same_as_release(mirror, tmp_path) < everything

    services.records_set_status(
        queryset=models.Publication.objects.filter(pk=publication.pk),
        status=models.Status.PUBLISHED,
    )
    seen = len(mirror.applied)
    mirror.follow()
    back = [
        e["change"]
        for e in mirror.applied[seen:]
        if e["kind"] == "articles" and e["record"]["publication_id"] == publication.pk
    ]
    assert back and set(back) == {"published"}, [
        (e["kind"], e["change"]) for e in mirror.applied[seen:]
    ]
    assert same_as_release(mirror, tmp_path) == everything
