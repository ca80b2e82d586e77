"""How to cite an article: plain text, BibTeX, RIS, CSL-JSON, schema.org JSON-LD and the
Highwire (Google Scholar) and Dublin Core meta tags of its page.

One :class:`Citation` is built from an article (its issue, publication and public
authors) and rendered in every format, so the public page, its meta tags and the API's
``/api/articles/{id}/cite/`` agree on every detail. Who and what may be named follows the
model layer's visibility rule (``Article.public_authorships``, ``is_public()``).

Every citation has two dates, and a reprint names both of its appearances:

* the article's own date is its effective date (``Article.effective_date_rule``): a 1991
  article reprinted in c. 2009 was written in 1991, and an undated one is cited without a
  date of its own, never with the date of the issue that reprinted it;
* the publication cited is the one the reader holds: for a reprint, the reprinting issue
  with its date and pages, and beside it the original appearance where it is known
  (its publication and date: CSL ``original-*``, a BibTeX ``note``, RIS ``OP``, JSON-LD
  ``isBasedOn``, Dublin Core ``DC.source``).

>>> citation = Citation.for_article(article, url="https://example.org/…")
>>> citation.as_text()
'“Stalin’s system collapses.” First published in Socialist Organiser, August 1991.
Reprinted in Workers’ Liberty, issue of c. 2009. https://example.org/….'
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from archive.dates import edtf_display, edtf_iso8601
from archive.text import fold
from archive.words import issue_label

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")

#: Publication kind → (RIS type, CSL type, BibTeX entry, schema.org type).
_TYPES = {
    "newspaper": ("NEWS", "article-newspaper", "article", "NewsArticle"),
    "journal": ("JOUR", "article-journal", "article", "ScholarlyArticle"),
    "magazine": ("MGZN", "article-magazine", "article", "Article"),
    "bulletin": ("NEWS", "article-newspaper", "article", "Article"),
    "broadsheet": ("NEWS", "article-newspaper", "article", "Article"),
    "pamphlet": ("PAMP", "pamphlet", "incollection", "Article"),
    "book": ("CHAP", "chapter", "incollection", "Chapter"),
    "website": ("ELEC", "webpage", "online", "Article"),
}
_DEFAULT_TYPE = ("GEN", "article", "misc", "Article")

#: The JSON-LD context: schema.org, plus ``dateEDTF`` for a date in its own EDTF form
#: (Dublin Core ``date`` typed with the Library of Congress EDTF datatype), beside the
#: ISO 8601 dates that schema.org's own properties carry.
JSONLD_CONTEXT = [
    "https://schema.org",
    {
        "dateEDTF": {
            "@id": "http://purl.org/dc/terms/date",
            "@type": "http://id.loc.gov/datatypes/edtf/EDTF",
        }
    },
]


def date_parts(value: str) -> list[int]:
    """[year, month, day] as far as an EDTF date states them (first date of a range)."""
    match = _DATE.match(value or "")
    if not match:
        return []
    parts = [int(p) for p in match.groups() if p]
    if len(parts) > 1 and not 1 <= parts[1] <= 12:  # seasons (21-41) carry no month
        parts = parts[:1]
    return parts


def _approximate(value: str) -> bool:
    return "~" in (value or "") or "%" in (value or "")


@dataclass(frozen=True)
class Name:
    """An author as family and given name (from "Wałęsa, Lech"), or one literal name."""

    family: str = ""
    given: str = ""
    literal: str = ""

    @classmethod
    def from_person(cls, person) -> Name:
        sort_name = person.sort_name or person.name
        if "," in sort_name:
            family, given = (part.strip() for part in sort_name.split(",", 1))
            return cls(family=family, given=given)
        return cls(literal=person.name)

    def inverted(self) -> str:
        """ "Wałęsa, Lech" (first author in a reference list, BibTeX, RIS)."""
        return f"{self.family}, {self.given}" if self.family else self.literal

    def natural(self) -> str:
        """ "Lech Wałęsa"."""
        return f"{self.given} {self.family}".strip() if self.family else self.literal


@dataclass(frozen=True)
class Original:
    """Where a reprinted article first appeared, as far as it is known: the publication
    (and issue, if catalogued) and the date, either of which may be missing."""

    container_title: str = ""
    issue: str = ""  # "vol. 3, no. 1", "issue of … ", or "" when not catalogued
    date: str = ""  # EDTF
    #: "first published" when the record says so; "dated" when only the article's own
    #: dateline shows that it is older than the issue that prints it.
    how: str = "first published"

    def words(self) -> str:
        """ "First published in Socialist Organiser, August 1991"; "Dated 1981"."""
        where = self.container_title
        if where and self.issue:
            where += f", {self.issue}"
        when = edtf_display(self.date)
        text = self.how[0].upper() + self.how[1:]
        if where:
            text += f" in {where}, {when or 'n.d.'}"
        elif when:
            text += f" {when}"
        return text


@dataclass(frozen=True)
class Citation:
    """Everything a citation needs, independent of output format."""

    id: int
    title: str
    authors: tuple[Name, ...] = ()
    editors: tuple[Name, ...] = ()
    translators: tuple[Name, ...] = ()
    container_title: str = ""
    publication_kind: str = ""
    volume: str = ""
    issue: str = ""
    issue_title: str = ""  # the issue's name when it has neither volume nor number
    date: str = ""  # EDTF: the article's effective date (its own date)
    date_source: str = ""  # Article.DateSource value: where ``date`` comes from
    issue_date: str = ""  # EDTF: the date of the issue cited (the reprint's, for a reprint)
    original: Original | None = None  # set for a reprint
    pages: str = ""
    publisher: str = ""
    publisher_place: str = ""
    language: str = ""
    issn: str = ""
    url: str = ""
    word_count: int = 0
    keywords: tuple[str, ...] = field(default=())
    release: Any = None  # the data release that holds it (archive.datasets.citing)

    @classmethod
    def for_article(cls, article, *, url: str = "") -> Citation:
        """Build from an article: only public people and records are named; the article's
        own date is its effective date (empty when it is undated), and a reprint is cited
        as the reprint, with its original appearance beside it."""
        issue = article.issue
        publication = issue.publication
        people: dict[str, list[Name]] = {"author": [], "editor": [], "translator": []}
        for authorship in article.public_authorships:
            people.setdefault(authorship.role, []).append(Name.from_person(authorship.person))
        publisher = publication.publisher
        place = publication.place
        title = article.title + (f": {article.subtitle}" if article.subtitle else "")
        untitled = not (issue.volume or issue.number)
        return cls(
            id=article.pk,
            title=title,
            authors=tuple(people["author"]),
            editors=tuple(people["editor"]),
            translators=tuple(people["translator"]),
            container_title=publication.title,
            publication_kind=publication.kind,
            volume=issue.volume,
            issue=issue.number,
            issue_title=issue_label(issue, capital=False) if untitled else "",
            date=article.effective_date,
            date_source=article.date_source,
            issue_date=issue.date,
            original=original_appearance(article),
            pages=article.pages,
            publisher=publisher.name if publisher and publisher.is_public() else "",
            publisher_place=place.name if place and place.is_public() else "",
            language=article.language,
            issn=publication.issn,
            url=url,
            word_count=article.word_count,
            release=_release_for(article),
        )

    # -- helpers -----------------------------------------------------------------------------

    @property
    def is_reprint(self) -> bool:
        return self.original is not None

    @property
    def published(self) -> str:
        """EDTF date of the publication cited: the reprint's issue for a reprint, else the
        article's own date."""
        return self.issue_date if self.is_reprint else self.date

    @property
    def date_parts(self) -> list[int]:
        """[year, month, day] of the article's own date (first date of a range)."""
        return date_parts(self.date)

    @property
    def published_parts(self) -> list[int]:
        """[year, month, day] of the publication cited (the reprint's, for a reprint)."""
        return date_parts(self.published)

    def highwire_date(self) -> str:
        """``citation_publication_date`` (Google Scholar): YYYY/MM/DD, YYYY/MM or YYYY of
        the publication cited; empty when it has no date, so no date is claimed."""
        return "/".join(f"{p:02d}" if i else str(p) for i, p in enumerate(self.published_parts))

    def dublin_core(self) -> list[tuple[str, str]]:
        """Dublin Core meta tags beside the Highwire ones: the article's own date when it
        differs from the publication's, and the original appearance of a reprint."""
        tags = []
        if self.is_reprint:
            tags.append(("DC.source", self.original.words()))
            iso = edtf_iso8601(self.original.date or self.date)
            if iso:
                tags.append(("DCTERMS.created", iso))
        iso = edtf_iso8601(self.published)
        if iso:
            tags.append(("DCTERMS.issued", iso))
        return tags

    @property
    def types(self) -> tuple[str, str, str, str]:
        return _TYPES.get(self.publication_kind, _DEFAULT_TYPE)

    def key(self) -> str:
        """BibTeX key: first author's family name, year, first title word, ASCII."""
        first = self.authors[0] if self.authors else None
        who = (first.family or first.literal) if first else "anon"
        year = str(self.date_parts[0]) if self.date_parts else "nd"
        word = next((w for w in fold(self.title).split() if len(w) > 3), "article")
        return re.sub(r"[^a-z0-9]", "", f"{fold(who)}{year}{word}") or f"article{self.id}"

    def container(self) -> str:
        """ "Labour Focus on Eastern Europe 11, no. 1", "Workers’ Liberty, issue of c. 2009"
        (the issue's name only when it has neither volume nor number)."""
        text = self.container_title
        if self.volume:
            text += f" {self.volume}"
        if self.issue:
            text += f", no. {self.issue}"
        if self.issue_title:
            text += f", {self.issue_title}"
        return text

    def reprint_note(self) -> str:
        """ "First published in Socialist Organiser, August 1991. Reprinted in Workers’
        Liberty, issue of c. 2009." (empty for an article that is not a reprint)."""
        if not self.is_reprint:
            return ""
        reprint = f"Reprinted in {self.container()}"
        when = edtf_display(self.issue_date)
        if not when:
            reprint += " (n.d.)"
        elif when not in reprint:  # "issue of c. 2009" already says when
            reprint += f" ({when})"
        if self.pages:
            reprint += f", {_pages_words(self.pages)}"
        first = self.original.words()
        return f"{first}{'' if first.endswith('.') else '.'} {reprint}."

    # -- formats -------------------------------------------------------------------------------

    def as_text(self) -> str:
        """Chicago-style note: Authors. “Title.” Container vol, no. (Date): pages. URL.
        A reprint: Authors. “Title.” First published in …, date. Reprinted in …, date."""
        parts = []
        if self.authors:
            names = [self.authors[0].inverted()] + [a.natural() for a in self.authors[1:]]
            joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + ", and " + names[-1]
            parts.append(joined.rstrip(".") + ".")
        parts.append(f"“{self.title.rstrip('.')}.”")
        if self.is_reprint:
            parts.append(self.reprint_note())
        else:
            container = self.container_title
            if self.volume:
                container += f" {self.volume}"
            if self.issue:
                container += f", no. {self.issue}"
            when = edtf_display(self.date)
            if not when:
                container += " (n.d.)"  # undated: say so rather than borrow the issue's date
            else:
                container += f" ({when})"
            if self.pages:
                container += f": {self.pages}"
            parts.append(container + ".")
        if self.translators:
            parts.append("Translated by " + ", ".join(t.natural() for t in self.translators) + ".")
        if self.url:
            parts.append(self.url + ".")
        if self.release is not None:  # version-pinned: the release and its checksum
            parts.append(self.release.note())
        return " ".join(parts)

    def as_bibtex(self) -> str:
        """A BibTeX entry for the publication cited (for a reprint: the reprinting issue,
        its year and pages), the original appearance in ``note`` and, for biblatex,
        ``origdate``."""
        entry = self.types[2]
        container_field = "journal" if entry == "article" else "booktitle"
        fields: list[tuple[str, str]] = []
        if self.authors:
            fields.append(("author", " and ".join(_bib_name(a) for a in self.authors)))
        if self.editors:
            fields.append(("editor", " and ".join(_bib_name(a) for a in self.editors)))
        fields.append(("title", "{" + _bib_escape(self.title) + "}"))
        fields.append((container_field, _bib_escape(self.container_title)))
        parts = self.published_parts
        if parts:
            fields.append(("year", str(parts[0])))
        if len(parts) > 1:
            fields.append(("month", _MONTHS[parts[1] - 1]))
        for name, value in (("volume", self.volume), ("number", self.issue)):
            if value:
                fields.append((name, _bib_escape(value)))
        if self.pages:
            fields.append(("pages", _bib_escape(self.pages.replace("–", "--"))))
        for name, value in (
            ("publisher", self.publisher), ("address", self.publisher_place),
            ("issn", self.issn), ("language", self.language), ("url", self.url),
        ):  # fmt: skip
            if value:
                fields.append((name, value if name == "url" else _bib_escape(value)))
        if self.is_reprint:
            fields.append(("note", _bib_escape(self.reprint_note())))
            original_date = self.original.date or self.date
            if edtf_iso8601(original_date):
                fields.append(("origdate", edtf_iso8601(original_date)))
        elif _approximate(self.published):
            fields.append(("note", f"Date approximate: {edtf_display(self.published)}."))
        lines = [f"@{entry}{{{self.key()},"]
        for name, value in fields:
            bare = name == "month"
            lines.append(f"  {name} = {value if bare else '{' + value + '}'},")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def as_ris(self) -> str:
        """RIS for the publication cited; a reprint's original appearance in ``OP``
        (original publication) and ``N1`` (note)."""
        lines = [("TY", self.types[0])]
        lines += [("AU", a.inverted()) for a in self.authors]
        lines += [("A3", e.inverted()) for e in self.editors]
        lines += [("A4", t.inverted()) for t in self.translators]
        lines.append(("TI", self.title))
        lines.append(("T2", self.container_title))
        parts = self.published_parts
        if parts:
            lines.append(("PY", str(parts[0])))
            lines.append(("DA", "/".join(f"{p:02d}" for p in parts) + ("/" * (4 - len(parts)))))
        for tag, value in (("VL", self.volume), ("IS", self.issue)):
            if value:
                lines.append((tag, value))
        if self.pages:
            start, _, end = self.pages.replace("—", "–").partition("–")
            lines.append(("SP", start.strip()))
            if end.strip():
                lines.append(("EP", end.strip()))
        for tag, value in (
            ("PB", self.publisher), ("CY", self.publisher_place), ("SN", self.issn),
            ("LA", self.language), ("UR", self.url),
        ):  # fmt: skip
            if value:
                lines.append((tag, value))
        if self.is_reprint:
            lines.append(("OP", self.original.words()))
            lines.append(("N1", self.reprint_note()))
        lines.append(("ER", ""))
        return "".join(f"{tag}  - {value}".rstrip() + "\r\n" for tag, value in lines)

    def as_csl(self) -> dict[str, Any]:
        """One CSL-JSON item (a CSL-JSON document is a list of these). ``issued`` is the
        publication cited; a reprint has ``original-title``, ``original-date`` and
        ``original-publisher`` (the publication it first appeared in) and a ``note``."""
        item: dict[str, Any] = {
            "id": f"article-{self.id}",
            "type": self.types[1],
            "title": self.title,
            "container-title": self.container_title,
        }
        for role, names in (("author", self.authors), ("editor", self.editors),
                            ("translator", self.translators)):  # fmt: skip
            if names:
                item[role] = [_csl_name(n) for n in names]
        issued = _csl_date(self.published)
        if issued:
            item["issued"] = issued
        for key, value in (
            ("volume", self.volume), ("issue", self.issue), ("page", self.pages),
            ("publisher", self.publisher), ("publisher-place", self.publisher_place),
            ("ISSN", self.issn), ("language", self.language), ("URL", self.url),
        ):  # fmt: skip
            if value:
                item[key] = value
        if self.is_reprint:
            item["original-title"] = self.title
            if self.original.container_title:
                item["original-publisher"] = self.original.container_title
            original_date = _csl_date(self.original.date or self.date)
            if original_date:
                item["original-date"] = original_date
            item["note"] = self.reprint_note()
        return item

    def as_csl_json(self) -> str:
        return json.dumps([self.as_csl()], ensure_ascii=False, indent=2)


