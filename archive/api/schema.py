"""OpenAPI tweaks: keep each filter's help text (with its example) in the schema.

drf-spectacular drops a filter's description when its type comes from
``extend_schema_field``; our custom filters use that for their types, so put it back.
"""

from __future__ import annotations

from drf_spectacular.contrib.django_filters import DjangoFilterExtension


class ArchiveFilterExtension(DjangoFilterExtension):
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        help_text = filter_field.extra.get("help_text")
        for parameter in parameters:
            if help_text and not parameter.get("description"):
                parameter["description"] = str(help_text)
        return parameters


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
    "404": "No published record has this id.",
    "429": "Too many requests; see the Retry-After header.",
    "503": "The database is temporarily unreachable; see the Retry-After header.",
}


def document_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation documents its error answers.

    Any request may be refused with 400 (bad parameter), throttled (429) or meet a database
    outage (503); any path may be 404. Without these, clients (and schema-driven testing)
    see undocumented status codes.
    """
    _describe_query_parameters_as_served(result)
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_RESPONSES.items():
                responses.setdefault(
                    code,
                    {"description": description,
                     "content": {"application/json": {"schema": reference}}},
                )  # fmt: skip
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
