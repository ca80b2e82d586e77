"""Help for a search that finds nothing: "did you mean", names close to the query, and tips.

A reader who misspells a word, or narrows too far, should not meet a blank page. When a
search has no hits the page offers, in this order:

- **spelling**: for each query word that matches nothing in the archive, words of the
  archive's own vocabulary close to it (one edit away on both engines; beyond that
  ``pg_trgm`` similarity on PostgreSQL, ``difflib`` on SQLite), combined into corrected
  queries;
- **names**: people, organisations and places whose name or variant name is close to the
  query (:func:`archive.search.entities.match_entities`, folded names, public records), each
  with its page and a search for it;
- **fewer words** and **fewer filters**: the same search without one of its words, or
  without one of its filters.

Nothing is offered on faith: every suggested query is run first (with the page's own
parameters, through the same :class:`SearchParams` as the page) and shown only when it
finds articles, with how many. The vocabulary comes only from public articles
(``Article.objects.public()``), so a draft's words are never offered; and since every
suggestion is run before it is shown, even a word of an article unpublished since would
not be. The same vocabulary, built in Python, serves both engines (PostgreSQL's
``ts_stat`` over freshly parsed text was measured slower; its stored vectors hold stems,
not words to offer).
"""

from __future__ import annotations

import difflib
import itertools
import re
import string
from collections import Counter
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, router, transaction
from django.utils import timezone
from django.utils.http import urlencode

from archive.text import fold

from .entities import EntityMatch
from .params import SearchError, SearchParams
from .query import _TOKEN, STOP_WORDS, parse

__all__ = [
    "Help",
    "NameSuggestion",
    "Suggestion",
    "build_vocabulary",
    "close_words",
    "help_for",
    "vocabulary",
]

#: Vocabulary words: runs of letters (as the query parser splits words, digits left out),
#: at least this long. Shorter words are neither suggested nor corrected.
MIN_WORD = 3
_WORD = re.compile(r"\w+", re.UNICODE)
_LETTERS = re.compile(r"^[^\W\d_]+$", re.UNICODE)
#: Articles read to build the vocabulary: the first public ones by id. The seed collection
#: is far below it; a larger archive takes its vocabulary from these articles only (a few
#: seconds of reading, see docs/search.md), so a word found only in later ones goes
#: unsuggested, but no suggestion is ever wrong (each is run first).
VOCABULARY_ARTICLES = 5_000
#: Seconds a vocabulary is still used after the archive changed (see :func:`vocabulary`).
VOCABULARY_MAX_AGE = 600
#: Corrections tried per unmatched word, and corrected queries run at most.
PER_WORD = 3
MAX_SPELLING_TRIALS = 4
MAX_SUGGESTIONS = 3
#: Query words checked for matching (more are left as typed) and words or filters dropped
#: one at a time at most.
MAX_WORDS_CHECKED = 6
MAX_DROPS = 6
MAX_NAMES = 4
#: Beyond one edit: the least ``difflib`` ratio (SQLite) and trigram similarity
#: (PostgreSQL) for a vocabulary word to be offered.
DIFFLIB_CUTOFF = 0.8
TRIGRAM_CUTOFF = 0.5
_ALPHABET = string.ascii_lowercase


@dataclass
class Suggestion:
    """A search to try instead: its label (the words or what was dropped), its link (a
    query string for /search/) and how many articles it finds."""

    label: str
    query_string: str
    total: int
    exact: bool = True
    note: str = ""  # what was dropped ("without “strike”")

    @property
    def count_label(self) -> str:
        if not self.exact:
            return "many articles"
        return f"{self.total:,} article{'s' if self.total != 1 else ''}"


@dataclass
class NameSuggestion:
    """A person, organisation or place whose name is close to the query: its page, and a
    search for it when one finds articles."""

    match: EntityMatch
    search: Suggestion | None = None


@dataclass
class Help:
    """What the page offers when a search finds nothing."""

    #: No word to look for: only exclusions (``-trotsky``), stop words or punctuation.
    no_words: bool = False
    #: The stop words typed ("the", "of"), when they were all the query had to look for.
    too_common: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  # query words matching nothing
    spelling: list[Suggestion] = field(default_factory=list)
    names: list[NameSuggestion] = field(default_factory=list)
    fewer_words: list[Suggestion] = field(default_factory=list)
    fewer_filters: list[Suggestion] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.spelling or self.names or self.fewer_words or self.fewer_filters)


