"""OpenAPI: the schema states exactly what each parameter accepts and what each answer is.

The contract is checked by schema-driven testing (schemathesis, every check): a request the
schema allows must not be refused as malformed (400), and one it forbids must be. So each
query parameter's schema is taken from the form field that parses it
(:meth:`archive.api.fields.PartialDateField.openapi_schema` and its siblings: the schema's
``pattern`` is the field's own regular expression), choices are listed, a language must be
one the archive has, and free text may not contain NUL.

What a schema cannot know, the status code says: a well-formed reference to a record that
does not exist (an id in the path, a filter naming no public record, a stale cursor) is a 404,
as schema-driven clients expect for identifiers; a malformed one is a 400.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import DatabaseError
from drf_spectacular.contrib.django_filters import DjangoFilterExtension

from .fields import FREE_TEXT_PATTERN, RepeatableWidget, anchored, literal, repeatable_schema


class ArchiveFilterExtension(DjangoFilterExtension):
    """Each filter's parameter schema from the form field that parses it, with its help text."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        help_text = filter_field.extra.get("help_text")
        schema = filter_parameter_schema(filter_field)
        for parameter in parameters:
            if help_text and not parameter.get("description"):
                # drf-spectacular drops it when the type comes from extend_schema_field.
                parameter["description"] = str(help_text)
            if schema is not None:
                parameter["schema"] = schema
                if schema.get("type") == "array":
                    parameter["style"], parameter["explode"] = "form", True
                else:
                    parameter.pop("style", None)
                    parameter.pop("explode", None)
        return parameters


def filter_parameter_schema(filter_field) -> dict[str, Any] | None:
    """The exact schema of one filter's query parameter, or ``None`` to keep the default.

    * a field of :mod:`archive.api.fields` states its own (dates, decades, years, booleans,
      records, references);
    * a choice lists its values (repeatable ones also as a comma-separated list);
    * a language is one of the languages of the resource's public records (read when the
      schema is built, case-insensitive like the filter);
    * any other text is any text without NUL, up to the field's maximum length.
    """
    field = filter_field.field
    if hasattr(field, "openapi_schema"):
        return field.openapi_schema()
    choices = getattr(field, "choices", None)
    if choices is not None and not callable(choices):
        values = [str(value) for value, _label in choices if value not in ("", None)]
        if isinstance(field.widget, RepeatableWidget):
            listed = repeatable_schema("|".join(literal(v) for v in values))["items"]
            return {
                "type": "array",
                "items": {"anyOf": [{"type": "string", "enum": values}, listed]},
            }
        return {"type": "string", "enum": values}
    languages = getattr(field, "languages", None)
    if callable(languages):
        return _language_schema(languages)
    if isinstance(field, forms.CharField):
        schema = {"type": "string", "pattern": FREE_TEXT_PATTERN}
        if field.max_length is not None:
            schema["maxLength"] = field.max_length
        return schema
    return None


def _language_schema(languages) -> dict[str, Any]:
    """Tags of the languages present, matched case-insensitively (``en`` or ``EN``)."""
    try:
        present = sorted({tag for tag in languages() if tag}, key=str.lower)
    except DatabaseError:  # building the schema without a database: say less, not wrong
        return {"type": "string", "pattern": FREE_TEXT_PATTERN}
    if not present:
        return {"type": "string", "maxLength": 0}
    alternatives = "|".join(
        "".join(f"[{c.lower()}{c.upper()}]" if c.lower() != c.upper() else literal(c) for c in tag)
        for tag in present
    )
    return {
        "type": "string",
        "pattern": anchored(alternatives),
        "description": f"One of the languages present: {', '.join(present)}.",
    }


