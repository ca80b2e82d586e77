"""Citations in every format, from the library and over HTTP."""

from __future__ import annotations

import json

import pytest

from archive.citations import Citation, article_jsonld

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
    assert data["@context"] == "https://schema.org"
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
