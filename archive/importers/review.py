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
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import transaction

from archive.models import TextRepair

WORD_KINDS = {"lost_drop_cap", "drop_cap", "hyphenation"}


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
