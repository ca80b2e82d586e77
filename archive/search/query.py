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

#: Words no search matches: PostgreSQL's English stop words (its ``english.stop``, the list
#: of the stemmer the ``archive_search`` configuration uses; a test compares them). Its
#: index leaves them out, so ``"the party"`` is ``party`` there and ``-what`` excludes
#: nothing. SQLite's index keeps every word, so the parser drops them for both engines
#: (:func:`parse`), and the two find the same articles.
STOP_WORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will
    just don should now""".split()  # noqa: SIM905 (kept in the order of PostgreSQL's file)
)


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
    """Terms that must all hold (AND); negated terms must not. ``loose``: the words of its
    unquoted positive words as typed, stop words included (for :meth:`ParsedQuery.adjacent`:
    "workers of the world" stand together with "of the" between them)."""

    terms: list[Term] = field(default_factory=list)
    loose: list[str] = field(default_factory=list)

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
                words = _strip_stop_words(tuple(group.loose))
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
            typed = tuple(_WORD.findall(fold(raw)))
            if typed and not negated and not prefix:
                groups[-1].loose.extend(typed)
            words = _strip_stop_words(typed, prefix)
            if not words:
                continue
            term = Term(words, prefix=prefix, negated=negated)
        else:
            words = _strip_stop_words(tuple(_WORD.findall(fold(phrase or ""))))
            if not words:
                continue
            term = Term(words, prefix=False, negated=bool(neg_phrase), quoted=True)
        count += 1
        if count > MAX_TERMS:
            break
        groups[-1].terms.append(term)
    return ParsedQuery([g for g in groups if g.positive])


def _strip_stop_words(words: tuple[str, ...], prefix: bool = False) -> tuple[str, ...]:
    """``words`` without the stop words at either end (a prefix's last word is a prefix,
    never a stop word); the ones inside a phrase stay, as places between its words."""
    last = len(words) - 1 if prefix else len(words)
    start = 0
    while start < last and words[start] in STOP_WORDS:
        start += 1
    end = len(words)
    while end > start and end - 1 < last and words[end - 1] in STOP_WORDS:
        end -= 1
    return words[start:end]


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
