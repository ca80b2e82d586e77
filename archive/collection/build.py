"""Build the curated seed collection (``fixtures/collection.json``) from its sources.

Sources, all in ``fixtures/sources/``:

* the pamphlet's extracted text (kept whole as the SourceDocument, with its SHA-256), run
  through the text importer's own code: units, titles, datelines, repaired bodies, captions
  and the repair log (TextRepair rows) are the importer's (see :mod:`.sources`);
* ``emendations.json``: the curator's reviewed corrections on top of the importer's output,
  each with kind and reason (Emendation rows; see :mod:`.emendations`);
* ``articles.json``: per unit, its slug, first publication, typos kept and notes;
* ``catalogue.json``: people, organisations, places and events, with aliases;
* ``mention-decisions.json``: the curator's answer for every name the linker flags as
  ambiguous in an article (which entity it is, or none).

The output is a Django fixture. Primary keys are assigned in a fixed order (entities by slug,
articles in reading order), timestamps are one constant and JSON keys keep model field
order, so building twice gives byte-identical files and a diff of the fixture shows exactly
what a curator changed. ``loaddata`` saves raw, skipping ``save()``, so every record is made
as a model instance and passed through ``archive.models.base.derive_fields()``, the function
``save()`` itself calls: folded names, EDTF bounds, word counts and an article's effective
date (with its source) are what the models would store, by construction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import models

from archive.importers.linking import (
    MentionHit,
    NameEntry,
    NameIndex,
    Target,
    find_mentions,
    summarise,
)
from archive.importers.service import IMPORTER_VERSION
from archive.importers.words import is_common_word
from archive.models import Issue
from archive.models.base import derive_fields
from archive.text import fold

from .sources import PAMPHLET_FILE, CuratedUnit, read_units

# Every record of the collection carries this as created/updated/published_at. Change it when
# a new release of the collection is cut; it is a constant so rebuilds are byte-identical.
RELEASE_TIMESTAMP = "2026-11-25T00:00:00Z"

PUBLISHED = "published"

AWL_SLUG = "alliance-for-workers-liberty"
PUBLICATIONS = [
    {
        "slug": "workers-liberty",
        "title": "Workers’ Liberty",
        "kind": "journal",
        "organisation": "workers-liberty",
        "description": (
            "Magazine of the Alliance for Workers’ Liberty; the seed pamphlet is an issue of it."
        ),
        "curator_notes": (
            "Run dates, ISSN and place of publication are not given in the seed text: left "
            "blank rather than guessed."
        ),
    },
    {
        "slug": "socialist-organiser",
        "title": "Socialist Organiser",
        "kind": "newspaper",
        "organisation": "socialist-organiser",
        "description": (
            "Weekly paper around which the AWL was grouped in 1989–1992; several of the "
            "pamphlet’s articles speak for it."
        ),
        "curator_notes": (
            "Run dates, ISSN and place of publication are not given in the seed text: left "
            "blank rather than guessed."
        ),
    },
]
ISSUE = {
    "slug": "1989-1991-pamphlet",
    "publication": "workers-liberty",
    "date": "2009~",
    "notes": (
        "A pamphlet issue of Workers’ Liberty collecting articles on the fall of Stalinism in "
        "Eastern Europe and the USSR, 1989–1992. Its title, number and date are not in the "
        "text we hold; the date is an approximation (see the curator notes)."
    ),
    "curator_notes": (
        "Title, number, date and authors are not printed in the extracted text and are left "
        "unknown. Dated 2009~ (approximate): the introduction begins “It is 20 years since the "
        "destruction of the Berlin Wall” (9 November 1989) and says that the last Russian "
        "troops left Afghanistan “in that same year, 1989”. The articles are unsigned; no "
        "authorship is recorded."
    ),
}


class CollectionError(ValueError):
    """The sources are inconsistent; the message says which file and what is wrong."""


def fixture_fields(model: type[models.Model], pk: int, given: dict[str, Any], **related) -> dict:
    """A fixture record's fields: ``given`` plus every value the model derives from it.

    The record is made as an unsaved instance and passed through ``derive_fields()``, so
    the fixture holds exactly what ``save()`` would store. ``related`` sets unsaved related
    instances a rule reads (an article takes an introduction's date from its issue). Keys
    follow the model's field order; stored counts are left out (the database keeps them).
    """
    meta = model._meta
    concrete = {f.name: f for f in meta.concrete_fields}
    obj = model(pk=pk, **{concrete[k].attname: v for k, v in given.items() if k in concrete})
    for name, value in related.items():
        setattr(obj, name, value)
    derive_fields(obj)
    skipped = set(getattr(model, "STORED_COUNTS", ()))
    fields = {
        f.name: _fixture_value(getattr(obj, f.attname))
        for f in meta.concrete_fields
        if not f.primary_key and f.name not in skipped
    }
    fields.update({f.name: given[f.name] for f in meta.many_to_many if f.name in given})
    return fields


def _fixture_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _stamps() -> dict:
    return {"created": RELEASE_TIMESTAMP, "updated": RELEASE_TIMESTAMP}


def _published(curator_notes: str = "") -> dict:
    return {
        "status": PUBLISHED,
        "published_at": RELEASE_TIMESTAMP,
        "curator_notes": curator_notes,
    }


@dataclass
class Decisions:
    """The curator's answers to the linker's flags, keyed by (article slug, type, entity slug).

    A confirmation may narrow which occurrences are this entity: ``forms`` (the spellings as
    printed, e.g. only "US", not "us") and/or ``occurrences`` (1-based positions among the
    entity's candidate occurrences in that article, in text order).
    """

    confirm: dict[tuple[str, str, str], dict] = field(default_factory=dict)
    reject: set[tuple[str, str, str]] = field(default_factory=set)

    @classmethod
    def load(cls, path: Path) -> Decisions:
        if not path.exists():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        decisions = cls()
        for item in data.get("decisions", []):
            key = (item["article"], item["type"], item["slug"])
            if key in decisions.confirm or key in decisions.reject:
                raise CollectionError(f"{path.name}: two decisions for {key}")
            if item["decision"] == "confirm":
                decisions.confirm[key] = item
            elif item["decision"] == "reject":
                decisions.reject.add(key)
            else:
                raise CollectionError(
                    f"{path.name}: decision must be 'confirm' or 'reject', not "
                    f"{item['decision']!r} ({item['article']}, {item['slug']})"
                )
        return decisions


@dataclass
class Flag:
    """A flagged (ambiguous) mention the decisions file does not answer."""

    article: str
    type: str
    slug: str
    forms: list[str]
    reason: str
    context: str


class CollectionBuilder:
    """Read the sources and produce the fixture records (a list of dicts)."""

    def __init__(self, sources_dir: Path):
        self.sources_dir = sources_dir
        self.catalogue = json.loads((sources_dir / "catalogue.json").read_text(encoding="utf-8"))
        self.units = read_units(sources_dir)
        self.pamphlet = (sources_dir / PAMPHLET_FILE).read_bytes()
        self.decisions = Decisions.load(sources_dir / "mention-decisions.json")
        self.records: list[dict] = []
        self.pks: dict[tuple[str, str], int] = {}
        self.unresolved: list[Flag] = []
        self.unused_decisions: set[tuple[str, str, str]] = set()

    # -- helpers ---------------------------------------------------------------------------

    def add(self, model: str, pk: int, fields: dict, **related) -> None:
        """Append one record; see :func:`fixture_fields` for what is derived."""
        model_class = apps.get_model("archive", model)
        self.records.append(
            {
                "model": f"archive.{model}",
                "pk": pk,
                "fields": fixture_fields(model_class, pk, fields, **related),
            }
        )

    def pk(self, kind: str, slug: str, where: str) -> int:
        try:
            return self.pks[(kind, slug)]
        except KeyError:
            raise CollectionError(f"{where}: unknown {kind} {slug!r}") from None

    def _number(self, kind: str, slugs: Iterable[str]) -> None:
        for number, slug in enumerate(sorted(slugs), start=1):
            self.pks[(kind, slug)] = number

    # -- the build -------------------------------------------------------------------------

    def build(self) -> list[dict]:
        cat = self.catalogue
        self._number("organisation", (o["slug"] for o in cat["organisations"]))
        self._number("person", (p["slug"] for p in cat["people"]))
        self._number("place", (p["slug"] for p in cat["places"]))
        self._number("event", (e["slug"] for e in cat["events"]))
        self._organisations()
        self._people()
        self._places()
        self._aliases()
        self._publications()
        self._source_document_and_issue()
        self._articles()
        self._repairs_and_emendations()
        self._events()
        self._mentions()
        return self.records

    def _organisations(self) -> None:
        for org in sorted(self.catalogue["organisations"], key=lambda o: o["slug"]):
            where = f"catalogue organisation {org['slug']}"
            parent = self.pk("organisation", org["parent"], where) if org.get("parent") else None
            self.add(
                "organisation",
                self.pks[("organisation", org["slug"])],
                {
                    **_stamps(),
                    **_published(org.get("curator_notes", "")),
                    "name": org["name"],
                    "slug": org["slug"],
                    "description": org.get("description", ""),
                    "wikidata": org.get("wikidata", ""),
                    "acronym": org.get("acronym", ""),
                    "kind": org.get("kind") or "other",
                    "country": org.get("country", ""),
                    "founded": org.get("founded", ""),
                    "dissolved": org.get("dissolved", ""),
                    "parent": parent,
                    "predecessor": None,
                },
            )

    def _people(self) -> None:
        for person in sorted(self.catalogue["people"], key=lambda p: p["slug"]):
            self.add(
                "person",
                self.pks[("person", person["slug"])],
                {
                    **_stamps(),
                    **_published(person.get("curator_notes", "")),
                    "name": person["name"],
                    "slug": person["slug"],
                    "description": person.get("description", ""),
                    "wikidata": person.get("wikidata", ""),
                    "sort_name": person.get("sort_name", ""),  # derive() defaults it
                    "birth": person.get("birth", ""),
                    "death": person.get("death", ""),
                    "country": person.get("country", ""),
                    "viaf": person.get("viaf", ""),
                },
            )

    def _places(self) -> None:
        for place in sorted(self.catalogue["places"], key=lambda p: p["slug"]):
            lat, lon = place.get("latitude"), place.get("longitude")
            self.add(
                "place",
                self.pks[("place", place["slug"])],
                {
                    **_stamps(),
                    **_published(place.get("curator_notes", "")),
                    "name": place["name"],
                    "slug": place["slug"],
                    "description": place.get("description", ""),
                    "wikidata": place.get("wikidata", ""),
                    "kind": place.get("kind") or "city",
                    "country_code": place.get("country_code", ""),
                    "latitude": None if lat is None else f"{float(lat):.5f}",
                    "longitude": None if lon is None else f"{float(lon):.5f}",
                    "geonames": place.get("geonames", ""),
                },
            )

    def _aliases(self) -> None:
        number = 0
        for kind, key in (
            ("person", "people"),
            ("organisation", "organisations"),
            ("place", "places"),
        ):
            for entity in sorted(self.catalogue[key], key=lambda e: e["slug"]):
                seen: set[str] = set()
                for alias in entity.get("aliases", []):
                    lowered = alias["name"].lower()
                    if lowered in seen:
                        raise CollectionError(
                            f"catalogue {kind} {entity['slug']}: alias {alias['name']!r} twice"
                        )
                    seen.add(lowered)
                    number += 1
                    self.add(
                        "alias",
                        number,
                        {
                            **_stamps(),
                            "person": self.pks[(kind, entity["slug"])]
                            if kind == "person"
                            else None,
                            "organisation": (
                                self.pks[(kind, entity["slug"])] if kind == "organisation" else None
                            ),
                            "place": self.pks[(kind, entity["slug"])] if kind == "place" else None,
                            "name": alias["name"],
                            "kind": alias.get("kind") or "variant",
                            "language": alias.get("language", ""),
                        },
                    )

    def _publications(self) -> None:
        awl = self.pk("organisation", AWL_SLUG, "publications")
        for number, pub in enumerate(PUBLICATIONS, start=1):
            self.pks[("publication", pub["slug"])] = number
            self.pk("organisation", pub["organisation"], f"publication {pub['slug']}")
            self.add(
                "publication",
                number,
                {
                    **_stamps(),
                    **_published(pub["curator_notes"]),
                    "title": pub["title"],
                    "slug": pub["slug"],
                    "kind": pub["kind"],
                    "publisher": awl,
                    "place": None,
                    "language": "en",
                    "issn": "",
                    "run": "",
                    "description": pub["description"],
                    "predecessor": None,
                    "wikidata": "",
                },
            )

    def _source_document_and_issue(self) -> None:
        text = self.pamphlet.decode("utf-8")
        self.add(
            "sourcedocument",
            1,
            {
                **_stamps(),
                "name": PAMPHLET_FILE,
                "sha256": hashlib.sha256(self.pamphlet).hexdigest(),
                "size": len(self.pamphlet),
                "text": text,
                "imported_at": RELEASE_TIMESTAMP,
                "importer_version": IMPORTER_VERSION,
                "report": {
                    "units": len(self.units),
                    "repairs": sum(len(unit.repairs) for unit in self.units),
                    "emendations": sum(len(unit.emendations) for unit in self.units),
                },
                "notes": (
                    "Plain text extracted from the printed pamphlet, kept unchanged. The text "
                    "importer made the articles from it (each article's raw_text holds its own "
                    "lines, its repairs say what the importer changed); a curator's reviewed "
                    "emendations correct the rest, each with its reason."
                ),
            },
        )
        self.add(
            "issue",
            1,
            {
                **_stamps(),
                **_published(ISSUE["curator_notes"]),
                "publication": self.pks[("publication", ISSUE["publication"])],
                "slug": ISSUE["slug"],
                "volume": "",
                "number": "",
                "title": "",
                "date": ISSUE["date"],
                "date_display": "",
                "pages": None,
                "source_document": 1,
                "notes": ISSUE["notes"],
            },
        )

    def _articles(self) -> None:
        illustration_pk = 0
        slugs: set[str] = set()
        for position, unit in enumerate(self.units, start=1):
            slug = unit.slug
            if slug in slugs:
                raise CollectionError(f"articles.json: slug {slug!r} used twice")
            slugs.add(slug)
            self.pks[("article", slug)] = position
            first_in = None
            if unit.first_published_in:
                first_in = self.pk("publication", _publication_slug(unit.first_published_in), slug)
            self.add(
                "article",
                position,
                {
                    **_stamps(),
                    **_published(unit.curator_notes()),
                    "issue": 1,
                    "position": position,
                    "slug": slug,
                    "label": unit.label,
                    "kind": unit.kind,
                    "title": unit.title,
                    "subtitle": unit.subtitle,
                    "date": unit.date,
                    "date_display": unit.dateline,
                    "first_published_in_issue": None,
                    "first_published_in_publication": first_in,
                    "first_published_date": unit.first_published_date,
                    "pages": unit.pages,
                    "body": unit.body,
                    "raw_text": unit.raw_text,
                    "language": "en",
                    "curator_edited_fields": [],
                },
                # An introduction, editorial or timeline takes its issue's date.
                issue=Issue(pk=1, date=ISSUE["date"]),
            )
            paragraphs = len(unit.paragraphs)
            for order, illustration in enumerate(unit.illustrations, start=1):
                if not 1 <= (illustration.after_paragraph or 0) <= paragraphs:
                    raise CollectionError(
                        f"{slug}: illustration {illustration.caption!r} stands after "
                        f"paragraph {illustration.after_paragraph}, but there are {paragraphs}"
                    )
                illustration_pk += 1
                self.add(
                    "illustration",
                    illustration_pk,
                    {
                        **_stamps(),
                        "article": position,
                        "caption": illustration.caption,
                        "page": "",
                        "position": order,
                        "after_paragraph": illustration.after_paragraph,
                    },
                )

    def _repairs_and_emendations(self) -> None:
        """The importer's repair log and the curator's emendations, article by article.

        Together they trace every published word to the source text: an article's body is
        its raw_text with the applied repairs, then its body emendations, redone in order.
        """
        repair_pk = emendation_pk = 0
        for position, unit in enumerate(self.units, start=1):
            for repair in unit.repairs:
                repair_pk += 1
                self.add(
                    "textrepair",
                    repair_pk,
                    {
                        **_stamps(),
                        "article": position,
                        "source_document": 1,
                        "kind": repair.kind,
                        "status": repair.status,
                        "line": repair.line,
                        "sequence": repair.sequence,
                        "offset": repair.offset,
                        "before": repair.before,
                        "after": repair.after,
                        "note": repair.note,
                    },
                )
            for sequence, applied in enumerate(unit.emendations, start=1):
                entry = applied.emendation
                emendation_pk += 1
                self.add(
                    "emendation",
                    emendation_pk,
                    {
                        **_stamps(),
                        "article": position,
                        "sequence": sequence,
                        "field": entry.field,
                        "kind": entry.kind,
                        "offset": applied.offset,
                        "printed": entry.printed,
                        "corrected": entry.corrected,
                        "reason": entry.reason,
                    },
                )

    def article_for_prefix(self, prefix: str, where: str) -> int:
        """The catalogue names articles by the start of their title."""
        matches = [
            position
            for position, unit in enumerate(self.units, start=1)
            if unit.title.startswith(prefix)
        ]
        if len(matches) != 1:
            raise CollectionError(
                f"{where}: article title prefix {prefix!r} matches {len(matches)} articles"
            )
        return matches[0]

    def _events(self) -> None:
        participant_pk = 0
        for event in sorted(self.catalogue["events"], key=lambda e: e["slug"]):
            where = f"catalogue event {event['slug']}"
            places = sorted({self.pk("place", slug, where) for slug in event.get("places", [])})
            articles = sorted(
                {self.article_for_prefix(prefix, where) for prefix in event.get("articles", [])}
            )
            source = event.get("source", "")
            notes = event.get("curator_notes", "")
            if source == "timeline" and not notes:
                notes = "Entry of the pamphlet’s timeline."
            elif source == "article" and not notes:
                notes = "Dated event stated in the body of the articles it is linked to."
            self.add(
                "event",
                self.pks[("event", event["slug"])],
                {
                    **_stamps(),
                    **_published(notes),
                    "title": event["title"],
                    "slug": event["slug"],
                    "kind": event.get("kind") or "political",
                    "date": event["date"],
                    "date_display": event.get("date_display", ""),
                    "description": event.get("description", ""),
                    "places": places,
                    "articles": articles,
                },
            )
            roles = [("person", p) for p in event.get("people", [])] + [
                ("organisation", o) for o in event.get("organisations", [])
            ]
            seen = set()
            for kind, participant in roles:
                key = (kind, participant["slug"], participant.get("role") or "participant")
                if key in seen:
                    continue
                seen.add(key)
                participant_pk += 1
                self.add(
                    "eventparticipant",
                    participant_pk,
                    {
                        **_stamps(),
                        "event": self.pks[("event", event["slug"])],
                        "person": self.pk(kind, participant["slug"], where)
                        if kind == "person"
                        else None,
                        "organisation": self.pk(kind, participant["slug"], where)
                        if kind == "organisation"
                        else None,
                        "role": key[2],
                    },
                )

    def name_index(self) -> NameIndex:
        """Every catalogued name, acronym and alias; the catalogue's ambiguous names marked."""
        entries: list[NameEntry] = []
        for kind, key in (
            ("person", "people"),
            ("organisation", "organisations"),
            ("place", "places"),
        ):
            for entity in self.catalogue[key]:
                target = Target(kind, self.pks[(kind, entity["slug"])])
                entries.append(NameEntry(entity["name"], target, entity["name"]))
                if entity.get("acronym"):
                    entries.append(NameEntry(entity["acronym"], target, entity["name"]))
                for alias in entity.get("aliases", []):
                    entries.append(NameEntry(alias["name"], target, entity["name"]))
        kinds = {
            slug: kind for (kind, slug) in self.pks if kind in ("person", "organisation", "place")
        }
        for item in self.catalogue.get("ambiguous", []):
            if " " not in item["name"].strip() and is_common_word(item["name"]):
                # "US"/"us": the linker already takes a common word as a name only when it
                # is capitalised, and flags it; marking it would flag every lower-case "us".
                continue
            for slug in item["candidates"]:
                if slug not in kinds:
                    raise CollectionError(f"catalogue ambiguous {item['name']!r}: unknown {slug!r}")
                target = Target(kinds[slug], self.pks[(kinds[slug], slug)])
                entries.append(NameEntry(item["name"], target, slug, ambiguous=True))
        return NameIndex(entries)

    def _mentions(self) -> None:
        index = self.name_index()
        slug_of = {(kind, pk): slug for (kind, slug), pk in self.pks.items()}
        used: set[tuple[str, str, str]] = set()
        number = 0
        for position, unit in enumerate(self.units, start=1):
            stem = unit.slug
            hits = find_mentions(unit.body, index)
            confirmed = []
            for summary in summarise(hits, unit.body, index):
                kind = summary.target.type
                slug = slug_of[(kind, summary.target.id)]
                key = (stem, kind, slug)
                if summary.flagged:
                    if key in self.decisions.reject:
                        used.add(key)
                        continue
                    decision = self.decisions.confirm.get(key)
                    if decision is None:
                        self.unresolved.append(
                            Flag(stem, kind, slug, summary.forms, summary.reason, summary.context)
                        )
                        continue
                    used.add(key)
                    summary = self._narrowed(summary, decision, hits, unit, index)
                confirmed.append(summary)
            for summary in sorted(confirmed, key=lambda s: (s.first_offset, s.target)):
                kind = summary.target.type
                number += 1
                self.add(
                    "mention",
                    number,
                    {
                        **_stamps(),
                        "article": position,
                        "person": summary.target.id if kind == "person" else None,
                        "organisation": summary.target.id if kind == "organisation" else None,
                        "place": summary.target.id if kind == "place" else None,
                        "event": None,
                        "count": summary.count,
                        "first_offset": summary.first_offset,
                        "context": summary.context,
                        "status": "confirmed",
                    },
                )
        self.unused_decisions = (set(self.decisions.confirm) | self.decisions.reject) - used

    @staticmethod
    def _narrowed(summary, decision: dict, hits, unit: CuratedUnit, index: NameIndex):
        """Only the occurrences the curator attributed to this entity count."""
        if "forms" not in decision and "occurrences" not in decision:
            return summary
        own = [hit for hit in hits if summary.target in hit.candidates]
        chosen = [
            hit
            for number, hit in enumerate(own, start=1)
            if ("forms" not in decision or hit.text in decision["forms"])
            and ("occurrences" not in decision or number in decision["occurrences"])
        ]
        if not chosen:
            raise CollectionError(
                f"mention-decisions.json: {unit.slug} {decision['slug']}: the forms or "
                "occurrences given select nothing"
            )
        # Treat the chosen hits as plain (unambiguous) hits of this one target.
        plain = [
            MentionHit(hit.start, hit.end, hit.text, hit.key, (summary.target,)) for hit in chosen
        ]
        return summarise(plain, unit.body, index)[0]


def _publication_slug(title: str) -> str:
    for pub in PUBLICATIONS:
        if fold(pub["title"]) == fold(title):
            return pub["slug"]
    return title


def render(records: list[dict]) -> str:
    """The fixture text: stable key order, one record field per line, UTF-8, final newline."""
    return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
