"""The curated article sources in ``fixtures/sources/articles/``: reading and checking them.

Each file holds one unit of the seed pamphlet (the timeline, the introduction, a sidebar, an
article, the poem) as a curator published it: a small header, a line ``---``, then the clean
body. The header keeps what the printed page says (title, label, dateline as printed) apart
from what the curator decided (EDTF date, first publication, notes), and lists every repair
made to the extracted words, so that :func:`word_difference` can prove that nothing of the
source was lost on the way::

    title: Stalin’s system collapses
    label: 4
    kind: article
    dateline: August 1991
    date: 1991-08
    first-published-in: Socialist Organiser
    first-published-date: 1991-08
    source-lines: 1302-1492
    illustration: 29 | Boris Yeltsin
    repair: drop-cap | T he | The
    typo: “designed to achieved” (for “achieve”), kept
    note: Free text for the curator notes.
    ---
    The system Stalin built in the old Tsarist empire …

Keys that may repeat: ``illustration`` (``after-paragraph | caption``), ``repair``
(``kind | before | after``: the words as extracted and as published), ``typo`` and ``note``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

SEPARATOR = "---"
SINGLE_KEYS = (
    "title",
    "subtitle",
    "label",
    "kind",
    "dateline",
    "date",
    "first-published-in",
    "first-published-date",
    "pages",
    "source-lines",
)
REPEATED_KEYS = ("illustration", "repair", "typo", "note")
REPAIR_KINDS = ("hyphenation", "drop-cap", "lost-drop-cap", "compound", "paragraph", "other")

# Page furniture: the only words of the source that are dropped on purpose.
CONTINUATION = re.compile(r"Continued (?:on )?page \d+")
WORD = re.compile(r"\w+")


class SourceFormatError(ValueError):
    """An article source file does not follow the format; the message names file and line."""


@dataclass(frozen=True)
class Repair:
    kind: str
    before: str
    after: str


@dataclass(frozen=True)
class IllustrationSource:
    after_paragraph: int
    caption: str


@dataclass
class ArticleSource:
    """One curated unit, as read from its file."""

    path: Path
    title: str
    subtitle: str
    label: str
    kind: str
    dateline: str
    date: str
    first_published_in: str
    first_published_date: str
    pages: str
    source_ranges: list[tuple[int, int]]
    body: str
    illustrations: list[IllustrationSource] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)
    typos: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def slug_stem(self) -> str:
        """The file name without its reading-order number: ``07-lies-…`` → ``lies-…``."""
        return re.sub(r"^\d+-", "", self.path.stem)

    @property
    def paragraphs(self) -> list[str]:
        return self.body.split("\n\n")

    def raw_text(self, source_lines: list[str]) -> str:
        """The unit's lines exactly as extracted (1-based ranges, in source order)."""
        chunks = []
        for start, end in self.source_ranges:
            chunks.extend(source_lines[start - 1 : end])
        return "\n".join(chunks)

    def curator_notes(self) -> str:
        """Notes, typos kept and repairs, as one text for the record's curator notes."""
        parts = list(self.notes)
        if self.typos:
            parts.append("Source typos kept as printed: " + "; ".join(self.typos) + ".")
        counts = Counter(repair.kind for repair in self.repairs)
        if counts:
            parts.append(
                "Repairs of the extracted text: "
                + ", ".join(f"{kind} ×{counts[kind]}" for kind in sorted(counts))
                + " (listed in the article's source file)."
            )
        return "\n\n".join(parts)


def _parse_ranges(value: str, where: str) -> list[tuple[int, int]]:
    ranges = []
    for part in value.split(","):
        match = re.fullmatch(r"\s*(\d+)-(\d+)\s*", part)
        if not match or int(match.group(1)) > int(match.group(2)):
            raise SourceFormatError(f"{where}: source-lines must look like 12-40, 50-61")
        ranges.append((int(match.group(1)), int(match.group(2))))
    return ranges


