"""The seed collection is the importer's work: ``import_text``'s own TextImporter, run on the
seed pamphlet, yields exactly the units, raw texts, bodies and repair log that
``build_collection`` starts from before the curator's emendations."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from archive.collection.sources import PAMPHLET_FILE, read_units
from archive.importers.service import TextImporter
from archive.models import Article, TextRepair
from tests.factories import PublicationFactory

SOURCES = Path(settings.BASE_DIR) / "fixtures" / "sources"


@pytest.mark.django_db
def test_import_text_yields_what_the_collection_build_emends():
    units = read_units(SOURCES)
    publication = PublicationFactory(slug="workers-liberty")
    report = TextImporter(publication=publication, link=False).run(SOURCES / PAMPHLET_FILE)
    assert report.status == "created"
    articles = list(Article.objects.filter(issue_id=report.issue_id).order_by("position"))
    assert len(articles) == len(units)
    for article, unit in zip(articles, units, strict=True):
        assert article.raw_text == unit.raw_text, unit.slug
        assert article.body == unit.imported_body, unit.slug
        logged = [
            (r.kind, r.status, r.line, r.sequence, r.offset, r.before, r.after)
            for r in TextRepair.objects.filter(article=article).order_by("sequence")
        ]
        built = [
            (r.kind, r.status, r.line, r.sequence, r.offset, r.before, r.after)
            for r in sorted(unit.repairs, key=lambda r: r.sequence)
        ]
        assert logged == built, unit.slug
        assert [i.caption for i in article.illustrations.order_by("position")] == [
            i.caption for i in unit.illustrations
        ]
    # the emendations are the only difference between the imported and the published bodies
    assert sum(unit.body != unit.imported_body for unit in units) == sum(
        any(e.emendation.field == "body" for e in unit.emendations) for unit in units
    )
