"""Citations of the seed collection: its three reprints name both their appearances in
every format (plain text, BibTeX, RIS, CSL-JSON, JSON-LD, Highwire and Dublin Core meta),
and every JSON-LD date is ISO 8601 with its EDTF beside it.

(Its own module: the seed is loaded once here, apart from the API tests' factory archive.)
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from rest_framework.test import APIClient

from archive import models
from tests.seed import seed_collection

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    return APIClient()


ISO_8601 = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?(/\d{4}(-\d{2}(-\d{2})?)?)?$")


@pytest.fixture(scope="module")
def seed(django_db_setup, django_db_blocker):
    """The seed collection, loaded once for the module and rolled back afterwards."""
    with django_db_blocker.unblock(), seed_collection():
        yield


def _iso_values(data, keys=("datePublished", "dateCreated")):
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "@context":
                continue
            if key in keys:
                yield value
            yield from _iso_values(value, keys)
    elif isinstance(data, list):
        for value in data:
            yield from _iso_values(value, keys)


def assert_iso_8601(value: str) -> None:
    """A calendar date at year, month or day precision, or an interval of two."""
    assert ISO_8601.match(value), value
    for part in value.split("/"):
        year, *rest = (int(p) for p in part.split("-"))
        dt.date(year, *(rest + [1] * (2 - len(rest))))  # a real month and day


def test_every_citation_format_of_a_seed_reprint_names_both_appearances(api, client, seed):
    reprints = list(
        models.Article.objects.public()
        .filter(first_published_in_publication__slug="socialist-organiser")
        .select_related("issue__publication")
    )
    assert len(reprints) == 3
    for article in reprints:
        own = article.first_published_date or article.date  # "1991-08", "" for "Lies…"
        year = own[:4]
        outputs = {
            style: api.get(f"/api/articles/{article.pk}/cite/", {"style": style}).content.decode()
            for style in ("bibtex", "ris", "csl-json", "text")
        }
        html = client.get(article.get_absolute_url()).content.decode()
        ld = json.loads(re.search(r"application/ld\+json[^>]*>(.*?)</script>", html, re.S)[1])
        outputs["json-ld"] = json.dumps(ld, ensure_ascii=False)
        outputs["highwire and dublin core"] = "\n".join(re.findall(r"<meta name=[^>]+>", html))
        outputs["page"] = re.search(r'<p class="citation">(.*?)</p>', html, re.S)[1]
        for name, text in outputs.items():
            where = (article.slug, name)
            assert "Workers’ Liberty" in text, where  # the reprint …
            assert "2009" in text, where  # … and its date
            assert "Socialist Organiser" in text, where  # the original appearance …
            if year:
                assert year in text, where  # … and its date, where known
    # The formats' own fields, on the August 1991 article.
    stalin = next(a for a in reprints if a.slug == "stalins-system-collapses")
    csl = api.get(f"/api/articles/{stalin.pk}/cite/", {"style": "csl-json"}).json()[0]
    assert csl["container-title"] == "Workers’ Liberty"
    assert csl["issued"] == {"date-parts": [[2009]], "circa": True}
    assert csl["original-publisher"] == "Socialist Organiser"
    assert csl["original-date"] == {"date-parts": [[1991, 8]]}
    bib = api.get(f"/api/articles/{stalin.pk}/cite/", {"style": "bibtex"}).content.decode()
    assert "  journal = {Workers’ Liberty},\n  year = {2009}," in bib
    assert "note = {First published in Socialist Organiser, August 1991. Reprinted in" in bib


def test_seed_jsonld_dates_are_iso_8601_with_edtf_beside_them(api, seed):
    articles = list(models.Article.objects.public())
    assert len(articles) == 16
    seen = 0
    for article in articles:
        data = api.get(f"/api/articles/{article.pk}/jsonld/").json()
        for value in _iso_values(data):
            assert_iso_8601(value)
            seen += 1
        for value in _iso_values(data, keys=("dateEDTF",)):
            assert value in (article.effective_date, article.issue.date, article.date,
                             article.first_published_date), value  # fmt: skip
    assert seen >= 16  # every dated article, its reprinting issue and first appearance
