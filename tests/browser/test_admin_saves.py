"""In a real browser, pressing Save on an unchanged admin page changes nothing.

A curator opens one record of every kind in the seed collection and presses Save without
touching anything. Chromium posts the page as browsers do (textarea lines joined by CRLF,
every inline row, the autocomplete widgets' choices); afterwards every column of the record
is what it was, ``updated`` included, and no history entry was added.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.engine_independent]

PASSWORD = "correct horse battery staple"
USERNAME = "saves-superuser"


@pytest.fixture(scope="module")
def superuser(site, django_db_blocker) -> Iterator[str]:
    """A superuser the live server can see (committed), removed again afterwards."""
    from django.contrib.auth import get_user_model

    with django_db_blocker.unblock():
        user = get_user_model().objects.create_superuser(USERNAME, "saves@example.org", PASSWORD)
    yield USERNAME
    with django_db_blocker.unblock():
        user.delete()


@pytest.fixture(scope="module")
def records(site, django_db_blocker) -> dict:
    """One record of every kind the admin edits, from the seed collection.

    The seed has no authorship and no text repair; one of each is added beside it (removed
    with the module's data).
    """
    from archive import models

    with django_db_blocker.unblock():
        article = (
            models.Article.objects.exclude(raw_text="")
            .filter(mentions__isnull=False, illustrations__isnull=False)
            .order_by("position")
            .first()
        )
        assert article is not None
        person = models.Person.objects.filter(mentions__article=article).first()
        authorship = models.Authorship.objects.first() or models.Authorship.objects.create(
            article=article, person=person
        )
        source = models.SourceDocument.objects.first()
        repair = models.TextRepair.objects.first() or models.TextRepair.objects.create(
            article=article, source_document=source, kind="typo", status="flagged", line=1,
            before="Solidarnosc", after="Solidarność", note="As printed.",
        )  # fmt: skip
        event = models.Event.objects.filter(places__isnull=False, articles__isnull=False).first()
        return {
            "publication": article.issue.publication,
            "issue": article.issue,
            "article": article,
            "person": person,
            "organisation": models.Organisation.objects.filter(aliases__isnull=False).first(),
            "place": models.Place.objects.exclude(latitude=None).first(),
            "event": event or models.Event.objects.first(),
            "alias": models.Alias.objects.first(),
            "illustration": article.illustrations.first(),
            "mention": article.mentions.first(),
            "eventparticipant": models.EventParticipant.objects.first(),
            "authorship": authorship,
            "sourcedocument": source,
            "textrepair": repair,
        }


def stored(obj) -> dict:
    """Every column of the record as the database holds it now (``updated`` included)."""
    return type(obj)._default_manager.filter(pk=obj.pk).values().get()


def history_count(obj) -> int | None:
    history = getattr(type(obj), "history", None)
    return history.filter(**{obj._meta.pk.attname: obj.pk}).count() if history else None


def history_rows() -> dict[str, int]:
    """How many history rows each archive model has (inline rows' saves would add some)."""
    from django.apps import apps

    return {
        model.__name__: model.objects.count()
        for model in apps.get_app_config("archive").get_models()
        if model.__name__.startswith("Historical")
    }


def test_saving_an_unchanged_record_of_every_kind_changes_nothing(page, site, superuser, records):
    from django.contrib.admin.models import LogEntry

    assert all(records.values()), [kind for kind, obj in records.items() if obj is None]
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", superuser)
    page.fill("#id_password", PASSWORD)
    page.click('input[type="submit"]')
    page.wait_for_url(re.compile(r"/admin/$"))
    every_history = history_rows()

    for kind, obj in records.items():
        before, versions, logged = stored(obj), history_count(obj), LogEntry.objects.count()
        change = reverse(f"admin:archive_{kind}_change", args=[obj.pk])
        changelist = reverse(f"admin:archive_{kind}_changelist")
        response = page.goto(change)
        assert response.status == 200, (kind, response.status)
        assert page.locator(f"form#{kind}_form").count() == 1, kind
        page.locator('input[name="_save"]').first.click()
        page.wait_for_url(re.compile(re.escape(changelist) + r"(\?.*)?$"))
        assert page.locator(".errornote, .errorlist").count() == 0, kind
        assert page.locator(".messagelist .success").count() == 1, kind
        assert stored(obj) == before, kind
        assert history_count(obj) == versions, kind
        assert LogEntry.objects.count() == logged, kind

    # The inline rows posted with those pages (mentions, illustrations, variant names, event
    # roles, authorships, issues) were left alone too: no history row anywhere.
    assert history_rows() == every_history
