"""archive.statements: a statement over ids, compiled once, gives the queryset's rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models.expressions import RawSQL

from archive import statements
from archive.models import Article
from tests import factories as f

pytestmark = pytest.mark.django_db


def _statement(using: str = "default"):
    ids = RawSQL(statements.ids_subquery(using), (statements.IDS,))  # noqa: S611
    twice = Article.objects.filter(pk__in=ids).filter(pk__in=ids)  # the ids stand twice
    return statements.compiled(
        twice.order_by("pk").values_list("pk", "effective_date_start", "title")
    )


def test_a_kept_statement_gives_the_querysets_rows_with_their_types():
    made = [f.ArticleFactory(date=date) for date in ("1989-11-09", "1990", "")]
    asked = [made[0].pk, made[2].pk, 10**9]
    rows = statements.run(_statement(), asked, "default")
    expected = Article.objects.filter(pk__in=asked).order_by("pk")
    assert rows == [list(r) for r in expected.values_list("pk", "effective_date_start", "title")]
    assert rows[0][1] == dt.date(1989, 11, 9) and rows[1][1] is None
    assert statements.run(_statement(), [], "default") == []


def test_a_statement_is_built_once_per_key_and_database():
    built = []

    def build():
        built.append(1)
        return _statement()

    first = statements.kept(("test-kept",), "default", build)
    assert statements.kept(("test-kept",), "default", build) is first
    assert len(built) == 1
    statements.kept(("test-kept", "other"), "default", build)
    assert len(built) == 2
