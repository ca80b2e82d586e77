"""Shared test set-up: database markers and the seed collection."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.db import connection


def pytest_collection_modifyitems(config, items):
    """Skip ``requires_postgres`` tests on SQLite; the suite runs on both engines.

    ``engine_independent`` tests run in the test command's SQLite pass only (scripts/test.sh):
    one also marked ``requires_postgres`` would then run in neither pass, so that is refused.
    """
    both = [
        item.nodeid
        for item in items
        if item.get_closest_marker("requires_postgres")
        and item.get_closest_marker("engine_independent")
    ]
    if both:
        raise pytest.UsageError(
            "marked both requires_postgres and engine_independent (would run in no pass of "
            f"the test command): {', '.join(both)}"
        )
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