# --------------------------------------------------------------------------------------------
# The vocabulary


def _public_articles():
    """The public articles the vocabulary is read from: the first VOCABULARY_ARTICLES."""
    from archive.models import Article

    return Article.objects.public().order_by("pk")[:VOCABULARY_ARTICLES]


def _build_vocabulary() -> dict[str, int]:
    """Count each article's distinct raw words in C (``Counter.update`` of a set), then
    fold each distinct word once: folding or looking up every word in Python took four
    fifths of the time. Two spellings of one word in one article ("Wałęsa", "Walesa")
    count that article twice: a frequency only orders suggestions."""
    raw_counts: Counter[str] = Counter()
    rows = _public_articles().values_list("title", "subtitle", "body")
    for title, subtitle, body in rows.iterator(chunk_size=500):
        raw_counts.update(set(_WORD.findall(f"{title} {subtitle or ''} {body or ''}".lower())))
    counts: dict[str, int] = {}
    for raw, n in raw_counts.items():
        if len(raw) < MIN_WORD:
            continue
        for word in _WORD.findall(fold(raw)):
            if len(word) >= MIN_WORD and _LETTERS.match(word):
                counts[word] = counts.get(word, 0) + n
    return counts


#: Process-local copy of the stored vocabulary, keyed on its row's stamp (content version,
#: build time): reading the stamp is one small query, decoding 30,000 words on every
#: search is not.
_memo: dict[str, object] = {}


def vocabulary() -> dict[str, int]:
    """``{word: number of public articles containing it}``, folded as queries are.

    Built from public articles only (the visibility rule, ``Article.objects.public()``)
    and stored in one database row (:class:`~archive.models.SearchVocabulary`) with the
    content version it was built at, shared by every process. After a change it is rebuilt
    by the next search finding nothing, unless it is younger than ``VOCABULARY_MAX_AGE``
    seconds: a curator's afternoon of edits then costs one rebuild, not one per edit. While
    one process rebuilds it, the others keep using the one stored. A vocabulary a few minutes
    old may miss a new word or hold one of an article unpublished since; neither makes a
    suggestion wrong, as each is run (on public articles) first.
    With a task queue the rebuild is the worker's (:func:`archive.tasks.refresh_search_vocabulary`),
    queued by that search, which answers with the stored one; only the very first build
    (nothing stored yet) is made in a request.
    ``manage.py build_search_vocabulary`` builds it ahead of readers (after a deployment)."""
    from archive.caching import content_version
    from archive.models import SearchVocabulary

    stamp = SearchVocabulary.objects.filter(pk=1).values_list("content_version", "built_at").first()
    if stamp is None:
        return build_vocabulary(wait=True) or {}
    version = content_version()
    age = (timezone.now() - stamp[1]).total_seconds()
    if stamp[0] != version and age >= VOCABULARY_MAX_AGE and not _queued_rebuild(version):
        built = build_vocabulary(wait=False)
        if built is not None:
            return built
        # Queued for the worker, or another process is rebuilding it: the stored one serves.
    if _memo.get("stamp") != stamp:
        words = SearchVocabulary.objects.filter(pk=1).values_list("words", flat=True).first()
        if words is None:  # removed since the stamp was read
            return build_vocabulary(wait=True) or {}
        _memo.update(stamp=stamp, words=words)
    return _memo["words"]  # type: ignore[return-value]


def _queued_rebuild(version: int) -> bool:
    """With a task queue (``TASKS_BACKEND=database``), queue the rebuild for the worker, once
    per content version and ``VOCABULARY_MAX_AGE`` (a cache key says it was queued), and say
    so; inline (the default) queue nothing: the caller rebuilds it itself."""
    from django.core.cache import cache

    from archive import tasks
    from archive.caching import versioned_key

    if tasks.runs_inline():
        return False
    queued = versioned_key("vocabulary-queued", version)
    if cache.add(queued, True, VOCABULARY_MAX_AGE or None):
        tasks.refresh_search_vocabulary.enqueue()
    return True


