"""The archive's data model, one module per concern; see docs/data-model.md."""

from .base import EDTFField, PublishableModel, Status, TimeStampedModel
from .changes import Change, ChangeKind, ChangeLogState, PublicRow
from .corrections import Correction
from .emendations import Emendation
from .entities import Alias, Organisation, PastSlug, Person, Place
from .events import Event, EventParticipant
from .jobs import BackgroundJob, JobKind, JobStatus
from .mentions import TARGETS, Mention
from .publications import (
    Article,
    Authorship,
    FirstAppearance,
    Illustration,
    Issue,
    Publication,
    SourceDocument,
    TextRepair,
)
from .site import ContentVersion, SearchVocabulary

__all__ = [
    "TARGETS",
    "Alias",
    "Article",
    "Authorship",
    "BackgroundJob",
    "Change",
    "ChangeKind",
    "ChangeLogState",
    "ContentVersion",
    "Correction",
    "EDTFField",
    "Emendation",
    "Event",
    "EventParticipant",
    "FirstAppearance",
    "Illustration",
    "Issue",
    "JobKind",
    "JobStatus",
    "Mention",
    "Organisation",
    "PastSlug",
    "Person",
    "Place",
    "PublicRow",
    "Publication",
    "PublishableModel",
    "SearchVocabulary",
    "SourceDocument",
    "Status",
    "TextRepair",
    "TimeStampedModel",
]
