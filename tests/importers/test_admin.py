"""The curator's upload → report → accept flow, and reviewing repairs, through the admin."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from archive.admin.importing import SESSION_KEY
from archive.models import Article, Issue, SourceDocument, TextRepair
from tests.factories import PublicationFactory, UserFactory

from .test_service import SMALL

IMPORT_URL = "/admin/archive/sourcedocument/import/"


@pytest.fixture
def curator(client, db):
    user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(user)
    return user


@pytest.fixture
def publication(db):
    return PublicationFactory(title="Workers’ Liberty", slug="workers-liberty")


def _upload(client, publication, data=SMALL, name="small.txt", **extra):
    return client.post(
        IMPORT_URL,
        {
            "action": "preview",
            "file": SimpleUploadedFile(name, data, content_type="text/plain"),
            "publication": publication.pk,
            **extra,
        },
    )


def test_import_page_is_linked_from_the_source_document_list(client, curator):
    page = client.get(reverse("admin:archive_sourcedocument_changelist"))
    assert page.status_code == 200
    assert IMPORT_URL.encode() in page.content
    form = client.get(IMPORT_URL)
    assert form.status_code == 200 and b'name="file"' in form.content


def test_upload_shows_the_report_and_writes_nothing(client, curator, publication):
    response = _upload(client, publication)
    assert response.status_code == 200
    html = response.content.decode()
    assert "This is a dry run" in html
    assert "A small paper" in html and "Another piece" in html
    assert "The workers of Gdansk are organising." in html  # the draft body's opening
    assert "drop_cap" in html
    assert SourceDocument.objects.count() == Article.objects.count() == 0
    assert client.session[SESSION_KEY]["name"] == "small.txt"


def test_accept_imports_what_was_previewed(client, curator, publication):
    _upload(client, publication, issue_title="A test issue")
    token = client.session[SESSION_KEY]["token"]
    response = client.post(IMPORT_URL, {"action": "accept", "token": token})
    source = SourceDocument.objects.get()
    assert response.status_code == 302
    # the new issue's review page (the admin's guided import)
    assert response.url == reverse("admin:archive_issue_review", args=[source.issues.get().pk])
    assert Issue.objects.get().title == "A test issue"
    assert list(Article.objects.order_by("position").values_list("title", flat=True)) == [
        "A small paper",
        "Another piece",
    ]
    assert SESSION_KEY not in client.session
    # the source document page shows the stored report and links to its repairs
    page = client.get(response.url)
    assert page.status_code == 200
    assert "A small paper" in page.content.decode()
    assert "repairs</a>" in page.content.decode()
    # accepting twice does not import twice
    again = client.post(IMPORT_URL, {"action": "accept", "token": token})
    assert again.status_code == 400 and b"no uploaded file waiting" in again.content
    assert SourceDocument.objects.count() == 1


def test_uploading_an_imported_file_again_offers_nothing_to_accept(client, curator, publication):
    _upload(client, publication)
    client.post(IMPORT_URL, {"action": "accept", "token": client.session[SESSION_KEY]["token"]})
    response = _upload(client, publication)
    assert response.status_code == 200
    assert b"imported before" in response.content
    assert b'value="accept"' not in response.content
    assert SourceDocument.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", b"The submitted file is empty"),
        (b"\x00\x01\x02", b"binary file"),
        (b"caf\xe9", b"not valid UTF-8: byte 0xE9 at offset 3"),
    ],
)
def test_bad_uploads_are_refused_with_400(client, curator, publication, data, message):
    response = _upload(client, publication, data=data)
    assert response.status_code == 400
    assert message in response.content
    assert SourceDocument.objects.count() == 0


def test_bad_issue_date_is_refused_naming_the_field(client, curator, publication):
    response = _upload(client, publication, issue_date="1991-13")
    assert response.status_code == 400
    assert b"month 13 does not exist" in response.content


def test_staff_without_permissions_cannot_import(client, db, publication):
    client.force_login(UserFactory(is_staff=True, is_superuser=False))
    assert client.get(IMPORT_URL).status_code == 403


def test_repair_list_filters_and_actions(
    client, curator, publication, django_assert_max_num_queries
):
    _upload(client, publication, data=b"1. Title here\n\ns I said, it is so.\n")
    client.post(IMPORT_URL, {"action": "accept", "token": client.session[SESSION_KEY]["token"]})
    changelist = reverse("admin:archive_textrepair_changelist")
    flagged = TextRepair.objects.get(status="flagged", kind="lost_drop_cap")
    assert flagged.before == "s" and flagged.after in ("As", "Is", "Us")
    with django_assert_max_num_queries(12):
        page = client.get(changelist, {"status__exact": "flagged"})
    assert page.status_code == 200 and b"lost_drop_cap" in page.content.lower().replace(
        b"lost drop cap restored", b"lost_drop_cap"
    )
    response = client.post(
        changelist, {"action": "accept_repairs", "_selected_action": [flagged.pk]}, follow=True
    )
    assert response.status_code == 200
    flagged.refresh_from_db()
    article = flagged.article
    assert flagged.status == "accepted"
    assert article.body.startswith(flagged.after + " I said, it is so.")
    assert "body" in article.curator_edited_fields
    # revert an applied repair: nothing applied at word level here, so it is skipped
    reflow = TextRepair.objects.filter(kind="reflow").first()
    response = client.post(
        changelist, {"action": "revert_repairs", "_selected_action": [reflow.pk]}, follow=True
    )
    reflow.refresh_from_db()
    assert reflow.status == "applied"
    assert b"only a word repair" in response.content


def test_repair_change_page_and_failed_accept(client, curator, publication, monkeypatch):
    from archive.importers import service

    _upload(client, publication)
    token = client.session[SESSION_KEY]["token"]
    monkeypatch.setattr(service, "link_article", lambda a, i: 1 / 0)
    response = client.post(IMPORT_URL, {"action": "accept", "token": token}, follow=True)
    assert b"Nothing was imported: division by zero" in response.content
    assert SourceDocument.objects.count() == 0
    monkeypatch.undo()
    client.post(IMPORT_URL, {"action": "accept", "token": token})
    repair = TextRepair.objects.filter(kind="drop_cap").get()
    page = client.get(reverse("admin:archive_textrepair_change", args=[repair.pk]))
    assert page.status_code == 200 and b"drop cap rejoined" in page.content
