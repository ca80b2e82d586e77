"""The one export path: a resource's columns, its published rows, and CSV / JSON Lines writers.

Every surface that hands rows to a reader (the API's ``?format=csv|jsonl``, the bulk-data
release, the admin's "export selected rows as CSV" action) calls an :class:`Exporter`, so
the columns and the CSV-injection guard cannot drift between them. Which rows and related
records the public may see is never decided here: rows are ``Model.objects.public()`` and a
column naming another record shows it only when that record's ``public_q()`` holds.

Two writers produce the same bytes for the same rows:

* on PostgreSQL the filtered queryset's own SQL (``.values()`` of the column expressions) is
  wrapped in ``COPY (SELECT …) TO STDOUT`` and streamed through psycopg in ~64 KB chunks
  inside a transaction: the database formats the rows, Python only forwards bytes;
* elsewhere (SQLite) the same ``.values()`` queryset is read with a chunked ``iterator()`` and
  formatted in Python with rules that mirror PostgreSQL's output exactly (``tests/exports``
  compares the two byte for byte on PostgreSQL).

Formatting rules (both writers):

* CSV: UTF-8, a header row, ``\\n`` line ends, a field is quoted only when it contains a
  comma, a double quote, CR or LF (PostgreSQL's rule); NULL and the empty string are both an
  empty field; dates ``YYYY-MM-DD``; date-times in UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``;
  booleans ``true``/``false``; decimals in fixed point.
  String cells starting with ``=``, ``+``, ``-``, ``@``, tab or CR get a leading apostrophe
  (OWASP CSV injection), in SQL on the COPY path and in Python on the ORM path.
* JSON Lines: one compact JSON object per line (``{"id":1,"title":"…"}``), keys in column
  order, non-ASCII kept as UTF-8, dates as strings, NULL as ``null``.

Missing values (docs/api.md, "Missing values"): a value the archive does not have is ``null``
in JSON and JSON Lines, never ``""`` (the database stores a missing text as the empty
string, so an empty text is printed as ``null``), and an empty cell in CSV.
:meth:`Exporter.json_record` gives the API's JSON pages the same values as the JSON Lines.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, Literal

from django.core.exceptions import EmptyResultSet
from django.db import connections, models, transaction
from django.db.models import F, Subquery, TextField, Value, Window
from django.db.models.expressions import Combinable, RawSQL
from django.db.models.functions import RowNumber
from django.utils import timezone

from archive import statements
from archive.models.base import first_key_by_dates, planner_rows

ColumnType = Literal["integer", "string", "date", "datetime", "number", "boolean"]

#: Bytes gathered before a chunk is handed to the HTTP server or file.
CHUNK_SIZE = 64 * 1024
#: Rows fetched per round trip on the ORM path.
ORM_CHUNK_ROWS = 2000
#: COPY path, rows in id order: primary keys covered by the first statement, doubling for
#: each next one up to ``LAST_SPAN`` (see :meth:`Exporter._spans`).
FIRST_SPAN = 4_096
LAST_SPAN = 262_144
#: An export the planner expects to keep at most this share of the table's rows starts its
#: spans at its own first key rather than the table's (:meth:`Exporter._spans`).
NARROW_SHARE = 0.05
#: …and one the planner expects to keep at most this many rows is one statement.
SMALL_EXPORT = 5_000
#: Separator for many values in one cell (authors, variant names, places).
MANY_SEPARATOR = "; "
#: First characters that make a spreadsheet evaluate a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


@dataclass(frozen=True)
class Column:
    """One exported column: its public name, type and meaning, and where its value comes from.

    ``source`` is an ORM lookup (``"issue__publication_id"``) or an expression; it defaults to
    ``name``. ``type`` is a Frictionless Table Schema type. ``foreign_key`` names the resource
    and column the value points at (``"people.id"``). ``full_text`` columns are only exported
    when the exporter is asked for full text (article bodies are large).
    """

    name: str
    type: ColumnType
    description: str
    source: str | Combinable | None = None
    primary_key: bool = False
    foreign_key: str | None = None
    full_text: bool = False

    def expression(self) -> Combinable:
        source = self.source if self.source is not None else self.name
        if isinstance(source, GroupedValues):
            return source.correlated()
        return F(source) if isinstance(source, str) else source

    @property
    def grouped(self) -> bool:
        """Whether the COPY path joins this column pre-aggregated (:class:`GroupedValues`)."""
        return isinstance(self.source, GroupedValues)


class JoinedValues(Subquery):
    """Many related values in one cell, joined with ``"; "`` in the subquery's order.

    ``queryset`` must select exactly one text column named ``v`` (``.values(v=…)``), filtered
    on ``OuterRef`` and ordered. The result is NULL when there are no values, on both
    databases, so an empty list exports as an empty CSV cell and a JSON ``null``.
    """

    output_field = TextField()

    def as_sql(self, compiler, connection, template=None, **extra_context):
        if connection.vendor == "postgresql":
            template = "NULLIF(ARRAY_TO_STRING(ARRAY(%(subquery)s), '; '), '')"
        else:
            template = "(SELECT GROUP_CONCAT(\"v\", '; ') FROM (%(subquery)s) AS joined)"
        return super().as_sql(compiler, connection, template=template, **extra_context)


class GroupedValues:
    r"""Many related values in one cell, as :class:`JoinedValues`, but computable per relation
    instead of per row.

    ``queryset`` is the related rows (not correlated to the exported row), ordered as the
    values must be joined; ``key`` the field of those rows that points at the exported row
    (``"article"``); ``value`` the text to join. Two ways to run it, byte for byte the same:

    * :meth:`correlated`: a :class:`JoinedValues` subquery run once per exported row (the
      ORM path, and :meth:`Exporter.row`);
    * :meth:`grouped_sql`: one ``GROUP BY`` over the relation, restricted to the exported
      rows' ids, which the COPY path ``LEFT JOIN``\ s to the rows (PostgreSQL runs it once for
      the whole export, through the relation's index on ``key`` for a narrow export).
    """

    output_field = TextField()

    def __init__(self, queryset: models.QuerySet, key: str, value: str | Combinable) -> None:
        self.queryset, self.key = queryset, key
        self.value = F(value) if isinstance(value, str) else value

    def correlated(self) -> JoinedValues:
        return JoinedValues(
            self.queryset.filter(**{self.key: models.OuterRef("pk")}).values(v=self.value)
        )

    @property
    def relation(self) -> tuple[int, str]:
        """Columns over the same related rows share one pre-aggregated join."""
        return id(self.queryset), self.key

    def grouped_sql(
        self, using: str, values: list[Combinable], ids_sql: str, ids_params: tuple
    ) -> tuple[str, tuple]:
        """``SELECT k, v0, v1…``: for each ``k`` among ``ids_sql``'s ids, each of ``values``
        joined in the queryset's order; ``NULL`` (or no row) when there are none, as
        :class:`JoinedValues` gives."""
        ordering = [str(o) for o in self.queryset.query.order_by] or ["pk"]
        keys = {f"o{i}": F(o.lstrip("-")) for i, o in enumerate(ordering)}
        selected = {f"v{m}": v for m, v in enumerate(values)}
        inner, params = (
            self.queryset.order_by()
            .values(k=F(f"{self.key}_id"), **selected, **keys)
            .query.get_compiler(using=using)
            .as_sql()
        )
        order = ", ".join(
            f'g."o{i}"' + (" DESC" if o.startswith("-") else "") for i, o in enumerate(ordering)
        )
        aggregates = ", ".join(
            f"NULLIF(STRING_AGG(g.\"v{m}\", '{MANY_SEPARATOR}' ORDER BY {order}), '') AS v{m}"
            for m in range(len(values))
        )
        sql = (
            f'SELECT g."k" AS k, {aggregates} FROM ({inner}) AS g '
            f'WHERE g."k" IN ({ids_sql}) GROUP BY g."k"'
        )
        return sql, (*params, *ids_params)


def if_public(
    model: type[models.Model], relation: str, value: str, output_field: models.Field
) -> models.Case:
    """``value`` when the ``model`` record at ``relation`` is public (its ``public_q()``),
    else NULL.

    A public article may point at a draft publication, a public organisation at a draft
    parent: the export must not leak the draft's id or name, and asks the model's own rule
    (parents included) rather than comparing a status here.
    """
    return models.Case(
        models.When(model.public_q(f"{relation}__"), then=F(value)),
        default=None,
        output_field=output_field,
    )


def neutralise(text: str) -> str:
    """Prefix a cell a spreadsheet would run as a formula with an apostrophe (OWASP)."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_cell(value: Any, column_type: ColumnType) -> str:
    """A value as one CSV field, formatted the way PostgreSQL's COPY … CSV prints it."""
    if value is None:
        return ""
    if column_type == "string":
        text = neutralise(str(value))
    elif column_type == "boolean":
        return "true" if value else "false"
    elif column_type == "number":
        return format(value, "f") if isinstance(value, Decimal) else str(value)
    elif column_type == "date":
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    elif column_type == "datetime":
        return utc_timestamp(value)
    else:
        return str(value)
    if _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def json_value(value: Any, column_type: ColumnType) -> str:
    """A value as JSON text, formatted the way PostgreSQL's ``row_to_json`` prints it; a
    missing text (``""``) is ``null``."""
    if value is None or (column_type == "string" and value == ""):
        return "null"
    if column_type == "string":
        return json.dumps(str(value), ensure_ascii=False)
    if column_type == "boolean":
        return "true" if value else "false"
    if column_type == "number":
        return format(value, "f") if isinstance(value, Decimal) else str(value)
    if column_type == "date":
        text = value.isoformat() if isinstance(value, dt.date) else str(value)
        return f'"{text}"'
    if column_type == "datetime":
        return f'"{utc_timestamp(value)}"'
    return str(int(value))


