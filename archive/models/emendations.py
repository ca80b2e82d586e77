"""Curator emendations: corrections made on top of what the text importer yields.

The importer logs every change it makes to extracted text (``TextRepair``); what it cannot
know — a paragraph break the extraction lost, a block the page layout displaced, a lost drop
cap it could not choose — a curator corrects, and records here with the reason, as a
scholarly edition records its emendations. With the repair log, these let every published
word be traced back to the source text: an article's body is its ``raw_text`` with the
applied repairs and then its body emendations redone in order (docs/collection.md).
:func:`editorial_changes` is the one list of both that readers see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import PublicQuerySet, TimeStampedModel
from .publications import Article, TextRepair


class EmendationKind(models.TextChoices):
    EXTRACTION = "extraction", _("Extraction damage")
    MISPRINT = "misprint", _("Misprint")
    LAYOUT = "layout", _("Layout")
    PARAGRAPHING = "paragraphing", _("Paragraphing")
    TITLE = "title", _("Title")
    METADATA = "metadata", _("Metadata")


class EmendationField(models.TextChoices):
    BODY = "body", _("Text")
    TITLE = "title", _("Title")
    SUBTITLE = "subtitle", _("Subtitle")
    LABEL = "label", _("Label")
    KIND = "kind", _("Kind")
    DATE = "date", _("Date")
    DATE_DISPLAY = "date_display", _("Dateline")


class Emendation(TimeStampedModel):
    """One correction a curator made to an imported article, with its reason."""

    Kind = EmendationKind
    Field = EmendationField

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="emendations")
    sequence = models.PositiveIntegerField(
        help_text="Order in which the emendations of the article are applied, from 1."
    )
    field = models.CharField(max_length=20, choices=Field.choices, default=Field.BODY)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    offset = models.PositiveIntegerField(
        default=0,
        help_text="Where the printed text stood in the field when the emendation was applied.",
    )
    printed = models.TextField(
        blank=True, help_text="The text as printed (as the importer yields it), with context."
    )
    corrected = models.TextField(blank=True, help_text="The text as corrected.")
    reason = models.TextField(help_text="Why the curator changed it.")

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["article", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "sequence"], name="emendation_unique_sequence"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=EmendationKind.values), name="emendation_kind_valid"
            ),
            models.CheckConstraint(condition=~models.Q(reason=""), name="emendation_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.printed[:40]!r} → {self.corrected[:40]!r}"

    @classmethod
    def public_q(cls, prefix: str = "") -> models.Q:
        """An emendation follows its article."""
        return Article.public_q(f"{prefix}article__")

    def is_public(self) -> bool:
        return self.article.is_public()

    def get_absolute_url(self) -> str:
        return self.article.get_absolute_url()


#: Repairs that change words a reader can see. Reflowing lines into paragraphs and moving the
#: title and dateline lines to their fields change only the layout: counted, not listed.
WORD_REPAIRS = ("hyphenation", "drop_cap", "lost_drop_cap", "continuation", "caption", "displaced")


def shown(text: str) -> str:
    """A stretch of text on one line, its breaks visible: "¶" between paragraphs, "/" between
    lines (a paragraph break the extraction lost is otherwise an invisible change)."""
    return text.replace("\n\n", " ¶ ").replace("\n", " / ")


@dataclass(frozen=True)
class EditorialChange:
    """One entry of an article's "Editorial changes": who made it, what, and why."""

    by: str  # "importer" or "curator"
    kind: str
    printed: str
    corrected: str
    reason: str
    field: str = "body"

    @property
    def printed_shown(self) -> str:
        return shown(self.printed)

    @property
    def corrected_shown(self) -> str:
        return shown(self.corrected)

    @property
    def field_label(self) -> str:
        return EmendationField(self.field).label


@dataclass(frozen=True)
class EditorialChanges:
    changes: list[EditorialChange]
    layout_repairs: int  # line joins and title/dateline lines moved, not listed one by one

    def __len__(self) -> int:
        return len(self.changes)


#: Why the importer makes each kind of change, in a reader's words; its own note follows.
REPAIR_REASONS = {
    "hyphenation": "A word broken across lines or pages, rejoined",
    "drop_cap": "The large initial letter, printed apart from its word, rejoined",
    "lost_drop_cap": "The large initial letter, lost in the extraction, restored",
    "continuation": "Page furniture: a “continued on page …” line removed",
    "caption": "A photo caption printed in the running text, moved to the illustrations",
    "displaced": "Text the page layout put in the wrong place, moved back",
}


def _why(repair: TextRepair) -> str:
    reason = REPAIR_REASONS.get(repair.kind, repair.get_kind_display())
    # the importer's own note, without the words that repeat the reason
    note = re.sub(r"^(?:restored: |drop cap rejoined(?:; |$))", "", repair.note.strip())
    if note and not note.startswith("→") and note.lower() not in reason.lower():
        reason += f" ({note})"
    return reason + "."


def editorial_changes(article: Article) -> EditorialChanges:
    """The changes made to the printed text of ``article``: the importer's, then the curator's.

    Only applied repairs of its own source document count (a flagged repair changed nothing);
    two queries, one without a source document. The article page shows this list; callers
    check the article is public.
    """
    source = article.issue.source_document_id
    # Repairs belong to a source document: an issue without one (entered by hand, or from a
    # CSV or JSON import) has none to ask for.
    repairs = (
        list(
            TextRepair.objects.filter(
                article=article, source_document_id=source, status=TextRepair.Status.APPLIED
            ).order_by("sequence", "id")
        )
        if source is not None
        else []
    )
    listed = [r for r in repairs if r.kind in WORD_REPAIRS]
    changes = [
        EditorialChange("importer", r.get_kind_display(), r.before, r.after, _why(r))
        for r in listed
    ]
    changes += [
        EditorialChange("curator", e.get_kind_display(), e.printed, e.corrected, e.reason, e.field)
        for e in article.emendations.order_by("sequence")
    ]
    return EditorialChanges(changes, len(repairs) - len(listed))
