"""Repair what text extraction broke, and log every change so it can be reviewed and undone.

Stable API::

    result = repair_unit(unit, context)      # RepairResult: body, repairs, illustrations
    replay(result.body, result.repairs)      # == unit.raw_text   (undo every change)
    apply_repairs(unit.raw_text, result.repairs) == result.body   (redo them)

**The log is an edit script.** Each applied :class:`Repair` replaces ``before`` with
``after`` at character ``offset`` of the text *as it was at that moment*; ``sequence`` says
in which order. Undoing the applied repairs in reverse ``sequence`` therefore rebuilds the
raw text exactly, and redoing them in order rebuilds the body: this is what makes the log
complete (nothing changes without a repair row) and provable (see ``replay``). Flagged
repairs changed nothing — their ``after`` is a proposal — and replay skips them; their
``offset`` points into the raw text.

Passes, in order (each a set of non-overlapping edits):

1. *Layout removed* — title and dateline lines (kind ``other``: they go to the title and
   date fields), "Continued (on) page N" markers (``continuation``), photo captions
   (``caption``: they become Illustrations).
2. *Words rejoined* — drop caps ("T" … "he system" → "The system"), lost drop caps
   ("t is 20 years" → "It is 20 years" when exactly one word fits the text's own
   vocabulary and phrasing; flagged with the likeliest word otherwise), words hyphenated
   across lines and pages ("sud-" / "denly" → "suddenly"; a hyphen is kept when the
   hyphenated form is used elsewhere or the second part is capitalised), words split by a
   page jump ("rev" … "olution").
3. *Reflow* — each paragraph's lines joined into one line; headings and numbered sub-points
   become ``## `` paragraphs; verse keeps its lines; paragraphs separated by a blank line.

Listed, never changed: source typos (kind ``typo``, flagged with a suggestion) and text the
page layout displaced (kind ``displaced``, flagged).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from archive.text import fold

from .text import (
    MARKER_RE,
    NUMBERED_RE,
    Line,
    Unit,
    Vocabulary,
    find_page_furniture,
    starts_lower,
)

APPLIED = "applied"
FLAGGED = "flagged"


@dataclass
class Repair:
    kind: str  # a TextRepair.Kind value
    status: str  # "applied" or "flagged"
    line: int  # source line, from 1
    offset: int
    before: str
    after: str
    note: str = ""
    sequence: int = 0

    @property
    def applied(self) -> bool:
        return self.status == APPLIED

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "status": self.status,
            "line": self.line,
            "before": self.before,
            "after": self.after,
            "note": self.note,
        }


@dataclass
class IllustrationDraft:
    caption: str
    line: int
    after_paragraph: int | None


@dataclass
class RepairResult:
    body: str
    repairs: list[Repair]
    illustrations: list[IllustrationDraft]

    def counts(self) -> Counter[str]:
        return Counter(r.kind for r in self.repairs)


@dataclass
class Edit:
    start: int
    end: int
    after: str
    kind: str
    origin: int  # source line for inserted text
    note: str = ""


class DocumentContext:
    """What repairs need to know about the whole text: words, phrases, compounds."""

    def __init__(self, text: str):
        # Words broken at a line end are left out, so neither "workingclass" nor "working-class"
        # counts as seen just because the line break made it.
        # Page numbers and running heads are left out first, so a word broken across a
        # page counts as broken too.
        lines = text.split("\n")
        furniture = find_page_furniture(lines)
        text = "\n".join(t for i, t in enumerate(lines) if i not in furniture)
        text = re.sub(r"[^\W\d_]+-\n\s*[^\W\d_]+", " ", text)
        self.vocab = Vocabulary(text)
        self.letter_pairs = Counter(
            w[i : i + 2] for w in self.vocab.counts for i in range(len(w) - 1)
        )
        words = [fold(w) for w in re.findall(r"[^\W\d_]+", text)]
        self.bigrams = Counter(pairwise(words))
        self.trigrams = Counter(zip(words, words[1:], words[2:], strict=False))
        self.compounds = Counter(fold(m) for m in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)+", text))
        # how each word is written where case says something: inside a sentence
        # (capitalised there = a name) and in capitals (an acronym)
        # words as written outside capitals: "FTER" of a lead-in is not a word of the text
        self.plain = Counter(
            fold(w) for w in re.findall(r"[^\W\d_]+", text) if not (w.isupper() and len(w) > 1)
        )
        self.capitalised: Counter[str] = Counter()
        self.lowercase: Counter[str] = Counter()
        self.upper: Counter[str] = Counter()
        for m in re.finditer(r"(?<=[^\s.!?:“\"‘])(\s+)([^\W\d_]+)", text):
            word = m.group(2)
            folded = fold(word)
            if word.islower():
                self.lowercase[folded] += 1
            elif word.isupper() and len(word) > 1:
                self.upper[folded] += 1
            elif word[0].isupper():
                self.capitalised[folded] += 1

    def known_elsewhere(self, word: str) -> bool:
        """A known word even without the one occurrence being repaired ("ORKERS" is not)."""
        w = fold(word)
        return w in self.vocab.common or self.plain[w] > 0


class Editor:
    """The text being repaired, which source line each character came from, and the log."""

    def __init__(self, lines: list[Line]):
        self.text = "\n".join(line.text for line in lines)
        self.origin: list[int] = []
        for k, line in enumerate(lines):
            self.origin.extend([line.number] * len(line.text))
            if k < len(lines) - 1:
                self.origin.append(line.number)
        self.repairs: list[Repair] = []

    def apply(self, edits: list[Edit]) -> None:
        """Apply non-overlapping edits, last first, so every offset stays valid when made."""
        edits = sorted(edits, key=lambda e: (e.start, e.end))
        for a, b in pairwise(edits):
            if b.start < a.end:
                raise ValueError(f"overlapping repairs at {a.start} and {b.start}")
        for edit in reversed(edits):
            before = self.text[edit.start : edit.end]
            if before == edit.after:
                continue
            line = self.origin[edit.start] if edit.start < len(self.origin) else edit.origin
            self.repairs.append(
                Repair(edit.kind, APPLIED, line, edit.start, before, edit.after, edit.note)
            )
            self.text = self.text[: edit.start] + edit.after + self.text[edit.end :]
            self.origin[edit.start : edit.end] = [edit.origin] * len(edit.after)

    def flag(self, kind: str, line: int, offset: int, before: str, after: str, note: str):
        self.repairs.append(Repair(kind, FLAGGED, line, offset, before, after, note))

    def line_spans(self) -> dict[int, tuple[int, int]]:
        """Current [start, end) of each source line's characters (excluding newlines)."""
        spans: dict[int, tuple[int, int]] = {}
        for i, (ch, n) in enumerate(zip(self.text, self.origin, strict=True)):
            if ch == "\n":
                continue
            start, _ = spans.get(n, (i, i))
            spans[n] = (start, i + 1)
        return spans