def build_vocabulary(*, wait: bool = True) -> dict[str, int] | None:
    """Read the public articles' words and store them (:func:`vocabulary`); return them.

    One process builds at a time: the row is locked while the articles are read. With
    ``wait=False`` a process that finds it locked returns ``None`` at once (the stored
    vocabulary serves), instead of reading the same articles a second time."""
    from archive.caching import content_version
    from archive.models import SearchVocabulary

    using = router.db_for_write(SearchVocabulary)
    # The version first: a change while the articles are read leaves the vocabulary stale
    # (rebuilt later), never marked fresher than its words.
    version = content_version()
    try:
        with transaction.atomic(using=using):
            rows = SearchVocabulary.objects.using(using).filter(pk=1)
            locked = rows.select_for_update(skip_locked=not wait).exists()
            if not locked and not wait and rows.exists():
                return None  # locked by another process, which is building it
            words = _build_vocabulary()
            row, _ = SearchVocabulary.objects.using(using).update_or_create(
                pk=1,
                defaults={"content_version": version, "built_at": timezone.now(), "words": words},
            )
    except IntegrityError:  # two first builds at once: the other one's row stands
        return None if not wait else vocabulary()
    _memo.update(stamp=(row.content_version, row.built_at), words=words)
    return words


# --------------------------------------------------------------------------------------------
# Close words


