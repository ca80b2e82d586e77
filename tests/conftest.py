"""Shared test set-up: database markers and the seed collection."""

from __future__ import annotations

import pytest
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