# ---------------------------------------------------------------- replay


def _applied_in_order(repairs) -> list:
    applied = [r for r in repairs if getattr(r, "status", APPLIED) == APPLIED]
    return sorted(applied, key=lambda r: r.sequence)


def replay(repaired: str, repairs) -> str:
    """Undo the applied repairs (newest first) and return the text as extracted.

    ``repairs`` may be :class:`Repair` objects or ``TextRepair`` rows of one article.
    Raises ``ValueError`` if the text does not contain what a repair says it wrote.
    """
    text = repaired
    for r in reversed(_applied_in_order(repairs)):
        if text[r.offset : r.offset + len(r.after)] != r.after:
            raise ValueError(f"repair {r.sequence} ({r.kind}, line {r.line}) does not match")
        text = text[: r.offset] + r.before + text[r.offset + len(r.after) :]
    return text


def apply_repairs(original: str, repairs) -> str:
    """Redo the applied repairs in order on the extracted text; returns the body."""
    text = original
    for r in _applied_in_order(repairs):
        if text[r.offset : r.offset + len(r.before)] != r.before:
            raise ValueError(f"repair {r.sequence} ({r.kind}, line {r.line}) does not match")
        text = text[: r.offset] + r.after + text[r.offset + len(r.before) :]
    return text


# ---------------------------------------------------------------- pass 1: layout


