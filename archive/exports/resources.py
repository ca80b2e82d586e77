"""One exporter per resource: the documented, stable columns of every download.

Column names and meanings are part of the API's stability promise (docs/api.md): columns may
be added at the end, never renamed or removed within a major version.

Rows are the model layer's ``public()`` rows (:meth:`Exporter.get_queryset`); a column that
names another record uses that model's ``public_q()`` (:func:`if_public`, ``Person.public_q``
in the joined authors, ``Event.public_place_links()``…), never a status comparison.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Case, F, Q, TextField, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, NullIf

from archive.models import (
    Alias,
    Article,
    Authorship,
    Event,
    EventParticipant,
    Illustration,
    Issue,
    Mention,
    Organisation,
    Person,
    Place,
    Publication,
)

from .base import Column, Exporter, GroupedValues, if_public

INT = models.BigIntegerField()
TEXT = TextField()


def _edtf_columns(prefix: str, label: str, source: str | None = None) -> tuple[Column, ...]:
    """The EDTF text and its two bounds, as three columns."""
    source = source or prefix
    return (
        Column(prefix, "string", f"{label} in EDTF (e.g. 1989-11-09, 1979-12, 1980/1981).", source),
        Column(
            f"{prefix}_start", "date", f"Earliest day the {label.lower()} may fall on.",
            f"{source}_start",
        ),
        Column(
            f"{prefix}_end", "date", f"Latest day the {label.lower()} may fall on.",
            f"{source}_end",
        ),
    )  # fmt: skip


#: Variant names in name order (one relation per entity kind, keyed by its field).
_ALIASES = Alias.objects.order_by("name_folded", "id")


def _variant_names(entity: str) -> GroupedValues:
    return GroupedValues(_ALIASES, entity, "name")


# --------------------------------------------------------------------------------------------
# Publications, issues, articles
# --------------------------------------------------------------------------------------------


class PublicationExporter(Exporter):
    resource = "publications"
    model = Publication
    description = "Newspapers, journals and pamphlet series, with their run of dates."
    columns = (
        Column("id", "integer", "Publication id.", primary_key=True),
        Column("slug", "string", "Identifier used in public URLs."),
        Column("title", "string", "Title of the publication."),
        Column("kind", "string", "newspaper, journal, magazine, pamphlet, book, bulletin, …"),
        Column(
            "publisher_id", "integer", "Publishing organisation (organisations.id).",
            if_public(Organisation, "publisher", "publisher_id", INT),
            foreign_key="organisations.id",
        ),
        Column(
            "publisher_name", "string", "Publishing organisation's name.",
            if_public(Organisation, "publisher", "publisher__name", TEXT),
        ),
        Column(
            "place_id", "integer", "Place of publication (places.id).",
            if_public(Place, "place", "place_id", INT), foreign_key="places.id",
        ),
        Column(
            "place_name", "string", "Place of publication's name.",
            if_public(Place, "place", "place__name", TEXT),
        ),
        Column("language", "string", "Language, BCP 47 tag."),
        Column("issn", "string", "ISSN, if any."),
        *_edtf_columns("run", "Run of dates"),
        Column("description", "string", "Short description."),
        Column(
            "predecessor_id", "integer", "Publication this one continues (publications.id).",
            if_public(Publication, "predecessor", "predecessor_id", INT),
            foreign_key="publications.id",
        ),
        Column("wikidata", "string", "Wikidata id (Q…)."),
        Column(
            "predecessor_title", "string", "Title of the publication this one continues.",
            if_public(Publication, "predecessor", "predecessor__title", TEXT),
        ),
    )  # fmt: skip


class IssueExporter(Exporter):
    resource = "issues"
    model = Issue
    description = "Issues or editions of a publication."
    columns = (
        Column("id", "integer", "Issue id.", primary_key=True),
        Column(
            "publication_id", "integer", "Publication (publications.id).",
            foreign_key="publications.id",
        ),
        Column("publication_title", "string", "Publication title.", "publication__title"),
        Column("slug", "string", "Identifier within the publication, used in URLs."),
        Column("volume", "string", "Volume as printed."),
        Column("number", "string", "Number as printed."),
        Column("title", "string", "Title of the issue, if it has one."),
        *_edtf_columns("date", "Issue date"),
        Column("date_display", "string", "The date as printed."),
        Column("pages", "integer", "Number of pages."),
        Column("notes", "string", "Public notes."),
    )  # fmt: skip


#: An issue's name in its publication, as data: its title, else "vol. V, no. N", else its
#: date in EDTF (the pages name it in words, archive.words.issue_label).
_ISSUE_LABEL = Coalesce(
    NullIf(F("issue__title"), Value("")),
    Case(
        When(
            ~Q(issue__volume="") & ~Q(issue__number=""),
            then=Concat(Value("vol. "), "issue__volume", Value(", no. "), "issue__number"),
        ),
        When(~Q(issue__volume=""), then=Concat(Value("vol. "), "issue__volume")),
        When(~Q(issue__number=""), then=Concat(Value("no. "), "issue__number")),
        default=None,
        output_field=TEXT,
    ),
    NullIf(F("issue__date"), Value("")),
    output_field=TEXT,
)

#: Public authors in credit order (the rule of ``Article.public_authorships``).
_AUTHORS = Authorship.objects.filter(Person.public_q("person__")).order_by("order", "id")


class ArticleExporter(Exporter):
    resource = "articles"
    model = Article
    description = "Articles, introductions, sidebars and other texts in an issue."
    columns = (
        Column("id", "integer", "Article id.", primary_key=True),
        Column("slug", "string", "Identifier within the issue, used in URLs."),
        Column("issue_id", "integer", "Issue (issues.id).", foreign_key="issues.id"),
        Column(
            "publication_id", "integer", "Publication (publications.id).",
            "issue__publication_id", foreign_key="publications.id",
        ),
        Column("publication_title", "string", "Publication title.", "issue__publication__title"),
        Column("position", "integer", "Reading order within the issue, from 1."),
        Column("label", "string", 'Label as printed ("1", "Introduction").'),
        Column("kind", "string", "article, introduction, editorial, sidebar, timeline, …"),
        Column("title", "string", "Title."),
        Column("subtitle", "string", "Subtitle."),
        Column(
            "date", "string",
            "The article's date in EDTF (Article.effective_date_rule): its dateline, else the "
            "date it was first published, else, for an introduction, editorial or timeline, "
            "its issue's date; empty when undated (see date_source).",
            "effective_date",
        ),
        Column(
            "date_start", "date", "Earliest day the date may fall on; empty when undated.",
            "effective_date_start",
        ),
        Column(
            "date_end", "date", "Latest day the date may fall on; empty when undated.",
            "effective_date_end",
        ),
        Column("date_display", "string", "Dateline as printed."),
        Column("language", "string", "Language, BCP 47 tag."),
        Column("pages", "string", 'Pages as printed ("12–14").'),
        Column("word_count", "integer", "Words in the body."),
        Column(
            "author_ids", "string", "Authors, editors, translators (people.id), joined with '; '.",
            GroupedValues(_AUTHORS, "article", Cast("person_id", TEXT)),
        ),
        Column(
            "author_names", "string", "Their names, in the same order, joined with '; '.",
            GroupedValues(_AUTHORS, "article", "person__name"),
        ),
        Column(
            "first_published_in_publication_id", "integer",
            "For a reprint: publication it first appeared in (publications.id).",
            if_public(
                Publication, "first_published_in_publication",
                "first_published_in_publication_id", INT,
            ),
            foreign_key="publications.id",
        ),
        Column("first_published_date", "string", "For a reprint: first publication date, EDTF."),
        Column(
            "date_source", "string",
            "Where date comes from: dateline, first_published (a reprint's first "
            "publication), issue (an introduction, editorial or timeline takes its issue's "
            "date) or undated.",
        ),
        Column(
            "dateline", "string",
            "The article's own dateline in EDTF; empty when it has none.", "date",
        ),
        Column(
            "issue_label", "string",
            'The issue in its publication: its title, else "vol. V, no. N", else its date '
            "in EDTF.",
            _ISSUE_LABEL,
        ),
        Column(
            "first_published_in_publication_title", "string",
            "For a reprint: title of the publication it first appeared in.",
            if_public(
                Publication, "first_published_in_publication",
                "first_published_in_publication__title", TEXT,
            ),
        ),
        Column("body", "string", "Full reading text (only with full text).", full_text=True),
    )  # fmt: skip


class AuthorshipExporter(Exporter):
    resource = "authorships"
    model = Authorship
    description = "Who wrote, edited or translated which article."
    columns = (
        Column("id", "integer", "Authorship id.", primary_key=True),
        Column("article_id", "integer", "Article (articles.id).", foreign_key="articles.id"),
        Column("person_id", "integer", "Person (people.id).", foreign_key="people.id"),
        Column("person_name", "string", "The person's name.", "person__name"),
        Column("role", "string", "author, editor or translator."),
        Column("order", "integer", "Order among the article's contributors."),
        Column("article_title", "string", "The article's title.", "article__title"),
    )


class IllustrationExporter(Exporter):
    resource = "illustrations"
    model = Illustration
    description = "Photos and drawings in articles, known by their captions."
    columns = (
        Column("id", "integer", "Illustration id.", primary_key=True),
        Column("article_id", "integer", "Article (articles.id).", foreign_key="articles.id"),
        Column("position", "integer", "Order within the article."),
        Column("page", "string", "Page as printed."),
        Column("after_paragraph", "integer", "Body paragraph (from 1) it stood after."),
        Column("caption", "string", "Caption."),
        Column("article_title", "string", "The article's title.", "article__title"),
    )


# --------------------------------------------------------------------------------------------
# People, organisations, places and their variant names
# --------------------------------------------------------------------------------------------


class PersonExporter(Exporter):
    resource = "people"
    model = Person
    description = "People named in the archive."
    columns = (
        Column("id", "integer", "Person id.", primary_key=True),
        Column("slug", "string", "Identifier used in public URLs."),
        Column("name", "string", "Preferred display name, with diacritics."),
        Column("sort_name", "string", 'Name as sorted in indexes ("Wałęsa, Lech").'),
        Column(
            "variant_names", "string", "Variant spellings, joined with '; '.",
            _variant_names("person"),
        ),
        *_edtf_columns("birth", "Birth date"),
        *_edtf_columns("death", "Death date"),
        Column("country", "string", "ISO 3166-1 alpha-2 country code."),
        Column("description", "string", "One or two neutral lines."),
        Column("wikidata", "string", "Wikidata id (Q…)."),
        Column("viaf", "string", "VIAF id."),
    )  # fmt: skip


class OrganisationExporter(Exporter):
    resource = "organisations"
    model = Organisation
    description = "Parties, unions, state bodies, periodicals and other organisations."
    columns = (
        Column("id", "integer", "Organisation id.", primary_key=True),
        Column("slug", "string", "Identifier used in public URLs."),
        Column("name", "string", "Preferred display name, with diacritics."),
        Column("acronym", "string", "Acronym, if any."),
        Column("kind", "string", "party, union, state, military, security, periodical, …"),
        Column("country", "string", "ISO 3166-1 alpha-2 country code."),
        Column(
            "variant_names", "string", "Variant spellings, joined with '; '.",
            _variant_names("organisation"),
        ),
        *_edtf_columns("founded", "Founding date"),
        *_edtf_columns("dissolved", "Dissolution date"),
        Column(
            "parent_id", "integer", "Parent organisation (organisations.id).",
            if_public(Organisation, "parent", "parent_id", INT), foreign_key="organisations.id",
        ),
        Column(
            "parent_name", "string", "Parent organisation's name.",
            if_public(Organisation, "parent", "parent__name", TEXT),
        ),
        Column(
            "predecessor_id", "integer", "Organisation this one succeeded (organisations.id).",
            if_public(Organisation, "predecessor", "predecessor_id", INT),
            foreign_key="organisations.id",
        ),
        Column("description", "string", "One or two neutral lines."),
        Column("wikidata", "string", "Wikidata id (Q…)."),
        Column(
            "predecessor_name", "string", "Name of the organisation this one succeeded.",
            if_public(Organisation, "predecessor", "predecessor__name", TEXT),
        ),
    )  # fmt: skip


class PlaceExporter(Exporter):
    resource = "places"
    model = Place
    description = "Countries, regions, cities and sites."
    columns = (
        Column("id", "integer", "Place id.", primary_key=True),
        Column("slug", "string", "Identifier used in public URLs."),
        Column("name", "string", "Preferred display name, with diacritics."),
        Column("kind", "string", "country, region, city or site."),
        Column("country_code", "string", "ISO 3166-1 alpha-2 country code."),
        Column("latitude", "number", "Latitude (WGS 84), 5 decimals."),
        Column("longitude", "number", "Longitude (WGS 84), 5 decimals."),
        Column(
            "variant_names", "string", "Variant spellings, joined with '; '.",
            _variant_names("place"),
        ),
        Column("description", "string", "One or two neutral lines."),
        Column("geonames", "string", "GeoNames id."),
        Column("wikidata", "string", "Wikidata id (Q…)."),
    )  # fmt: skip


#: Entity columns of an alias row, in the order the data model checks them.
_ALIAS_ENTITY_TYPE = Case(
    When(person__isnull=False, then=Value("person")),
    When(organisation__isnull=False, then=Value("organisation")),
    default=Value("place"),
    output_field=TEXT,
)


class AliasExporter(Exporter):
    resource = "aliases"
    model = Alias
    description = "Variant names of people, organisations and places."
    columns = (
        Column("id", "integer", "Variant name id.", primary_key=True),
        Column("entity_type", "string", "person, organisation or place.", _ALIAS_ENTITY_TYPE),
        Column("person_id", "integer", "Person (people.id).", foreign_key="people.id"),
        Column(
            "organisation_id", "integer", "Organisation (organisations.id).",
            foreign_key="organisations.id",
        ),
        Column("place_id", "integer", "Place (places.id).", foreign_key="places.id"),
        Column("name", "string", "The variant name."),
        Column(
            "kind", "string",
            "variant, source_spelling, transliteration, acronym or former_name.",
        ),
        Column("language", "string", "Language, BCP 47 tag."),
        Column(
            "entity_name", "string", "The preferred name of the person, organisation or place.",
            Coalesce("person__name", "organisation__name", "place__name", output_field=TEXT),
        ),
    )  # fmt: skip


# --------------------------------------------------------------------------------------------
# Events and mentions
# --------------------------------------------------------------------------------------------


#: Public places of events (event–place links with both ends public), by name.
_EVENT_PLACES = Event.public_place_links().order_by("place__name_folded", "id")
#: Participations by public people and by public organisations, by role.
_PARTICIPANTS = {
    target: EventParticipant.objects.filter(model.public_q(f"{target}__")).order_by("role", "id")
    for model, target in ((Person, "person"), (Organisation, "organisation"))
}


class EventExporter(Exporter):
    resource = "events"
    model = Event
    description = "Dated happenings and who took part."
    columns = (
        Column("id", "integer", "Event id.", primary_key=True),
        Column("slug", "string", "Identifier used in public URLs."),
        Column("title", "string", "Title."),
        Column("kind", "string", "political, protest, strike, election, military, coup, …"),
        *_edtf_columns("date", "Event date"),
        Column("date_display", "string", "The date as printed."),
        Column("description", "string", "Description."),
        Column(
            "place_ids", "string", "Places (places.id), joined with '; '.",
            GroupedValues(_EVENT_PLACES, "event", Cast("place_id", TEXT)),
        ),
        Column(
            "place_names", "string", "Their names, in the same order.",
            GroupedValues(_EVENT_PLACES, "event", "place__name"),
        ),
        Column(
            "person_ids", "string", "Participating people (people.id), joined with '; '.",
            GroupedValues(_PARTICIPANTS["person"], "event", Cast("person_id", TEXT)),
        ),
        Column(
            "organisation_ids", "string",
            "Participating organisations (organisations.id), joined with '; '.",
            GroupedValues(
                _PARTICIPANTS["organisation"], "event", Cast("organisation_id", TEXT)
            ),
        ),
        Column(
            "person_names", "string", "Their names, in the same order as person_ids.",
            GroupedValues(_PARTICIPANTS["person"], "event", "person__name"),
        ),
        Column(
            "organisation_names", "string",
            "Their names, in the same order as organisation_ids.",
            GroupedValues(_PARTICIPANTS["organisation"], "event", "organisation__name"),
        ),
    )  # fmt: skip


_MENTION_TARGET_TYPE = Case(
    When(person__isnull=False, then=Value("person")),
    When(organisation__isnull=False, then=Value("organisation")),
    When(place__isnull=False, then=Value("place")),
    default=Value("event"),
    output_field=TEXT,
)
_MENTION_TARGET_ID = Coalesce("person_id", "organisation_id", "place_id", "event_id")
_MENTION_TARGET_NAME = Coalesce(
    "person__name", "organisation__name", "place__name", "event__title", output_field=TEXT
)


class MentionExporter(Exporter):
    resource = "mentions"
    model = Mention
    description = "Which article mentions which person, organisation, place or event."
    columns = (
        Column("id", "integer", "Mention id.", primary_key=True),
        Column("article_id", "integer", "Article (articles.id).", foreign_key="articles.id"),
        Column("article_title", "string", "Article title.", "article__title"),
        Column(
            "target_type", "string", "person, organisation, place or event.",
            _MENTION_TARGET_TYPE,
        ),
        Column("target_id", "integer", "Id of the mentioned record.", _MENTION_TARGET_ID),
        Column("target_name", "string", "Name (or event title).", _MENTION_TARGET_NAME),
        Column("person_id", "integer", "Person (people.id).", foreign_key="people.id"),
        Column(
            "organisation_id", "integer", "Organisation (organisations.id).",
            foreign_key="organisations.id",
        ),
        Column("place_id", "integer", "Place (places.id).", foreign_key="places.id"),
        Column("event_id", "integer", "Event (events.id).", foreign_key="events.id"),
        Column("count", "integer", "Times mentioned in the article."),
        Column("first_offset", "integer", "Character offset of the first mention in the body."),
        Column("context", "string", "Words around the first mention."),
        Column("status", "string", "auto, confirmed or flagged."),
    )  # fmt: skip


EXPORTERS: dict[str, type[Exporter]] = {
    cls.resource: cls
    for cls in (
        PublicationExporter,
        IssueExporter,
        ArticleExporter,
        PersonExporter,
        OrganisationExporter,
        PlaceExporter,
        EventExporter,
        MentionExporter,
        AuthorshipExporter,
        AliasExporter,
        IllustrationExporter,
    )
}


def exporter_for_model(model: type[models.Model]) -> type[Exporter] | None:
    """The exporter class for a model (for the admin action), or ``None``."""
    for cls in EXPORTERS.values():
        if cls.model is model or (
            getattr(model, "_meta", None) and model._meta.concrete_model is cls.model
        ):
            return cls
    return None
