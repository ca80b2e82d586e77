"""Turn an article's clean body into reading HTML: headings with anchors, verse, captions,
and the first appearance of each mentioned entity linked to its page.

Everything from the database is escaped here; only the tags this module writes are markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from archive.text import fold


@dataclass
class Section:
    anchor: str
    title: str


@dataclass
class LinkTarget:
    """Names (main and variants) under which an entity may appear, and where it lives."""

    url: str
    label: str
    names: list[str]
    _pattern: re.Pattern | None = None

    @property
    def pattern(self) -> re.Pattern | None:
        """One regex over the folded text for all the names, longest first."""
        if self._pattern is None:
            keys = sorted({fold(n) for n in self.names if n.strip()}, key=len, reverse=True)
            if not keys:
                return None
            alternatives = "|".join(re.escape(k) for k in keys)
            self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
        return self._pattern


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    return " " if ch.isspace() else fold(ch)


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` character by character, keeping for each folded character the index of
    the original character it came from (folding can change lengths: "æ" → "ae")."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        out.append(folded)
        index.extend([i] * len(folded))
    return "".join(out), index


def find_spans(text: str, names: Iterable[str]) -> list[tuple[int, int]]:
    """Original-text spans where any of ``names`` occurs as whole words, ignoring case and
    diacritics ("Walesa" finds "Wałęsa", "Trotsky" finds "Trotsky’s")."""
    folded, index = fold_with_map(text)
    spans = []
    for name in sorted({fold(n) for n in names if n.strip()}, key=len, reverse=True):
        for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", folded):
            start, end = index[m.start()], index[m.end() - 1] + 1
            spans.append((start, end))
    return spans


def _link_paragraph(text: str, targets: list[LinkTarget], linked: set[str]) -> str:
    """Escape one paragraph, linking the first not-yet-linked appearance of each target."""
    candidates: list[tuple[int, int, LinkTarget]] = []
    folded, index = fold_with_map(text)
    for target in targets:
        if target.url in linked or target.pattern is None:
            continue
        m = target.pattern.search(folded)
        if m:
            candidates.append((index[m.start()], index[m.end() - 1] + 1, target))
    candidates.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    out, pos = [], 0
    for start, end, target in candidates:
        if start < pos or target.url in linked:
            continue
        out.append(escape(text[pos:start]))
        out.append(
            f'<a class="mention" href="{escape(target.url)}" '
            f'title="{escape(target.label)}">{escape(text[start:end])}</a>'
        )
        linked.add(target.url)
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


def render_body(
    body: str,
    *,
    captions: dict[int, list[str]] | None = None,
    targets: list[LinkTarget] | None = None,
) -> tuple[SafeString, list[Section]]:
    """Return (html, sections). Paragraphs are separated by blank lines; ``## `` starts a
    heading; a paragraph whose lines are kept (verse, lists) keeps its line breaks.
    ``captions`` maps a paragraph number (from 1, counting every block) to the captions
    printed after it."""
    captions = captions or {}
    targets = targets or []
    linked: set[str] = set()
    used: set[str] = set()
    sections: list[Section] = []
    html: list[str] = []
    blocks = [b for b in re.split(r"\n\s*\n", body.strip()) if b.strip()] if body else []
    for number, block in enumerate(blocks, start=1):
        if block.startswith("## "):
            title = block[3:].strip()
            anchor = base = slugify(fold(title))[:60] or f"section-{number}"
            n = 2
            while anchor in used:
                anchor = f"{base}-{n}"
                n += 1
            used.add(anchor)
            sections.append(Section(anchor, title))
            html.append(f'<h2 id="{anchor}">{_link_paragraph(title, targets, linked)}</h2>')
        else:
            css = ' class="verse"' if "\n" in block.strip() else ""
            html.append(f"<p{css}>{_link_paragraph(block.strip(), targets, linked)}</p>")
        for caption in captions.pop(number, []):
            html.append(
                f'<figure class="caption"><figcaption>{escape(caption)}</figcaption></figure>'
            )
    for rest in captions.values():  # captions placed after the last paragraph or unplaced
        for caption in rest:
            html.append(
                f'<figure class="caption"><figcaption>{escape(caption)}</figcaption></figure>'
            )
    return mark_safe("\n".join(html)), sections  # noqa: S308 - every piece escaped above


_ELLIPSIS = re.compile(r"^(?:\s|…|\.\.\.)+|(?:\s|…|\.\.\.)+$")
_HEADING_MARK = re.compile(r"(?:^|(?<=\s))#{1,6}\s+")


def snippet(context: str, names: Iterable[str] = ()) -> SafeString:
    """A mention's stored context as a line of prose: Markdown heading marks stripped, one
    ellipsis where the quote is cut (never two), and each of ``names`` (the entity's name
    and variants, matched without case or diacritics) in ``<mark>``.

    The stored context keeps the importer's "…" at its cut ends and may span a section
    heading ("… Vietnam war”. ## 1980–1 Mass workers’ movement …"); readers should see
    neither the markup nor a doubled "… …"."""
    text = _HEADING_MARK.sub("", context or "")
    text = re.sub(r"\s+", " ", text).strip()
    cut_start = bool(re.match(r"^\s*(?:…|\.\.\.)", text)) or (text[:1].islower())
    cut_end = bool(re.search(r"(?:…|\.\.\.)\s*$", text)) or not re.search(r"[.!?”’\"')]$", text)
    text = _ELLIPSIS.sub("", text)
    if not text:
        return mark_safe("")
    spans = sorted(find_spans(text, [n for n in names if n]))
    out, pos = [], 0
    for start, end in spans:
        if start < pos:
            continue
        out.append(escape(text[pos:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        pos = end
    out.append(escape(text[pos:]))
    html = "".join(out)
    return mark_safe(("…" if cut_start else "") + html + ("…" if cut_end else ""))  # noqa: S308 - escaped above
