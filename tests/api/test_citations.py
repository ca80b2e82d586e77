"""Citations in every format, from the library and over HTTP."""

from __future__ import annotations

import json

import pytest

from archive import models
from archive.citations import Citation, article_jsonld
from tests import factories as f

DRAFT = models.Status.DRAFT

pytestmark = pytest.mark.django_db


def test_plain_text_citation(archive):
    text = Citation.for_article(archive.strike, url="https://example.org/a").as_text()
    assert text == (
        "Wałęsa, Lech. “The strike at the Gdańsk shipyard.” Labour Focus on Eastern Europe 11, "
        "no. 1 (3 December 1989). https://example.org/a."
    )


def test_bibtex(archive):
    bib = Citation.for_article(archive.strike).as_bibtex()
    assert bib.startswith("@article{walesa1989strike,\n")
    assert "  author = {Wałęsa, Lech},\n" in bib
    assert "  title = {{The strike at the Gdańsk shipyard}},\n" in bib
    assert "  journal = {Labour Focus on Eastern Europe},\n" in bib
    assert "  year = {1989},\n  month = dec,\n" in bib
    assert bib.rstrip().endswith("}")


def test_ris_lists_authors_and_ends_with_er(archive):
    ris = Citation.for_article(archive.heirs).as_ris()
    lines = ris.split("\r\n")
    assert lines[0] == "TY  - JOUR"
    assert "AU  - Trotsky, Leon" in lines
    assert not any("Draft" in line for line in lines)  # the draft co-author is not cited
    # No dateline, no first publication, not written for the issue: undated, so no year is
    # claimed (not the 1990 of the issue it is in).
    assert not any(line.startswith(("PY", "DA")) for line in lines)
    assert lines[-2] == "ER  -"
    dated = Citation.for_article(archive.strike).as_ris().split("\r\n")
    assert "PY  - 1989" in dated and "DA  - 1989/12/03/" in dated


def test_csl_json(archive):
    (item,) = json.loads(Citation.for_article(archive.fall).as_csl_json())
    assert item["type"] == "article-journal"
    assert item["title"] == "The fall of Ceaușescu"
    assert "author" not in item  # unsigned
    assert item["issued"] == {"date-parts": [[1989, 12]]}


def test_jsonld_is_schema_org(archive):
    data = article_jsonld(archive.strike, url="https://example.org/a")
    assert data["@context"][0] == "https://schema.org"
    # dateEDTF: the EDTF beside the ISO 8601 date, as Dublin Core date typed EDTF
    assert data["@context"][1]["dateEDTF"]["@type"] == "http://id.loc.gov/datatypes/edtf/EDTF"
    assert data["dateEDTF"] == "1989-12-03"
    assert data["author"] == [{"@type": "Person", "name": "Lech Wałęsa"}]
    assert data["datePublished"] == "1989-12-03"
    assert data["isPartOf"]["isPartOf"]["name"] == "Labour Focus on Eastern Europe"


@pytest.mark.parametrize(
    ("style", "content_type", "start"),
    [
        ("bibtex", "application/x-bibtex", "@article{"),
        ("ris", "application/x-research-info-systems", "TY  - JOUR"),
        ("csl-json", "application/vnd.citationstyles.csl+json", "["),
        ("text", "text/plain", "Wałęsa, Lech."),
    ],
)
def test_cite_endpoint(api, archive, style, content_type, start):
    response = api.get(f"/api/articles/{archive.strike.pk}/cite/", {"style": style})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response.content.decode().startswith(start)


def test_text_and_jsonld_endpoints(api, archive):
    text = api.get(f"/api/articles/{archive.strike.pk}/text/")
    assert text["Content-Type"].startswith("text/plain")
    assert "Wałęsa spoke to the workers" in text.content.decode()
    jsonld = api.get(f"/api/articles/{archive.strike.pk}/jsonld/")
    assert jsonld["Content-Type"].startswith("application/ld+json")
    data = jsonld.json()
    assert {m["name"] for m in data["mentions"]} == {"Lech Wałęsa", "Solidarność", "Gdańsk"}
    assert api.get(f"/api/articles/{archive.hidden_article.pk}/text/").status_code == 404
    assert api.get(f"/api/articles/{archive.hidden_article.pk}/cite/").status_code == 404


