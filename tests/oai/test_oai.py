"""OAI-PMH 2.0: every verb, every error code, selective harvesting and paging by token."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import etree

from archive import changes, models
from archive.oai import provider
from tests.factories import (
    ArticleFactory,
    AuthorshipFactory,
    IssueFactory,
    MentionFactory,
    OrganisationFactory,
    PersonFactory,
    PublicationFactory,
)

NS = {
    "o": "http://www.openarchives.org/OAI/2.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
}
pytestmark = pytest.mark.django_db


def oai(client, **params):
    response = client.get("/oai/", params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return etree.fromstring(response.content)


def error_code(tree) -> str | None:
    errors = tree.findall("o:error", NS)
    return errors[0].get("code") if errors else None


def identifiers(tree) -> list[str]:
    return [e.text for e in tree.iterfind(".//o:header/o:identifier", NS)]


@pytest.fixture
def archive_records():
    """A published pamphlet with two articles, plus records the public must not see."""
    publisher = OrganisationFactory(name="Alliance for Workers’ Liberty")
    publication = PublicationFactory(
        title="Workers’ Liberty", slug="workers-liberty", publisher=publisher, issn="0951-5593"
    )
    issue = IssueFactory(publication=publication, slug="pamphlet-1990", number="WL-1990")
    first = ArticleFactory(
        issue=issue, position=1, title="The risen people", slug="risen", language="en"
    )
    second = ArticleFactory(
        issue=issue, position=2, title="Stalinism <and> Trotsky’s heirs & allies", slug="heirs"
    )
    walesa = PersonFactory(name="Lech Wałęsa", sort_name="Wałęsa, Lech", slug="lech-walesa")
    AuthorshipFactory(article=first, person=walesa)
    MentionFactory(article=first, person=PersonFactory(name="Nicolae Ceaușescu"), count=3)
    MentionFactory(article=first, person=walesa, count=1)
    hidden_person = PersonFactory(name="Draft Person", status=models.Status.DRAFT)
    MentionFactory(article=first, person=hidden_person)
    draft = ArticleFactory(issue=issue, position=3, title="Draft", status=models.Status.DRAFT)
    draft_issue = IssueFactory(publication=publication, status=models.Status.DRAFT)
    in_draft_issue = ArticleFactory(issue=draft_issue, title="In a draft issue")
    return {
        "published": [first, second],
        "hidden": [draft, in_draft_issue],
        "issue": issue,
        "draft_issue": draft_issue,
        "publication": publication,
    }


def test_identify_describes_the_repository(client, archive_records, settings):
    tree = oai(client, verb="Identify")
    identify = tree.find("o:Identify", NS)
    assert identify.findtext("o:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("o:baseURL", namespaces=NS) == f"{settings.SITE_URL}/oai/"
    assert identify.findtext("o:granularity", namespaces=NS) == "YYYY-MM-DD"
    assert identify.findtext("o:deletedRecord", namespaces=NS) == "persistent"
    earliest = min(a.updated for a in archive_records["published"]).date().isoformat()
    assert identify.findtext("o:earliestDatestamp", namespaces=NS) == earliest
    assert tree.find("o:request", NS).get("verb") == "Identify"


def test_oai_identifier_description_needs_a_domain_name(client, archive_records, settings):
    settings.SITE_URL = "https://archive.example.org"
    tree = oai(client, verb="Identify")
    repo_id = tree.find(
        ".//{http://www.openarchives.org/OAI/2.0/oai-identifier}repositoryIdentifier"
    )
    assert repo_id.text == "archive.example.org"
    settings.SITE_URL = "http://127.0.0.1:8000"
    tree = oai(client, verb="Identify")
    assert (
        tree.find(".//{http://www.openarchives.org/OAI/2.0/oai-identifier}repositoryIdentifier")
        is None
    )


def test_list_metadata_formats(client, archive_records):
    tree = oai(client, verb="ListMetadataFormats")
    assert [e.text for e in tree.iterfind(".//o:metadataPrefix", NS)] == ["oai_dc"]
    article = archive_records["published"][0]
    tree = oai(client, verb="ListMetadataFormats", identifier=provider.oai_identifier(article.pk))
    assert error_code(tree) is None
    hidden = archive_records["hidden"][0]
    tree = oai(client, verb="ListMetadataFormats", identifier=provider.oai_identifier(hidden.pk))
    assert error_code(tree) == "idDoesNotExist"


def test_list_sets_are_public_publications_and_their_issues(client, archive_records):
    tree = oai(client, verb="ListSets")
    specs = [e.text for e in tree.iterfind(".//o:setSpec", NS)]
    assert specs == ["publication:workers-liberty", "publication:workers-liberty:pamphlet-1990"]
    assert tree.find(".//o:setName", NS).text == "Workers’ Liberty"


def test_list_records_returns_published_articles_only(client, archive_records):
    tree = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    expected = [provider.oai_identifier(a.pk) for a in archive_records["published"]]
    assert identifiers(tree) == expected
    assert tree.find(".//o:resumptionToken", NS) is None  # one page: no token at all


def test_dublin_core_fields(client, archive_records, settings):
    first = archive_records["published"][0]
    tree = oai(client, verb="GetRecord", metadataPrefix="oai_dc",
               identifier=provider.oai_identifier(first.pk))  # fmt: skip
    dc = tree.find(".//oai_dc:dc", NS)

    def values(name):
        return [e.text for e in dc.iterfind(f"dc:{name}", NS)]

    assert values("title") == ["The risen people"]
    assert values("creator") == ["Wałęsa, Lech"]
    # Mentioned public entities, most mentioned first; the draft person is not shown.
    assert values("subject") == ["Nicolae Ceaușescu", "Lech Wałęsa"]
    assert values("publisher") == ["Alliance for Workers’ Liberty"]
    assert values("date") == ["1990-01"]
    assert values("type") == ["Text", "Article"]
    assert values("language") == ["en"]
    assert values("identifier") == [provider.article_url(first)]
    assert values("identifier")[0].startswith(settings.SITE_URL)
    assert "Workers’ Liberty" in values("source")[0]
    assert "0951-5593" in values("source")[0]
    header = tree.find(".//o:header", NS)
    assert header.findtext("o:datestamp", namespaces=NS) == first.updated.date().isoformat()
    assert [e.text for e in header.iterfind("o:setSpec", NS)] == [
        "publication:workers-liberty",
        "publication:workers-liberty:pamphlet-1990",
    ]


def test_markup_characters_are_escaped(client, archive_records):
    second = archive_records["published"][1]
    response = client.get("/oai/", {"verb": "GetRecord", "metadataPrefix": "oai_dc",
                                     "identifier": provider.oai_identifier(second.pk)})  # fmt: skip
    assert b"&lt;and&gt;" in response.content and b"&amp; allies" in response.content
    tree = etree.fromstring(response.content)
    assert tree.find(".//dc:title", NS).text == "Stalinism <and> Trotsky’s heirs & allies"


def test_control_characters_never_break_the_xml(client, archive_records):
    article = archive_records["published"][0]
    models.Article.objects.filter(pk=article.pk).update(title="Page\x0cbreak")
    tree = oai(client, verb="GetRecord", metadataPrefix="oai_dc",
               identifier=provider.oai_identifier(article.pk))  # fmt: skip
    assert tree.find(".//dc:title", NS).text == "Pagebreak"


def test_get_record_of_hidden_or_unknown_article(client, archive_records):
    for article in archive_records["hidden"]:
        tree = oai(client, verb="GetRecord", metadataPrefix="oai_dc",
                   identifier=provider.oai_identifier(article.pk))  # fmt: skip
        assert error_code(tree) == "idDoesNotExist"
    for identifier in ("oai:elsewhere.org:article:1", "nonsense", "oai:127.0.0.1:article:x"):
        tree = oai(client, verb="GetRecord", metadataPrefix="oai_dc", identifier=identifier)
        assert error_code(tree) == "idDoesNotExist"


@pytest.mark.parametrize(
    "params, code",
    [
        ({}, "badVerb"),
        ({"verb": "Harvest"}, "badVerb"),
        ({"verb": ["Identify", "ListSets"]}, "badVerb"),
        ({"verb": "Identify", "extra": "1"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "oai_dc"]}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "1990"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-02-30"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc",
          "from": "2020-01-01T00:00:00Z"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc",
          "from": "2021-01-01", "until": "2020-01-01"}, "badArgument"),
        ({"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"},
         "badArgument"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({"verb": "ListRecords", "resumptionToken": "forged"}, "badResumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2999-01-01"},
         "noRecordsMatch"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "publication:nope"},
         "noRecordsMatch"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "draft-issue"},
         "noRecordsMatch"),
    ],
)  # fmt: skip
def test_protocol_errors(client, archive_records, params, code):
    tree = oai(client, **params)
    assert error_code(tree) == code
    request = tree.find("o:request", NS)
    if code in ("badVerb", "badArgument"):
        assert dict(request.attrib) == {}  # the protocol forbids echoing a bad request
    assert tree.find("o:ListRecords", NS) is None


def test_valid_request_has_no_error(client, archive_records):
    tree = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert error_code(tree) is None
    assert len(identifiers(tree)) == 2


def test_cannot_disseminate_format_for_known_record(client, archive_records):
    article = archive_records["published"][0]
    tree = oai(client, verb="GetRecord", metadataPrefix="marc21",
               identifier=provider.oai_identifier(article.pk))  # fmt: skip
    assert error_code(tree) == "cannotDisseminateFormat"
    assert tree.find("o:request", NS).get("verb") == "GetRecord"


def test_token_of_another_verb_is_refused(client, archive_records, settings):
    settings.OAI_PAGE_SIZE = 1
    tree = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = tree.find(".//o:resumptionToken", NS).text
    assert error_code(oai(client, verb="ListIdentifiers", resumptionToken=token)) is None
    assert error_code(oai(client, verb="ListRecords", resumptionToken=token)) == (
        "badResumptionToken"
    )
    assert error_code(oai(client, verb="ListRecords", resumptionToken=token[:-2])) == (
        "badResumptionToken"
    )


def test_expired_token_is_refused(client, archive_records, settings, monkeypatch):
    settings.OAI_PAGE_SIZE = 1
    tree = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = tree.find(".//o:resumptionToken", NS).text
    monkeypatch.setattr(provider, "TOKEN_MAX_AGE", dt.timedelta(seconds=-1))
    tree = oai(client, verb="ListIdentifiers", resumptionToken=token)
    assert error_code(tree) == "badResumptionToken"
    assert "expired" in tree.find("o:error", NS).text


def test_selective_harvesting_by_datestamp(client, archive_records):
    first, second = archive_records["published"]
    old = dt.datetime(2001, 5, 17, 23, 59, tzinfo=dt.UTC)
    oai(client, verb="Identify")  # the changes log records both articles now
    # As if first had been edited and recorded in 2001 (a datestamp is the later of the two).
    models.Article.objects.filter(pk=first.pk).update(updated=old)
    changes.record_changes()
    models.Change.objects.filter(resource="articles", record_id=first.pk).update(time=old)

    def harvest(**dates):
        return identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **dates))

    assert harvest(**{"from": "2001-05-17", "until": "2001-05-17"}) == [
        provider.oai_identifier(first.pk)
    ]
    assert harvest(until="2001-05-17") == [provider.oai_identifier(first.pk)]
    assert harvest(**{"from": "2001-05-18"}) == [provider.oai_identifier(second.pk)]
    assert harvest(until="2001-05-16") == []


def test_sets_select_records(client, archive_records):
    other = ArticleFactory(title="Elsewhere")
    tree = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc",
               set="publication:workers-liberty")  # fmt: skip
    assert provider.oai_identifier(other.pk) not in identifiers(tree)
    assert len(identifiers(tree)) == 2
    tree = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc",
               set="publication:workers-liberty:pamphlet-1990")  # fmt: skip
    assert len(identifiers(tree)) == 2
    slug = other.issue.publication.slug
    tree = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=f"publication:{slug}")
    assert identifiers(tree) == [provider.oai_identifier(other.pk)]


def test_paging_with_resumption_tokens(client, archive_records, settings):
    settings.OAI_PAGE_SIZE = 2
    extra = [ArticleFactory(issue=archive_records["issue"]) for _ in range(3)]
    expected = [provider.oai_identifier(a.pk) for a in [*archive_records["published"], *extra]]
    seen, cursors, params = [], [], {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
    while True:
        tree = oai(client, **params)
        seen += identifiers(tree)
        token = tree.find(".//o:resumptionToken", NS)
        if token is None or not token.text:
            break
        assert token.get("completeListSize") == "5"
        cursors.append(token.get("cursor"))
        params = {"verb": "ListRecords", "resumptionToken": token.text}
    assert seen == expected
    assert cursors == ["0", "2"]
    assert token.get("cursor") == "4"  # the last page says where it stood, with an empty token


def test_post_requests_are_answered(client, archive_records):
    response = client.post("/oai/", {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    assert response.status_code == 200
    assert len(identifiers(etree.fromstring(response.content))) == 2


def test_list_records_page_query_count_is_fixed(client, archive_records, settings):
    settings.OAI_PAGE_SIZE = 3
    for _ in range(6):
        article = ArticleFactory(issue=archive_records["issue"])
        AuthorshipFactory(article=article)
        MentionFactory(article=article)
    changes.record_changes()
    with CaptureQueriesContext(connection) as queries:
        oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    # the changes log is current (its state, the content version) + page of articles +
    # authorships + mentions + page of deleted records + the two list sizes for the token
    assert len(queries) == 8