def _layout_edits(unit: Unit, ed: Editor) -> tuple[list[Edit], list[tuple[int, str]]]:
    spans = ed.line_spans()
    edits: list[Edit] = []
    captions: list[tuple[int, str]] = []
    for line in unit.lines:
        if line.number not in spans:
            continue
        start, end = spans[line.number]
        if line.role == "title":
            edits.append(Edit(start, end, "", "other", line.number, "title → the title field"))
        elif line.role == "dateline":
            edits.append(Edit(start, end, "", "other", line.number, "dateline → the date field"))
        elif line.role == "byline":
            edits.append(Edit(start, end, "", "other", line.number, "byline → proposed authorship"))
        elif line.role == "pagehead":
            edits.append(
                Edit(start, end, "", "other", line.number,
                     "page number or running head between pages")
            )  # fmt: skip
        elif line.role == "marker":
            edits.append(Edit(start, end, "", "continuation", line.number))
        elif line.role == "caption":
            edits.append(Edit(start, end, "", "caption", line.number, "→ illustration"))
            captions.append((line.number, line.stripped))
        elif line.role in ("text", "displaced", "bullet"):
            m = MARKER_RE.search(line.text)
            if m and m.start() > 0:  # glued to the last word: "the revContinued on page 16"
                edits.append(
                    Edit(start + m.start(), start + m.end(), "", "continuation", line.number)
                )
    return edits, captions


# ---------------------------------------------------------------- pass 2: words

_WORD_AT_START = re.compile(r"\s*([^\W\d_]+)(?!\w)")  # a whole word of letters
_WORD_AT_END = re.compile(r"(?<!\w)([^\W\d_]+)(-?)\s*$")
_CONTENT_ROLES = ("text", "displaced", "bullet", "verse", "entry")


QUESTION_WORDS = {"what", "who", "why", "how", "when", "where", "which", "is", "are", "do", "does"}


def _choose_word(
    candidates: list[str], following: list[str], ctx: DocumentContext, *, question: bool
):
    """Pick the one candidate the text's own phrasing supports, or None (with the best).

    Evidence, strongest first: only one word fits; the sentence is a question and only one
    candidate is a question word; only one candidate is followed elsewhere in the text by
    the same two (or one) words, at least twice.
    """
    if len(candidates) == 1:
        return candidates[0], candidates[0], "the only word that fits"
    if not candidates:
        return None, None, "no word fits"
    if question:
        asking = [c for c in candidates if c in QUESTION_WORDS]
        if len(asking) == 1:
            return asking[0], asking[0], "the sentence is a question"
    for n, table in ((2, ctx.trigrams), (1, ctx.bigrams)):
        if len(following) < n:
            continue
        scores = {c: table[(c, *following[:n])] for c in candidates}
        supported = [c for c, s in scores.items() if s > 0]
        phrase = " ".join(following[:n])
        if len(supported) == 1 and scores[supported[0]] >= 2:
            chosen = supported[0]
            return chosen, chosen, f"only “{chosen} {phrase}” occurs elsewhere"
    best = max(candidates, key=lambda c: (ctx.vocab.counts.get(c, 0), c in ctx.vocab.common))
    return None, best, "could be " + ", ".join(candidates)


def _following_words(text: str, pos: int, n: int = 3) -> list[str]:
    return [fold(w) for w in re.findall(r"[^\W\d_]+", text[pos : pos + 80])][1 : n + 1]


def _match_case(word: str, fragment: str) -> str:
    if fragment.isupper() and len(fragment) > 1:
        return word.upper()
    return word[0].upper() + word[1:]


