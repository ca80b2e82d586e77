"""OAI-PMH shows the public articles, sets and names only, and dates articles by their rule."""

from __future__ import annotations

import pytest
from lxml import etree

from archive.oai import provider
from tests.datasets.mixed import mixed_collection

from .test_oai import NS, error_code, identifiers, oai

pytestmark = pytest.mark.django_db

HIDDEN_NAMES = (
    "Draft Author", "Author, Draft", "Draft event", "Draft article", "In a draft issue",
    "In a draft publication", "Draft paper", "Ceaușescu",
)  # fmt: skip


@pytest.fixture
def mixed():
    return mixed_collection()


def dc_values(record, name: str) -> list[str]:
    return [e.text for e in record.iterfind(f".//dc:{name}", NS)]


def test_lists_carry_every_public_article_and_nothing_hidden(client, mixed):
    public = sorted(mixed.public["articles"])
    expected = [provider.oai_identifier(pk) for pk in public]
    assert identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")) == expected
    response = client.get("/oai/", {"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    tree = etree.fromstring(response.content)
    assert identifiers(tree) == expected
    text = response.content.decode()
    assert [name for name in HIDDEN_NAMES if name in text] == []


def test_hidden_articles_do_not_exist(client, mixed):
    for key in ("draft_article", "in_draft_issue", "in_draft_publication"):
        identifier = provider.oai_identifier(mixed.records[key].pk)
        tree = oai(client, verb="GetRecord", metadataPrefix="oai_dc", identifier=identifier)
        assert error_code(tree) == "idDoesNotExist", key
        tree = oai(client, verb="ListMetadataFormats", identifier=identifier)
        assert error_code(tree) == "idDoesNotExist", key
    article = provider.oai_identifier(mixed.records["article"].pk)
    assert (
        error_code(oai(client, verb="GetRecord", metadataPrefix="oai_dc", identifier=article))
        is None
    )


def test_sets_are_public_publications_and_issues_only(client, mixed):
    tree = oai(client, verb="ListSets")
    specs = [e.text for e in tree.iterfind(".//o:setSpec", NS)]
    assert specs == ["publication:workers-liberty", "publication:workers-liberty:pamphlet-1990"]
    for spec in (
        "publication:draft-paper",
        "publication:draft-paper:orphan-issue",
        "publication:workers-liberty:draft-issue",
    ):
        tree = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=spec)
        assert error_code(tree) == "noRecordsMatch", spec


def test_record_names_public_people_and_entities_only(client, mixed):
    identifier = provider.oai_identifier(mixed.records["article"].pk)
    tree = oai(client, verb="GetRecord", metadataPrefix="oai_dc", identifier=identifier)
    assert dc_values(tree, "creator") == ["Wałęsa, Lech"]  # not the draft author
    # Not the draft event, not the person of the rejected mention.
    assert sorted(dc_values(tree, "subject")) == ["August coup", "Lech Wałęsa", "Solidarność"]


def test_dc_date_is_the_effective_date_and_undated_has_none(client, mixed):
    def record(key):
        identifier = provider.oai_identifier(mixed.records[key].pk)
        return oai(client, verb="GetRecord", metadataPrefix="oai_dc", identifier=identifier)

    assert dc_values(record("article"), "date") == ["1990-01"]
    assert mixed.records["issue"].date == "2009~"
    assert dc_values(record("undated"), "date") == []  # never the reprint's date


def test_dc_date_is_iso_8601_with_the_edtf_beside_it(client, mixed):
    """Harvesters read ISO 8601: an approximate date is its ISO span, the EDTF kept apart."""
    import datetime as dt

    article = mixed.records["article"]
    article.date = "1989~"
    article.save()
    tree = oai(
        client, verb="GetRecord", metadataPrefix="oai_dc",
        identifier=provider.oai_identifier(article.pk),
    )  # fmt: skip
    (date,) = dc_values(tree, "date")
    assert date == "1989"
    for part in date.split("/"):
        dt.date.fromisoformat(f"{part}-01-01" if len(part) == 4 else part)
    assert "Date (EDTF): 1989~" in dc_values(tree, "description")