def test_a_reprint_is_cited_as_the_reprint_with_its_first_appearance(archive):
    pamphlet = f.IssueFactory(publication=archive.bulletin, number="8", slug="no-8", date="2009")
    reprint = f.ArticleFactory(
        issue=pamphlet, title="Lies against socialism answered", slug="lies", date="",
        first_published_date="1989-11", first_published_in_publication=archive.labour,
        pages="12–14",
    )  # fmt: skip
    citation = Citation.for_article(reprint)
    # Its own date is its first publication's; the publication cited is the 2009 reprint.
    assert citation.date == "1989-11" and citation.date_parts == [1989, 11]
    assert citation.is_reprint and citation.published_parts == [2009]
    assert citation.as_text() == (
        "“Lies against socialism answered.” First published in Labour Focus on Eastern "
        "Europe, November 1989. Reprinted in Romanian Bulletin, no. 8 (2009), pp. 12–14."
    )
    bib = citation.as_bibtex()
    assert "  journal = {Romanian Bulletin},\n  year = {2009},\n" in bib
    assert "  number = {8},\n  pages = {12--14},\n" in bib
    assert "  note = {First published in Labour Focus on Eastern Europe, November 1989." in bib
    assert "  origdate = {1989-11},\n" in bib
    assert citation.key() == "anon1989lies"  # keyed by the article's own year
    ris = citation.as_ris().split("\r\n")
    assert "PY  - 2009" in ris and "T2  - Romanian Bulletin" in ris
    assert "OP  - First published in Labour Focus on Eastern Europe, November 1989" in ris
    assert "SP  - 12" in ris and "EP  - 14" in ris
    csl = citation.as_csl()
    assert csl["issued"] == {"date-parts": [[2009]]}
    assert csl["original-date"] == {"date-parts": [[1989, 11]]}
    assert csl["original-publisher"] == "Labour Focus on Eastern Europe"
    assert csl["original-title"] == "Lies against socialism answered"
    assert citation.highwire_date() == "2009"
    assert ("DC.source", "First published in Labour Focus on Eastern Europe, November 1989") in (
        citation.dublin_core()
    )
    data = article_jsonld(reprint)
    assert data["datePublished"] == "2009" and data["dateCreated"] == "1989-11"
    assert data["isBasedOn"]["isPartOf"]["name"] == "Labour Focus on Eastern Europe"
    assert data["isBasedOn"]["datePublished"] == "1989-11"
    assert data["isPartOf"]["isPartOf"]["name"] == "Romanian Bulletin"


def test_a_dateline_long_before_its_issue_marks_a_reprint_a_close_one_does_not(archive):
    pamphlet = f.IssueFactory(publication=archive.bulletin, number="9", slug="no-9", date="2009~")
    old = f.ArticleFactory(issue=pamphlet, title="The program we advocated", date="1981")
    assert Citation.for_article(old).as_text() == (
        "“The program we advocated.” Dated 1981. Reprinted in Romanian Bulletin, no. 9 (c. 2009)."
    )
    # Written in December 1989 for the January 1990 issue: new, not a reprint.
    issue = f.IssueFactory(publication=archive.labour, number="3", slug="v11-n3", date="1990-01")
    fresh = f.ArticleFactory(issue=issue, title="Romania rises", date="1989-12")
    citation = Citation.for_article(fresh)
    assert not citation.is_reprint and citation.highwire_date() == "1989/12"
    assert "Reprinted" not in citation.as_text() and "note" not in citation.as_bibtex()


def test_an_undated_article_says_so_and_claims_no_date(archive):
    citation = Citation.for_article(archive.heirs)  # no dateline, in an issue dated 1990
    assert citation.date == "" and citation.date_parts == []
    assert "(n.d.)" in citation.as_text() and "1990" not in citation.as_text()
    assert "year" not in citation.as_bibtex() and citation.key().startswith("trotskynd")
    assert "issued" not in citation.as_csl()
    assert citation.highwire_date() == ""
    assert "datePublished" not in json.dumps(article_jsonld(archive.heirs))


def test_only_public_people_and_records_are_named(archive):
    data = article_jsonld(archive.heirs)
    assert data["author"] == [{"@type": "Person", "name": "Leon Trotsky"}]
    labour = archive.labour
    assert Citation.for_article(archive.strike).publisher == "Solidarność"
    assert Citation.for_article(archive.strike).publisher_place == "Gdańsk"
    archive.solidarity.status = DRAFT
    archive.solidarity.save()
    archive.gdansk.status = DRAFT
    archive.gdansk.save()
    strike = models.Article.objects.select_related("issue__publication__publisher").get(
        pk=archive.strike.pk
    )
    assert strike.issue.publication == labour
    citation = Citation.for_article(strike)
    assert citation.publisher == "" and citation.publisher_place == ""
    assert "publisher = " not in citation.as_bibtex() and "address = " not in citation.as_bibtex()
    assert not any(line.startswith(("PB", "CY")) for line in citation.as_ris().split("\r\n"))
    assert "publisher" not in article_jsonld(strike)


def test_an_editor_is_credited_as_editor_not_author(archive):
    editor = f.PersonFactory(name="Ernest Mandel", sort_name="Mandel, Ernest", slug="mandel")
    models.Authorship.objects.create(article=archive.strike, person=editor, role="editor")
    citation = Citation.for_article(archive.strike)
    assert [a.family for a in citation.authors] == ["Wałęsa"]
    assert [e.family for e in citation.editors] == ["Mandel"]
    assert [a["name"] for a in article_jsonld(archive.strike)["author"]] == ["Lech Wałęsa"]
