"""Every published word traces back to the source: replay the loaded seed article by article.

An article's body is its ``raw_text`` (its lines of the pamphlet, as extracted) with the
importer's applied repairs redone in order, then the curator's body emendations redone in
order, each found at its recorded offset. Undoing both, newest first, gives the raw text
back. The same holds for the fields an emendation corrects (title, label, dateline, …).
"""

from __future__ import annotations

import html

import pytest

from archive.importers.repairs import apply_repairs, replay
from archive.models import Article, Emendation
from archive.models.emendations import editorial_changes

pytestmark = pytest.mark.django_db


def redo_emendations(text: str, emendations) -> str:
    for e in emendations:
        assert text[e.offset : e.offset + len(e.printed)] == e.printed, (e.sequence, e.reason)
        text = text[: e.offset] + e.corrected + text[e.offset + len(e.printed) :]
    return text


def undo_emendations(text: str, emendations) -> str:
    for e in reversed(emendations):
        assert text[e.offset : e.offset + len(e.corrected)] == e.corrected, e.sequence
        text = text[: e.offset] + e.printed + text[e.offset + len(e.corrected) :]
    return text


def test_every_body_is_the_raw_text_with_the_repairs_and_the_emendations(seed):
    articles = list(Article.objects.public().select_related("issue"))
    assert articles
    changed = 0
    for article in articles:
        repairs = list(article.repairs.filter(source_document=article.issue.source_document))
        assert repairs, article.slug  # every unit at least had its lines joined
        body_emendations = list(article.emendations.filter(field="body").order_by("sequence"))
        imported = apply_repairs(article.raw_text, repairs)
        assert redo_emendations(imported, body_emendations) == article.body, article.slug
        assert replay(undo_emendations(article.body, body_emendations), repairs) == (
            article.raw_text
        )
        changed += bool(body_emendations)
    assert changed > 0


def test_every_emended_field_ends_with_its_last_correction(seed):
    fields = Emendation.objects.public().exclude(field="body").select_related("article")
    assert fields.exists()
    for emendation in fields:
        last = (
            Emendation.objects.filter(article=emendation.article, field=emendation.field)
            .order_by("-sequence")
            .first()
        )
        assert getattr(emendation.article, emendation.field) == last.corrected


def test_a_tampered_emendation_breaks_the_replay(seed):
    emendation = Emendation.objects.filter(field="body", kind="paragraphing").first()
    article = emendation.article
    emendations = list(article.emendations.filter(field="body").order_by("sequence"))
    for e in emendations:
        if e.pk == emendation.pk:
            e.printed = e.printed.replace(" ", "  ", 1)
    repairs = list(article.repairs.all())
    with pytest.raises(AssertionError):
        redo_emendations(apply_repairs(article.raw_text, repairs), emendations)


def test_the_reader_lists_the_editorial_changes(seed, client):
    article = (
        Article.objects.public()
        .filter(emendations__kind="layout")
        .select_related("issue__publication")
        .first()
    )
    changes = editorial_changes(article)
    by = {change.by for change in changes.changes}
    assert by == {"importer", "curator"}
    page = client.get(article.get_absolute_url()).content.decode()
    assert f"<summary>Editorial changes ({len(changes)})</summary>" in page
    assert page.count('<li class="change by-curator">') == article.emendations.count()
    assert page.count('<li class="change by-importer">') == len(changes) - len(
        article.emendations.all()
    )
    text = html.unescape(page)
    for change in changes.changes:
        assert change.reason in text
        assert change.corrected_shown in text