def parse_article_source(path: Path) -> ArticleSource:
    """Read one article source file; raise :class:`SourceFormatError` naming the problem."""
    text = path.read_text(encoding="utf-8")
    header, sep, body = text.partition(f"\n{SEPARATOR}\n")
    if not sep:
        raise SourceFormatError(f"{path.name}: no '{SEPARATOR}' line between header and body")
    single: dict[str, str] = {}
    repeated: dict[str, list[str]] = {key: [] for key in REPEATED_KEYS}
    for number, line in enumerate(header.split("\n"), start=1):
        key, colon, value = line.partition(":")
        where = f"{path.name}, line {number}"
        if not colon:
            raise SourceFormatError(f"{where}: expected 'key: value'")
        key, value = key.strip(), value.strip()
        if key in REPEATED_KEYS:
            repeated[key].append(value)
        elif key in SINGLE_KEYS:
            if key in single:
                raise SourceFormatError(f"{where}: '{key}' given twice")
            single[key] = value
        else:
            raise SourceFormatError(f"{where}: unknown key '{key}'")
    missing = [key for key in ("title", "kind", "source-lines") if not single.get(key)]
    if missing:
        raise SourceFormatError(f"{path.name}: missing {', '.join(missing)}")
    illustrations = []
    for value in repeated["illustration"]:
        position, bar, caption = value.partition("|")
        if not bar or not position.strip().isdigit() or not caption.strip():
            raise SourceFormatError(f"{path.name}: illustration must be 'N | caption': {value}")
        illustrations.append(IllustrationSource(int(position), caption.strip()))
    repairs = []
    for value in repeated["repair"]:
        parts = [part.strip() for part in value.split("|")]
        if len(parts) != 3 or parts[0] not in REPAIR_KINDS:
            raise SourceFormatError(f"{path.name}: repair must be 'kind | before | after': {value}")
        repairs.append(Repair(*parts))
    return ArticleSource(
        path=path,
        title=single["title"],
        subtitle=single.get("subtitle", ""),
        label=single.get("label", ""),
        kind=single["kind"],
        dateline=single.get("dateline", ""),
        date=single.get("date", ""),
        first_published_in=single.get("first-published-in", ""),
        first_published_date=single.get("first-published-date", ""),
        pages=single.get("pages", ""),
        source_ranges=_parse_ranges(single["source-lines"], path.name),
        body=body.strip("\n"),
        illustrations=illustrations,
        repairs=repairs,
        typos=repeated["typo"],
        notes=repeated["note"],
    )


def read_article_sources(folder: Path) -> list[ArticleSource]:
    """Every unit in reading order (the order of the numbered file names)."""
    return [parse_article_source(path) for path in sorted(folder.glob("*.txt"))]


def words(text: str) -> Counter[str]:
    return Counter(WORD.findall(text))


def word_difference(unit: ArticleSource, source_lines: list[str]) -> tuple[Counter, Counter]:
    """Compare the words of the unit's source lines with the published unit.

    The source side drops page-continuation markers (page furniture) and applies the unit's
    documented repairs (each ``before`` becomes its ``after``); the published side is the
    title, subtitle, label, dateline, body and captions. Returns ``(lost, added)``: words of
    the source missing from the publication, and words the publication has that the source
    does not. Both are empty when nothing was lost and nothing undocumented was changed.
    """
    source = words(CONTINUATION.sub(" ", unit.raw_text(source_lines)))
    for repair in unit.repairs:
        source.subtract(words(repair.before))
        source.update(words(repair.after))
    published = words(
        "\n".join(
            # A label that repeats the title ("Timeline") was printed once.
            [unit.title, unit.subtitle, unit.dateline, unit.body]
            + ([unit.label] if unit.label != unit.title else [])
            + [illustration.caption for illustration in unit.illustrations]
        )
    )
    lost = +(source - published)
    added = +(published - source)
    return lost, added
