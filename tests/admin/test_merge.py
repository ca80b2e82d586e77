"""Merging two records of any kind from a side-by-side comparison: both records and their
links shown, a survivor and the values to keep chosen, one transaction, Cancel changes
nothing, the old address redirects, the history names both; Contributors cannot."""

from __future__ import annotations

import pytest
from django.urls import reverse

from archive.models import Event, Mention, PastSlug, Person, Place
from tests.factories import (
    AliasFactory,
    ArticleFactory,
    EventFactory,
    MentionFactory,
    PersonFactory,
    PlaceFactory,
    PublicationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    gdansk = PlaceFactory(name="Gdańsk", slug="gdansk", country_code="PL")
    danzig = PlaceFactory(name="Danzig", slug="danzig", wikidata="Q1792", country_code="PL")
    AliasFactory(person=None, place=danzig, name="Gdansk")
    MentionFactory(person=None, place=gdansk)
    MentionFactory(person=None, place=danzig, count=4)
    MentionFactory(person=None, place=danzig)
    PublicationFactory(place=danzig)
    return gdansk, danzig


def merge_url(model: str, a, b) -> str:
    return reverse(f"admin:archive_{model}_merge") + f"?a={a.pk}&b={b.pk}"


def test_the_action_opens_the_comparison_of_exactly_two_records(client, curator, places):
    gdansk, danzig = places
    client.force_login(curator)
    changelist = reverse("admin:archive_place_changelist")
    response = client.post(changelist, {"action": "merge_selected",
                                        "_selected_action": [gdansk.pk, danzig.pk]})  # fmt: skip
    assert response.status_code == 302
    assert response.url == merge_url("place", gdansk, danzig)
    three = client.post(changelist, {"action": "merge_selected", "_selected_action": [
        gdansk.pk, danzig.pk, PlaceFactory().pk]}, follow=True)  # fmt: skip
    assert "Select exactly two records" in three.content.decode()
    assert Place.objects.count() == 3


def test_the_comparison_shows_both_records_their_differences_and_links(client, curator, places):
    gdansk, danzig = places
    client.force_login(curator)
    response = client.get(merge_url("place", gdansk, danzig))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Gdańsk" in html and "Danzig" in html
    rows = {row["name"]: row for row in response.context["rows"]}
    assert rows["name"]["differs"] and rows["wikidata"]["differs"]
    assert not rows["country_code"]["differs"]
    assert rows["wikidata"]["keep"] == "b"  # the empty value gives way to the filled one
    assert rows["name"]["keep"] == "a"
    links = {link["label"]: (link["a"], link["b"]) for link in response.context["links"]}
    assert links["Mentions"] == (1, 2)
    assert links["Aliases"] == (0, 1)
    assert links["Publications (place)"] == (0, 1)
    assert 'value="Merge"' in html
    assert f'href="{reverse("admin:archive_place_changelist")}" class="button cancel-link"' in html
    # looking (and then cancelling) changes nothing
    assert Place.objects.count() == 2 and not PastSlug.objects.exists()


def test_merging_keeps_the_chosen_values_moves_links_and_redirects_the_old_address(
    client, curator, places
):
    gdansk, danzig = places
    client.force_login(curator)
    response = client.post(
        reverse("admin:archive_place_merge"),
        {"a": gdansk.pk, "b": danzig.pk, "survivor": "a", "keep-name": "a",
         "keep-wikidata": "b"},
    )  # fmt: skip
    assert response.status_code == 302
    assert response.url == reverse("admin:archive_place_change", args=[gdansk.pk])
    assert list(Place.objects.values_list("name", "wikidata")) == [("Gdańsk", "Q1792")]
    assert Mention.objects.filter(place=gdansk).count() == 3
    assert sorted(gdansk.aliases.values_list("name", flat=True)) == ["Danzig", "Gdansk"]
    # the old public address answers 301 with the survivor's
    old = client.get("/places/danzig/")
    assert old.status_code == 301 and old["Location"].endswith(gdansk.get_absolute_url())
    # the survivor's history names both records, with their ids
    history = client.get(reverse("admin:archive_place_history", args=[gdansk.pk]))
    text = history.content.decode()
    assert f"Merged “Danzig” (#{danzig.pk}) into this record" in text
    assert "#None" not in text
    assert history.context["page_obj"].object_list[0].history_user == curator


def test_the_other_record_can_survive(client, curator, places):
    gdansk, danzig = places
    client.force_login(curator)
    client.post(reverse("admin:archive_place_merge"),
                {"a": gdansk.pk, "b": danzig.pk, "survivor": "b"})  # fmt: skip
    assert list(Place.objects.values_list("pk", "name")) == [(danzig.pk, "Danzig")]
    assert PastSlug.objects.get(slug="gdansk").target == danzig


def test_a_refused_merge_says_why_and_writes_nothing(client, curator):
    a = PersonFactory(name="Leon Trotsky", birth="1879")
    b = PersonFactory(name="Lev Trotsky", death="1878")  # died before a was born
    client.force_login(curator)
    response = client.post(
        reverse("admin:archive_person_merge"),
        {"a": a.pk, "b": b.pk, "survivor": "a", "keep-death": "b"},
    )
    assert response.status_code == 200
    assert "Not merged:" in response.content.decode()
    assert Person.objects.count() == 2


def test_events_merge_from_the_comparison_page(client, curator):
    wall = EventFactory(title="Fall of the Berlin Wall", slug="berlin-wall")
    duplicate = EventFactory(title="The Wall falls", slug="the-wall-falls")
    article = ArticleFactory()
    duplicate.articles.add(article)
    client.force_login(curator)
    page = client.get(merge_url("event", wall, duplicate))
    assert page.status_code == 200
    client.post(reverse("admin:archive_event_merge"),
                {"a": wall.pk, "b": duplicate.pk, "survivor": "a"})  # fmt: skip
    assert list(Event.objects.values_list("pk", flat=True)) == [wall.pk]
    assert list(wall.articles.all()) == [article]


def test_suspected_duplicates_list_links_each_record_to_its_comparison(client, curator):
    walesa = PersonFactory(name="Lech Wałęsa")
    other = PersonFactory(name="Walesa, Lech")
    PersonFactory(name="Jacek Kuroń")
    client.force_login(curator)
    response = client.get(reverse("admin:archive_person_changelist"), {"duplicates": "suspected"})
    html = response.content.decode()
    assert list(response.context["cl"].result_list) == [walesa, other]
    assert merge_url("person", walesa, other).replace("&", "&amp;") in html
    assert merge_url("person", other, walesa).replace("&", "&amp;") in html


def test_a_contributor_can_neither_open_the_comparison_nor_merge(client, contributor, places):
    gdansk, danzig = places
    client.force_login(contributor)
    assert client.get(merge_url("place", gdansk, danzig)).status_code == 403
    response = client.post(reverse("admin:archive_place_merge"),
                           {"a": gdansk.pk, "b": danzig.pk, "survivor": "a"})  # fmt: skip
    assert response.status_code == 403
    changelist = client.get(reverse("admin:archive_place_changelist")).content.decode()
    assert 'value="merge_selected"' not in changelist
    assert Place.objects.count() == 2