def _word_edits(unit: Unit, ed: Editor, ctx: DocumentContext) -> list[Edit]:
    spans = ed.line_spans()
    lines = [x for x in unit.lines if x.number in spans or x.role == "blank"]
    text = ed.text
    edits: list[Edit] = []
    used_lines: set[int] = set()

    def content_after(k: int) -> tuple[int, list[Line]] | None:
        """Index of the next line with content after lines[k], and what lies between."""
        between = []
        for j in range(k + 1, len(lines)):
            line = lines[j]
            if line.number in spans and text[slice(*spans[line.number])].strip():
                if line.role in _CONTENT_ROLES:
                    return j, between
                between.append(line)
        return None

    # drop caps
    for k, line in enumerate(lines):
        if line.role != "dropcap" or line.number not in spans:
            continue
        start, end = spans[line.number]
        letter = text[start:end].strip()
        letter_at = start + text[start:end].index(letter)
        found = content_after(k)
        target = None
        while found is not None:
            j, between = found
            cand = lines[j]
            s0, _ = spans[cand.number]
            m = _WORD_AT_START.match(text, s0)
            if m and (starts_lower(cand.text) or m.group(1).isupper()) and cand.role != "displaced":
                target = (cand, m, between)
                break
            if cand.role == "displaced":
                found = content_after(j)
                if found is not None:
                    found = (found[0], [*between, cand, *found[1]])
                continue
            break
        if target is None:
            ed.flag("drop_cap", line.number, letter_at, letter, "", "no word to join it to")
            continue
        cand, m, between = target
        fragment = m.group(1)
        word = re.sub(r"[^\w]", "", letter).lower() + fragment.lower()
        note = "drop cap rejoined"
        if not ctx.vocab.known(word):
            note += f"; “{word}” not seen elsewhere, check"
        joined = letter + (fragment.lower() if not fragment.isupper() else fragment)
        used_lines.add(cand.number)
        if not any(x.role not in ("blank",) for x in between) and all(
            not text[slice(*spans[x.number])].strip() for x in between if x.number in spans
        ):
            edits.append(Edit(letter_at, m.end(), joined, "drop_cap", cand.number, note))
        else:
            edits.append(
                Edit(letter_at, letter_at + len(letter), "", "drop_cap", line.number,
                     f"drop cap moved to line {cand.number}")
            )  # fmt: skip
            edits.append(Edit(m.start(1), m.end(1), joined, "drop_cap", cand.number, note))

    # a lead-in in small capitals, with its drop cap set apart or lost
    first_text = next(
        (x for x in lines if x.role == "text" and x.para is not None and x.number in spans),
        None,
    )
    has_dropcap = any(x.role == "dropcap" for x in lines)
    if first_text is not None and not has_dropcap and first_text.number not in used_lines:
        edit = _lead_in_edit(first_text, text, spans, ctx, ed)
        if edit is not None:
            edits.append(edit)
            used_lines.add(first_text.number)

    # lost drop caps: a section's first paragraph starting lower-case
    seen_para: set[int] = set()
    for line in lines:
        if line.para is None or line.number not in spans:
            continue
        first_of_para = line.para not in seen_para
        seen_para.add(line.para)
        if not first_of_para:
            continue
        # a paragraph only starts lower-case where a section starts without its drop cap
        section_start = line.role == "text"
        if section_start and starts_lower(line.text) and line.number not in used_lines:
            s0, _ = spans[line.number]
            m = _WORD_AT_START.match(text, s0)
            if m:
                fragment = m.group(1)
                candidates = ctx.vocab.drop_cap_candidates(fragment)
                following = _following_words(text, m.start(1))
                sentence = re.match(r"[^.!?]*[.!?]?", text[m.start(1) : m.start(1) + 400])
                question = sentence.group().endswith("?")
                chosen, best, why = _choose_word(candidates, following, ctx, question=question)
                if chosen:
                    edits.append(
                        Edit(m.start(1), m.end(1), _match_case(chosen, fragment),
                             "lost_drop_cap", line.number, f"restored: {why}")
                    )  # fmt: skip
                elif best:
                    ed.flag("lost_drop_cap", line.number, m.start(1), fragment,
                            _match_case(best, fragment), f"not restored: {why}")  # fmt: skip
        elif line.role == "displaced" and first_of_para:
            s0, e0 = spans[line.number]
            ed.flag("displaced", line.number, s0, text[s0:e0], "",
                    "text the page layout put here: it starts mid-sentence; move it where "
                    "it belongs")  # fmt: skip

    # hyphenation and words split by a page jump
    for k, line in enumerate(lines):
        if line.role not in _CONTENT_ROLES or line.number not in spans:
            continue
        s0, e0 = spans[line.number]
        m_end = _WORD_AT_END.search(text, s0, e0)
        if not m_end:
            continue
        part1, hyphen = m_end.group(1), m_end.group(2)
        glued_marker = bool(MARKER_RE.search(line.text)) and MARKER_RE.search(line.text).start() > 0
        if not hyphen and not glued_marker:
            continue
        if hyphen and m_end.start(2) > 0 and text[m_end.start(2) - 1] == "-":
            continue
        found = content_after(k)
        if found is None:
            continue
        j, between = found
        nxt = lines[j]
        if nxt.number in used_lines:
            continue
        n0, _ = spans[nxt.number]
        m_start = _WORD_AT_START.match(text, n0)
        if not m_start:
            continue
        part2 = m_start.group(1)
        joined = part1 + part2
        hyphenated = f"{part1}-{part2}"
        if hyphen:
            if part2[0].isupper() or (
                ctx.compounds.get(fold(hyphenated), 0) > 0 and not ctx.vocab.known(joined)
            ):
                new, note = hyphenated, "hyphen kept: a compound"
            elif ctx.vocab.known_form(joined):
                new, note = joined, "hyphen removed"
            elif not ctx.vocab.known(part1) and not ctx.vocab.known(part2) and _word_ending(part2):
                # the second half is the ending of a word, not a word: "opera-" / "tions"
                new, note = joined, "hyphen removed: the second part is a word ending"
            else:
                # not a known word joined: the hyphen may be the compound's own ("so-called")
                new, note = hyphenated, "hyphen kept: the joined word is not a known word"
                ed.flag("hyphenation", line.number, m_end.start(1), hyphenated, joined,
                        f"“{joined}” is not a known word, so the hyphen was kept: accept to "
                        "remove it if it only broke the word at the line end")  # fmt: skip
        else:
            if not ctx.vocab.known(joined) or (ctx.vocab.known(part1) and ctx.vocab.known(part2)):
                continue
            new, note = joined, "word split by a page jump rejoined"
        crossing = [x for x in between if x.role in ("heading", "subpoint")]
        if not crossing:
            edits.append(Edit(m_end.start(1), m_start.end(1), new, "hyphenation",
                              line.number, note))  # fmt: skip
        else:
            edits.append(Edit(m_end.start(1), m_end.end(2) or m_end.end(1), new,
                              "hyphenation", line.number, note))  # fmt: skip
            second = f"second half of “{new}” (line {line.number})"
            edits.append(Edit(m_start.start(1), m_start.end(1), "", "hyphenation",
                              nxt.number, second))  # fmt: skip
            ed.flag("displaced", crossing[0].number, n0, "", "",
                    f"a heading at line {crossing[0].number} interrupts the sentence that "
                    f"runs from line {line.number} to line {nxt.number}")  # fmt: skip
        used_lines.add(nxt.number)
    return _drop_overlaps(edits)


