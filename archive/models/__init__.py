"""The archive's data model, one module per concern; see docs/data-model.md."""

from .base import EDTFField, PublishableModel, Status, TimeStampedModel
from .entities import Alias, Organisation, PastSlug, Person, Place
from .events import Event, EventParticipant
from .mentions import TARGETS, Mention
from .publications import (
    Article,
    Authorship,
    Illustration,
    Issue,
    Publication,
    SourceDocument,
    TextRepair,
)
from .site import ContentVersion

__all__ = [
    "TARGETS",
    "Alias",
    "Article",
    "Authorship",
    "ContentVersion",
    "EDTFField",
    "Event",
    "EventParticipant",
    "Illustration",
    "Issue",
    "Mention",
    "Organisation",
    "PastSlug",
    "Person",
    "Place",
    "Publication",
    "PublishableModel",
    "SourceDocument",
    "Status",
    "TextRepair",
    "TimeStampedModel",
]