def _release_for(article):
    from archive.datasets.citing import release_for

    return release_for("articles", article.pk)


def original_appearance(article) -> Original | None:
    """Where ``article`` first appeared, if it is a reprint, in a citation's words; ``None``
    otherwise. The rule is the model's (``Article.first_appearance``); this only labels it."""
    first = article.first_appearance()
    if first is None:
        return None
    if not first.recorded:
        return Original(date=first.date, how="dated")
    return Original(
        container_title=first.publication.title if first.publication else "",
        issue=issue_label(first.issue, capital=False) if first.issue else "",
        date=first.date,
    )


def _pages_words(pages: str) -> str:
    return f"pp. {pages}" if any(c in pages for c in "–-—,") else f"p. {pages}"


def _csl_date(value: str) -> dict[str, Any] | None:
    parts = date_parts(value)
    if not parts:
        return None
    date: dict[str, Any] = {"date-parts": [parts]}
    if _approximate(value):
        date["circa"] = True
    return date


def _bib_escape(text: str) -> str:
    return re.sub(r"([&%$#_{}])", r"\\\1", text)


def _bib_name(name: Name) -> str:
    return _bib_escape(name.inverted()) if name.family else "{" + _bib_escape(name.literal) + "}"


def _csl_name(name: Name) -> dict[str, str]:
    return (
        {"family": name.family, "given": name.given} if name.family else {"literal": name.literal}
    )


