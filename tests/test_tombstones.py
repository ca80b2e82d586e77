"""410 Gone and 301 for every kind of record, on pages and API details, over HTTP.

A record that was public once never silently becomes a bare 404: withdrawn or deleted, its
page and its API detail answer 410 saying when and why; merged, they answer 301 to the
record that survived. A record that never was public stays a 404.
"""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from django.contrib.contenttypes.models import ContentType

from archive import changes, models, services
from tests.factories import (
    ArticleFactory,
    EventFactory,
    IssueFactory,
    MentionFactory,
    OrganisationFactory,
    PersonFactory,
    PlaceFactory,
    PublicationFactory,
)

DRAFT = models.Status.DRAFT
API = {
    "publication": "publications", "issue": "issues", "article": "articles", "person": "people",
    "organisation": "organisations", "place": "places", "event": "events",
}  # fmt: skip
FACTORIES = {
    "publication": lambda: PublicationFactory(title="Workers’ Liberty"),
    "issue": lambda: IssueFactory(slug="pamphlet-1990"),
    "article": lambda: ArticleFactory(title="Trotsky’s heirs"),
    "person": lambda: PersonFactory(name="Lech Wałęsa", slug="lech-walesa"),
    "organisation": lambda: OrganisationFactory(name="Solidarność", slug="solidarnosc"),
    "place": lambda: PlaceFactory(name="Gdańsk", slug="gdansk"),
    "event": lambda: EventFactory(title="August coup", slug="august-coup"),
}


def withdraw(obj, reason: str = "") -> None:
    services.records_set_status(
        queryset=type(obj).objects.filter(pk=obj.pk), status=DRAFT, reason=reason
    )


def merge(survivor, duplicate) -> None:
    """``entity_merge``; for kinds it does not merge, a merge as it records one (the
    duplicate deleted, its slug kept as a past slug of the survivor)."""
    if type(survivor) in services.MERGEABLE:
        services.entity_merge(survivor=survivor, duplicates=[duplicate])
        return
    models.PastSlug.objects.create(
        content_type=ContentType.objects.get_for_model(survivor),
        object_id=survivor.pk,
        slug=duplicate.slug,
    )
    duplicate.delete()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(FACTORIES))
def test_a_withdrawn_record_is_gone_on_its_page_and_api_detail(client, kind):
    obj = FACTORIES[kind]()
    page, api = obj.get_absolute_url(), f"/api/{API[kind]}/{obj.pk}/"
    assert client.get(page).status_code == 200
    assert client.get(api).status_code == 200
    changes.record_changes()  # as the schedule does
    withdraw(obj, reason="Rights not cleared")

    response = client.get(page)
    assert response.status_code == 410
    text = response.content.decode()
    today = changes.latest(API[kind], [obj.pk])[obj.pk].time.date().isoformat()
    assert f"was withdrawn from the archive on {today}" in text
    assert "Reason: Rights not cleared" in text
    assert response["Content-Security-Policy"]

    response = client.get(api)
    assert response.status_code == 410
    body = response.json()
    assert body["status"] == 410
    assert body["errors"][0]["code"] == "withdrawn" and body["errors"][0]["parameter"] is None
    assert body["gone"]["kind"] == API[kind] and body["gone"]["id"] == obj.pk
    assert body["gone"]["reason"] == "Rights not cleared"
    assert client.head(api).status_code == 410


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(FACTORIES))
def test_a_deleted_record_is_gone_on_its_page_and_api_detail(client, kind):
    obj = FACTORIES[kind]()
    page, api, pk = obj.get_absolute_url(), f"/api/{API[kind]}/{obj.pk}/", obj.pk
    changes.record_changes()
    obj.delete()
    response = client.get(page)
    assert response.status_code == 410
    assert "was deleted from the archive on" in response.content.decode()
    response = client.get(api)
    assert response.status_code == 410
    assert response.json()["gone"] == {**response.json()["gone"], "change": "deleted", "id": pk}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["publication", "person", "organisation", "place", "event"])
