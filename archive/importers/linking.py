"""Entity linking: find the people, organisations and places a text names.

Stable API (used by the importer, the admin and the curated-fixture checks)::

    index = NameIndex.from_database()            # or NameIndex.from_entries([...])
    hits = find_mentions(text, index)            # list[MentionHit], in text order
    summaries = summarise(hits, text)            # one MentionSummary per target
    candidates = find_candidates(text, hits)     # capitalised names matching nothing known
    report = link_article(article, index)        # creates/updates Mention rows

Rules, in the order they apply:

* **Folding.** Text and names are compared through :func:`archive.text.fold`, so case,
  diacritics and typographic apostrophes don't matter ("Solidarnosc" = "Solidarność",
  "Trotsky’s" = "Trotsky's"). Offsets always point into the original text.
* **Word boundaries.** Matching is over whole words: "Stalin" never matches inside
  "Stalinism"; a possessive ("Gorbachev’s") matches its name because ’s is a separate word.
  Words of a multi-word name must be separated as in the name (spaces and line breaks count
  as one space), so "Socialist. Organiser" is not "Socialist Organiser".
* **Whole proper-noun phrases.** A name matches only where it is capitalised as the name is
  ("militant" is not "Militant"; an acronym such as "US" only in capitals), and not inside a
  longer capitalised name: a capitalised word right next to it ("Central America",
  "Patricia Ireland") extends the name, unless it is a title ("President"), a common word
  opening the sentence ("In Poland"), or a word of the same entity's other names. Dotted
  abbreviations are one word: "U.S." = "US".
* **Longest match wins.** At each word the longest known name is taken and its words are
  consumed: "Socialist Organiser" is one hit, never also "Socialist".
* **Ambiguity.** A hit is *ambiguous* when its name belongs to more than one entity (two
  people called "Kautsky"; a person and a place, "Georgia", is said so), when an entry is
  marked ambiguous, or when a one-word name is a common English word ("Us") or a word the
  text itself also uses in lower case ("Outlook" in a text about the outlook).
* **Flagged mentions.** A Mention needs exactly one target, so an ambiguous hit produces one
  *flagged* Mention per candidate entity; the curator confirms the right one and rejects the
  others. A target that also has an unambiguous hit in the same text is linked normally.
* **Curators win.** :func:`link_article` never changes or deletes a Mention a curator
  confirmed or rejected; it refreshes automatic and flagged ones and removes automatic or
  flagged ones whose target no longer occurs.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from django.db import transaction

from archive.text import fold

from .words import is_common_word

TARGET_TYPES = ("person", "organisation", "place", "event")
CONTEXT_CHARS = 160


@dataclass(frozen=True, order=True)
class Target:
    """One entity: its type ("person", "organisation", "place", "event") and primary key."""

    type: str
    id: int


@dataclass(frozen=True)
class NameEntry:
    """One name by which one entity is known: its primary name, an alias or an acronym."""

    name: str
    target: Target
    label: str = ""
    ambiguous: bool = False


@dataclass(frozen=True)
class MentionHit:
    """One occurrence of a known name in the text."""

    start: int  # offset of the first character in the original text
    end: int  # offset after the last character
    text: str  # as printed, e.g. "Gorbachev" (the possessive ’s is not part of it)
    key: str  # the folded name that matched
    candidates: tuple[Target, ...]
    reason: str = ""  # why it is ambiguous, empty when it is not

    @property
    def ambiguous(self) -> bool:
        return bool(self.reason)


@dataclass
class MentionSummary:
    """All hits of one target in one text: what a Mention row stores."""

    target: Target
    label: str
    count: int
    first_offset: int
    context: str
    flagged: bool
    forms: list[str] = field(default_factory=list)  # distinct spellings as printed
    reason: str = ""


@dataclass
class LinkReport:
    """What :func:`link_article` did, for the import report."""

    created: list[MentionSummary] = field(default_factory=list)
    updated: list[MentionSummary] = field(default_factory=list)
    kept: list[Target] = field(default_factory=list)  # curator-confirmed/rejected, untouched
    removed: list[Target] = field(default_factory=list)
    summaries: list[MentionSummary] = field(default_factory=list)
    candidates: list[tuple[str, int]] = field(default_factory=list)
    candidate_contexts: dict[str, str] = field(default_factory=dict)  # name → first context

    @property
    def flagged(self) -> list[MentionSummary]:
        return [s for s in self.summaries if s.flagged]

    @property
    def linked(self) -> list[MentionSummary]:
        return [s for s in self.summaries if not s.flagged]


_TOKEN = re.compile(r"[^\W_]+")


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch.isspace():
        return " "
    return fold(ch)


_DOTTED = re.compile(r"(?<![\w.])((?:[^\W\d_]\.){2,})")


def _undot(folded: str) -> str:
    """ "u.s. policy" → "us   policy": a dotted abbreviation as one word, offsets kept."""
    return _DOTTED.sub(lambda m: m.group().replace(".", "") + " " * m.group().count("."), folded)


def _fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` character by character, remembering each folded char's source offset.

    Dotted abbreviations become one word ("U.S." = "US"); the folded text keeps one
    character per offset so offsets still point into ``text``.
    """
    parts: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        parts.append(folded)
        offsets.extend([i] * len(folded))
    offsets.append(len(text))
    folded = "".join(parts)
    for m in _DOTTED.finditer(folded):
        a, b = m.span()
        letters = [k for k in range(a, b) if folded[k] != "."]
        dots = [k for k in range(a, b) if folded[k] == "."]
        offsets[a:b] = [offsets[k] for k in letters] + [offsets[k] for k in dots]
    return _undot(folded), offsets


