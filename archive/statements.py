"""Statements over a list of ids, compiled once and kept.

Some statements run on every page with only their ids changing: a page's export rows
(``Exporter.json_records``), a search's facet counts. Django compiles a queryset anew each
time, and for these (twenty-odd column expressions, a union of two joins) compiling cost
3–5 ms, more than the database took to run them. So they are built once per database with
:data:`IDS` standing for the ids (one parameter: an array on PostgreSQL, a JSON list on
SQLite, read by :func:`ids_subquery`), kept, and run with the ids filled in.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connections
from django.db.models import QuerySet

#: Stands for the ids among a kept statement's parameters.
IDS = object()

_KEPT: dict[tuple, tuple[str, list, dict]] = {}


def ids_subquery(using: str) -> str:
    """SQL listing the ids of the one parameter :func:`ids_parameter` makes."""
    if connections[using].vendor == "postgresql":
        return "SELECT unnest(%s::bigint[])"
    return "SELECT value FROM json_each(%s)"


def ids_parameter(using: str, ids: Iterable[int]) -> str:
    if connections[using].vendor == "postgresql":
        return array_literal(ids)
    return json.dumps([int(i) for i in ids])


def array_literal(values: Iterable[int | float]) -> str:
    """``values`` as one PostgreSQL array literal (``{1,2,3}``), passed as a single text
    parameter: psycopg adapts a list element by element, about 0.6 ms of CPU for 500 ids in
    every statement that names the hits. ``repr`` of a float reads back exactly."""
    return "{" + ",".join(repr(v) if isinstance(v, float) else str(int(v)) for v in values) + "}"


def compiled(queryset: QuerySet) -> tuple[str, list, dict]:
    """``(sql, params, converters)`` of ``queryset`` (a ``values_list``), with the
    converters Django applies to its columns."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
    return sql, list(params), compiler.get_converters(fields)


def kept(key: tuple, using: str, build: Callable[[], tuple[str, list, dict]]) -> tuple:
    """The statement ``build()`` makes, built once per ``key`` and database."""
    full_key = (*key, using, connections[using].vendor)
    statement = _KEPT.get(full_key)
    if statement is None:
        statement = _KEPT[full_key] = build()
    return statement


def run(statement: tuple[str, list, dict], ids: Iterable[int], using: str) -> list[list[Any]]:
    """The rows of a kept statement for ``ids``, converted as Django would."""
    sql, params, converters = statement
    connection = connections[using]
    value = ids_parameter(using, ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, [value if p is IDS else p for p in params])
        rows = [list(row) for row in cursor.fetchall()]
    if converters:
        for row in rows:
            for position, (functions, expression) in converters.items():
                for convert in functions:
                    row[position] = convert(row[position], expression, connection)
    return rows
