"""Connections: the network of who is mentioned with whom on person and organisation
pages, public mentions only, each node a link."""

from __future__ import annotations

import re

import pytest

from archive import models
from archive.views.network import short_label
from tests.factories import (
    ArticleFactory,
    IssueFactory,
    MentionFactory,
    OrganisationFactory,
    PersonFactory,
    PlaceFactory,
)

pytestmark = pytest.mark.django_db


def test_labels_fit_beside_a_node():
    assert short_label("Mikhail Gorbachev", sort_name="Gorbachev, Mikhail") == "Gorbachev"
    assert short_label("Communist Party of the Soviet Union", acronym="CPSU") == "CPSU"
    assert short_label("All-Russian Extraordinary Commission") == "All-Russian…"
    assert short_label("Lenin") == "Lenin"


@pytest.fixture
def scene(db):
    walesa = PersonFactory(name="Lech Wałęsa", sort_name="Wałęsa, Lech", slug="lech-walesa")
    jaruzelski = PersonFactory(
        name="Wojciech Jaruzelski", sort_name="Jaruzelski, Wojciech", slug="jaruzelski"
    )
    kuron = PersonFactory(name="Jacek Kuroń", sort_name="Kuroń, Jacek", slug="kuron")
    solidarity = OrganisationFactory(name="Solidarność", slug="solidarnosc", acronym="NSZZ")
    secret = PersonFactory(name="Draft Informer", slug="informer", status=models.Status.DRAFT)
    rejected = PersonFactory(name="Wrong Match", slug="wrong-match")
    hidden_only = PersonFactory(name="Hidden Only", slug="hidden-only")
    gdansk = PlaceFactory(name="Gdańsk", slug="gdansk")
    one, two = ArticleFactory(title="Strike"), ArticleFactory(title="Martial law")
    draft = ArticleFactory(issue=IssueFactory(status=models.Status.DRAFT), title="Hidden")
    for article in (one, two):
        MentionFactory(article=article, person=walesa)
        MentionFactory(article=article, person=jaruzelski)
    MentionFactory(article=one, person=None, organisation=solidarity)
    MentionFactory(article=one, person=kuron)
    MentionFactory(article=one, person=secret)
    MentionFactory(article=one, person=None, place=gdansk)
    MentionFactory(article=two, person=rejected, status=models.Mention.Status.REJECTED)
    MentionFactory(article=draft, person=walesa)
    MentionFactory(article=draft, person=hidden_only)
    return locals()


def network(html: str) -> str:
    return re.search(r'<svg class="network-svg".*?</svg>', html, re.S)[0]


def test_a_person_page_draws_who_is_mentioned_with_them(client, scene):
    svg = network(client.get("/people/lech-walesa/").content.decode())
    nodes = re.findall(r'<a href="([^"]+)" class="net-node net-(\w+)"', svg)
    assert sorted(nodes) == [
        ("/organisations/solidarnosc/", "organisation"),
        ("/people/jaruzelski/", "person"),
        ("/people/kuron/", "person"),
    ]
    # Only public mentions: not the draft person, the rejected match, the unpublished
    # article's company, nor places (the network is of people and organisations).
    for absent in ("Draft Informer", "Wrong Match", "Hidden Only", "Gdańsk"):
        assert absent not in svg
    assert "Jaruzelski: in 2 articles with Lech Wałęsa" in svg
    assert "mentioned together in 2 articles" in svg  # the thickest line, to Jaruzelski
    # Jaruzelski and Kuroń are named together in "Strike": a line between them too.
    assert "Wojciech Jaruzelski and Jacek Kuroń: together in 1 article" in svg or (
        "Jacek Kuroń and Wojciech Jaruzelski: together in 1 article" in svg
    )
    assert '<rect x="' in svg  # Solidarność, an organisation, is a square


def test_an_organisation_page_has_its_network_and_a_place_page_none(client, scene):
    svg = network(client.get("/organisations/solidarnosc/").content.decode())
    assert 'href="/people/lech-walesa/"' in svg and 'href="/organisations/solidarnosc/"' not in svg
    centre = re.search(r'<g class="net-node net-self net-organisation">.*?</g>', svg, re.S)[0]
    assert ">NSZZ</text>" in centre  # itself in the middle, by its acronym, not a link
    assert "network-svg" not in client.get("/places/gdansk/").content.decode()
    alone = PersonFactory(name="Nobody Else", slug="nobody-else")
    MentionFactory(article=ArticleFactory(title="Alone"), person=alone)
    assert "network-svg" not in client.get("/people/nobody-else/").content.decode()


def test_a_record_page_reads_its_public_articles_once(client, scene):
    """The page's list of mentions, the names mentioned alongside a person (people and
    organisations, then places) and the network's lines between them come from the same
    public articles: read once, not once per list (each read checks every mention's
    article, issue and publication: 17-21 ms for a record in 2,000 articles at a million)."""
    from django.db import connection

    reads, tallies = [], []

    def watch(execute, sql, params, many, context):
        # A read of the record's own mentions over all its articles (not those of a few
        # articles or a page of them, which name their ids).
        if '"archive_mention"."person_id" = %s' in sql and " IN (" not in sql:
            reads.append(sql)
        if "archive_mention" in sql and "COUNT(DISTINCT" in sql:
            tallies.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        html = client.get("/people/lech-walesa/").content.decode()
    assert len(reads) == 1, reads
    # The names mentioned alongside, people and organisations and places, in one tally.
    assert len(tallies) == 1, tallies
    # And what was read still draws the page: the lines between neighbours mentioned
    # together ("Strike" names Jaruzelski, Kuroń and Solidarność; Wałęsa's draft article
    # and the rejected mention add none).
    between = re.findall(
        r"<title>([^<]*) and ([^<]*): together in (\d+) articles?</title>", network(html)
    )
    assert {(frozenset(pair), n) for *pair, n in between} == {
        (frozenset({"Wojciech Jaruzelski", "Jacek Kuroń"}), "1"),
        (frozenset({"Wojciech Jaruzelski", "Solidarność"}), "1"),
        (frozenset({"Jacek Kuroń", "Solidarność"}), "1"),
    }
