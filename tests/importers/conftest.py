"""The seed pamphlet, parsed and repaired once per test session (pure, no database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.importers.repairs import DocumentContext, repair_unit
from archive.importers.text import parse_document

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "sources"
SEED_FILE = SEED / "workers-liberty-1989-1991-pamphlet.txt"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_document(seed_text):
    return parse_document(seed_text)


@pytest.fixture(scope="session")
def seed_repaired(seed_text, seed_document):
    """[(unit, RepairResult)] for every unit of the seed."""
    context = DocumentContext(seed_text)
    return [(unit, repair_unit(unit, context)) for unit in seed_document.units]
