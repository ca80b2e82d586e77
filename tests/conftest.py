"""Shared test set-up: database markers and the seed collection."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.db import connection


def pytest_collection_modifyitems(config, items):
    """Skip ``requires_postgres`` tests on SQLite; the suite runs on both engines."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (runs in the PostgreSQL pass)")
    for item in items:
        if "requires_postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache.

    Cached pages are keyed on the content version, which a test's rolled-back transaction
    winds back too: a page cached by one test could otherwise match the next test's
    (different) data at the same version. Production never rolls a committed version back.
    """
    caches["default"].clear()
    yield