_LEAD_IN = re.compile(
    r"(?P<quote>[“\"‘']?)(?:(?P<letter>[A-Z]) (?=[A-Z]))?"
    r"(?P<caps>[A-Z][A-Z’'\-]*(?![\w’'\-])(?:\s+[A-Z][A-Z’'\-]*(?![\w’'\-]))*)"
    r"(?=\s+[^\W\d_]*[a-z])"
)
_MONTHS_AND_DAYS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday",
}  # fmt: skip


def _normal_case(word: str, ctx: DocumentContext, *, first: bool) -> str:
    """A word printed in small capitals, in the case the text itself uses for it."""
    letters = re.match(r"[^\W\d_]+", word)
    folded = fold(letters.group()) if letters else ""
    # the lead-in itself is one use in capitals: an acronym ("GMB") is in capitals elsewhere
    if ctx.upper[folded] >= 2 and not ctx.lowercase[folded] and len(folded) > 1:
        return word
    lower = word.lower()
    name = folded in _MONTHS_AND_DAYS or (ctx.capitalised[folded] > 0 and not ctx.lowercase[folded])
    if first or name:
        return lower[:1].upper() + lower[1:]
    return lower


def _lead_in_edit(line: Line, text: str, spans, ctx: DocumentContext, ed: Editor) -> Edit | None:
    """The opening words of a unit printed in small capitals ("T HIS WEEK the", "OLAND’S
    WORKERS have"): the drop cap joined or restored and the words set in normal case.

    A set-apart capital is joined to the word after it unless it is the word "A" or "I" and
    the joined word is unknown; a lost capital is restored when one letter makes a known
    word of the first word (the text's own vocabulary decides between several); otherwise
    the lead-in is flagged and left as printed.
    """
    start, end = spans[line.number]
    offset = start + len(text[start:end]) - len(text[start:end].lstrip())
    m = _LEAD_IN.match(text, offset, end)
    if not m:
        return None
    letter, caps = m.group("letter"), m.group("caps")
    words = caps.split()
    if not letter and len(words) < 2 and (not words or ctx.known_elsewhere(words[0])):
        return None  # one capitalised word, an acronym or a known word: nothing to do
    first_letters = re.match(r"[^\W\d_]+", words[0])
    first_word = fold(first_letters.group()) if first_letters else ""
    kind, note = "other", "lead-in in small capitals set in normal case"
    if letter:
        joined = fold(letter) + first_word
        if ctx.vocab.known_form(joined):
            words[0] = letter + words[0]
            kind, note = "drop_cap", "drop cap joined; small capitals set in normal case"
        elif letter in "AI" and ctx.known_elsewhere(first_word):
            words.insert(0, letter)
            kind, note = "drop_cap", "drop cap is a word; small capitals set in normal case"
        else:
            ed.flag("drop_cap", line.number, m.start(), m.group(), "",
                    f"drop cap “{letter}” and “{words[0]}”: no known word joins them")  # fmt: skip
            return None
    elif not ctx.known_elsewhere(first_word):
        candidates = ctx.vocab.drop_cap_candidates(first_word)
        following = [fold(w) for w in words[1:3]] or _following_words(text, m.end())
        chosen, best, why = _choose_word(candidates, following, ctx, question=False)
        if not chosen:
            ed.flag("lost_drop_cap", line.number, m.start(), words[0],
                    _match_case(best, "x") if best else "", f"not restored: {why}")  # fmt: skip
            return None
        words[0] = chosen[0].upper() + words[0]
        kind, note = "lost_drop_cap", f"restored: {why}; small capitals set in normal case"
    cased = [_normal_case(w, ctx, first=i == 0) for i, w in enumerate(words)]
    after = m.group("quote") + " ".join(cased)
    return Edit(m.start(), m.end(), after, kind, line.number, note)


