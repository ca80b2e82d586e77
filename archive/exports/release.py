"""The exporters of a bulk data release: the public columns plus what a restore needs.

A data release must load back into an empty database with every record, relation and id
identical (``manage.py load_dataset``). The public exporters in :mod:`.resources` already
carry most of each record; this module *extends* them (never replaces them, so the column
rules, visibility and the COPY / ORM writers stay the one export path):

* every resource gains ``created`` and ``updated`` (and ``published_at`` where records are
  published), appended after the public columns;
* articles gain ``dateline`` (their own EDTF date; the public ``date`` column falls back to the
  issue's date) and ``first_published_in_issue_id``;
* three link tables the public API folds into joined cells get files of their own, with their
  row ids: ``event_participants`` (with roles), ``event_places`` and ``event_articles``.

``RESTORE`` documents, per model, which model fields the loader fills from a column with
another name, and which are internal to curators and are *not* released (so a restore leaves
them empty). Everything else a model stores is either a column of the same name or derived on
load (EDTF bounds, folded names, word counts).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Case, F, When

from archive.models import Event, EventParticipant

from .base import Column, Exporter, published_only
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


def _extend(base: type[Exporter], *extra: Column) -> type[Exporter]:
    """A subclass of a public exporter with restore columns appended."""
    return type(
        f"Release{base.__name__}",
        (base,),
        {"columns": base.columns + extra, "__module__": __name__, "__doc__": base.__doc__},
    )


def _public_first_issue():
    """The reprint's first issue id, only when that issue is itself in the release."""
    from archive.datasets.scope import public_issues

    return Case(
        When(first_published_in_issue__in=public_issues(), then=F("first_published_in_issue_id")),
        default=None,
        output_field=INT,
    )


class EventParticipantExporter(Exporter):
    resource = "event_participants"
    model = EventParticipant
    description = "People and organisations involved in an event, with their role."
    columns = (
        Column("id", "integer", "Participation id.", primary_key=True),
        Column("event_id", "integer", "Event (events.id).", foreign_key="events.id"),
        Column(
            "person_id", "integer", "Person (people.id), or empty.",
            published_only("person", "person_id", INT), foreign_key="people.id",
        ),
        Column(
            "organisation_id", "integer", "Organisation (organisations.id), or empty.",
            published_only("organisation", "organisation_id", INT),
            foreign_key="organisations.id",
        ),
        Column("role", "string", "participant, leader, target, victim or subject."),
        *TIMESTAMPED,
    )  # fmt: skip

    def get_queryset(self) -> models.QuerySet:
        from archive.datasets.scope import public_event_participants

        return public_event_participants().order_by(*self.ordering)


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
        from archive.datasets.scope import public_event_places

        return public_event_places().order_by(*self.ordering)


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
        from archive.datasets.scope import public_event_articles

        return public_event_articles().order_by(*self.ordering)


def release_exporters() -> dict[str, type[Exporter]]:
    """Resource name → exporter class, in the order files are written and loaded."""
    classes = [
        _extend(PublicationExporter, *PUBLISHABLE),
        _extend(IssueExporter, *PUBLISHABLE),
        _extend(
            ArticleExporter,
            Column(
                "dateline", "string",
                "The article's own date in EDTF, empty when it has none (then `date` is the "
                "issue's date).",
                "date",
            ),
            Column(
                "first_published_in_issue_id", "integer",
                "For a reprint: issue it first appeared in (issues.id), if catalogued.",
                _public_first_issue(), foreign_key="issues.id",
            ),
            *PUBLISHABLE,
        ),
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


#: model label → {model field attname: release column it is loaded from}.
RESTORE_FROM = {"archive.Article": {"date": "dateline"}}
#: Model fields a public release leaves out (curators' working data and provenance files).
NOT_RELEASED = {
    "curator_notes": "curators' internal notes",
    "curator_edited_fields": "which fields a curator edited by hand (import protection)",
    "raw_text": "the article text as extracted, before repairs (provenance)",
    "source_document_id": "the file an issue was imported from (provenance)",
}
