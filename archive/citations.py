"""How to cite an article: plain text, BibTeX, RIS, CSL-JSON and schema.org JSON-LD.

One :class:`Citation` is built from an article (its issue, publication and public
authors) and rendered in every format, so the public page, its meta tags and the API's
``/api/articles/{id}/cite/`` agree on every detail. Who and what may be named follows the
model layer's visibility rule (``Article.public_authorships``, ``is_public()``), and the date
is the article's effective date (``Article.effective_date_rule``): a 1989 article reprinted
in 2009 is cited as 1989, and an undated one is cited without a date, never with the date of
the issue that reprinted it.

>>> citation = Citation.for_article(article, url="https://example.org/…")
>>> citation.as_text()
'Wałęsa, Lech. “Title.” Labour Focus on Eastern Europe 3, no. 1 (January 1990): 12–14. …'
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from archive.dates import edtf_display
from archive.models import Article
from archive.text import fold

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
    date: str = ""  # EDTF: the article's effective date
    date_source: str = ""  # Article.DateSource value: where ``date`` comes from
    pages: str = ""
    publisher: str = ""
    publisher_place: str = ""
    language: str = ""
    issn: str = ""
    url: str = ""
    word_count: int = 0
    keywords: tuple[str, ...] = field(default=())

    @classmethod
    def for_article(cls, article, *, url: str = "") -> Citation:
        """Build from an article: only public people and records are named, and the date is
        the article's effective date (empty when it is undated)."""
        issue = article.issue
        publication = issue.publication
        people: dict[str, list[Name]] = {"author": [], "editor": [], "translator": []}
        for authorship in article.public_authorships:
            people.setdefault(authorship.role, []).append(Name.from_person(authorship.person))
        publisher = publication.publisher
        place = publication.place
        title = article.title + (f": {article.subtitle}" if article.subtitle else "")
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
            date=article.effective_date,
            date_source=article.date_source,
            pages=article.pages,
            publisher=publisher.name if publisher and publisher.is_public() else "",
            publisher_place=place.name if place and place.is_public() else "",
            language=article.language,
            issn=publication.issn,
            url=url,
            word_count=article.word_count,
        )

    # -- helpers -----------------------------------------------------------------------------

    @property
    def date_parts(self) -> list[int]:
        """[year, month, day] as far as the EDTF date states them (first date of a range)."""
        match = _DATE.match(self.date or "")
        if not match:
            return []
        parts = [int(p) for p in match.groups() if p]
        if len(parts) > 1 and not 1 <= parts[1] <= 12:  # seasons (21-41) carry no month
            parts = parts[:1]
        return parts

    def highwire_date(self) -> str:
        """``citation_publication_date`` (Google Scholar): YYYY/MM/DD, YYYY/MM or YYYY;
        empty for an undated article, so no date is claimed."""
        return "/".join(f"{p:02d}" if i else str(p) for i, p in enumerate(self.date_parts))

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

    # -- formats -------------------------------------------------------------------------------

    def as_text(self) -> str:
        """Chicago-style note: Authors. “Title.” Container vol, no. (Date): pages. URL."""
        parts = []
        if self.authors:
            names = [self.authors[0].inverted()] + [a.natural() for a in self.authors[1:]]
            joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + ", and " + names[-1]
            parts.append(joined.rstrip(".") + ".")
        parts.append(f"“{self.title.rstrip('.')}.”")
        container = self.container_title
        if self.volume:
            container += f" {self.volume}"
        if self.issue:
            container += f", no. {self.issue}"
        when = edtf_display(self.date)
        if not when:
            container += " (n.d.)"  # undated: say so rather than borrow the issue's date
        elif self.date_source == Article.DateSource.FIRST_PUBLISHED:
            container += f" (first published {when})"
        else:
            container += f" ({when})"
        if self.pages:
            container += f": {self.pages}"
        parts.append(container + ".")
        if self.translators:
            parts.append("Translated by " + ", ".join(t.natural() for t in self.translators) + ".")
        if self.url:
            parts.append(self.url + ".")
        return " ".join(parts)

    def as_bibtex(self) -> str:
        entry = self.types[2]
        container_field = "journal" if entry == "article" else "booktitle"
        fields: list[tuple[str, str]] = []
        if self.authors:
            fields.append(("author", " and ".join(_bib_name(a) for a in self.authors)))
        if self.editors:
            fields.append(("editor", " and ".join(_bib_name(a) for a in self.editors)))
        fields.append(("title", "{" + _bib_escape(self.title) + "}"))
        fields.append((container_field, _bib_escape(self.container_title)))
        parts = self.date_parts
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
        lines = [f"@{entry}{{{self.key()},"]
        for name, value in fields:
            bare = name == "month"
            lines.append(f"  {name} = {value if bare else '{' + value + '}'},")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def as_ris(self) -> str:
        lines = [("TY", self.types[0])]
        lines += [("AU", a.inverted()) for a in self.authors]
        lines += [("A3", e.inverted()) for e in self.editors]
        lines += [("A4", t.inverted()) for t in self.translators]
        lines.append(("TI", self.title))
        lines.append(("T2", self.container_title))
        parts = self.date_parts
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
        lines.append(("ER", ""))
        return "".join(f"{tag}  - {value}".rstrip() + "\r\n" for tag, value in lines)

    def as_csl(self) -> dict[str, Any]:
        """One CSL-JSON item (a CSL-JSON document is a list of these)."""
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
        if self.date_parts:
            item["issued"] = {"date-parts": [self.date_parts]}
        for key, value in (
            ("volume", self.volume), ("issue", self.issue), ("page", self.pages),
            ("publisher", self.publisher), ("publisher-place", self.publisher_place),
            ("ISSN", self.issn), ("language", self.language), ("URL", self.url),
        ):  # fmt: skip
            if value:
                item[key] = value
        return item

    def as_csl_json(self) -> str:
        return json.dumps([self.as_csl()], ensure_ascii=False, indent=2)


def _bib_escape(text: str) -> str:
    return re.sub(r"([&%$#_{}])", r"\\\1", text)


def _bib_name(name: Name) -> str:
    return _bib_escape(name.inverted()) if name.family else "{" + _bib_escape(name.literal) + "}"


def _csl_name(name: Name) -> dict[str, str]:
    return (
        {"family": name.family, "given": name.given} if name.family else {"literal": name.literal}
    )


def article_jsonld(article, *, url: str = "", mentions=None) -> dict[str, Any]:
    """schema.org description of an article for ``<script type="application/ld+json">``
    and the API's ``/jsonld/``. ``mentions``: public mentions (``Mention.objects.public()``,
    with targets) to list. ``datePublished`` is the article's effective date, absent when
    undated; authors are the article's public authorships."""
    citation = Citation.for_article(article, url=url)
    issue = article.issue
    publication = issue.publication
    data: dict[str, Any] = {
        "@context": "https://schema.org",
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
    if citation.date_parts:
        data["datePublished"] = "-".join(
            f"{p:04d}" if i == 0 else f"{p:02d}" for i, p in enumerate(citation.date_parts)
        )
    if article.pages:
        data["pagination"] = article.pages
    periodical: dict[str, Any] = {"@type": "Periodical", "name": publication.title}
    if publication.issn:
        periodical["issn"] = publication.issn
    part: dict[str, Any] = {"@type": "PublicationIssue", "isPartOf": periodical}
    if issue.number:
        part["issueNumber"] = issue.number
    # No date on the issue part: the document states one date, the article's own (a reader
    # taking the 2009 of a reprinting pamphlet for a 1989 article's date is the error).
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


__all__ = ["Citation", "Name", "article_jsonld"]