def _separator(raw: str) -> str:
    return re.sub(r"\s+", " ", raw)


def _name_shape(name: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """A name's folded words and the separators between them (None if it has no words)."""
    folded = _undot(fold(name))
    tokens = list(_TOKEN.finditer(folded))
    if not tokens:
        return None
    words = tuple(t.group() for t in tokens)
    seps = tuple(_separator(folded[a.end() : b.start()]) for a, b in pairwise(tokens))
    return words, seps


class NameIndex:
    """Every known name, keyed by folded word sequence, for fast longest-match lookup."""

    def __init__(self, entries: Iterable[NameEntry]):
        self.entries: list[NameEntry] = list(entries)
        self.labels: dict[Target, str] = {}
        # (words, seps) -> set of targets; first word -> shapes, longest first
        self._targets: dict[tuple, set[Target]] = defaultdict(set)
        self._marked: set[tuple] = set()
        self._case: dict[tuple, tuple] = {}
        self._words: dict[Target, set[str]] = defaultdict(set)
        self._by_first: dict[str, list[tuple]] = defaultdict(list)
        for entry in self.entries:
            shape = _name_shape(entry.name)
            if shape is None:
                continue
            self.labels.setdefault(entry.target, entry.label or entry.name)
            if shape not in self._targets:
                self._by_first[shape[0][0]].append(shape)
            self._targets[shape].add(entry.target)
            self._case.setdefault(shape, _name_case(entry.name))
            self._words[entry.target].update(shape[0])
            if entry.ambiguous:
                self._marked.add(shape)
        for shapes in self._by_first.values():
            shapes.sort(key=lambda s: -len(s[0]))

    def __len__(self) -> int:
        return len(self.entries)

    @classmethod
    def from_entries(cls, entries: Iterable[NameEntry | tuple]) -> NameIndex:
        """Build from ``NameEntry`` objects or tuples ``(name, type, id[, label[, ambiguous]])``."""
        built = []
        for entry in entries:
            if isinstance(entry, NameEntry):
                built.append(entry)
                continue
            name, type_, id_, *rest = entry
            if type_ not in TARGET_TYPES:
                raise ValueError(f"Unknown target type {type_!r} for name {name!r}.")
            label = rest[0] if rest else name
            ambiguous = bool(rest[1]) if len(rest) > 1 else False
            built.append(NameEntry(name, Target(type_, int(id_)), label, ambiguous))
        return cls(built)

    @classmethod
    def from_database(cls) -> NameIndex:
        """Every person, organisation and place (any status) with its aliases and acronym.

        Drafts are included: the importer links against the whole catalogue so a curator can
        publish entity and article together.
        """
        from archive.models import Alias, Organisation, Person, Place

        entries: list[NameEntry] = []
        for model, type_ in ((Person, "person"), (Organisation, "organisation"), (Place, "place")):
            for pk, name in model.objects.values_list("pk", "name"):
                entries.append(NameEntry(name, Target(type_, pk), name))
        for pk, name, acronym in Organisation.objects.exclude(acronym="").values_list(
            "pk", "name", "acronym"
        ):
            entries.append(NameEntry(acronym, Target("organisation", pk), name))
        labels = {e.target: e.label for e in entries}
        for alias_name, person, org, place in Alias.objects.values_list(
            "name", "person_id", "organisation_id", "place_id"
        ):
            if person:
                target = Target("person", person)
            elif org:
                target = Target("organisation", org)
            else:
                target = Target("place", place)
            entries.append(NameEntry(alias_name, target, labels.get(target, alias_name)))
        return cls(entries)

    def label(self, target: Target) -> str:
        return self.labels.get(target, f"{target.type} {target.id}")

    def shapes_starting(self, word: str) -> list[tuple]:
        return self._by_first.get(word, [])

    def targets(self, shape: tuple) -> set[Target]:
        return self._targets[shape]

    def is_marked(self, shape: tuple) -> bool:
        return shape in self._marked

    def words_of(self, targets: Iterable[Target]) -> set[str]:
        """Every word of every name of these entities (folded)."""
        return {w for t in targets for w in self._words.get(t, ())}

    def case_of(self, shape: tuple) -> tuple:
        """For each word of the name: (capitalised, an acronym in capitals)."""
        return self._case.get(shape, ())


def _name_case(name: str) -> tuple[tuple[bool, bool], ...]:
    words = re.findall(r"[^\W_]+", _DOTTED.sub(lambda m: m.group().replace(".", ""), name))
    return tuple((w[:1].isupper(), len(w) > 1 and w.isupper()) for w in words)


def find_mentions(text: str, index: NameIndex) -> list[MentionHit]:
    """Every occurrence of a known name in ``text``, longest match first, in text order."""
    folded, offsets = _fold_with_offsets(text)
    tokens = list(_TOKEN.finditer(folded))
    words = [t.group() for t in tokens]
    # words the text itself uses as ordinary words: "militant" makes "Militant" doubtful
    lower_words = {fold(w) for w in re.findall(r"[^\W\d_]+", text) if w.islower()}
    hits: list[MentionHit] = []
    i = 0
    while i < len(tokens):
        matched = None
        for shape in index.shapes_starting(words[i]):
            name_words, seps = shape
            n = len(name_words)
            if tuple(words[i : i + n]) != name_words:
                continue
            if any(
                _separator(folded[tokens[i + k].end() : tokens[i + k + 1].start()]) != seps[k]
                for k in range(n - 1)
            ):
                continue
            matched = shape
            break
        if matched is None:
            i += 1
            continue
        n = len(matched[0])
        start = offsets[tokens[i].start()]
        end = offsets[tokens[i + n - 1].end() - 1] + 1
        if text[end : end + 1] == "." and re.fullmatch(r"(?:[^\W\d_]\.)+[^\W\d_]", text[start:end]):
            end += 1  # the last dot of "U.K."
        printed = text[start:end]
        own_words = index.words_of(index.targets(matched))
        if not _cased_as_name(printed, index.case_of(matched)) or _inside_longer_name(
            text, offsets, tokens, i, n, own_words
        ):
            i += n
            continue
        targets = index.targets(matched)
        reason = ""
        types = {t.type for t in targets}
        if len(targets) > 1 and {"person", "place"} <= types:
            reason = "a person and a place share this name"
        elif len(targets) > 1:
            reason = f"name shared by {len(targets)} entities"
        elif index.is_marked(matched):
            reason = "name marked ambiguous"
        elif n == 1 and is_common_word(matched[0][0]):
            reason = "a common word as well as a name"
        elif n == 1 and matched[0][0] in lower_words:
            reason = "a word this text also uses in lower case"
        hits.append(MentionHit(start, end, printed, " ".join(matched[0]), tuple(sorted(targets))))
        if reason:
            hits[-1] = MentionHit(start, end, printed, hits[-1].key, hits[-1].candidates, reason)
        i += n
    return hits


#: Words that stand before a name without being part of it ("President Lincoln").
TITLES = {
    "mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "president", "premier",
    "minister", "chancellor", "senator", "governor", "general", "colonel", "captain",
    "comrade", "king", "queen", "prince", "princess", "pope", "cardinal", "bishop", "father",
    "rev", "reverend", "professor", "prof", "judge", "chairman", "secretary", "st", "saint",
    "tsar", "czar", "tsarina", "emperor", "empress", "marshal", "ayatollah", "sheikh",
}  # fmt: skip


def _cased_as_name(printed: str, case: tuple[bool, ...]) -> bool:
    """The printed words are capitalised where the name's are: "militant" is not "Militant",
    and an acronym ("US") matches only in capitals ("us", "Us" are words)."""
    words = re.findall(r"[^\W_]+", _DOTTED.sub(lambda m: m.group().replace(".", ""), printed))
    for word, (capital, acronym) in zip(words, case, strict=False):
        if acronym and not word.isupper():
            return False
        if capital and not word[:1].isupper():
            return False
    return True


def _inside_longer_name(
    text: str, offsets: list[int], tokens: list, i: int, n: int, own_words: set[str]
) -> bool:
    """Whether the words i..i+n are part of a longer capitalised name in the text.

    "Central America" is not a mention of America, nor "Patricia Ireland" of Ireland: a
    capitalised word right next to the name (only a space between) extends it, unless it
    is a title ("President"), opens the sentence and is a common word ("In Poland"), or is
    a word of another name of the same entity (a first name before a surname).
    Text set all in capitals says nothing about names.
    """
    first = text[offsets[tokens[i].start()] : offsets[tokens[i].end() - 1] + 1]
    if first.isupper() and len(first) > 1:
        return False

    def word_at(k: int) -> str:
        return text[offsets[tokens[k].start()] : offsets[tokens[k].end() - 1] + 1]

    def only_space(a: int, b: int) -> bool:  # between the end of token a and start of b
        gap = text[offsets[tokens[a].end() - 1] + 1 : offsets[tokens[b].start()]]
        return bool(gap) and gap.isspace()

    def _continues_with_of(last: int) -> bool:
        return (
            last + 2 < len(tokens)
            and fold(word_at(last + 1)) == "of"
            and word_at(last + 2)[:1].isupper()
        )

    if i > 0 and only_space(i - 1, i):
        before = word_at(i - 1)
        if before[:1].isupper() and not before.isupper():
            opens_sentence = i - 1 == 0 or re.search(
                r"[.!?:“\"‘]\s*$", text[: offsets[tokens[i - 1].start()]]
            )
            if (
                fold(before) not in TITLES
                and fold(before) not in own_words
                and not (opens_sentence and is_common_word(before))
                # a people's or a creed's adjective qualifies a name without being part of
                # it ("Stalinist Russia", "Republican Spain"), unless the phrase goes on with
                # "of" and a capital: "a Socialist United States of Europe" is another name
                and not (_is_adjective(before) and not _continues_with_of(i + n - 1))
            ):
                return True
    last = i + n - 1
    if last + 1 < len(tokens) and only_space(last, last + 1):
        after = word_at(last + 1)
        if (
            after[:1].isupper()
            and not after.isupper()
            and not is_common_word(after)
            and fold(after) not in own_words
        ):
            return True
    return False


def context_around(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> str:
    """About ``width`` characters of ``text`` around ``start:end``, cut at word boundaries."""
    half = max(0, (width - (end - start)) // 2)
    left, right = max(0, start - half), min(len(text), end + half)
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space != -1 else right
    snippet = re.sub(r"\s+", " ", text[left:right]).strip()
    return ("…" if left > 0 else "") + snippet + ("…" if right < len(text) else "")


def summarise(hits: list[MentionHit], text: str, index: NameIndex | None = None) -> list:
    """Group hits by target: count, first offset, context and whether it must be reviewed.

    A target is flagged only if *every* hit naming it was ambiguous.
    """
    grouped: dict[Target, list[MentionHit]] = defaultdict(list)
    for hit in hits:
        for target in hit.candidates:
            grouped[target].append(hit)
    summaries = []
    for target, target_hits in grouped.items():
        first = target_hits[0]
        clear = [h for h in target_hits if not h.ambiguous]
        summaries.append(
            MentionSummary(
                target=target,
                label=index.label(target) if index else "",
                count=len(target_hits),
                first_offset=first.start,
                context=context_around(text, first.start, first.end)[:500],
                flagged=not clear,
                forms=sorted({h.text for h in target_hits}),
                reason="" if clear else first.reason,
            )
        )
    summaries.sort(key=lambda s: (s.first_offset, s.target))
    return summaries


_CAPITALISED = re.compile(
    r"\b[A-Z][\w’'\-]*[a-z][\w’'\-]*(?:\s+(?:(?:of|the|de|von|van|der|la|le|y)\s+)?"
    r"[A-Z][\w’'\-]*[a-z][\w’'\-]*)*"
)


@dataclass(frozen=True)
class Candidate:
    """An unknown name: how it is printed, how often, and where it first occurs."""

    name: str
    count: int
    context: str


#: Endings of words for peoples, creeds and followers ("Russian", "Stalinist", "Polish"):
#: capitalised in English but adjectives or common nouns, not names to add to the catalogue.
ADJECTIVE_ENDINGS = ("ist", "ists", "ism", "isms", "ian", "ians", "ican", "icans", "ese",
                     "ish", "ite", "ites", "ic", "ics")  # fmt: skip


def _is_adjective(word: str) -> bool:
    w = fold(word)
    return len(w) > 5 and w.endswith(ADJECTIVE_ENDINGS)


def find_candidates(
    text: str, hits: list[MentionHit], *, with_context: bool = False
) -> list[tuple[str, int]] | list[Candidate]:
    """Proper-noun phrases that match nothing known, most frequent first.

    A candidate is a run of capitalised words (joined by "of", "the", "de"…) that overlaps no
    known name. Leading common words are dropped ("The Kremlin" → "Kremlin"), and so is a
    possessive ’s. Left out: single words that are adjectives or common nouns of peoples and
    creeds ("Stalinist", "Russian", "Polish"), single words the text also uses in lower case
    (a capital only at the start of a sentence), and function words. ``with_context`` gives
    :class:`Candidate` rows with the context of the first occurrence, else ``(name, count)``.
    """
    covered = [(h.start, h.end) for h in hits]
    lower = {fold(w) for w in re.findall(r"[^\W\d_]+", text) if w.islower()}
    counts: Counter[str] = Counter()
    first: dict[str, tuple[int, int]] = {}
    for match in _CAPITALISED.finditer(text):
        start, end = match.span()
        if any(s < end and start < e for s, e in covered):
            continue
        words = match.group().split()
        while words and is_common_word(re.sub(r"[’']s$", "", words[0])):
            words.pop(0)
        if not words:
            continue
        name = re.sub(r"[’']s$", "", " ".join(words)).strip("-’'")
        if len(words) == 1:
            if len(name) < 3 or name.lower() in _FUNCTION_WORDS:
                continue
            folded = fold(name)
            if _is_adjective(name) or {folded, folded.removesuffix("s")} & lower:
                continue
        counts[name] += 1
        first.setdefault(name, (match.start(), match.end()))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if not with_context:
        return ranked
    return [Candidate(name, n, context_around(text, *first[name])[:500]) for name, n in ranked]


_FUNCTION_WORDS = {
    "i", "mr", "mrs", "dr", "st", "january", "february", "march", "april", "june", "july",
    "august", "september", "october", "november", "december", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday", "sunday",
}  # fmt: skip


def link_article(article, index: NameIndex) -> LinkReport:
    """Create or refresh the Mention rows of ``article`` from its body.

    Offsets are into ``article.body``. Confirmed and rejected mentions are left exactly as
    they are; automatic and flagged ones are updated, created or removed to match the text.
    """
    from archive.models import Mention

    body = article.body or ""
    hits = find_mentions(body, index)
    report = LinkReport(summaries=summarise(hits, body, index))
    found = find_candidates(body, hits, with_context=True)
    report.candidates = [(c.name, c.count) for c in found]
    report.candidate_contexts = {c.name: c.context for c in found}
    existing: dict[Target, Mention] = {}
    for mention in Mention.objects.filter(article=article):
        type_ = mention.target_type
        existing[Target(type_, getattr(mention, f"{type_}_id"))] = mention
    curated = {Mention.Status.CONFIRMED, Mention.Status.REJECTED}
    found = {s.target for s in report.summaries}
    with transaction.atomic():
        for summary in report.summaries:
            status = Mention.Status.FLAGGED if summary.flagged else Mention.Status.AUTO
            mention = existing.get(summary.target)
            if mention is not None and mention.status in curated:
                report.kept.append(summary.target)
                continue
            values = {
                "count": summary.count,
                "first_offset": summary.first_offset,
                "context": summary.context,
                "status": status,
            }
            if mention is None:
                Mention.objects.create(
                    article=article, **{f"{summary.target.type}_id": summary.target.id}, **values
                )
                report.created.append(summary)
            else:
                changed = [k for k, v in values.items() if getattr(mention, k) != v]
                if changed:
                    for k in changed:
                        setattr(mention, k, values[k])
                    mention.save(update_fields=[*changed, "updated"])
                    report.updated.append(summary)
        for target, mention in existing.items():
            if target in found:
                continue
            if mention.status in curated:
                report.kept.append(target)
            else:
                mention.delete()
                report.removed.append(target)
    return report
