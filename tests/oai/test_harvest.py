"""A real harvester (the ``sickle`` client from PyPI) takes the whole archive over HTTP."""

from __future__ import annotations

import pytest
from sickle import Sickle
from sickle.oaiexceptions import BadArgument, IdDoesNotExist, NoRecordsMatch

from archive import models
from archive.oai import provider
from tests.factories import ArticleFactory, IssueFactory, PublicationFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def collection():
    wl = PublicationFactory(title="Workers’ Liberty", slug="workers-liberty")
    so = PublicationFactory(title="Socialist Organiser", slug="socialist-organiser")
    published = []
    for publication in (wl, so):
        for _ in range(2):
            issue = IssueFactory(publication=publication)
            published += [ArticleFactory(issue=issue) for _ in range(3)]
    published.append(ArticleFactory(issue=issue, title="Trotsky’s <heirs> & “allies”"))
    hidden = [
        ArticleFactory(issue=issue, status=models.Status.DRAFT),
        ArticleFactory(issue=issue, status=models.Status.REVIEW),
        ArticleFactory(issue=IssueFactory(publication=wl, status=models.Status.DRAFT)),
        ArticleFactory(issue=IssueFactory(publication=PublicationFactory(
            status=models.Status.DRAFT))),
    ]  # fmt: skip
    return published, hidden


def test_sickle_harvests_every_published_article(live_server, settings, collection):
    published, hidden = collection
    settings.OAI_PAGE_SIZE = 4  # 13 records: four pages, three resumption tokens
    settings.SITE_URL = live_server.url
    sickle = Sickle(f"{live_server.url}/oai/", max_retries=0)

    assert sickle.Identify().protocolVersion == "2.0"
    records = list(sickle.ListRecords(metadataPrefix="oai_dc"))
    harvested = [r.header.identifier for r in records]
    assert harvested == [provider.oai_identifier(a.pk) for a in published]
    assert not {provider.oai_identifier(a.pk) for a in hidden} & set(harvested)
    titles = {r.header.identifier: r.metadata["title"] for r in records}
    assert titles[provider.oai_identifier(published[-1].pk)] == ["Trotsky’s <heirs> & “allies”"]

    identifiers = [h.identifier for h in sickle.ListIdentifiers(metadataPrefix="oai_dc")]
    assert identifiers == harvested

    sets = [s.setSpec for s in sickle.ListSets()]
    assert "publication:workers-liberty" in sets and "publication:socialist-organiser" in sets
    subset = list(
        sickle.ListIdentifiers(metadataPrefix="oai_dc", set="publication:workers-liberty")
    )
    assert len(subset) == 6

    record = sickle.GetRecord(identifier=harvested[0], metadataPrefix="oai_dc")
    assert record.metadata["identifier"] == [provider.article_url(published[0])]

    with pytest.raises(IdDoesNotExist):
        sickle.GetRecord(identifier=provider.oai_identifier(hidden[0].pk), metadataPrefix="oai_dc")
    with pytest.raises(NoRecordsMatch):
        list(sickle.ListRecords(metadataPrefix="oai_dc", **{"from": "2999-01-01"}))
    with pytest.raises(BadArgument):
        list(sickle.ListRecords(metadataPrefix="oai_dc", until="yesterday"))
