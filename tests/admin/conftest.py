"""Users of the curators' admin: a Curator, a Contributor and a superuser."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from tests.factories import UserFactory


@pytest.fixture
def curator(db):
    user = UserFactory(username="ada")
    user.groups.add(Group.objects.get(name="Curator"))
    return user


@pytest.fixture
def contributor(db):
    user = UserFactory(username="bob")
    user.groups.add(Group.objects.get(name="Contributor"))
    return user


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True)