ERROR_SCHEMA = {
    "type": "object",
    "description": "The one error shape of the API (docs/api.md, Errors).",
    "required": ["status", "errors"],
    "properties": {
        "status": {"type": "integer", "description": "The HTTP status code, repeated."},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["parameter", "code", "message"],
                "properties": {
                    "parameter": {
                        "type": "string",
                        "nullable": True,
                        "description": "The query parameter at fault, or null.",
                    },
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}
ERROR_RESPONSES = {
    "400": "A query parameter is unknown or has a bad value; each error names it.",
    "404": "No public record has this id, a filter names a record that does not exist or is "
    "not public (the error names the parameter), or the cursor points nowhere.",
    "406": "The Accept header asks for a format this operation does not offer.",
    "429": "Too many requests; see the Retry-After header.",
    "503": "The database is temporarily unreachable; see the Retry-After header.",
}

#: A record's URL may outlive it (archive/tombstones.py): what a client then meets.
RECORD_RESPONSES = {
    "410": "The record was public once and is no longer (withdrawn, deleted, or merged into "
    "a record that is not public); the error says when and why, and ``gone`` describes it.",
}
MERGED_RESPONSE = {
    "description": "The record was merged into another: Location is the survivor's URL.",
    "headers": {"Location": {"schema": {"type": "string"}}},
}


def document_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation documents its error answers.

    Any request may be refused with 400 (bad parameter), throttled (429) or meet a database
    outage (503); any path may be 404. Without these, clients (and schema-driven testing)
    see undocumented status codes.
    """
    _describe_query_parameters_as_served(result)
    _describe_downloads_as_served(result)
    _describe_changes_parameters(result)
    _public_without_authentication(result)
    _link_other_documentation(result)
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for path, path_item in result.get("paths", {}).items():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            errors = {**ERROR_RESPONSES, **(RECORD_RESPONSES if "{id}" in path else {})}
            for code, description in errors.items():
                responses.setdefault(
                    code,
                    {"description": description,
                     "content": {"application/json": {"schema": reference}}},
                )  # fmt: skip
            if "{id}" in path:
                responses.setdefault("301", MERGED_RESPONSE)
    return result


def _describe_query_parameters_as_served(result) -> None:
    """Make query parameter schemas say what the API accepts (found by schema-driven tests).

    * An empty value (``?decade=``) means "not filtered" (django-filter's rule), so every
      query parameter is ``allowEmptyValue``.
    * A choice filter whose choices are strings is a string, not an integer.
    """
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "query":
                    continue
                parameter["allowEmptyValue"] = True
                schema = parameter.get("schema", {})
                enum = schema.get("enum")
                if (
                    enum
                    and all(isinstance(v, str) for v in enum)
                    and schema.get("type") != "string"
                ):
                    schema["type"] = "string"


#: Download formats of lists and details: streamed text, one record per row or line.
DOWNLOAD_SCHEMAS = {
    "text/csv": {
        "type": "string",
        "description": "CSV: a header row, then one row per record (columns in docs/api.md).",
    },
    "application/jsonl": {
        "type": "string",
        "description": "JSON Lines: one JSON object per record and line, the CSV's columns.",
    },
}


def _describe_downloads_as_served(result) -> None:
    """CSV and JSON Lines answers are text, not the JSON page drf-spectacular would assume."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            content = operation.get("responses", {}).get("200", {}).get("content", {})
            for media_type, schema in DOWNLOAD_SCHEMAS.items():
                if media_type in content:
                    content[media_type] = {"schema": schema}


def _describe_changes_parameters(result) -> None:
    """``/api/changes/`` parses its own parameters: their exact schemas come from its module."""
    from .changes import changes_parameter_schemas

    operation = result.get("paths", {}).get("/api/changes/", {}).get("get")
    if operation is None:
        return
    schemas = changes_parameter_schemas()
    for parameter in operation.get("parameters", []):
        schema = schemas.get(parameter["name"])
        if schema is not None:
            parameter["schema"] = schema
            if schema["type"] == "array":
                parameter["style"], parameter["explode"] = "form", True


def _public_without_authentication(result) -> None:
    """A public read-only API: no operation asks for credentials, so documentation tools
    show no padlock or "Authorize" (drf-spectacular marks anonymous access as ``[{}]``)."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            operation.pop("security", None)
    result.get("components", {}).pop("securitySchemes", None)


def _link_other_documentation(result) -> None:
    """Swagger UI shows the description under the title: point readers to Redoc and the
    reference in docs/api.md (Swagger UI and Redoc read the same schema)."""
    info = result.setdefault("info", {})
    info["description"] = (
        info.get("description", "")
        + "\n\nThe same reference as [Redoc](/api/redoc/) or [Swagger UI](/api/docs/); "
        "every resource is listed at [/api/](/api/). No authentication: every record here "
        "is public."
    )
