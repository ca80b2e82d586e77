"""Curator edits are never lost: a save based on a stale copy is refused, history reverts."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from archive.admin.base import PublishableAdmin
from archive.admin.concurrency import VERSION_FIELD
from archive.models import Article, Status
from tests.factories import (
    ArticleFactory,
    EventFactory,
    IssueFactory,
    OrganisationFactory,
    PersonFactory,
    PlaceFactory,
    PublicationFactory,
    UserFactory,
)
from tests.reliability.adminforms import form_data, open_form

pytestmark = pytest.mark.django_db

REFUSED = "Your changes were not saved"


def curator_client(username: str) -> Client:
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name="Curator"))
    client = Client()
    client.force_login(user)
    return client


def change_url(obj) -> str:
    return reverse(f"admin:archive_{obj._meta.model_name}_change", args=[obj.pk])


def test_second_of_two_concurrent_saves_is_refused_and_first_edit_kept():
    article = ArticleFactory(title="Trotsky’s testament", body="Original body.")
    ada, bob = curator_client("ada"), curator_client("bob")
    url = change_url(article)
    ada_form, bob_form = open_form(ada, url), open_form(bob, url)

    ada_form["title"] = "Trotsky’s testament (annotated)"
    assert ada.post(url, ada_form).status_code == 302

    bob_form["body"] = "Bob's rewrite of the body."
    refused = bob.post(url, bob_form)
    assert refused.status_code == 200
    page = refused.content.decode()
    assert REFUSED in page
    assert "changed by ada at" in page  # names who changed it
    article.refresh_from_db()
    assert article.title == "Trotsky’s testament (annotated)"  # Ada's edit survives
    assert article.body == "Original body."  # Bob's stale copy did not overwrite it
    assert article.history.count() == 2  # created + Ada's save; nothing from Bob

    # The other side of the rule: Bob reopens the current version and his save goes through.
    bob_form = open_form(bob, url)
    bob_form["body"] = "Bob's rewrite of the body."
    assert bob.post(url, bob_form).status_code == 302
    article.refresh_from_db()
    assert (article.title, article.body) == (
        "Trotsky’s testament (annotated)",
        "Bob's rewrite of the body.",
    )


def test_publishing_while_someone_edits_makes_their_stale_save_refused():
    article = ArticleFactory(status=Status.REVIEW, title="Wałęsa at the gate")
    ada, bob = curator_client("ada"), curator_client("bob")
    url = change_url(article)
    bob_form = open_form(bob, url)
    ada.post(
        reverse("admin:archive_article_changelist"),
        {"action": "publish", "_selected_action": [str(article.pk)]},
    )
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED
    bob_form["title"] = "Walesa at the gate"
    response = bob.post(url, bob_form)
    assert REFUSED in response.content.decode()
    article.refresh_from_db()
    assert (article.status, article.title) == (Status.PUBLISHED, "Wałęsa at the gate")


def test_a_post_without_the_version_token_is_refused():
    article = ArticleFactory(title="Ceaușescu")
    ada = curator_client("ada")
    url = change_url(article)
    data = open_form(ada, url)
    del data[VERSION_FIELD]
    data["title"] = "Ceauşescu"
    response = ada.post(url, data)
    assert "no version token" in response.content.decode()
    assert Article.objects.get(pk=article.pk).title == "Ceaușescu"


def test_saving_twice_from_one_fresh_form_after_another_is_fine():
    """Sequential edits by one curator never trip the check (no false alarms)."""
    article = ArticleFactory(title="First")
    ada = curator_client("ada")
    url = change_url(article)
    for title in ("Second", "Third", "Fourth"):
        data = open_form(ada, url)
        data["title"] = title
        assert ada.post(url, data).status_code == 302
    article.refresh_from_db()
    assert article.title == "Fourth"
    assert article.curator_edited_fields == ["title"]  # the token is never an "edit"


PUBLISHABLE = [
    (ArticleFactory, "title"),
    (IssueFactory, "title"),
    (PublicationFactory, "title"),
    (PersonFactory, "name"),
    (OrganisationFactory, "name"),
    (PlaceFactory, "name"),
    (EventFactory, "title"),
]


def test_every_publishable_admin_is_version_checked():
    checked = {
        model._meta.model_name
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, PublishableAdmin)
    }
    assert checked == {f._meta.model._meta.model_name for f, _ in PUBLISHABLE}


@pytest.mark.parametrize(("factory", "field"), PUBLISHABLE,
                         ids=[f._meta.model.__name__ for f, _ in PUBLISHABLE])  # fmt: skip
def test_every_record_kind_refuses_a_stale_save(factory, field):
    obj = factory()
    original = getattr(obj, field)
    ada, bob = curator_client("ada"), curator_client("bob")
    url = change_url(obj)
    ada_form, bob_form = open_form(ada, url), open_form(bob, url)
    assert ada_form[VERSION_FIELD]
    ada_form[field] = f"{original} – Ada".strip()
    assert ada.post(url, ada_form).status_code == 302, "first save must go through"
    bob_form[field] = f"{original} – Bob".strip()
    assert REFUSED in bob.post(url, bob_form).content.decode()
    obj.refresh_from_db()
    assert getattr(obj, field) == f"{original} – Ada".strip()


@pytest.mark.parametrize(("factory", "field"), PUBLISHABLE,
                         ids=[f._meta.model.__name__ for f, _ in PUBLISHABLE])  # fmt: skip
def test_every_change_can_be_reverted_from_history_in_the_admin(factory, field):
    obj = factory()
    original = getattr(obj, field)
    ada = curator_client("ada")
    url = change_url(obj)
    for suffix in (" (edit 1)", " (edit 2)"):
        data = open_form(ada, url)
        data[field] = f"{original}{suffix}".strip()
        assert ada.post(url, data).status_code == 302
    history = list(obj.history.order_by("history_date", "history_id"))
    assert [getattr(h, field) for h in history] == [
        original, f"{original} (edit 1)".strip(), f"{original} (edit 2)".strip(),
    ]  # fmt: skip

    # Revert each earlier version in turn through simple-history's admin revert form.
    name = obj._meta.model_name
    for target in (history[1], history[0]):
        revert_url = reverse(f"admin:archive_{name}_simple_history", args=[obj.pk, target.pk])
        page = ada.get(revert_url)
        assert page.status_code == 200
        data = form_data(page)
        assert data[field] == getattr(target, field)
        response = ada.post(revert_url, data)
        assert response.status_code == 302, response.content.decode()[:3000]
        obj.refresh_from_db()
        assert getattr(obj, field) == getattr(target, field)
    assert obj.history.count() == 5  # reverts are themselves recorded, hence revertible


def test_a_revert_based_on_a_stale_page_is_refused():
    article = ArticleFactory(title="Original")
    ada, bob = curator_client("ada"), curator_client("bob")
    url = change_url(article)
    data = open_form(ada, url)
    data["title"] = "Edited"
    ada.post(url, data)
    first = article.history.order_by("history_date").first()
    revert_url = reverse("admin:archive_article_simple_history", args=[article.pk, first.pk])
    stale_revert = form_data(bob.get(revert_url))
    data = open_form(ada, url)
    data["title"] = "Edited again"
    ada.post(url, data)
    response = bob.post(revert_url, stale_revert)
    assert REFUSED in response.content.decode()
    article.refresh_from_db()
    assert article.title == "Edited again"