#: How the second half of an English word broken at a syllable usually begins; the second
#: half of a compound is a word of its own ("corner", "called"), which these rarely are.
WORD_ENDINGS = (
    "tion", "sion", "ment", "ness", "ing", "ings", "ity", "ities", "ance", "ence", "ous",
    "ive", "able", "ible", "ly", "ers", "ed", "es", "ist", "ism", "ure", "ary", "ory", "ical",
    "ial", "ial", "ation", "tions", "sions", "ments", "ful", "less", "ise", "ize", "ised",
    "ized", "ising", "izing", "ic", "ics", "al", "ally", "ent", "ents", "ant", "ants", "ate",
    "ated", "ating", "er", "est", "tor", "tors", "ty", "ties", "cy", "gy", "phy",
)  # fmt: skip


def _word_ending(part: str) -> bool:
    p = part.lower()
    return any(p == e or (p.startswith(e) and len(p) - len(e) <= 2) for e in WORD_ENDINGS) or (
        len(p) <= 3 and p not in ("way", "man", "men", "end", "day", "act", "aid", "war")
    )


def _drop_overlaps(edits: list[Edit]) -> list[Edit]:
    out: list[Edit] = []
    last_end = -1
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        if e.start < last_end:
            continue
        out.append(e)
        last_end = max(last_end, e.end)
    return out


# ---------------------------------------------------------------- pass 3: reflow


def _reflow_edits(unit: Unit, ed: Editor) -> list[Edit]:
    by_number = {line.number: line for line in unit.lines}
    runs: dict[int, list[int]] = {}  # para -> [first char, last char]
    order: list[int] = []
    for i, n in enumerate(ed.origin):
        line = by_number.get(n)
        if line is None or line.para is None or ed.text[i] == "\n":
            continue
        if line.para not in runs:
            runs[line.para] = [i, i]
            order.append(line.para)
        else:
            runs[line.para][1] = i
    roles = {}
    for line in unit.lines:
        if line.para is not None:
            roles.setdefault(line.para, line.role)
    edits = []
    for idx, para in enumerate(order):
        start = 0 if idx == 0 else runs[para][0]
        end = runs[order[idx + 1]][0] if idx + 1 < len(order) else len(ed.text)
        chunk = ed.text[runs[para][0] : runs[para][1] + 1]
        role = roles[para]
        if role == "verse":
            body = "\n".join(x.strip() for x in chunk.split("\n") if x.strip())
        else:
            body = " ".join(chunk.split())
            if role in ("heading", "subpoint", "year"):
                body = "## " + body
        sep = "\n\n" if idx + 1 < len(order) else ""
        first_line = ed.origin[runs[para][0]]
        edits.append(Edit(start, end, body + sep, "reflow", first_line, _reflow_note(role)))
    if not order and ed.text.strip() == "":
        edits.append(Edit(0, len(ed.text), "", "reflow", unit.first_line, "empty"))
    return edits


