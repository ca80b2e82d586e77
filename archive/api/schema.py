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