def test_a_merged_record_redirects_to_its_survivor(client, kind):
    survivor = FACTORIES[kind]()
    model = type(survivor)
    duplicate = {
        "publication": lambda: PublicationFactory(title="Workers Liberty", slug="wl"),
        "person": lambda: PersonFactory(name="Lech Walesa", slug="walesa"),
        "organisation": lambda: OrganisationFactory(name="Solidarnosc", slug="nszz"),
        "place": lambda: PlaceFactory(name="Gdansk", slug="danzig"),
        "event": lambda: EventFactory(title="The August coup", slug="putsch"),
    }[kind]()
    page, api = duplicate.get_absolute_url(), f"/api/{API[kind]}/{duplicate.pk}/"
    changes.record_changes()
    merge(survivor, duplicate)

    response = client.get(page)
    assert response.status_code == 301
    assert response["Location"] == survivor.get_absolute_url()
    response = client.get(f"{api}?format=json")
    assert response.status_code == 301
    assert response["Location"] == f"/api/{API[kind]}/{survivor.pk}/?format=json"
    assert client.get(response["Location"]).status_code == 200
    assert model.objects.filter(pk=survivor.pk).exists()


@pytest.mark.django_db
def test_merges_are_followed_to_the_last_survivor_and_a_hidden_survivor_is_gone(client):
    first = PersonFactory(name="Lech Walesa", slug="walesa")
    second = PersonFactory(name="L. Wałęsa", slug="l-walesa")
    last = PersonFactory(name="Lech Wałęsa", slug="lech-walesa")
    first_id = first.pk
    changes.record_changes()
    services.entity_merge(survivor=second, duplicates=[first])
    changes.record_changes()
    services.entity_merge(survivor=last, duplicates=[second])
    response = client.get(f"/api/people/{first_id}/")
    assert response.status_code == 301
    assert response["Location"] == f"/api/people/{last.pk}/"
    withdraw(last)
    response = client.get(f"/api/people/{first_id}/")
    assert response.status_code == 410
    assert "merged into another record" in response.json()["errors"][0]["message"]
    assert "no longer public" in response.json()["errors"][0]["message"]


@pytest.mark.django_db
def test_a_record_that_never_was_public_stays_404(client):
    person = PersonFactory(name="Draft Person", slug="draft-person", status=DRAFT)
    page, api = person.get_absolute_url(), f"/api/people/{person.pk}/"
    changes.record_changes()
    assert client.get(page).status_code == 404
    person.delete()
    assert client.get(page).status_code == 404
    assert client.get(api).status_code == 404
    assert client.get("/people/no-such-person/").status_code == 404


@pytest.mark.django_db
def test_an_article_withdrawn_with_its_issue_is_gone_in_every_format(client):
    article = ArticleFactory(title="The risen people")
    changes.record_changes()
    withdraw(article.issue, reason="Issue under review")
    assert client.get(article.get_absolute_url()).status_code == 410
    for suffix in ("", "text/", "jsonld/", "cite/"):
        response = client.get(f"/api/articles/{article.pk}/{suffix}")
        assert response.status_code == 410, suffix
        assert response["Content-Type"] == "application/json"
    # The article was not touched itself: the reason is the issue's, not claimed for it.
    assert "Reason" not in client.get(f"/api/articles/{article.pk}/").json()["errors"][0]["message"]
    assert client.get(article.issue.get_absolute_url()).status_code == 410


@pytest.mark.django_db
def test_an_old_slug_of_a_withdrawn_record_is_gone_too(client):
    place = PlaceFactory(name="Danzig", slug="danzig")
    changes.record_changes()
    place.slug, place.name = "gdansk", "Gdańsk"
    place.save()
    withdraw(place)
    assert client.get("/places/danzig/").status_code == 410
    assert client.get("/places/gdansk/").status_code == 410


@pytest.mark.django_db
def test_a_mention_rejected_after_it_was_public_is_gone_from_the_api(client):
    mention = MentionFactory()
    changes.record_changes()
    models.Mention.objects.filter(pk=mention.pk).update(status=models.Mention.Status.REJECTED)
    response = client.get(f"/api/mentions/{mention.pk}/")
    assert response.status_code == 410
    assert response.json()["gone"]["kind"] == "mentions"


@pytest.mark.django_db(transaction=True)
def test_over_a_real_http_connection(live_server):
    person = PersonFactory(name="Rosa Luxemburg", slug="rosa-luxemburg")
    changes.record_changes()
    withdraw(person, reason="Duplicate of a record in review")
    with pytest.raises(urllib.error.HTTPError) as page:
        urllib.request.urlopen(f"{live_server.url}/people/rosa-luxemburg/")
    assert page.value.code == 410
    assert "Duplicate of a record in review" in page.value.read().decode()
    with pytest.raises(urllib.error.HTTPError) as api:
        urllib.request.urlopen(f"{live_server.url}/api/people/{person.pk}/")
    assert api.value.code == 410
    assert api.value.headers["Content-Type"] == "application/json"
