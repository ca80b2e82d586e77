"""Creating a record whose name or variant is close to an existing one shows the similar
records and saves only once the curator confirms it is a different one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from archive.models import Event, Organisation, Person, Place, Status
from tests.factories import AliasFactory, EventFactory, OrganisationFactory, PersonFactory

from .browserform import admin_form_data

pytestmark = pytest.mark.django_db


def add(client, model: str, **values) -> tuple[object, str]:
    """Fill the add form as a browser would, change ``values`` and post it."""
    url = reverse(f"admin:archive_{model}_add")
    data = admin_form_data(client, url, model)
    for key, value in values.items():
        data[key] = [value]
    response = client.post(url, data)
    return response, response.content.decode()


@pytest.fixture
def walesa():
    person = PersonFactory(name="Lech Wałęsa", sort_name="Wałęsa, Lech", slug="lech-walesa",
                           status=Status.DRAFT)  # fmt: skip
    AliasFactory(person=person, name="Walesa")
    return person


def test_a_close_name_is_shown_and_nothing_is_saved(client, curator, walesa):
    client.force_login(curator)
    response, html = add(client, "person", name="Lech Walesa", slug="lech-walesa-2")
    assert response.status_code == 200
    assert "1 similar person already exists" in html
    change = reverse("admin:archive_person_change", args=[walesa.pk])
    assert f'<a href="{change}" target="_blank" rel="noopener">Lech Wałęsa</a> (draft' in html
    assert 'name="confirm_not_duplicate"' in html
    assert list(Person.objects.values_list("name", flat=True)) == ["Lech Wałęsa"]


def test_confirming_creates_the_record(client, curator, walesa):
    client.force_login(curator)
    response, _ = add(client, "person", name="Lech Walesa", slug="lech-walesa-2",
                      confirm_not_duplicate="on")  # fmt: skip
    assert response.status_code == 302
    assert sorted(Person.objects.values_list("name", flat=True)) == ["Lech Walesa", "Lech Wałęsa"]


def test_a_variant_typed_in_the_form_is_checked_too(client, curator, walesa):
    client.force_login(curator)
    response, html = add(
        client, "person", name="L. W.", slug="l-w",
        **{"aliases-TOTAL_FORMS": "1", "aliases-0-name": "Wałęsa", "aliases-0-kind": "variant",
           "aliases-0-language": ""},
    )  # fmt: skip
    assert response.status_code == 200
    assert "1 similar person already exists" in html and "Lech Wałęsa" in html
    assert not Person.objects.filter(name="L. W.").exists()


def test_diacritics_and_case_do_not_hide_a_duplicate_organisation(client, curator):
    OrganisationFactory(name="Solidarność", slug="solidarnosc")
    client.force_login(curator)
    response, html = add(client, "organisation", name="SOLIDARNOSC", slug="solidarnosc-2")
    assert response.status_code == 200 and "similar organisation already exists" in html
    assert Organisation.objects.count() == 1


def test_a_distinct_name_saves_at_once(client, curator, walesa):
    client.force_login(curator)
    response, _ = add(client, "place", name="Gdańsk", slug="gdansk")
    assert response.status_code == 302
    assert Place.objects.get(name="Gdańsk").curator_notes == ""  # blank, not NULL
    response, _ = add(client, "person", name="Jacek Kuroń", slug="jacek-kuron")
    assert response.status_code == 302


def test_an_event_with_a_close_title_on_the_same_date_is_flagged(client, curator):
    EventFactory(title="Fall of the Berlin Wall", slug="fall-of-the-berlin-wall",
                 date="1989-11-09")  # fmt: skip
    client.force_login(curator)
    response, html = add(client, "event", title="The fall of the Berlin Wall",
                         slug="berlin-wall", date="1989-11-09", kind="political")  # fmt: skip
    assert response.status_code == 200
    assert "1 similar event already exists" in html
    assert Event.objects.count() == 1
    response, _ = add(client, "event", title="Velvet Revolution", slug="velvet",
                      date="1989-11-17", kind="protest")  # fmt: skip
    assert response.status_code == 302


def test_editing_an_existing_record_is_not_checked(client, curator, walesa):
    other = PersonFactory(name="Someone", slug="someone")
    client.force_login(curator)
    url = reverse("admin:archive_person_change", args=[other.pk])
    data = admin_form_data(client, url, "person")
    data["name"] = ["Lech Walesa"]
    response = client.post(url, data)
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.name == "Lech Walesa"


def test_a_contributor_gets_the_same_warning(client, contributor, walesa):
    client.force_login(contributor)
    response, html = add(client, "person", name="Lech Walesa", slug="lech-walesa-2")
    assert response.status_code == 200 and "similar person already exists" in html
    response, _ = add(client, "person", name="Lech Walesa", slug="lech-walesa-2",
                      confirm_not_duplicate="on")  # fmt: skip
    assert response.status_code == 302
    assert Person.objects.get(slug="lech-walesa-2").status == Status.DRAFT