def _one_edit(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion away."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _ALPHABET}
    inserts = {a + c + b for a, b in splits for c in _ALPHABET}
    return (deletes | transposes | replaces | inserts) - {word}


def _near_in_length(word: str, vocab: dict[str, int], spread: int = 2) -> list[str]:
    """Words of about the same length beginning with the same letter, or with the same
    second letter (a mistyped or swapped first letter): the few thousand worth comparing
    letter by letter, out of tens of thousands."""
    by_first, by_second = _letter_index(vocab)
    head = word[:2]
    shared = dict.fromkeys([*by_first.get(head[0], ()), *by_second.get(head[1:2], ())])
    return [w for w in shared if abs(len(w) - len(word)) <= spread and w != word]


def _letter_index(vocab: dict[str, int]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The vocabulary's words by first letter and by second letter, made once per
    vocabulary a process reads: looking through all its words for each unmatched word of
    each search took longer than the search."""
    if _memo.get("indexed") is not vocab:
        by_first: dict[str, list[str]] = {}
        by_second: dict[str, list[str]] = {}
        for w in vocab:
            by_first.setdefault(w[0], []).append(w)
            by_second.setdefault(w[1:2], []).append(w)
        _memo.update(indexed=vocab, index=(by_first, by_second))
    return _memo["index"]  # type: ignore[return-value]


def _similar_pg(word: str, candidates: list[str]) -> list[str]:
    """Trigram similarity (``pg_trgm``) of ``word`` to each candidate, best first."""
    if not candidates:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT w FROM unnest(%s::text[]) AS w WHERE similarity(w, %s) >= %s "
            "ORDER BY similarity(w, %s) DESC, w LIMIT %s",
            [candidates, word, TRIGRAM_CUTOFF, word, PER_WORD * 2],
        )
        return [row[0] for row in cursor.fetchall()]


def _similar_python(word: str, candidates: list[str]) -> list[str]:
    return difflib.get_close_matches(word, candidates, n=PER_WORD * 2, cutoff=DIFFLIB_CUTOFF)


def close_words(word: str, limit: int = PER_WORD, vocab: dict[str, int] | None = None) -> list[str]:
    """Words of the archive's vocabulary close to ``word`` (folded), best first: those one
    edit away (a letter dropped, doubled, swapped with its neighbour or mistyped), the most
    frequent first; only when there is none, those the engine finds similar (trigrams on
    PostgreSQL, difflib on SQLite), for words of five letters or more. A word too short or
    unlike any word of the archive gets none. ``vocab``: the :func:`vocabulary`, when the
    caller has it already (one read of its stamp per search, not one per word)."""
    word = fold(word)
    if len(word) < MIN_WORD:
        return []
    vocab = vocabulary() if vocab is None else vocab
    near = sorted(_one_edit(word) & vocab.keys(), key=lambda w: (-vocab[w], w))
    if not near and len(word) >= 5:
        others = _near_in_length(word, vocab)
        similar = _similar_pg if connection.vendor == "postgresql" else _similar_python
        near += [w for w in similar(word, others) if w not in near]
    return near[:limit]


# --------------------------------------------------------------------------------------------
# Running a variant of the page's search


def _variant(params: SearchParams, q: str | None, *without: str) -> list[tuple[str, str]]:
    """The page's parameters (but ``page``) with ``q`` replaced and ``without`` dropped."""
    pairs = [(n, v) for n, v in params.kept("q", *without)]
    return ([("q", q)] if q else []) + pairs


#: What each search tried while helping one page found, by its query string: the page's own
#: search (known to find nothing) and each variant, run once however many offers lead to it
#: (a single-word search's word is the whole search; a spelling fix may be a fewer-words).
_tried: ContextVar[dict[str, tuple[int, bool] | None] | None] = ContextVar("tried", default=None)


def _try(pairs: list[tuple[str, str]], label: str) -> Suggestion | None:
    """Run the search ``pairs`` describe, as the page would; a suggestion if it finds
    anything."""
    key = urlencode(pairs)
    tried = _tried.get()
    if tried is not None and key in tried:
        figures = tried[key]
        return Suggestion(label, key, *figures) if figures else None
    found = _run(pairs)
    if tried is not None:
        tried[key] = found
    return Suggestion(label, key, *found) if found else None


def _run(pairs: list[tuple[str, str]]) -> tuple[int, bool] | None:
    """The total (and whether it is exact) of the search ``pairs`` describe, run as the
    page runs it; ``None`` when it finds nothing."""
    data: dict[str, list[str]] = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    try:
        variant = SearchParams.from_query_dict(data)
    except SearchError:
        return None
    if not variant.query:
        return None
    variant.filterset.qs  # noqa: B018 - runs the engine, as the page does
    found = variant.filterset.found
    if found is None or not found.total:
        return None
    return found.total, found.exact


def _matches_anything(word: str) -> bool:
    """Whether ``word`` alone finds a public article (stemming included: "strikes" finds
    "strike" though the vocabulary holds only the latter)."""
    return _try([("q", word)], word) is not None


# --------------------------------------------------------------------------------------------
# The help


def _tokens(query: str) -> list[re.Match]:
    return list(_TOKEN.finditer(query))


def _is_operator(token: re.Match) -> bool:
    return token.group(3) is not None and token.group(3).lower() == "or"


def _unmatched_words(query: str, vocab: dict[str, int]) -> list[str]:
    """Folded words of the query's positive terms that match nothing in the archive."""
    words: list[str] = []
    for token in _tokens(query):
        bare = token.group(3)
        if _is_operator(token) or token.group(1) or (bare and bare.startswith("-")):
            continue  # exclusions never empty a search
        if bare and bare.endswith("*"):
            continue  # a prefix is not a word to correct
        for word in _WORD.findall(fold(token.group(0))):
            if len(word) >= MIN_WORD and word not in words:
                words.append(word)
    unmatched = []
    for word in words[:MAX_WORDS_CHECKED]:
        if word not in vocab and not _matches_anything(word):
            unmatched.append(word)
    return unmatched


def _replace(query: str, corrections: dict[str, str]) -> str:
    """``query`` with each word folding to a key of ``corrections`` replaced (its quotes,
    operators and the other words as typed; a capital kept)."""

    def swap(m: re.Match) -> str:
        raw = m.group(0)
        new = corrections.get(fold(raw))
        if new is None:
            return raw
        return new.capitalize() if raw[:1].isupper() else new

    return _WORD.sub(swap, query)


def _tidy(query: str) -> str:
    """``query`` once words were taken out of it: no empty phrase or bare ``-``, no OR left
    dangling (at either end, or doubled), single spaces."""
    kept: list[re.Match] = []
    for token in _tokens(query):
        if not _WORD.search(token.group(0)):
            continue
        if _is_operator(token) and (not kept or _is_operator(kept[-1])):
            continue
        kept.append(token)
    while kept and _is_operator(kept[-1]):
        kept.pop()
    return " ".join(t.group(0) for t in kept)


def _note(query: str, suggested: str, fixed: Iterable[str], filters: bool) -> str:
    """What a suggestion leaves out of the reader's search: words, and the filters."""
    left = set(_WORD.findall(fold(suggested)))
    missing = [
        w for w in dict.fromkeys(_WORD.findall(fold(query))) if w not in left and w not in fixed
    ]
    missing = [w for w in missing if w != "or"]
    parts = ["without " + ", ".join(f"“{w}”" for w in missing)] if missing else []
    return "; ".join(parts + (["without the filters"] if filters else []))


def _spelling(
    params: SearchParams, unmatched: list[str], vocab: dict[str, int]
) -> list[Suggestion]:
    """Corrected queries that find articles, best first. Each unmatched word with close
    words is corrected, one without any is left out; if that finds nothing, the
    corrections alone; then both without the page's filters."""
    options = {w: close_words(w, vocab=vocab) for w in unmatched}
    correctable = [w for w in unmatched if options[w]]
    if not correctable:
        return []
    dropped = {w: "" for w in unmatched if not options[w]}
    # Combinations in order of how far down each word's list they reach: the best first.
    combos = sorted(
        itertools.product(*[list(enumerate(options[w])) for w in correctable]),
        key=lambda combo: sum(i for i, _ in combo),
    )[:MAX_SPELLING_TRIALS]
    fixes = [dict(zip(correctable, (c for _, c in combo), strict=True)) for combo in combos]
    corrected = [_tidy(_replace(params.query, {**dropped, **fix})) for fix in fixes]
    alone = [" ".join(fix.values()) for fix in fixes[:2]]
    alone = [q for q in alone if q not in corrected]
    filters = list(dict.fromkeys(n for n, _ in params.kept("q", "ordering", "full_text")))
    stages = [(corrected, ()), (alone, ())]
    if filters:
        stages += [
            (corrected[:2], (*filters, "mentions_mode")),
            (alone, (*filters, "mentions_mode")),
        ]
    for queries, without in stages:
        found: list[Suggestion] = []
        for q in queries:
            suggestion = _try(_variant(params, q, *without), q)
            if suggestion and suggestion.query_string not in {s.query_string for s in found}:
                suggestion.note = _note(params.query, q, correctable, bool(without))
                found.append(suggestion)
            if len(found) >= MAX_SUGGESTIONS:
                break
        if found:
            return found
    return []


def _without(tokens: list[re.Match], dropped: re.Match) -> str:
    """The query's tokens but ``dropped``, with any OR left dangling (at either end, or
    doubled) removed too."""
    kept: list[re.Match] = []
    for token in tokens:
        if token is dropped or (_is_operator(token) and (not kept or _is_operator(kept[-1]))):
            continue
        kept.append(token)
    while kept and _is_operator(kept[-1]):
        kept.pop()
    return " ".join(t.group(0) for t in kept)


def _fewer_words(params: SearchParams) -> list[Suggestion]:
    """The query without one of its words, phrases or exclusions, for each that helps."""
    tokens = _tokens(params.query)
    terms = [t for t in tokens if not _is_operator(t)]
    if len(terms) < 2:
        return []
    found = []
    for token in terms[:MAX_DROPS]:
        q = _without(tokens, token)
        suggestion = _try(_variant(params, q), q)
        if suggestion:
            suggestion.note = f"without “{token.group(0)}”"
            found.append(suggestion)
    return found


#: How each filter reads in a tip ("without the filter person: Leon Trotsky").
FILTER_NAMES = {
    "publication": "publication",
    "issue": "issue",
    "kind": "kind",
    "language": "language",
    "author": "author",
    "has_author": "signed or unsigned",
    "person": "person",
    "organisation": "organisation",
    "place": "place",
    "event": "event",
    "date_after": "from",
    "date_before": "until",
    "year": "year",
    "decade": "decade",
    "undated": "undated",
    "word_count_min": "at least",
    "word_count_max": "at most",
}


def _filter_label(params: SearchParams, name: str) -> str:
    """A filter as a reader would say it: "person: Leon Trotsky", "decade: 1980s"."""
    from archive.dates import edtf_display
    from archive.models import Article
    from archive.words import issue_label, language_name

    values = [v for n, v in params.kept() if n == name]
    cleaned = params.data.get(name)
    words = values
    flt = params.filterset.filters.get(name)
    model = getattr(flt, "extra", {}).get("model") if flt is not None else None
    if model is not None and cleaned:
        records = model.objects.public().filter(pk__in=list(cleaned))
        if name == "issue":
            records = records.select_related("publication")
        words = [issue_label(r) if name == "issue" else str(r) for r in records]
    elif name == "kind":
        words = [str(Article.Kind(v).label).lower() for v in values if v in Article.Kind.values]
    elif name == "language":
        words = [language_name(v) for v in values]
    elif name == "decade":
        words = [f"{v}s" for v in values]
    elif name in ("date_after", "date_before"):
        words = [edtf_display(v) for v in values]
    elif name == "undated":
        return "undated only" if values and values[0].lower() == "true" else "dated only"
    elif name == "has_author":
        return "signed only" if values and values[0].lower() == "true" else "unsigned only"
    elif name.startswith("word_count"):
        return f"{FILTER_NAMES[name]} {values[0]} words" if values else name
    return f"{FILTER_NAMES.get(name, name)}: {', '.join(words or values)}"


ENTITY_FILTERS = ("person", "organisation", "place", "event")


def _fewer_filters(params: SearchParams) -> list[Suggestion]:
    """The search without one of its filters, for each that helps; and without any, when
    there are several and none alone is enough."""
    names = list(dict.fromkeys(n for n, _ in params.kept("q", "ordering", "full_text")))
    names = [n for n in names if n != "mentions_mode"]
    found = []
    for name in names[:MAX_DROPS]:
        # mentions_mode says how entity filters combine: without any left, it goes too.
        last_entity = [n for n in names if n in ENTITY_FILTERS] == [name]
        pairs = _variant(params, params.query, name, *(("mentions_mode",) if last_entity else ()))
        suggestion = _try(pairs, f"without the filter {_filter_label(params, name)}")
        if suggestion:
            found.append(suggestion)
    if len(names) > 1 and not found:
        suggestion = _try(_variant(params, params.query, *names, "mentions_mode"), "")
        if suggestion:
            suggestion.label = "without any filter"
            found.append(suggestion)
    return found


def _name_search(match: EntityMatch) -> Suggestion | None:
    """A search for the entity: its name as a phrase, else the variant that matched, else
    its longest word; the first that finds articles. Without the page's filters: the
    reader asked for a name, and the filters may be what emptied the page."""
    tries: list[str] = [f'"{match.name}"']
    if match.matched:
        tries.append(f'"{match.matched}"')
    longest = max(match.name.split(), key=len)
    if f'"{longest}"' not in tries:
        tries.append(longest)
    for q in tries:
        suggestion = _try([("q", q)], q.strip('"'))
        if suggestion:
            return suggestion
    return None


def help_for(params: SearchParams, entities: Iterable[EntityMatch] = ()) -> Help:
    """What to offer when ``params`` (the page's search) finds nothing: corrected spellings,
    close names (``entities``, the page's own name matches), fewer words, fewer filters.
    Every offer is a search that was run and found articles."""
    found = Help()
    if not params.query:
        return found
    if not parse(params.query):
        found.no_words = True
        typed = [fold(w) for w in re.findall(r"(?<!\S)(?!-)\S+", params.query)]
        words = [w for t in typed for w in re.findall(r"\w+", t)]
        found.too_common = list(dict.fromkeys(w for w in words if w in STOP_WORDS))
        return found
    vocab = vocabulary()
    token = _tried.set({urlencode(_variant(params, params.query)): None})
    try:
        found.unmatched = _unmatched_words(params.query, vocab)
        found.spelling = _spelling(params, found.unmatched, vocab)
        found.names = [NameSuggestion(m, _name_search(m)) for m in list(entities)[:MAX_NAMES]]
        found.fewer_words = _fewer_words(params)
        found.fewer_filters = _fewer_filters(params)
    finally:
        _tried.reset(token)
    return found