def json_python(value: Any, column_type: ColumnType) -> Any:
    """The Python value whose JSON is :func:`json_value`'s text (for the API's JSON pages):
    ``None`` for a missing value, dates as ISO strings, decimals as numbers."""
    if value is None or (column_type == "string" and value == ""):
        return None
    if column_type == "string":
        return str(value)
    if column_type == "boolean":
        return bool(value)
    if column_type == "number":
        return value if isinstance(value, Decimal) else Decimal(str(value))
    if column_type == "date":
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if column_type == "datetime":
        return utc_timestamp(value)
    return int(value)


def utc_timestamp(value: dt.datetime) -> str:
    """A date-time in UTC with microseconds, as the COPY path's ``TO_CHAR`` prints it."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


#: The SQL twin of :func:`utc_timestamp` (``{}`` is the column reference).
SQL_UTC_TIMESTAMP = "TO_CHAR({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"


def _quote_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Exporter:
    """Export one resource. Subclasses set ``resource``, ``model`` and ``columns``.

    >>> exporter = ArticleExporter(full_text=True)
    >>> b"".join(exporter.iter_csv(exporter.get_queryset().filter(language="pl")))

    Pass any queryset of ``model`` (a filtered API list, the admin's selected rows); the
    exporter only adds the column expressions, so the caller's filters and ordering stay.
    """

    #: Plural resource name used in URLs, file names and the data package ("articles").
    resource: ClassVar[str]
    model: ClassVar[type[models.Model]]
    columns: ClassVar[tuple[Column, ...]]
    #: One line for the data package and the API docs.
    description: ClassVar[str] = ""
    #: Default order of exported rows: stable and cheap (the primary key).
    ordering: ClassVar[tuple[str, ...]] = ("id",)

    def __init__(self, *, full_text: bool = False, pre_aggregate: bool = True) -> None:
        self.full_text = full_text
        #: COPY path: join many-valued columns pre-aggregated (one GROUP BY per relation)
        #: rather than run a subquery per row. Both give the same bytes; False is kept for the
        #: tests and benchmarks that show it.
        self.pre_aggregate = pre_aggregate

    # -- what is exported -------------------------------------------------------------------

    @property
    def fields(self) -> list[Column]:
        """The columns this exporter writes, in order."""
        return [c for c in self.columns if self.full_text or not c.full_text]

    def get_queryset(self) -> models.QuerySet:
        """Rows the public may see (the model layer's ``public()``), in a stable order."""
        return self.model.objects.public().order_by(*self.ordering)

    def values_queryset(
        self, queryset: models.QuerySet | None = None, *, grouped_as_null: bool = False
    ) -> models.QuerySet:
        """``queryset`` reduced to the export columns, aliased ``c0``, ``c1``… in order.

        Aliases never collide with model field names, and both writers read this one query.
        ``grouped_as_null``: pre-aggregated columns are left ``NULL`` here, for the COPY path
        to join them (:meth:`_grouped_joins`).
        """
        if queryset is None:
            queryset = self.get_queryset()
        elif not queryset.ordered:
            queryset = queryset.order_by(*self.ordering)
        columns = {
            f"c{i}": Value(None, output_field=TextField())
            if grouped_as_null and c.grouped
            else c.expression()
            for i, c in enumerate(self.fields)
        }
        if grouped_as_null and any(c.grouped for c in self.fields) and not _in_pk_order(queryset):
            # Joined to its aggregates, the rows would lose the subquery's order: number them
            # in that order, and the COPY statement sorts by the number (``rn``). In primary
            # key order it sorts by the key itself (``c0``), which PostgreSQL can take from
            # the rows' own order (a merge join), not by sorting them whole, bodies and all.
            order = [
                F(o[1:]).desc() if isinstance(o, str) and o.startswith("-")
                else F(o) if isinstance(o, str) else o
                for o in queryset.query.order_by
            ]  # fmt: skip
            columns["rn"] = Window(RowNumber(), order_by=order)
        return queryset.values(**columns)

    def row(self, obj_or_values: models.Model | Mapping[str, Any]) -> dict[str, Any]:
        """One record as ``{column name: Python value}``.

        Accepts a row of :meth:`values_queryset` (keys ``c0``…) or a model instance (then
        one query fetches its export values; use the writers for many rows).
        """
        if isinstance(obj_or_values, models.Model):
            values = self.values_queryset(self.model.objects.filter(pk=obj_or_values.pk)).get()
        else:
            values = obj_or_values
        return {c.name: values[f"c{i}"] for i, c in enumerate(self.fields)}

    def json_record(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """A row of :meth:`values_queryset` as the JSON Lines object holds it, in Python:
        the API's JSON pages show exactly these keys and values."""
        return {c.name: json_python(values[f"c{i}"], c.type) for i, c in enumerate(self.fields)}

    def json_records(self, pks: Iterable[int], using: str = "default") -> dict[int, dict[str, Any]]:
        """``{pk: json_record}`` for the rows ``pks`` name (public or not: the caller read
        them through ``public()``), in one query: the API's pages and detail views. The
        statement is the same for every page but its ids: it is kept compiled
        (``archive.statements``)."""
        pks = list(pks)
        if not pks:
            return {}
        statement = statements.kept(
            (type(self), self.full_text), using, lambda: self._records_statement(using)
        )
        records = {}
        for values in statements.run(statement, pks, using):
            records[values[0]] = self.json_record({f"c{i}": v for i, v in enumerate(values)})
        return records

    def _records_statement(self, using: str) -> tuple[str, list, dict]:
        ids = RawSQL(statements.ids_subquery(using), (statements.IDS,))  # noqa: S611
        queryset = self.model.objects.using(using).filter(pk__in=ids)
        names = [f"c{i}" for i in range(len(self.fields))]
        return statements.compiled(self.values_queryset(queryset).order_by().values_list(*names))

    def table_schema(self) -> dict[str, Any]:
        """The columns as a Frictionless Table Schema (name, type, description, keys)."""
        schema: dict[str, Any] = {
            "fields": [
                {"name": c.name, "type": c.type, "description": c.description} for c in self.fields
            ],
            "primaryKey": [c.name for c in self.fields if c.primary_key],
        }
        foreign_keys = []
        for c in self.fields:
            if c.foreign_key:
                resource, field = c.foreign_key.split(".")
                foreign_keys.append(
                    {"fields": c.name, "reference": {"resource": resource, "fields": field}}
                )
        if foreign_keys:
            schema["foreignKeys"] = foreign_keys
        return schema

    def filename(self, extension: str, day: dt.date | None = None) -> str:
        """Download name naming the resource and the date: ``articles-2026-11-25.csv``."""
        day = day or timezone.localdate()
        return f"{self.resource}-{day.isoformat()}.{extension}"

    def csv_header(self) -> bytes:
        return (",".join(c.name for c in self.fields) + "\n").encode()

    # -- writers ----------------------------------------------------------------------------

    def iter_csv(
        self,
        queryset: models.QuerySet | None = None,
        *,
        header: bool = True,
        method: Literal["auto", "copy", "orm"] = "auto",
    ) -> Iterator[bytes]:
        """Stream ``queryset`` (default: :meth:`get_queryset`) as CSV in ~64 KB chunks."""
        prefix = self.csv_header() if header else b""
        if self._use_copy(queryset, method):
            return self._copy(queryset, self._copy_csv_sql, prefix)
        return self._orm(self.values_queryset(queryset), self._csv_line, prefix)

    def iter_jsonl(
        self,
        queryset: models.QuerySet | None = None,
        *,
        method: Literal["auto", "copy", "orm"] = "auto",
    ) -> Iterator[bytes]:
        """Stream ``queryset`` (default: :meth:`get_queryset`) as JSON Lines in ~64 KB chunks."""
        if self._use_copy(queryset, method):
            return self._copy(queryset, self._copy_jsonl_sql, b"")
        return self._orm(self.values_queryset(queryset), self._jsonl_line, b"")

    def write_csv(self, stream, queryset: models.QuerySet | None = None) -> int:
        """Write the CSV to a binary file object; return the bytes written (bulk data)."""
        return _write_all(stream, self.iter_csv(queryset))

    def write_jsonl(self, stream, queryset: models.QuerySet | None = None) -> int:
        """Write the JSON Lines to a binary file object; return the bytes written."""
        return _write_all(stream, self.iter_jsonl(queryset))

    # -- ORM path ---------------------------------------------------------------------------

    def _csv_line(self, values: tuple) -> str:
        return ",".join(csv_cell(v, c.type) for v, c in zip(values, self.fields, strict=True))

    def _jsonl_line(self, values: tuple) -> str:
        keys = self._json_keys()
        return (
            "{"
            + ",".join(
                f"{k}:{json_value(v, c.type)}"
                for k, v, c in zip(keys, values, self.fields, strict=True)
            )
            + "}"
        )

    def _json_keys(self) -> list[str]:
        if not hasattr(self, "_keys"):
            self._keys = [json.dumps(c.name) for c in self.fields]
        return self._keys

    def _orm(self, values: models.QuerySet, line, prefix: bytes) -> Iterator[bytes]:
        names = [f"c{i}" for i in range(len(self.fields))]
        rows = values.values_list(*names)
        try:
            self._inner_sql(rows)  # compile now: errors surface before the first byte
        except EmptyResultSet:
            return iter([prefix] if prefix else [])
        return self._orm_stream(rows, line, prefix)

    def _orm_stream(self, rows: models.QuerySet, line, prefix: bytes) -> Iterator[bytes]:
        buffer: list[str] = []
        size = len(prefix)
        if prefix:
            buffer.append(prefix.decode())
        for row in rows.iterator(chunk_size=ORM_CHUNK_ROWS):
            text = line(row) + "\n"
            buffer.append(text)
            size += len(text)
            if size >= CHUNK_SIZE:
                yield "".join(buffer).encode()
                buffer, size = [], 0
        if buffer:
            yield "".join(buffer).encode()

    # -- COPY path (PostgreSQL) -------------------------------------------------------------

    def _use_copy(self, queryset: models.QuerySet | None, method: str) -> bool:
        using = (queryset if queryset is not None else self.get_queryset()).db
        vendor = connections[using].vendor
        if method == "copy" and vendor != "postgresql":
            raise ValueError("COPY export needs PostgreSQL")
        return method == "copy" or (method == "auto" and vendor == "postgresql")

    def _inner_sql(self, values: models.QuerySet) -> tuple[str, tuple]:
        return values.query.get_compiler(using=values.db).as_sql()

    def _groups(self) -> dict[tuple[int, str], list[int]]:
        """Pre-aggregated columns by relation: relation → indexes of its columns."""
        groups: dict[tuple[int, str], list[int]] = {}
        for i, column in enumerate(self.fields):
            if column.grouped:
                groups.setdefault(column.source.relation, []).append(i)
        return groups

    def _ref(self, i: int) -> str:
        """Where the COPY statement reads column ``i``: the row, or its joined aggregate."""
        if self.pre_aggregate and self.fields[i].grouped:
            for n, indexes in enumerate(self._groups().values()):
                if i in indexes:
                    return f"g{n}.v{indexes.index(i)}"
        return f"export.c{i}"

    def _copy_csv_sql(self, inner: str, joins: str = "") -> str:
        """Format each column in SQL exactly as :func:`csv_cell` does in Python."""
        selects = []
        for i, column in enumerate(self.fields):
            ref = self._ref(i)
            if column.type == "string":
                expr = (
                    f"CASE WHEN LEFT({ref}, 1) IN ('=', '+', '-', '@', CHR(9), CHR(13)) "
                    f"THEN '''' || {ref} ELSE NULLIF({ref}, '') END"
                )
            elif column.type == "date":
                expr = f"TO_CHAR({ref}, 'YYYY-MM-DD')"
            elif column.type == "datetime":
                expr = SQL_UTC_TIMESTAMP.format(ref)
            elif column.type == "boolean":
                expr = f"CASE WHEN {ref} THEN 'true' WHEN NOT {ref} THEN 'false' END"
            else:
                expr = ref
            selects.append(expr)
        return (
            f"COPY (SELECT {', '.join(selects)} FROM ({inner}) AS export{joins}"
            f"{_joined_order(inner, joins)}) TO STDOUT WITH (FORMAT csv)"
        )

    def _copy_jsonl_sql(self, inner: str, joins: str = "") -> str:
        """``row_to_json`` per row; CSV format with quote and delimiter characters that JSON
        never contains unescaped (\\x01, \\x02), so COPY adds no escaping of its own."""

        def value(i: int, column: Column) -> str:
            if column.type == "datetime":
                return SQL_UTC_TIMESTAMP.format(self._ref(i))
            if column.type == "string":
                return f"NULLIF({self._ref(i)}, '')"  # a missing text is null, as in Python
            return self._ref(i)

        renamed = ", ".join(
            f"{value(i, c)} AS {_quote_name(c.name)}" for i, c in enumerate(self.fields)
        )
        return (
            f"COPY (SELECT ROW_TO_JSON(r) FROM (SELECT {renamed} FROM ({inner}) AS export{joins}"
            f"{_joined_order(inner, joins)}) AS r) "
            "TO STDOUT WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
        )

    def _copy(self, queryset: models.QuerySet | None, build_sql, prefix: bytes) -> Iterator[bytes]:
        # Compile (and so validate) the SQL now, before the first byte is sent: once a
        # response is streaming its status can no longer change.
        if queryset is None:
            queryset = self.get_queryset()
        try:
            statement = self._copy_statement(queryset, build_sql)
        except EmptyResultSet:
            return iter([prefix] if prefix else [])
        if not _in_pk_order(queryset):
            return _copy_stream(queryset.db, iter([statement]), prefix)
        return _copy_stream(queryset.db, self._spans(queryset, build_sql, statement), prefix)

    def _copy_statement(self, queryset: models.QuerySet, build_sql) -> tuple[str, tuple]:
        """The ``COPY`` statement exporting ``queryset``, and its parameters."""
        values = self.values_queryset(queryset, grouped_as_null=self.pre_aggregate)
        inner, params = self._inner_sql(values)
        joins, join_params = self._grouped_joins(values, queryset)
        return build_sql(inner, joins), (*params, *join_params)

    def _spans(
        self, queryset: models.QuerySet, build_sql, whole: tuple[str, tuple]
    ) -> Iterator[tuple[str, tuple]]:
        """For rows exported in primary-key order: one statement per span of keys
        ``(low, high]``, ``FIRST_SPAN`` keys wide and doubling up to ``LAST_SPAN``; or
        ``whole``, the one statement for all rows, when the planner expects at most
        ``SMALL_EXPORT`` of them (sorting a few thousand rows costs less than a statement
        per span).

        One ``COPY`` over a whole filtered list is planned for its last row: PostgreSQL
        gathers a year's 25,000 articles (or a person's 500) from every corner of the
        table, then sorts them by id, and the first byte waits for all of that. A statement
        per span of ids reads the table in id order (an index scan of the span, or the
        filter's index within it), so the first rows leave after one small span; the spans
        grow so a whole-table export runs a dozen statements, not thousands.

        Where an archive was loaded in date order, a year's or a decade's articles sit
        together far into the table, and spans from the table's first key would read every
        earlier span to find nothing. So an export filtered by a date span starts where
        that span's first row can be (``DateOverlap.first_key``: two index reads); any
        other narrow export (the planner expects at most ``NARROW_SHARE`` of the table)
        first asks for its own smallest key, through the filter's indexes; a wide one
        starts at the table's first key.
        """
        keys = queryset.order_by().values("pk")
        expected = planner_rows(keys) or 0
        if expected <= SMALL_EXPORT:
            yield whole
            return
        table = queryset.model._base_manager.using(queryset.db)
        bounds = table.aggregate(low=models.Min("pk"), high=models.Max("pk"))
        if bounds["low"] is None:
            return
        known, first = first_key_by_dates(queryset)
        if not known and expected <= NARROW_SHARE * (planner_rows(table.values("pk")) or 0):
            known, first = True, keys.aggregate(low=models.Min("pk"))["low"]
        if known:
            if first is None:
                return
            bounds["low"] = max(bounds["low"], first)
        low, span = bounds["low"] - 1, FIRST_SPAN
        while low + span < bounds["high"]:
            yield self._copy_statement(queryset.filter(pk__gt=low, pk__lte=low + span), build_sql)
            low, span = low + span, min(span * 2, LAST_SPAN)
        # The last span is open: a row added since the bounds were read is not left out
        # when the export shares its caller's (read committed) transaction.
        yield self._copy_statement(queryset.filter(pk__gt=low), build_sql)

    def _grouped_joins(
        self, values: models.QuerySet, queryset: models.QuerySet | None = None
    ) -> tuple[str, tuple]:
        """``LEFT JOIN (one GROUP BY per relation) AS g{n} ON g{n}.k = export.c0`` for the
        pre-aggregated columns, each restricted to the exported rows' ids: the filtered
        query's primary keys alone, unordered, so PostgreSQL reads no more than it must."""
        if not self.pre_aggregate or not self._groups():
            return "", ()
        if queryset is None:
            queryset = self.get_queryset()
        ids_sql, params = self._inner_sql(queryset.order_by().values("pk"))
        joins, join_params = [], []
        for n, indexes in enumerate(self._groups().values()):
            source = self.fields[indexes[0]].source
            sql, sql_params = source.grouped_sql(
                values.db, [self.fields[i].source.value for i in indexes], ids_sql, tuple(params)
            )
            joins.append(f" LEFT JOIN ({sql}) AS g{n} ON g{n}.k = export.c0")
            join_params.extend(sql_params)
        return "".join(joins), tuple(join_params)


def _joined_order(inner: str, joins: str) -> str:
    """The order of rows joined to their aggregates: the numbering when the list has one
    (``rn``, see :meth:`Exporter.values_queryset`), else the primary key (``c0``)."""
    if not joins:
        return ""
    return " ORDER BY export.rn" if ' AS "rn"' in inner else " ORDER BY export.c0"


def _in_pk_order(queryset: models.QuerySet) -> bool:
    """Whether ``queryset`` lists its rows by ascending primary key alone (the exports'
    default order), so it can be exported one span of keys after another."""
    query = queryset.query
    pk = queryset.model._meta.pk.name
    return (
        tuple(query.order_by) in (("pk",), (pk,))
        and query.standard_ordering
        and not query.extra_order_by
        and not query.is_sliced
        and not query.combinator
        and not query.distinct
    )


def _copy_stream(
    using: str, statements: Iterator[tuple[str, tuple]], prefix: bytes
) -> Iterator[bytes]:
    """Run each ``COPY … TO STDOUT`` in one transaction; gather their rows into ~64 KB
    chunks, and hand on what a statement left in the buffer when it ends, so a narrow
    export's first rows need not wait for 64 KB of them."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if outermost:
            # One snapshot for every statement: the export is the table at one moment.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        # Correlated subqueries (authors, variant names) inflate the planner's cost estimate
        # so far that PostgreSQL spends ~1 s JIT-compiling even a 10-row export.
        cursor.execute("SET LOCAL jit = off")
        buffer = bytearray(prefix)
        for sql, params in statements:
            rows = False
            with cursor.cursor.copy(sql, params or None) as copy:
                for data in copy:
                    buffer += data
                    rows = True
                    if len(buffer) >= CHUNK_SIZE:
                        yield bytes(buffer)
                        buffer.clear()
            if rows and buffer:
                yield bytes(buffer)
                buffer.clear()
        if buffer:
            yield bytes(buffer)


def _write_all(stream, chunks: Iterable[bytes]) -> int:
    written = 0
    for chunk in chunks:
        stream.write(chunk)
        written += len(chunk)
    return written
