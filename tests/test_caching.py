"""Cached public pages and API lists: served while nothing changed, never after a change."""

from __future__ import annotations

import io
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import OperationalError, connection

from archive import caching
from archive.caching import content_version
from archive.models import Person, Status
from tests.factories import ArticleFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def archive_tables() -> set[str]:
    """Every table a public page or list can read: the archive's, minus history."""
    return {
        model._meta.db_table
        for model in apps.get_app_config("archive").get_models(include_auto_created=True)
        if not model.__name__.startswith("Historical")
        and model.__name__ != "ContentVersion"
        # Logs derived from the content (archive.models.changes) must not bump its version.
        and getattr(model, "CONTENT_VERSION_TRIGGER", True)
    }


def tables_with_version_trigger() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgrelid::regclass::text FROM pg_trigger "
                "WHERE tgname LIKE '%%_content_version'"
            )
        else:
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master "
                "WHERE type = 'trigger' AND name LIKE '%_content_version_%'"
            )
        return {row[0] for row in cursor.fetchall()}


def test_every_archive_table_bumps_the_version():
    """A new model without the trigger would serve stale pages: this test names it."""
    assert archive_tables() - tables_with_version_trigger() == set()


def test_every_kind_of_write_bumps_the_version():
    start = content_version()
    person = PersonFactory(name="Rosa Luxemburg")  # ORM insert
    after_insert = content_version()
    assert after_insert > start
    Person.objects.filter(pk=person.pk).update(name="Rosa L.")  # bulk update, no signals
    after_update = content_version()
    assert after_update > after_insert
    with connection.cursor() as cursor:  # raw SQL, past the ORM entirely
        cursor.execute("UPDATE archive_person SET description = 'x' WHERE id = %s", [person.pk])
    after_raw = content_version()
    assert after_raw > after_update
    Person.objects.filter(pk=person.pk).delete()
    assert content_version() > after_raw


def test_a_page_is_served_from_the_cache_until_a_record_changes(client):
    person = PersonFactory(name="Rosa Luxemburg")
    first = client.get("/people/")
    assert first.status_code == 200
    assert "Rosa Luxemburg" in first.content.decode()
    assert first["X-Cache"] == "miss"
    second = client.get("/people/")
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    # Same security headers on a cached answer as on a rendered one.
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert second["Content-Type"] == first["Content-Type"]

    Person.objects.filter(pk=person.pk).update(name="Rosa Luxembourg", sort_name="Luxembourg")
    third = client.get("/people/")
    assert third["X-Cache"] == "miss"
    assert "Luxembourg" in third.content.decode()
    assert "Luxemburg" not in third.content.decode()


def test_unpublishing_hides_a_cached_page_at_once(client):
    person = PersonFactory(name="Rosa Luxemburg")
    url = person.get_absolute_url()
    assert client.get(url).status_code == 200
    assert client.get(url)["X-Cache"] == "hit"
    Person.objects.filter(pk=person.pk).update(status=Status.DRAFT)
    assert client.get(url).status_code == 404


def test_each_cached_answer_gets_its_own_csp_nonce(client):
    article = ArticleFactory()
    url = article.get_absolute_url()
    answers = [client.get(url), client.get(url)]
    assert [a["X-Cache"] for a in answers] == ["miss", "hit"]
    nonces = []
    for answer in answers:
        body = answer.content.decode()
        in_page = re.search(r'<script type="application/ld\+json" nonce="([^"]+)"', body)
        assert in_page, "the article page embeds JSON-LD with a nonce"
        assert f"'nonce-{in_page.group(1)}'" in answer["Content-Security-Policy"]
        nonces.append(in_page.group(1))
    assert nonces[0] != nonces[1]
    assert "csp-nonce" not in answers[1].content.decode()


def test_curators_with_a_session_always_get_a_fresh_page(client):
    PersonFactory(name="Rosa Luxemburg")
    client.get("/people/")  # cached for readers
    client.force_login(UserFactory(is_staff=True))
    response = client.get("/people/")
    assert response.status_code == 200
    assert "X-Cache" not in response


@pytest.mark.parametrize("path", ["/admin/login/", "/data/", "/oai?verb=Identify", "/nowhere/"])
def test_admin_files_oai_and_errors_are_never_cached(client, path):
    client.get(path)
    assert client.get(path).get("X-Cache") is None


def test_a_zero_lifetime_switches_the_cache_off(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    PersonFactory()
    client.get("/people/")
    assert "X-Cache" not in client.get("/people/")


def test_a_database_outage_while_reading_the_version_reaches_the_view(client, monkeypatch):
    """The cache must not turn an outage into a 500: the view answers as without it."""

    def down() -> int:
        raise OperationalError("connection refused")

    monkeypatch.setattr(caching, "content_version", down)
    response = client.get("/people/")
    assert response.status_code == 200
    assert "X-Cache" not in response


def test_an_api_list_is_cached_until_a_record_changes(client):
    person = PersonFactory(name="Rosa Luxemburg")
    first = client.get("/api/people/")
    assert client.get("/api/people/").content == first.content
    Person.objects.filter(pk=person.pk).update(name="Rosa Luxembourg")
    names = [row["name"] for row in client.get("/api/people/").json()["results"]]
    assert names == ["Rosa Luxembourg"]


def test_a_cached_api_search_reads_nothing_but_the_version(client, django_assert_num_queries):
    """A kept answer is served before the filters run: a search's hits are gathered in the
    database (the costliest part of an API search), so a cached one must not gather them
    again. A bad parameter is still refused, and the refusal is not kept."""
    ArticleFactory(title="General strike", body="The strike spread along the coast.")
    url = "/api/articles/?q=strike&ordering=relevance"
    first = client.get(url)
    assert first.status_code == 200 and first.json()["results"]
    with django_assert_num_queries(1) as captured:  # the content version
        again = client.get(url)
    assert "archive_contentversion" in captured.captured_queries[0]["sql"]
    assert again.json() == first.json()
    for _ in range(2):
        refused = client.get("/api/articles/?q=strike&ordering=sideways")
        assert refused.status_code == 400
        assert [e["parameter"] for e in refused.json()["errors"]] == ["ordering"]


def test_clear_page_cache_retires_pages_in_every_process(client):
    """Other server processes keep their own caches: the version jump retires theirs."""
    PersonFactory()
    client.get("/people/")
    assert client.get("/people/")["X-Cache"] == "hit"
    before = content_version()
    out = io.StringIO()
    call_command("clear_page_cache", stdout=out)
    assert out.getvalue().startswith("Page cache retired")
    jumped = content_version()
    assert jumped > before + 10**12  # past any count of writes
    assert client.get("/people/")["X-Cache"] == "miss"
    PersonFactory()  # writes still move it on from there
    assert content_version() > jumped
