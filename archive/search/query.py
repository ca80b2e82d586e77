"""The search syntax readers know from web search engines, parsed once for both backends.

    solidarity strike        both words (AND)
    "martial law"            the phrase
    gdansk OR gdańsk         either
    -stalinism               without the word
    trotsk*                  words starting with "trotsk"

OR binds more loosely than AND (as in PostgreSQL's ``websearch_to_tsquery``): ``a b OR c``
means ``(a AND b) OR c``. Case and diacritics never matter: terms are folded with
:func:`archive.text.fold` ("Wałęsa" → "walesa"; ș and ş → s).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from archive.text import fold

MAX_QUERY_LENGTH = 500
MAX_TERMS = 32
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Term:
    """One leaf: a word, a phrase (several words in order) or a prefix."""

    words: tuple[str, ...]
    prefix: bool = False
    negated: bool = False
    quoted: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass
class Group:
    """Terms that must all hold (AND); negated terms must not."""

    terms: list[Term] = field(default_factory=list)

    @property
    def positive(self) -> list[Term]:
        return [t for t in self.terms if not t.negated]

    @property
    def negative(self) -> list[Term]:
        return [t for t in self.terms if t.negated]


@dataclass
class ParsedQuery:
    groups: list[Group]

    def __bool__(self) -> bool:
        return bool(self.groups)

    def positive_terms(self) -> list[Term]:
        return [t for g in self.groups for t in g.positive]

    def adjacent(self) -> ParsedQuery | None:
        """The query's words as phrases: for each group with two or more unquoted words
        (``workers' state``), one phrase of them in the order typed (``"workers state"``).
        An article matching it has the words standing together, and ranks above those
        where they stand apart. ``None`` when no group has two such words."""
        groups = []
        for group in self.groups:
            loose = [t for t in group.positive if not t.quoted and not t.prefix]
            if len(loose) >= 2:
                words = tuple(w for t in loose for w in t.words)
                groups.append(Group([Term(words, quoted=True)]))
        return ParsedQuery(groups) if groups else None


def parse(query: str) -> ParsedQuery:
    """Parse ``query``; groups with nothing positive (only exclusions) are dropped, since an
    exclusion alone would match almost the whole archive."""
    query = (query or "")[:MAX_QUERY_LENGTH]
    groups: list[Group] = [Group()]
    count = 0
    for m in _TOKEN.finditer(query):
        neg_phrase, phrase, bare = m.group(1), m.group(2), m.group(3)
        if bare is not None and bare.lower() == "or":
            if groups[-1].terms:
                groups.append(Group())
            continue
        if bare is not None:
            negated = bare.startswith("-") and len(bare) > 1
            raw = bare[1:] if negated else bare
            prefix = raw.endswith("*")
            words = tuple(_WORD.findall(fold(raw)))
            if not words:
                continue
            term = Term(words, prefix=prefix, negated=negated)
        else:
            words = tuple(_WORD.findall(fold(phrase or "")))
            if not words:
                continue
            term = Term(words, prefix=False, negated=bool(neg_phrase), quoted=True)
        count += 1
        if count > MAX_TERMS:
            break
        groups[-1].terms.append(term)
    return ParsedQuery([g for g in groups if g.positive])


def _fts5_term(term: Term) -> str:
    quoted = '"' + " ".join(term.words).replace('"', '""') + '"'
    return f"{quoted} *" if term.prefix else quoted


def to_fts5(parsed: ParsedQuery) -> str:
    """An SQLite FTS5 MATCH expression (the indexed text is folded the same way)."""
    parts = []
    for group in parsed.groups:
        expr = " AND ".join(_fts5_term(t) for t in group.positive)
        if group.negative:
            expr = f"({expr}) NOT ({' OR '.join(_fts5_term(t) for t in group.negative)})"
        parts.append(f"({expr})")
    return " OR ".join(parts)


def to_tsquery_sql(parsed: ParsedQuery, config: str) -> tuple[str, list[str]]:
    """A PostgreSQL tsquery expression and its parameters.

    Words and phrases go through ``websearch_to_tsquery`` (quoted, so they are one phrase),
    prefixes through ``to_tsquery(... ':*')`` with the word reduced to letters and digits
    (and not stemmed: see ``leaf``), so no user text is ever parsed as tsquery syntax. All
    are immutable functions with constant arguments, so PostgreSQL folds the whole
    expression once per query.
    """
    params: list[str] = []

    def leaf(term: Term) -> str:
        if term.prefix:
            # The prefix itself, unstemmed ('simple': the words are folded already), or the
            # word it is, stemmed: "revolution*" finds "revolutionary" (revolutionari) and
            # "revolution" (revolut). Stemmed as a prefix, "berli*" was 'ber':* (Bernstein,
            # Berth...) and "ceaus*" could not tell Ceaușescu from Ceaucescu's misprint.
            last = term.words[-1]
            params.extend([f"{last}:*", last])
            prefix = f"(to_tsquery('simple', %s) || to_tsquery('{config}', %s))"
            if len(term.words) == 1:
                return prefix
            params.insert(len(params) - 2, " <-> ".join(term.words[:-1]))
            return f"tsquery_phrase(to_tsquery('{config}', %s), {prefix})"
        params.append('"' + " ".join(term.words) + '"')
        return f"websearch_to_tsquery('{config}', %s)"

    groups = []
    for group in parsed.groups:
        expr = " && ".join(leaf(t) for t in group.positive)
        for t in group.negative:
            expr = f"({expr}) && !!({leaf(t)})"
        groups.append(f"({expr})")
    return "(" + " || ".join(groups) + ")", params
