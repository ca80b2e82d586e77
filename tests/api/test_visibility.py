"""Every API surface obeys the model layer's visibility rule, parents and link ends included.

A published article under a draft issue, or an issue of a draft publication, is not public:
it must be absent from lists in every format, 404 on every per-article URL, and its mentions,
authors and event links must not surface anywhere else. Names of draft records never appear
in a public record's fields or columns.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from archive import models
from tests import factories as f

from .helpers import body, csv_rows, ids_for

pytestmark = pytest.mark.django_db

DRAFT = models.Status.DRAFT
ARTICLE_URLS = ("", "cite/", "jsonld/", "text/")
CITE_STYLES = ("bibtex", "ris", "csl-json", "text")


@pytest.fixture
def chain(archive) -> SimpleNamespace:
    """Published children under draft parents, and draft records linked to public ones."""
    draft_issue = models.Issue.objects.get(slug="draft-issue")
    in_draft_issue = f.ArticleFactory(
        issue=draft_issue, position=1, title="Orphan in a draft issue", slug="orphan",
        body="Wałęsa in a draft issue.",
    )  # fmt: skip
    hidden_pub_issue = f.IssueFactory(publication=archive.hidden_pub, slug="hp-1", number="1")
    in_draft_publication = f.ArticleFactory(
        issue=hidden_pub_issue, position=1, title="Orphan in a draft publication",
        slug="orphan-pub", body="Gdańsk in a draft publication.",
    )  # fmt: skip
    for orphan in (in_draft_issue, in_draft_publication):
        f.MentionFactory(article=orphan, person=archive.walesa)
        f.AuthorshipFactory(article=orphan, person=archive.trotsky)
        archive.august.articles.add(orphan)
    archive.august.articles.add(archive.strike)
    archive.hidden_event.articles.add(archive.strike)
    return SimpleNamespace(
        draft_issue=draft_issue,
        hidden_pub_issue=hidden_pub_issue,
        orphans=[in_draft_issue, in_draft_publication],
    )


def download(api, path: str, fmt: str, params: dict | None = None) -> str:
    response = api.get(path, {**(params or {}), "format": fmt})
    assert response.status_code == 200
    return body(response).decode()


def test_articles_under_draft_parents_are_absent_from_every_format(api, archive, chain):
    listed = ids_for(api, "/api/articles/")
    assert listed and not {o.pk for o in chain.orphans} & set(listed)
    for orphan in chain.orphans:
        for suffix in ARTICLE_URLS:
            response = api.get(f"/api/articles/{orphan.pk}/{suffix}")
            assert response.status_code == 404, (orphan.slug, suffix)
            assert response["Content-Type"] == "application/json"
            assert response.json()["errors"][0]["code"] == "not_found"
        assert api.get(f"/api/articles/{orphan.pk}/", {"format": "csv"}).status_code == 404
    assert api.get(f"/api/issues/{chain.draft_issue.pk}/").status_code == 404
    assert api.get(f"/api/issues/{chain.hidden_pub_issue.pk}/").status_code == 404
    assert chain.hidden_pub_issue.pk not in ids_for(api, "/api/issues/")


def test_mentions_of_hidden_articles_are_absent(api, archive, chain):
    hidden = set(
        models.Mention.objects.filter(article__in=chain.orphans).values_list("pk", flat=True)
    )
    assert len(hidden) == 2
    listed = ids_for(api, "/api/mentions/")
    assert listed and not hidden & set(listed)
    assert not hidden & set(ids_for(api, "/api/mentions/", {"target": "person:lech-walesa"}))
    for pk in hidden:
        assert api.get(f"/api/mentions/{pk}/").status_code == 404
    person = api.get(f"/api/people/{archive.walesa.pk}/").json()
    assert [a["id"] for a in person["articles"]["results"]] == [archive.strike.pk]
    assert person["articles"]["count"] == 1
    trotsky = api.get(f"/api/people/{archive.trotsky.pk}/").json()
    assert [a["id"] for a in trotsky["authored"]] == [archive.heirs.pk]


def test_a_draft_author_is_never_named(api, archive):
    """heirs is by Leon Trotsky and a draft person: only Trotsky is credited, anywhere."""
    pk = archive.heirs.pk
    texts = [
        api.get("/api/articles/", {"page_size": 1000}).content.decode(),
        api.get(f"/api/articles/{pk}/").content.decode(),
        download(api, "/api/articles/", "csv"),
        download(api, "/api/articles/", "jsonl"),
        download(api, f"/api/articles/{pk}/", "csv"),
        body(api.get(f"/api/articles/{pk}/text/")).decode(),
        body(api.get(f"/api/articles/{pk}/jsonld/")).decode(),
        *(body(api.get(f"/api/articles/{pk}/cite/", {"style": s})).decode() for s in CITE_STYLES),
    ]
    for text in texts:
        assert "Draft Person" not in text and str(archive.hidden_person.slug) not in text
    assert all("Trotsky" in text for text in texts[1:])
    (row,) = csv_rows(api.get(f"/api/articles/{pk}/", {"format": "csv"}))
    assert (row["author_ids"], row["author_names"]) == (str(archive.trotsky.pk), "Leon Trotsky")


def test_label_columns_are_blank_when_the_target_is_not_public(api, archive):
    draft_place = f.PlaceFactory(name="Draft Place", slug="draft-place", status=DRAFT)
    publication = f.PublicationFactory(
        title="Orphaned Review", slug="orphaned-review", publisher=archive.hidden_org,
        place=draft_place, predecessor=archive.hidden_pub,
    )  # fmt: skip
    child = f.OrganisationFactory(name="Child union", slug="child", parent=archive.hidden_org,
                                  predecessor=archive.hidden_org)  # fmt: skip
    reprint = f.ArticleFactory(
        issue=archive.i1990, position=60, slug="reprint", title="A reprint", date="",
        first_published_in_publication=archive.hidden_pub, first_published_date="1985",
    )  # fmt: skip
    expectations = [
        ("publications", publication.pk,
         ("publisher_id", "publisher_name", "place_id", "place_name", "predecessor_id",
          "predecessor_title")),
        ("organisations", child.pk,
         ("parent_id", "parent_name", "predecessor_id", "predecessor_name")),
        ("articles", reprint.pk,
         ("first_published_in_publication_id", "first_published_in_publication_title")),
    ]  # fmt: skip
    for resource, pk, columns in expectations:
        (row,) = csv_rows(api.get(f"/api/{resource}/{pk}/", {"format": "csv"}))
        assert {c: row[c] for c in columns} == dict.fromkeys(columns, ""), resource
        (record,) = [
            json.loads(line)
            for line in download(api, f"/api/{resource}/", "jsonl").splitlines()
            if json.loads(line)["id"] == pk
        ]
        assert {c: record[c] for c in columns} == dict.fromkeys(columns), resource
    data = api.get(f"/api/publications/{publication.pk}/").json()
    assert (data["publisher_id"], data["publisher_name"], data["place_name"]) == (None,) * 3
    organisation = api.get(f"/api/organisations/{child.pk}/").json()
    assert (organisation["parent_id"], organisation["parent_name"]) == (None, None)
    # The other side: public targets are named.
    (row,) = csv_rows(api.get(f"/api/publications/{archive.labour.pk}/", {"format": "csv"}))
    assert (row["publisher_name"], row["place_name"]) == ("Solidarność", "Gdańsk")


def test_article_and_event_link_both_ways_through_public_links_only(api, archive, chain):
    strike = api.get(f"/api/articles/{archive.strike.pk}/").json()
    assert strike["events"] == [
        {"id": archive.august.pk, "url": f"http://testserver/api/events/{archive.august.pk}/",
         "slug": "august-strikes", "title": "August strikes", "date": "1980-08"}
    ]  # fmt: skip
    event = api.get(strike["events"][0]["url"]).json()
    assert [a["id"] for a in event["articles"]] == [archive.strike.pk]  # not the orphans
    assert api.get(f"/api/articles/{archive.heirs.pk}/").json()["events"] == []


def test_event_places_and_participants_are_public_ones(api, archive):
    draft_place = f.PlaceFactory(name="Draft Place", slug="draft-place", status=DRAFT)
    archive.august.places.add(draft_place)
    models.EventParticipant.objects.create(event=archive.august, person=archive.hidden_person)
    data = api.get(f"/api/events/{archive.august.pk}/").json()
    assert data["place_names"] == "Gdańsk"
    assert (data["person_names"], data["organisation_names"]) == ("Lech Wałęsa", "Solidarność")
    listed = api.get("/api/events/", {"page_size": 1000}).json()["results"]
    (item,) = [e for e in listed if e["id"] == archive.august.pk]
    assert (item["place_ids"], item["place_names"]) == (str(archive.gdansk.pk), "Gdańsk")
    named = [p["person"]["name"] for p in data["participants"] if p["person"]]
    assert named == ["Lech Wałęsa"]
    (row,) = csv_rows(api.get(f"/api/events/{archive.august.pk}/", {"format": "csv"}))
    assert (row["place_ids"], row["place_names"]) == (str(archive.gdansk.pk), "Gdańsk")
    assert row["person_ids"] == str(archive.walesa.pk)
    assert row["organisation_ids"] == str(archive.solidarity.pk)
    assert (row["person_names"], row["organisation_names"]) == ("Lech Wałęsa", "Solidarność")
