"""The seed collection loaded once per module, in a transaction rolled back afterwards."""

from __future__ import annotations

import pytest

from tests.seed import seed_collection


@pytest.fixture(scope="module")
def seed(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), seed_collection():
        yield