def _reflow_note(role: str) -> str:
    return {
        "heading": "section heading",
        "subpoint": "numbered sub-point heading",
        "year": "timeline year",
        "verse": "verse: lines kept",
    }.get(role, "")


# ---------------------------------------------------------------- typos


_DIGIT_IN_WORD = re.compile(r"\b[^\W\d_]+[01][^\W\d_]*\b|\b[^\W\d_]*[01][^\W\d_]+\b")
_L_FOR_I = re.compile(r"(?:^|(?<=[.!?]\s))\s*(l[nf])\b", re.MULTILINE)
_DOUBLED = re.compile(r"\b([^\W\d_]{2,})\s+\1\b", re.IGNORECASE)
_STRAY = re.compile(r"(?<=\w)\s*[`~·]\s*(?=\W|\w)|(?<=\s)\.(?=[a-z])|`(?=\w)")
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"


OCR_CONFUSIONS = (("rn", "m"), ("m", "rn"), ("i", "l"), ("l", "i"), ("t", "f"), ("f", "t"),
                  ("cl", "d"), ("li", "ll"), ("ii", "u"))  # fmt: skip


def _near_words(word: str, ctx: DocumentContext) -> list[str]:
    """Frequent words this one could be a misprint of.

    Two kinds of slip only, to keep the list short: letters that scanning and extraction
    confuse ("leaming" → "learning", "worid" → "world"), and one stray letter inside the
    word that makes a letter pair the text otherwise hardly uses ("invsasion" → "invasion").
    """
    w = word.lower()
    out = set()
    for a, b in OCR_CONFUSIONS:
        start = w.find(a)
        while start != -1:
            out.add(w[:start] + b + w[start + len(a) :])
            start = w.find(a, start + 1)
    for i in range(1, len(w) - 1):
        pairs = (w[i - 1 : i + 1], w[i : i + 2])
        if min(ctx.letter_pairs.get(p, 0) for p in pairs) <= 2:
            out.add(w[:i] + w[i + 1 :])
    out.discard(w)
    return sorted(c for c in out if ctx.vocab.counts.get(c, 0) >= 3)


def _typo_flags(unit: Unit, ed: Editor, ctx: DocumentContext) -> None:
    raw = unit.raw_text
    offsets = []
    pos = 0
    for line in unit.lines:
        offsets.append((pos, line))
        pos += len(line.text) + 1

    def line_at(i: int) -> int:
        number = unit.first_line
        for start, line in offsets:
            if start > i:
                break
            number = line.number
        return number

    seen: set[tuple[int, str]] = set()

    def flag(i: int, before: str, after: str, note: str) -> None:
        key = (i, before)
        if key in seen:
            return
        seen.add(key)
        ed.flag("typo", line_at(i), i, before, after, f"kept as printed: {note}")

    body_lines = {x.number for x in unit.lines if x.role in _CONTENT_ROLES}
    repaired_words = {
        (r.line, r.before.strip().split()[-1] if r.before.strip() else "")
        for r in ed.repairs
        if r.kind in ("drop_cap", "lost_drop_cap", "hyphenation")
    } | {
        (r.line, r.before.split()[0])
        for r in ed.repairs
        if r.kind in ("drop_cap", "lost_drop_cap") and r.before.split()
    }
    for m in _DIGIT_IN_WORD.finditer(raw):
        if line_at(m.start()) in body_lines:
            fixed = m.group().replace("1", "l").replace("0", "o")
            flag(m.start(), m.group(), fixed, "a digit inside a word")
    for m in _L_FOR_I.finditer(raw):
        flag(m.start(1), m.group(1), "I" + m.group(1)[1], "lower-case l for capital I")
    for m in _DOUBLED.finditer(raw):
        first, second = m.group().split()
        if first != second or first.lower() in ("that", "had", "is"):
            continue
        flag(m.start(), m.group(), m.group(1), "word printed twice")
    for m in _STRAY.finditer(raw):
        if line_at(m.start()) in body_lines and m.group().strip():
            flag(m.start(), m.group(), "", "stray character")
    for m in re.finditer(r"[^\W\d_]{5,}", raw):
        word = m.group()
        if line_at(m.start()) not in body_lines:
            continue
        folded = fold(word)
        if ctx.vocab.counts.get(folded, 0) != 1 or folded in ctx.vocab.common:
            continue
        if (line_at(m.start()), word) in repaired_words:
            continue
        near = _near_words(word, ctx)
        if len(near) == 1:
            suggestion = near[0] if word[0].islower() else near[0].capitalize()
            flag(m.start(), word, suggestion, "looks like a misprint")
            continue
        for i in range(3, len(folded) - 2):
            a, b = folded[:i], folded[i:]
            if ctx.compounds.get(f"{a}-{b}", 0) and ctx.vocab.known(b):
                flag(m.start(), word, f"{word[:i]}-{word[i:]}", "hyphen lost in extraction")
                break


