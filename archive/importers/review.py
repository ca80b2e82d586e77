"""A curator's decisions on the importer's repairs: accept a flagged one, revert an applied one.

Used by the admin actions on TextRepair. Rules (also in docs/importing.md):

* **Accept** a *flagged* repair: its status becomes ``accepted``. For a word repair (lost drop
  cap, drop cap, hyphenation) the proposed word replaces the printed fragment in the article
  body, where a paragraph starts with it (lost drop caps) or where it stands as a whole word.
  Typos stay as printed (accepting one records that the curator agrees it is a typo);
  displaced text is moved by the curator by hand.
* **Revert** an *applied* word repair: the printed form (line breaks as spaces) is put back
  in place of the repaired word, and the status becomes ``reverted``. A flagged repair can be
  reverted too, meaning "rejected": nothing in the text changes. Layout repairs (reflow,
  captions, markers, titles) are not reverted here: edit the body instead.

Either way the article's ``body`` is recorded in ``curator_edited_fields``, so a later
re-import does not undo the decision. Each decision runs in its own transaction.

**Unknown names.** An import reports the capitalised names that match nothing known (its
``candidates``). A name stays *undecided* until a person, organisation or place (or one of
their variant names or acronyms) is known by it, or a curator marks it "not a name"
(:func:`candidate_dismiss`, kept in the source document's report). After a curator creates a
record or a variant for one, :func:`document_relink` links the document's articles that are
still being prepared against the catalogue again, so the new mentions wait for review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import models, transaction

from archive.models import (
    Alias,
    Article,
    Organisation,
    Person,
    Place,
    SourceDocument,
    Status,
    TextRepair,
)
from archive.text import fold

from .linking import NameIndex, link_article

WORD_KINDS = {"lost_drop_cap", "drop_cap", "hyphenation"}


@dataclass(frozen=True)
class TextAround:
    """A passage of the source text around a repair, split so the repaired part can be
    highlighted: ``before`` + ``part`` + ``after``, starting at line ``first_line``."""

    first_line: int
    last_line: int
    before: str
    part: str
    after: str


def text_around(text: str, *, line: int, part: str, radius: int = 2) -> TextAround:
    """The lines of ``text`` around ``line`` (from 1), with ``part`` (a repair's printed
    form, which may run over a line break) found from that line on; when it is not found
    there (the text changed) the passage is returned whole, nothing highlighted."""
    lines = text.splitlines()
    if not lines:
        return TextAround(line, line, "", "", "")
    line = min(max(1, line), len(lines))
    first = max(1, line - radius)
    last = min(len(lines), line + radius + part.count("\n"))
    window = "\n".join(lines[first - 1 : last])
    start = len("\n".join(lines[first - 1 : line - 1])) + (1 if line > first else 0)
    found = window.find(part, start) if part else -1
    if found == -1 and part:
        found = window.find(part)
    if found == -1:
        return TextAround(first, last, window, "", "")
    end = found + len(part)
    return TextAround(first, last, window[:found], window[found:end], window[end:])


@dataclass
class ReviewResult:
    done: list[TextRepair] = field(default_factory=list)
    skipped: list[tuple[TextRepair, str]] = field(default_factory=list)


def _replace_once(body: str, old: str, new: str, *, paragraph_start: bool) -> str | None:
    if not old:
        return None
    if paragraph_start:
        pattern = re.compile(r"(^|\n\n)" + re.escape(old) + r"(?=\W|$)")
    else:
        pattern = re.compile(r"(?<!\w)()" + re.escape(old) + r"(?!\w)")
    match = pattern.search(body)
    if match is None:
        return None
    start = match.start() + len(match.group(1))
    return body[:start] + new + body[start + len(old) :]


def _mark_body_edited(article) -> None:
    fields = set(article.curator_edited_fields or [])
    fields.add("body")
    article.curator_edited_fields = sorted(fields)


def repairs_accept(*, repairs) -> ReviewResult:
    """Accept flagged repairs (see the module docstring)."""
    result = ReviewResult()
    for repair in repairs:
        if repair.status != TextRepair.Status.FLAGGED:
            result.skipped.append((repair, "only a flagged repair can be accepted"))
            continue
        with transaction.atomic():
            article = repair.article
            if repair.kind in WORD_KINDS and repair.after and article is not None:
                body = _replace_once(
                    article.body, repair.before, repair.after,
                    paragraph_start=repair.kind == "lost_drop_cap",
                )  # fmt: skip
                if body is None:
                    result.skipped.append(
                        (repair, f"“{repair.before}” is no longer in the article text")
                    )
                    continue
                article.body = body
                _mark_body_edited(article)
                article.save()
            repair.status = TextRepair.Status.ACCEPTED
            repair.save(update_fields=["status", "updated"])
        result.done.append(repair)
    return result


def repairs_revert(*, repairs) -> ReviewResult:
    """Revert applied word repairs, or reject flagged ones (see the module docstring)."""
    result = ReviewResult()
    for repair in repairs:
        if repair.status == TextRepair.Status.FLAGGED:
            repair.status = TextRepair.Status.REVERTED
            repair.save(update_fields=["status", "updated"])
            result.done.append(repair)
            continue
        if repair.status != TextRepair.Status.APPLIED or repair.kind not in WORD_KINDS:
            result.skipped.append(
                (repair, "only a word repair the importer applied can be reverted here")
            )
            continue
        article = repair.article
        printed = " ".join(repair.before.split())
        with transaction.atomic():
            body = (
                _replace_once(article.body, repair.after, printed, paragraph_start=False)
                if article is not None and repair.after
                else None
            )
            if body is None:
                result.skipped.append(
                    (repair, f"“{repair.after}” is no longer in the article text")
                )
                continue
            article.body = body
            _mark_body_edited(article)
            article.save()
            repair.status = TextRepair.Status.REVERTED
            repair.save(update_fields=["status", "updated"])
        result.done.append(repair)
    return result


# ---------------------------------------------------------------- unknown names

#: Key of the source document's report under which names decided "not a name" are kept.
DISMISSED_KEY = "dismissed_candidates"


def known_name_keys() -> set[str]:
    """Every folded name, variant name and acronym of a person, organisation or place."""
    keys: set[str] = set()
    for model in (Person, Organisation, Place):
        keys.update(model.objects.values_list("name_folded", flat=True))
    keys.update(Alias.objects.values_list("name_folded", flat=True))
    keys.update(fold(a) for a in Organisation.objects.exclude(acronym="").values_list(
        "acronym", flat=True))  # fmt: skip
    return keys


def undecided_names(
    candidates, *, dismissed=(), known: set[str] | None = None
) -> list[tuple[str, int]]:
    """The ``(name, occurrences)`` candidates no record is known by and no curator dismissed."""
    known = known_name_keys() if known is None else known
    skip = known | {fold(name) for name in dismissed}
    return [(name, int(count)) for name, count in candidates if fold(name) not in skip]


def document_unknown_names(
    document: SourceDocument, *, known: set[str] | None = None
) -> list[tuple[str, int]]:
    """The undecided names of an imported document's report, most frequent first."""
    report = document.report or {}
    candidates = report.get("candidates") or []
    return undecided_names(candidates, dismissed=report.get(DISMISSED_KEY) or [], known=known)


def candidate_dismiss(*, document: SourceDocument, name: str) -> None:
    """Record that ``name`` in ``document``'s report is not a name worth a record."""
    with transaction.atomic():
        locked = SourceDocument.objects.select_for_update().get(pk=document.pk)
        report = dict(locked.report or {})
        dismissed = list(report.get(DISMISSED_KEY) or [])
        if name not in dismissed:
            dismissed.append(name)
        report[DISMISSED_KEY] = dismissed
        locked.report = report
        locked.save(update_fields=["report", "updated"])
    document.report = locked.report


def document_relink(*, document: SourceDocument) -> int:
    """Link again the articles of ``document``'s issues that are still drafts or in review
    (published ones change only by a curator's hand); returns how many were linked.

    Confirmed and rejected mentions are kept as curators left them (``link_article``).
    """
    index = NameIndex.from_database()
    articles = Article.objects.filter(issue__source_document=document).filter(
        models.Q(status=Status.DRAFT) | models.Q(status=Status.REVIEW)
    )
    count = 0
    for article in articles:
        link_article(article, index)
        count += 1
    return count
