"""CSV-formula payloads stored anywhere are neutralised in every CSV the archive writes."""

from __future__ import annotations

import csv
import io

import pytest

from archive.exports import EXPORTERS
from archive.exports.base import FORMULA_PREFIXES
from tests import factories as f
from tests.security.hostile import FORMULAS
from tests.security.poison import poison

pytestmark = pytest.mark.django_db


@pytest.fixture
def formula_world(db):
    person = f.PersonFactory(name='=HYPERLINK("http://x.example","Wałęsa")')
    organisation = f.OrganisationFactory()
    place = f.PlaceFactory()
    article = f.ArticleFactory()
    event = f.EventFactory()
    event.places.add(place)
    event.articles.add(article)
    records = [
        person, organisation, place, article, article.issue, article.issue.publication, event,
        f.AliasFactory(person=person), f.IllustrationFactory(article=article),
        f.MentionFactory(article=article, person=person), f.AuthorshipFactory(article=article,
                                                                              person=person),
    ]  # fmt: skip
    poisoned = {type(r).__name__: poison(r, FORMULAS) for r in records}
    # Every kind of record with free text really carries payloads (authorships have none).
    assert [name for name, fields in poisoned.items() if not fields] == ["Authorship"]
    return poisoned


def csv_cells(exporter) -> list[tuple[str, str]]:
    text = b"".join(exporter.iter_csv()).decode()
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    return [(header[i], cell) for row in rows for i, cell in enumerate(row)]


def test_no_cell_of_any_export_starts_a_formula(formula_world):
    """One test over every exporter: building the poisoned records is the slow part."""
    for resource, full_text in [(r, t) for r in sorted(EXPORTERS) for t in (False, True)]:
        exporter = EXPORTERS[resource](full_text=full_text)
        types = {c.name: c.type for c in exporter.fields}
        cells = csv_cells(exporter)
        assert cells, resource
        strings = [(name, cell) for name, cell in cells if types[name] == "string"]
        live = [(name, cell) for name, cell in strings if cell.startswith(FORMULA_PREFIXES)]
        assert live == [], f"{resource}: formulas left live in {live}"
        # The payloads are there, defused with an apostrophe, not dropped.
        assert any(cell.startswith(("'=", "'+", "'-", "'@", "'\t", "'\r"))
                   for _, cell in strings), resource  # fmt: skip


def test_numbers_and_dates_are_not_mangled_by_the_guard(db):
    """The other side: a negative number is a number, not a neutralised string."""
    place = f.PlaceFactory(latitude=-33.5, longitude=-70.25)
    cells = {
        name: cell
        for name, cell in csv_cells(EXPORTERS["places"]())
        if name in ("latitude", "longitude") and cell.startswith("-")
    }
    assert place and cells == {"latitude": "-33.50000", "longitude": "-70.25000"}