# ---------------------------------------------------------------- entry point


def repair_unit(unit: Unit, context: DocumentContext) -> RepairResult:
    """Repair one unit's raw text into its body; see the module docstring for the passes."""
    ed = Editor(unit.lines)
    layout, captions = _layout_edits(unit, ed)
    ed.apply(layout)
    ed.apply(_word_edits(unit, ed, context))
    ed.apply(_reflow_edits(unit, ed))
    _typo_flags(unit, ed, context)
    _layout_flags(unit, ed)
    for seq, repair in enumerate(ed.repairs, start=1):
        repair.sequence = seq
    illustrations = _illustrations(unit, captions)
    return RepairResult(body=ed.text, repairs=ed.repairs, illustrations=illustrations)


def _layout_flags(unit: Unit, ed: Editor) -> None:
    """Flag what the page layout displaced that the importer does not put back itself."""
    raw_offsets = {}
    pos = 0
    for line in unit.lines:
        raw_offsets[line.number] = pos
        pos += len(line.text) + 1
    expected, seen = 1, set()
    for line in unit.lines:
        m = NUMBERED_RE.match(line.text) if line.role == "subpoint" else None
        if not m:
            continue
        n = int(m.group(1))
        seen.add(n)
        if n != expected:
            ed.flag("displaced", line.number, raw_offsets[line.number], line.stripped, "",
                    f"sub-point {n} is printed where {expected} was expected; the page layout "
                    "may have moved it")  # fmt: skip
        while expected in seen:
            expected += 1
    if unit.continued and unit.moved_from_line is None:
        last = next(x for x in reversed(unit.lines) if x.text.strip())
        ed.flag("continuation", last.number, raw_offsets[last.number], last.stripped, "",
                "the text continues on another page, but no continuation was found: "
                "find it and add it to the body")  # fmt: skip


def _illustrations(unit: Unit, captions: list[tuple[int, str]]) -> list[IllustrationDraft]:
    """Consecutive caption lines make one illustration, placed after the paragraph before."""
    paras: list[int] = []
    for line in unit.lines:
        if line.para is not None and line.para not in paras:
            paras.append(line.para)
    out: list[IllustrationDraft] = []
    last_number = None
    by_number = {line.number: i for i, line in enumerate(unit.lines)}
    for number, caption in captions:
        if last_number is not None and number == last_number + 1 and out:
            out[-1].caption += " " + caption
            last_number = number
            continue
        before = [x for x in unit.lines[: by_number[number]] if x.para is not None]
        after_paragraph = paras.index(before[-1].para) + 1 if before else None
        out.append(IllustrationDraft(caption, number, after_paragraph))
        last_number = number
    return out


def body_problems(body: str) -> list[str]:
    """What a clean body must not contain: markers, split hyphens, detached drop caps."""
    problems = []
    if MARKER_RE.search(body) or re.search(r"Continued\s+(?:on\s+)?page\s+\d+", body):
        problems.append("a page-continuation marker")
    if re.search(r"[a-z]- [a-z]", body):
        problems.append("a word split by a hyphen")
    for para in body.split("\n\n"):
        if re.match(r"^[“\"‘]?[A-Z]$", para.strip()):
            problems.append("a detached drop cap")
    return problems


__all__ = [
    "APPLIED",
    "FLAGGED",
    "DocumentContext",
    "IllustrationDraft",
    "Repair",
    "RepairResult",
    "apply_repairs",
    "body_problems",
    "repair_unit",
    "replay",
]
