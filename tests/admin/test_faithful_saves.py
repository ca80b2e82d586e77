"""Faithful saves in the admin: text as typed (line breaks normalised, nothing else), a save
without changes changes nothing, curator edits recorded only when real, provenance read-only."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.urls import reverse

from archive.admin.base import FaithfulModelForm, normalise_newlines
from archive.importers.repairs import replay
from archive.importers.service import TextImporter
from archive.models import (
    Article,
    Authorship,
    EventParticipant,
    Illustration,
    Mention,
    SourceDocument,
)
from tests.factories import (
    AliasFactory,
    ArticleFactory,
    AuthorshipFactory,
    EventFactory,
    IllustrationFactory,
    IssueFactory,
    MentionFactory,
    OrganisationFactory,
    PersonFactory,
    PlaceFactory,
    PublicationFactory,
    UserFactory,
)
from tests.importers.conftest import SEED_FILE

from .browserform import admin_form_data

pytestmark = pytest.mark.django_db

BODY = "Trotsky’s testament.\n\n  An indented verse line  \n\nWałęsa spoke; Ceaușescu fell.\n"


@pytest.fixture
def curator(client):
    user = UserFactory(username="ada")
    user.groups.add(Group.objects.get(name="Curator"))
    client.force_login(user)
    return user


def change_url(obj) -> str:
    return reverse(f"admin:archive_{obj._meta.model_name}_change", args=[obj.pk])


def stored(obj) -> dict:
    """Every column of the record as the database holds it now (``updated`` included)."""
    return type(obj)._default_manager.filter(pk=obj.pk).values().get()


def history_count(obj) -> int:
    return obj.history.count()


def save_unchanged(client, obj):
    data = admin_form_data(client, change_url(obj), obj._meta.model_name)
    response = client.post(change_url(obj), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return data


def test_normalise_newlines_changes_line_breaks_only():
    assert normalise_newlines("a\r\nb\rc\nd  \t") == "a\nb\nc\nd  \t"
    assert normalise_newlines("  Wałęsa  ") == "  Wałęsa  "


def test_every_admin_form_and_inline_is_built_on_the_faithful_form():
    archive_admins = {
        model: model_admin
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label == "archive"
    }
    assert len(archive_admins) >= 13
    for model, model_admin in archive_admins.items():
        assert issubclass(model_admin.form, FaithfulModelForm), model
        for inline in model_admin.inlines:
            assert issubclass(inline.form, FaithfulModelForm), (model, inline)


def test_crlf_and_lone_cr_become_lf_and_spaces_are_kept(client, curator):
    article = ArticleFactory(title="Trotsky’s testament", body="Old body.")
    url = change_url(article)
    data = admin_form_data(client, url, "article")
    data["body"] = ["Trotsky’s testament.\r\n\r\n  An indented verse line  \r\rWałęsa spoke."]
    data["subtitle"] = ["  A subtitle with spaces  "]
    assert client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert article.body == "Trotsky’s testament.\n\n  An indented verse line  \n\nWałęsa spoke."
    assert article.subtitle == "  A subtitle with spaces  "
    assert article.curator_edited_fields == ["body", "subtitle"]


RECORDS = {
    "publication": lambda: PublicationFactory(description="Line one\nLine two\n"),
    "issue": lambda: IssueFactory(notes="  Public note\n", date="1990-01?"),
    "article": lambda: ArticleFactory(body=BODY, curator_notes="Dated by the editor.\n"),
    "person": lambda: PersonFactory(name="Lech Wałęsa", sort_name="Wałęsa, Lech"),
    "organisation": lambda: OrganisationFactory(name="Solidarność", founded="1980-09"),
    "place": lambda: PlaceFactory(name="Gdańsk", latitude="54.35205", longitude="18.64637"),
    "event": lambda: EventFactory(description="Strike\r\nat the shipyard"),
    "alias": lambda: AliasFactory(name="Walesa"),
    "authorship": lambda: AuthorshipFactory(),
    "illustration": lambda: IllustrationFactory(caption="Walesa at the gate\n(photo)"),
    "mention": lambda: MentionFactory(context="Ceaucescu  fell"),
    "eventparticipant": lambda: EventParticipant.objects.create(
        event=EventFactory(), organisation=OrganisationFactory()
    ),
}


@pytest.mark.parametrize("kind", list(RECORDS))
def test_saving_without_changes_changes_nothing(client, curator, kind):
    obj = RECORDS[kind]()
    before, versions = stored(obj), history_count(obj)
    logged = LogEntry.objects.count()
    save_unchanged(client, obj)
    assert stored(obj) == before  # every column, ``updated`` included
    assert history_count(obj) == versions
    assert LogEntry.objects.count() == logged


def test_a_stored_carriage_return_survives_an_unchanged_save_and_an_edit(client, curator):
    article = ArticleFactory(body="x")
    Article.objects.filter(pk=article.pk).update(body="First line\r\nsecond line\rthird")
    save_unchanged(client, article)
    assert stored(article)["body"] == "First line\r\nsecond line\rthird"
    url = change_url(article)
    data = admin_form_data(client, url, "article")
    data["title"] = ["A new title"]
    assert client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert (article.title, article.body) == ("A new title", "First line\r\nsecond line\rthird")
    assert article.curator_edited_fields == ["title"]


def test_curator_edited_fields_record_only_real_changes(client, curator):
    article = ArticleFactory(body=BODY, title="Wałęsa at the gate")
    url = change_url(article)
    save_unchanged(client, article)
    article.refresh_from_db()
    assert article.curator_edited_fields == []
    data = admin_form_data(client, url, "article")
    data["date_display"] = ["January 1990"]
    assert client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert article.curator_edited_fields == ["date_display"]
    assert article.history.count() == 2  # created + the one real edit
    save_unchanged(client, article)
    article.refresh_from_db()
    assert article.curator_edited_fields == ["date_display"]
    assert article.history.count() == 2


def test_unchanged_inline_rows_are_left_alone_and_a_changed_one_is_saved(client, curator):
    article = ArticleFactory(body=BODY)
    mention = MentionFactory(article=article, context="Wałęsa spoke")
    illustration = IllustrationFactory(article=article, caption="The gate\nin August")
    authorship = AuthorshipFactory(article=article)
    rows = [mention, illustration, authorship]
    before = {type(r): (stored(r), history_count(r)) for r in rows}
    article_before = stored(article)
    save_unchanged(client, article)
    assert {type(r): (stored(r), history_count(r)) for r in rows} == before
    assert stored(article) == article_before

    url = change_url(article)
    data = admin_form_data(client, url, "article")
    data["mentions-0-count"] = ["3"]
    assert client.post(url, data).status_code == 302
    assert Mention.objects.get(pk=mention.pk).count == 3
    assert history_count(mention) == before[Mention][1] + 1
    assert stored(illustration) == before[Illustration][0]
    assert stored(authorship) == before[Authorship][0]
    # The article itself did not change: no history entry, but ``updated`` moved on so a
    # curator's stale copy of the page is still refused.
    assert history_count(article) == 1
    after = stored(article)
    assert after["updated"] > article_before["updated"]
    assert {k: v for k, v in after.items() if k != "updated"} == {
        k: v for k, v in article_before.items() if k != "updated"
    }


def test_inline_rows_added_and_deleted_on_an_unchanged_record_are_saved(client, curator):
    article = ArticleFactory(body=BODY)
    old = IllustrationFactory(article=article, caption="The gate", position=1)
    url = change_url(article)
    data = admin_form_data(client, url, "article")
    data["illustrations-0-DELETE"] = ["on"]
    data["illustrations-TOTAL_FORMS"] = ["2"]
    data.update({
        "illustrations-1-position": ["2"], "illustrations-1-caption": ["Strikers\r\nin 1980"],
        "illustrations-1-page": ["3"], "illustrations-1-article": [str(article.pk)],
    })  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not Illustration.objects.filter(pk=old.pk).exists()
    assert list(article.illustrations.values_list("caption", "page")) == [
        ("Strikers\nin 1980", "3")
    ]
    assert history_count(article) == 1  # the article itself did not change
    assert LogEntry.objects.filter(object_id=str(article.pk)).count() == 1  # the rows did


def test_imported_text_is_shown_but_never_edited(client, curator):
    article = ArticleFactory(body="Body.")
    Article.objects.filter(pk=article.pk).update(raw_text="1. As extracted  \n\nT\nhe text  ")
    page = client.get(change_url(article)).content.decode()
    assert 'name="raw_text"' not in page
    assert "1. As extracted  \n\nT\nhe text  </pre>" in page
    url = change_url(article)
    data = admin_form_data(client, url, "article")
    data["raw_text"] = ["tampered"]
    data["title"] = ["Edited"]
    assert client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert article.raw_text == "1. As extracted  \n\nT\nhe text  "
    assert article.curator_edited_fields == ["title"]

    source = SourceDocument.objects.create(
        name="pamphlet.txt", sha256="a" * 64, size=10, text="Line one  \r\nline two"
    )
    url = change_url(source)
    page = client.get(url).content.decode()
    assert 'name="text"' not in page and "Line one  \r\nline two</pre>" in page
    data = admin_form_data(client, url, "sourcedocument")
    data["text"] = ["tampered"]
    data["notes"] = ["Checked against the printed copy."]
    assert client.post(url, data).status_code == 302
    source.refresh_from_db()
    assert (source.text, source.notes) == (
        "Line one  \r\nline two",
        "Checked against the printed copy.",
    )


def test_unchanged_saves_keep_every_imported_articles_repair_log_replayable(client, curator):
    publication = PublicationFactory(title="Workers’ Liberty", slug="workers-liberty")
    TextImporter(publication=publication, link=False).run(
        SEED_FILE.read_bytes(), name=SEED_FILE.name
    )
    articles = list(Article.objects.order_by("position"))
    assert len(articles) > 10
    assert any(a.raw_text != a.raw_text.rstrip() for a in articles)  # what stripping broke
    for article in articles:
        before, versions = stored(article), history_count(article)
        save_unchanged(client, article)
        assert stored(article) == before, article.title
        assert history_count(article) == versions
        article.refresh_from_db()
        assert replay(article.body, article.repairs.all()) == article.raw_text, article.title


def test_a_revert_from_history_is_still_saved(client, curator):
    """Skipping unchanged saves compares with the stored row, not with the (old) version a
    revert form is drawn from: a revert that changes something is saved."""
    person = PersonFactory(name="Lech Walesa")
    url = change_url(person)
    data = admin_form_data(client, url, "person")
    data["name"] = ["Lech Wałęsa"]
    assert client.post(url, data).status_code == 302
    first = person.history.order_by("history_date", "history_id").first()
    revert_url = reverse("admin:archive_person_simple_history", args=[person.pk, first.pk])
    data = admin_form_data(client, revert_url, "historicalperson")  # the revert page's form
    assert data["name"] == ["Lech Walesa"]
    assert client.post(revert_url, data).status_code == 302
    person.refresh_from_db()
    assert person.name == "Lech Walesa"
    assert person.history.count() == 3
