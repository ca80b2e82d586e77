"""Readable history: long texts diffed word by word and never cut, who made each change and
why; a repair shown with the source text around it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from archive.admin.history import word_diff
from archive.models import SourceDocument, TextRepair
from tests.factories import ArticleFactory, PersonFactory

from .browserform import admin_form_data

pytestmark = pytest.mark.django_db

BODY = (
    "The strike began on a Thursday in Gdańsk. "
    + " ".join(f"word{i}" for i in range(60))
    + " Trotsky’s testament was read aloud."
)


def test_word_diff_marks_every_changed_word_and_elides_what_did_not_change():
    new = BODY.replace("Thursday", "Wednesday").replace("read aloud", "read aloud twice")
    html = word_diff(BODY, new)
    assert "<del>Thursday</del><ins>Wednesday</ins>" in html
    assert "read aloud<ins> twice</ins>" in html
    assert '<span class="elided"> … </span>' in html
    assert "word30" not in html  # the unchanged middle is elided…
    assert "word59 Trotsky’s testament" in html  # …the words next to a change are kept
    assert word_diff("a <b>", "a <c>") == "a &lt;<del>b</del><ins>c</ins>&gt;"


def test_a_body_edit_shows_as_a_full_word_diff_with_who_and_why(client, curator):
    article = ArticleFactory(body=BODY, title="Gdańsk, 1980")
    client.force_login(curator)
    url = reverse("admin:archive_article_change", args=[article.pk])
    data = admin_form_data(client, url, "article")
    data["body"] = [BODY.replace("Thursday", "Wednesday")]
    data["change_reason"] = ["The strike began on a Wednesday (checked in the print)"]
    assert client.post(url, data).status_code == 302
    history = client.get(reverse("admin:archive_article_history", args=[article.pk]))
    html = history.content.decode()
    assert "<del>Thursday</del><ins>Wednesday</ins>" in html
    assert "chars]" not in html  # nothing cut
    assert "The strike began on a Wednesday (checked in the print)" in html
    assert curator.username in html
    assert 'href="/static/archive/admin.css"' in html
    entry = article.history.first()
    assert (entry.history_user, entry.history_change_reason) == (
        curator, "The strike began on a Wednesday (checked in the print)"
    )  # fmt: skip


def test_short_values_are_shown_whole(client, curator):
    person = PersonFactory(name="Lev Trotsky")
    client.force_login(curator)
    url = reverse("admin:archive_person_change", args=[person.pk])
    data = admin_form_data(client, url, "person")
    data["name"] = ["Leon Trotsky"]
    client.post(url, data)
    html = client.get(reverse("admin:archive_person_history", args=[person.pk])).content.decode()
    assert "Lev Trotsky&nbsp;&rarr;&nbsp;Leon Trotsky" in html


def test_the_reason_box_is_optional_and_alone_changes_nothing(client, curator):
    person = PersonFactory(name="Rosa Luxemburg")
    client.force_login(curator)
    url = reverse("admin:archive_person_change", args=[person.pk])
    data = admin_form_data(client, url, "person")
    assert "change_reason" in data
    data["change_reason"] = ["No reason to change anything"]
    versions = person.history.count()
    assert client.post(url, data).status_code == 302
    assert person.history.count() == versions  # a reason without a change saves nothing


def test_a_repair_page_shows_the_source_text_around_it(client, curator):
    source = SourceDocument.objects.create(
        name="s.txt", sha256="c" * 64, size=1,
        text="Line one.\nThe workers of Gdansk are organ-\nising.\nSolidarnosc grew.\nLast.",
    )  # fmt: skip
    repair = TextRepair.objects.create(source_document=source, kind="hyphenation",
                                       status="applied", line=2, before="organ-\nising",
                                       after="organising")  # fmt: skip
    client.force_login(curator)
    html = client.get(reverse("admin:archive_textrepair_change", args=[repair.pk])).content
    assert "lines 1–5" in html.decode()
    assert 'Gdansk are <mark class="repair">organ-\nising</mark>.' in html.decode()


def test_a_record_loaded_without_history_gets_its_old_version_before_the_first_edit(
    client, curator
):
    person = PersonFactory(name="Lev Trotsky")
    person.history.all().delete()  # as when loaded from the curated collection's fixtures
    client.force_login(curator)
    url = reverse("admin:archive_person_change", args=[person.pk])
    data = admin_form_data(client, url, "person")
    client.post(url, data)  # an unchanged save records nothing, not even the old version
    assert person.history.count() == 0
    data = admin_form_data(client, url, "person")
    data["name"] = ["Leon Trotsky"]
    client.post(url, data)
    assert [h.name for h in person.history.all()] == ["Leon Trotsky", "Lev Trotsky"]
    baseline = person.history.last()
    assert (baseline.history_user, baseline.history_type) == (None, "~")
    html = client.get(reverse("admin:archive_person_history", args=[person.pk])).content.decode()
    assert "Lev Trotsky&nbsp;&rarr;&nbsp;Leon Trotsky" in html
    assert "As it stood before its first edit in the admin" in html
