"""Versions you can cite: a release's id, parent, checksum and what changed since its parent,
earlier releases kept with their checksums, and a version-pinned "Cite this"."""

from __future__ import annotations

import csv
import hashlib
import json

import pytest
from django.core.management import call_command

from archive import changes, models, services
from archive.datasets.citing import release_for
from archive.datasets.releases import build_release, list_releases
from tests.factories import ArticleFactory, AuthorshipFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _set(obj, status: str) -> None:
    services.records_set_status(queryset=type(obj).objects.filter(pk=obj.pk), status=status)


def test_a_release_states_its_parent_checksum_and_what_changed(dataset_root):
    walesa = PersonFactory(name="Lech Wałęsa", slug="lech-walesa")
    duplicate = PersonFactory(name="Lech Walesa", slug="walesa")
    article = ArticleFactory(title="The risen people")
    AuthorshipFactory(article=article, person=duplicate)
    withdrawn = ArticleFactory(title="Withdrawn later", issue=article.issue)
    first = build_release().release
    assert first.manifest["id"] == first.name and first.parent is None
    assert first.last_seq == changes.last_seq()
    assert first.manifest["changes"]["counts"]["people"] == {"created": 2}

    duplicate_id = duplicate.pk
    services.entity_merge(survivor=walesa, duplicates=[duplicate])
    article.title = "The risen people of Eastern Europe"
    article.save()
    _set(withdrawn, models.Status.DRAFT)
    second = build_release().release

    manifest = second.manifest
    assert manifest["parent"] == first.name
    sums = (second.path / "SHA256SUMS").read_bytes()
    assert second.checksum == hashlib.sha256(sums).hexdigest()
    assert manifest["changes"]["parent_seq"] == first.last_seq
    assert manifest["changes"]["last_seq"] == changes.last_seq()
    counts = manifest["changes"]["counts"]
    assert counts["people"] == {"merged": 1, "updated": 1}  # the survivor gained a variant name
    assert counts["articles"] == {"updated": 1, "withdrawn": 1}
    assert counts["authorships"] == {"updated": 1}  # moved to the survivor
    assert manifest["changes"]["merged"] == 1
    with open(second.path / "merged-ids.csv", encoding="utf-8", newline="") as handle:
        assert list(csv.DictReader(handle)) == [
            {"resource": "people", "old_id": str(duplicate_id), "new_id": str(walesa.pk)}
        ]
    assert "merged-ids.csv" in sums.decode()
    changelog = (second.path / "CHANGELOG.md").read_text()
    assert "| people | 0 | 0 | 1 | 0 | 1 | 0 |" in changelog
    assert "1 records were merged into others" in changelog
    package = json.loads((second.path / "datapackage.json").read_text())
    assert package["id"].endswith(f"/downloads/{second.name}/")


def test_merges_are_mapped_to_the_record_that_survived(dataset_root):
    first, second, third = (PersonFactory(name=f"Person {n}", slug=f"p{n}") for n in range(3))
    ids = [first.pk, second.pk]
    build_release()
    services.entity_merge(survivor=second, duplicates=[first])
    changes.record_changes()
    services.entity_merge(survivor=third, duplicates=[second])
    release = build_release().release
    with open(release.path / "merged-ids.csv", encoding="utf-8", newline="") as handle:
        rows = [(r["old_id"], r["new_id"]) for r in csv.DictReader(handle)]
    assert rows == [(str(ids[0]), str(third.pk)), (str(ids[1]), str(third.pk))]


def test_downloads_keep_earlier_releases_with_their_checksums(client, dataset_root):
    person = PersonFactory(name="Rosa Luxemburg")
    built = []
    for n in range(3):
        person.description = f"Version {n}"
        person.save()
        call_command("build_dataset", "--keep", "2")
        built.append(list_releases()[0])
    kept = list_releases()
    assert [r.name for r in kept] == [built[2].name, built[1].name]
    page = client.get("/downloads/").content.decode()
    for release in kept:
        assert release.name in page
        assert release.checksum in page  # SHA256SUMS is listed with its own SHA-256
    assert f"/downloads/{built[0].name}/" not in page  # pruned (still named as a parent)
    assert kept[0].parent == kept[1].name


def test_cite_this_names_the_newest_release_that_holds_the_article(client, dataset_root):
    article = ArticleFactory(title="The risen people")
    text = client.get(f"/api/articles/{article.pk}/cite/?style=text").content.decode()
    assert "data release" not in text
    first = build_release().release
    text = client.get(f"/api/articles/{article.pk}/cite/?style=text").content.decode()
    assert f"data release {first.name}, articles id {article.pk}" in text
    assert first.checksum in text
    page = client.get(article.get_absolute_url()).content.decode()
    assert first.checksum in page

    # Changed since: still cited by the release that holds a version of it, the newest.
    article.title = "The risen people of Eastern Europe"
    article.save()
    later = ArticleFactory(title="Published after the release", issue=article.issue)
    second = build_release().release
    text = client.get(f"/api/articles/{article.pk}/cite/?style=text").content.decode()
    assert second.name in text and second.checksum in text
    third_article = ArticleFactory(title="Not in any release yet", issue=article.issue)
    changes.record_changes()
    text = client.get(f"/api/articles/{third_article.pk}/cite/?style=text").content.decode()
    assert "data release" not in text
    # Withdrawn after a release: the release that held it is still the one to cite.
    _set(later, models.Status.DRAFT)
    assert changes.record_changes() > 0
    held = release_for("articles", later.pk)
    assert held is not None and held.release == second.name
