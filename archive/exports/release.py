"""The exporters of a bulk data release: the public columns plus what a restore needs.

A data release must load back into an empty database with every record, relation and id
identical (``manage.py load_dataset``). The public exporters in :mod:`.resources` already
carry most of each record; this module *extends* them (never replaces them, so the column
rules and the COPY / ORM writers stay the one export path):

* every resource's rows are the model layer's public rows and nothing else:
  ``Model.objects.public()`` (an article with its issue and publication, a link with both of
  its ends), ``Event.public_place_links()`` and ``Event.public_article_links()``;
* every resource gains ``created`` and ``updated`` (and ``published_at`` where records are
  published), appended after the public columns;
* articles gain ``dateline`` (their own EDTF date), ``first_published_in_issue_id`` and the
  stored effective date the archive files, sorts and cites them by (``effective_date``, its
  bounds and ``date_source``; see ``Article.effective_date_rule()``);
* three link tables the public API folds into joined cells get files of their own, with their
  row ids: ``event_participants`` (with roles), ``event_places`` and ``event_articles``.

A column holds the model field its source names (``dateline`` holds ``date``), so the loader
reads the columns back into the fields they came from (:func:`restored_fields`).
``NOT_RELEASED`` lists the fields internal to curators that are *not* released (so a restore
leaves them empty). Everything else a model stores is derived on load by
``archive.models.base.derive_fields()`` (EDTF bounds, folded names, word counts, the
article's effective date, which the loader checks against the released columns).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Case, F, When

from archive.models import Event, EventParticipant, Issue

from .base import Column, Exporter
from .resources import (
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
)

INT = models.BigIntegerField()

CREATED = Column("created", "datetime", "When the record was created (UTC).")
UPDATED = Column("updated", "datetime", "When the record last changed (UTC).")
PUBLISHED_AT = Column("published_at", "datetime", "When a curator published the record (UTC).")
PUBLISHABLE = (CREATED, UPDATED, PUBLISHED_AT)
TIMESTAMPED = (CREATED, UPDATED)

#: The reprint's first issue, only when that issue is public (and so in the release).
PUBLIC_FIRST_ISSUE = Case(
    When(Issue.public_q("first_published_in_issue__"), then=F("first_published_in_issue_id")),
    default=None,
    output_field=INT,
)

ARTICLE_COLUMNS = (
    Column(
        "dateline", "string",
        "The article's own date (its dateline) in EDTF, empty when it has none.",
        "date",
    ),
    Column(
        "first_published_in_issue_id", "integer",
        "For a reprint: issue it first appeared in (issues.id), if catalogued.",
        PUBLIC_FIRST_ISSUE, foreign_key="issues.id",
    ),
    *PUBLISHABLE,
    Column(
        "effective_date", "string",
        "The date the archive files, sorts and cites the article by, in EDTF (see "
        "date_source); empty when it is undated.",
    ),
    Column(
        "effective_date_start", "date", "Earliest day the effective date may fall on."
    ),
    Column("effective_date_end", "date", "Latest day the effective date may fall on."),
    Column(
        "date_source", "string",
        "Where effective_date comes from: dateline, first_published (a reprint's first "
        "publication), issue (an introduction, editorial or timeline takes its issue's "
        "date) or undated.",
    ),
)  # fmt: skip


class PublicRows:
    """A release resource's rows: the model layer's own ``public()``, nothing narrower or wider.

    A release is the public archive, so it asks the model, like every other surface, which
    rows the public may see (an article only with its issue and publication, a link only with
    both of its ends) instead of keeping a list of its own.
    """

    model: type[models.Model]
    ordering: tuple[str, ...]

    def get_queryset(self) -> models.QuerySet:
        return self.model.objects.public().order_by(*self.ordering)


def _holds(column: Column) -> str | None:
    """The model field a column holds as it is (its name or plain source), else ``None``."""
    if column.source is None:
        return column.name
    return column.source if isinstance(column.source, str) else None


def _extend(base: type[Exporter], *extra: Column) -> type[Exporter]:
    """A subclass of a public exporter with restore columns appended and the public rows.

    A column the public exporter already has, by name or by the field it holds (the public
    ``date`` *is* the effective date), is not added twice.
    """
    taken = {c.name for c in base.columns} | {_holds(c) for c in base.columns} - {None}
    wanted = tuple(c for c in extra if c.name not in taken and _holds(c) not in taken)
    return type(
        f"Release{base.__name__}",
        (PublicRows, base),
        {
            "columns": base.columns + wanted,
            "__module__": __name__,
            "__doc__": base.__doc__,
        },
    )


class EventParticipantExporter(PublicRows, Exporter):
    resource = "event_participants"
    model = EventParticipant
    description = "People and organisations involved in an event, with their role."
    columns = (
        Column("id", "integer", "Participation id.", primary_key=True),
        Column("event_id", "integer", "Event (events.id).", foreign_key="events.id"),
        # A participation is public only with its person or organisation, so both ids are
        # of released records.
        Column("person_id", "integer", "Person (people.id), or empty.", foreign_key="people.id"),
        Column(
            "organisation_id", "integer", "Organisation (organisations.id), or empty.",
            foreign_key="organisations.id",
        ),
        Column("role", "string", "participant, leader, target, victim or subject."),
        *TIMESTAMPED,
    )  # fmt: skip


class EventPlaceExporter(Exporter):
    resource = "event_places"
    model = Event.places.through
    description = "Where each event happened."
    columns = (
        Column("id", "integer", "Link id.", primary_key=True),
        Column("event_id", "integer", "Event (events.id).", foreign_key="events.id"),
        Column("place_id", "integer", "Place (places.id).", foreign_key="places.id"),
    )

    def get_queryset(self) -> models.QuerySet:
        return Event.public_place_links().order_by(*self.ordering)


class EventArticleExporter(Exporter):
    resource = "event_articles"
    model = Event.articles.through
    description = "Which articles record each event."
    columns = (
        Column("id", "integer", "Link id.", primary_key=True),
        Column("event_id", "integer", "Event (events.id).", foreign_key="events.id"),
        Column("article_id", "integer", "Article (articles.id).", foreign_key="articles.id"),
    )

    def get_queryset(self) -> models.QuerySet:
        return Event.public_article_links().order_by(*self.ordering)


def release_exporters() -> dict[str, type[Exporter]]:
    """Resource name → exporter class, in the order files are written and loaded."""
    classes = [
        _extend(PublicationExporter, *PUBLISHABLE),
        _extend(IssueExporter, *PUBLISHABLE),
        _extend(ArticleExporter, *ARTICLE_COLUMNS),
        _extend(PersonExporter, *PUBLISHABLE),
        _extend(OrganisationExporter, *PUBLISHABLE),
        _extend(PlaceExporter, *PUBLISHABLE),
        _extend(EventExporter, *PUBLISHABLE),
        _extend(MentionExporter, *TIMESTAMPED),
        _extend(AuthorshipExporter, *TIMESTAMPED),
        _extend(AliasExporter, *TIMESTAMPED),
        _extend(IllustrationExporter, *TIMESTAMPED),
        EventParticipantExporter,
        EventPlaceExporter,
        EventArticleExporter,
    ]  # fmt: skip
    return {cls.resource: cls for cls in classes}


def restored_fields(exporter: type[Exporter]) -> dict[str, str]:
    """Model field attname → the release column a restore reads it from.

    The inverse of the export: a column whose source is a field of the model holds that field
    (``dateline`` ← ``date``, the public ``date`` ← ``effective_date``). A column computed by
    an expression holds the editable field of its own name (``first_published_in_issue_id``,
    emptied when the issue is not public), unless a column holds that field as it is; a
    derived field is never read from an expression.
    """
    concrete = {f.attname: f for f in exporter.model._meta.concrete_fields}
    fields = exporter(full_text=True).fields
    restored: dict[str, str] = {}
    for column in fields:
        held = _holds(column)
        if held in concrete:
            restored.setdefault(held, column.name)
    for column in fields:
        field = concrete.get(column.name)
        if _holds(column) is None and field is not None and field.editable:
            restored.setdefault(column.name, column.name)
    return restored


#: Model fields a public release leaves out (curators' working data and provenance files).
NOT_RELEASED = {
    "curator_notes": "curators' internal notes",
    "curator_edited_fields": "which fields a curator edited by hand (import protection)",
    "raw_text": "the article text as extracted, before repairs (provenance)",
    "source_document_id": "the file an issue was imported from (provenance)",
}
