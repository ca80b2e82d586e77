"""The seed collection loaded once per module, in a transaction rolled back afterwards."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="module")
def seed(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_collection", stdout=StringIO())
        yield
        transaction.set_rollback(True)
