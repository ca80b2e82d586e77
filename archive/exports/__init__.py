"""One exporter per resource, used by the API downloads, bulk data and the admin.

>>> from archive.exports import EXPORTERS
>>> exporter = EXPORTERS["articles"](full_text=True)
>>> exporter.table_schema()["primaryKey"]
['id']
>>> for chunk in exporter.iter_csv(exporter.get_queryset()): ...

See :mod:`archive.exports.base` for the column model and the byte-identical COPY / ORM writers.
"""

from .admin import export_selected_as_csv
from .base import (
    CHUNK_SIZE,
    Column,
    Exporter,
    GroupedValues,
    JoinedValues,
    csv_cell,
    neutralise,
)
from .resources import (
    EXPORTERS,
    AliasExporter,
    ArticleExporter,
    AuthorshipExporter,
    EventExporter,
    IllustrationExporter,
    IssueExporter,
    MentionExporter,
    OrganisationExporter,
    PersonExporter,
    PlaceExporter,
    PublicationExporter,
    exporter_for_model,
)

__all__ = [
    "CHUNK_SIZE",
    "EXPORTERS",
    "AliasExporter",
    "ArticleExporter",
    "AuthorshipExporter",
    "Column",
    "EventExporter",
    "Exporter",
    "GroupedValues",
    "IllustrationExporter",
    "IssueExporter",
    "JoinedValues",
    "MentionExporter",
    "OrganisationExporter",
    "PersonExporter",
    "PlaceExporter",
    "PublicationExporter",
    "csv_cell",
    "export_selected_as_csv",
    "exporter_for_model",
    "neutralise",
]
