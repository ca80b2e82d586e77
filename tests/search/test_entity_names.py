"""Names close to the query: the best match per record (its name or a variant), public
records only, and on PostgreSQL a statement that leaves the connection's settings as it
found them (it turns scans in table order off for itself, to go through the trigram
indexes)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from archive import search
from archive.models import Status
from tests.factories import AliasFactory, OrganisationFactory, PersonFactory, PlaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def names():
    trotsky = PersonFactory(name="Leon Trotsky", slug="trotsky")
    AliasFactory(person=trotsky, name="Lev Trotsky")
    AliasFactory(person=trotsky, name="Lev Bronstein")
    PersonFactory(name="Leon Blum", slug="blum")
    PersonFactory(name="Leon Trotzky Draft", slug="draft", status=Status.DRAFT)
    hidden = PersonFactory(name="Hidden", slug="hidden", status=Status.DRAFT)
    AliasFactory(person=hidden, name="Leon Trotskyite")
    OrganisationFactory(name="Trotskyist League", slug="league")
    AliasFactory(person=None, place=PlaceFactory(name="Kaliningrad"), name="Königsberg")
    return trotsky


def test_a_record_is_listed_once_with_its_best_match(names):
    found = search.match_entities("Lev Bronstein")
    assert [(m.kind, m.name, m.matched) for m in found][:1] == [
        ("person", "Leon Trotsky", "Lev Bronstein")
    ]
    assert [m.name for m in found].count("Leon Trotsky") == 1
    assert found[0].url == names.get_absolute_url() and found[0].id == names.pk


def test_only_public_records_and_their_variant_names(names):
    for query in ("Leon Trotsky", "trotzky", "Trotskyite", "leon"):
        shown = {m.name for m in search.match_entities(query)}
        assert not shown & {"Leon Trotzky Draft", "Hidden"}, query
    assert "Leon Trotsky" in {m.name for m in search.match_entities("Leon Trotzky")}
    assert "Kaliningrad" in {m.name for m in search.match_entities("konigsberg")}
    # The admin's near-duplicate warning sees drafts too.
    unfiltered = {m.name for m in search.match_entities("Trotzky Draft", public_only=False)}
    assert "Leon Trotzky Draft" in unfiltered


def test_results_are_sorted_best_first_and_capped(names):
    for i in range(12):
        PersonFactory(name=f"Leon Trotsky {i}")
    found = search.match_entities("Leon Trotsky", limit=5)
    assert len(found) == 5
    assert found[0].name == "Leon Trotsky"
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)


@pytest.mark.requires_postgres
def test_the_names_statement_leaves_the_settings_as_it_found_them(names):
    def seqscan() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_seqscan")
            return cursor.fetchone()[0]

    # Inside a transaction (as every test is): a local setting would last until its end.
    with transaction.atomic():
        assert seqscan() == "on"
        assert search.match_entities("Leon Trotsky")[0].name == "Leon Trotsky"
        assert seqscan() == "on"
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        assert search.match_entities("Leon Trotsky")[0].name == "Leon Trotsky"
        assert seqscan() == "off"