def _dated(data: dict[str, Any], edtf: str, *, iso_key: str = "datePublished") -> None:
    """Put a date in ``data`` twice: ISO 8601 (a date or an interval) under ``iso_key``
    for harvesters, and the EDTF itself under ``dateEDTF``. Nothing when it is empty."""
    if not edtf:
        return
    iso = edtf_iso8601(edtf)
    if iso:
        data[iso_key] = iso
    data["dateEDTF"] = edtf


def article_jsonld(article, *, url: str = "", mentions=None) -> dict[str, Any]:
    """schema.org description of an article for ``<script type="application/ld+json">``
    and the API's ``/jsonld/``. ``mentions``: public mentions (``Mention.objects.public()``,
    with targets) to list. Dates are ISO 8601 (``datePublished``: the publication cited,
    the reprint's for a reprint; ``dateCreated``: the article's own date when it differs),
    each with its EDTF in ``dateEDTF``; a reprint's first appearance is ``isBasedOn``.
    Authors are the article's public authorships."""
    citation = Citation.for_article(article, url=url)
    issue = article.issue
    publication = issue.publication
    data: dict[str, Any] = {
        "@context": JSONLD_CONTEXT,
        "@type": citation.types[3],
        "headline": article.title[:110],
        "name": citation.title,
        "inLanguage": article.language,
        "wordCount": article.word_count,
    }
    if url:
        data["@id"] = url
        data["url"] = url
    authors = []
    for authorship in article.public_authorships:
        if authorship.role != "author":
            continue
        person = authorship.person
        author = {"@type": "Person", "name": person.name}
        if person.wikidata:
            author["sameAs"] = f"https://www.wikidata.org/wiki/{person.wikidata}"
        authors.append(author)
    if authors:
        data["author"] = authors
    if citation.is_reprint:
        # This text as published here (the reprint); its own date and first appearance.
        _dated(data, citation.issue_date)
        if edtf_iso8601(citation.date):
            data["dateCreated"] = edtf_iso8601(citation.date)
        original: dict[str, Any] = {"@type": "CreativeWork", "name": citation.title}
        if citation.original.container_title:
            original["isPartOf"] = {
                "@type": "Periodical",
                "name": citation.original.container_title,
            }
        _dated(original, citation.original.date or citation.date)
        original["description"] = citation.original.words()
        data["isBasedOn"] = original
    else:
        _dated(data, citation.date)
    if article.pages:
        data["pagination"] = article.pages
    periodical: dict[str, Any] = {"@type": "Periodical", "name": publication.title}
    if publication.issn:
        periodical["issn"] = publication.issn
    part: dict[str, Any] = {"@type": "PublicationIssue", "isPartOf": periodical}
    if issue.number:
        part["issueNumber"] = issue.number
    if citation.is_reprint:
        # The reprinting issue is dated: it is what the reader holds.
        _dated(part, issue.date)
        part["name"] = issue_label(issue)
    data["isPartOf"] = part
    if citation.publisher:
        data["publisher"] = {"@type": "Organization", "name": citation.publisher}
    if mentions:
        kinds = {"person": "Person", "organisation": "Organization", "place": "Place",
                 "event": "Event"}  # fmt: skip
        data["mentions"] = [
            {"@type": kinds[m.target_type], "name": getattr(m.target, "name", None)
             or m.target.title}
            for m in mentions
        ]  # fmt: skip
    return data


__all__ = ["JSONLD_CONTEXT", "Citation", "Name", "Original", "article_jsonld"]
