"""The review dashboard, the admin's front page: what needs a curator now.

Each figure is a count linking to the list it counts, filtered (the list's own filters, so
the list shows exactly what was counted): drafts and records in review by kind, mentions to
confirm, unknown names from imports, flagged text repairs, undated articles, records without
a Wikidata id and suspected duplicates. A figure is shown only to a user who may open its
list. Every count comes from the model layer's rules (``Article.objects.undated()``,
:func:`archive.admin.duplicates.suspected_duplicates`,
:func:`archive.importers.review.document_unknown_names`), not from a copy of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.apps import apps
from django.db.models import Count, Q
from django.urls import reverse

from archive.importers.review import document_unknown_names, known_name_keys
from archive.models import (
    Article,
    Event,
    Issue,
    Mention,
    Organisation,
    Person,
    Place,
    Publication,
    SourceDocument,
    Status,
    TextRepair,
)

from .duplicates import suspected_duplicates

__all__ = ["Figure", "Section", "dashboard"]

#: The kinds of record a curator prepares and publishes, in the order they are shown.
PUBLISHABLE = (Publication, Issue, Article, Person, Organisation, Place, Event)
#: The kinds that carry a Wikidata id and can be merged as duplicates.
AUTHORITY = (Person, Organisation, Place)
#: How many recent imports the dashboard lists.
RECENT_IMPORTS = 5


@dataclass
class Figure:
    """One count and where it leads (``url`` is empty when the user may not open the list)."""

    label: str
    count: int
    url: str = ""


@dataclass
class Section:
    slug: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    #: Rows of figures for a table (kind → one figure per column), when the section is one.
    columns: list[str] = field(default_factory=list)
    rows: list[tuple[str, list[Figure]]] = field(default_factory=list)
    note: str = ""


def _list_url(site, request, model, **params) -> str:
    """The model's admin list filtered by ``params``, or "" if the user may not see it."""
    model_admin = site._registry.get(model)
    if model_admin is None or not model_admin.has_view_or_change_permission(request):
        return ""
    opts = model._meta
    url = reverse(f"{site.name}:{opts.app_label}_{opts.model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def _plural(model) -> str:
    return str(model._meta.verbose_name_plural).capitalize()


def _workflow(site, request) -> Section:
    section = Section("workflow", "Drafts and records in review", columns=["Drafts", "In review"])
    for model in PUBLISHABLE:
        if not _list_url(site, request, model):
            continue
        counts = model._default_manager.aggregate(
            draft=Count("pk", filter=Q(status=Status.DRAFT)),
            review=Count("pk", filter=Q(status=Status.REVIEW)),
        )
        section.rows.append(
            (
                _plural(model),
                [
                    Figure("Drafts", counts["draft"],
                           _list_url(site, request, model, status__exact=Status.DRAFT)),
                    Figure("In review", counts["review"],
                           _list_url(site, request, model, status__exact=Status.REVIEW)),
                ],
            )
        )  # fmt: skip
    return section


def _review(site, request) -> Section:
    section = Section("review", "Review the imported text")
    if _list_url(site, request, Mention):
        counts = Mention.objects.aggregate(
            flagged=Count("pk", filter=Q(status=Mention.Status.FLAGGED)),
            auto=Count("pk", filter=Q(status=Mention.Status.AUTO)),
        )
        section.figures += [
            Figure("Ambiguous mentions to decide", counts["flagged"],
                   _list_url(site, request, Mention, status__exact=Mention.Status.FLAGGED)),
            Figure("Automatic mentions to confirm", counts["auto"],
                   _list_url(site, request, Mention, status__exact=Mention.Status.AUTO)),
        ]  # fmt: skip
    if _list_url(site, request, SourceDocument):
        known = known_name_keys()
        unknown = sum(
            len(document_unknown_names(document, known=known))
            for document in SourceDocument.objects.only("pk", "report")
        )
        section.figures.append(
            Figure("Unknown names from imports", unknown,
                   _list_url(site, request, SourceDocument, names="undecided"))
        )  # fmt: skip
    if _list_url(site, request, TextRepair):
        flagged = TextRepair.objects.filter(status=TextRepair.Status.FLAGGED).count()
        section.figures.append(
            Figure("Flagged text repairs", flagged,
                   _list_url(site, request, TextRepair, status__exact=TextRepair.Status.FLAGGED))
        )  # fmt: skip
    corrections = _corrections_model()
    if corrections is not None and _list_url(site, request, corrections):
        waiting = corrections._default_manager.filter(status=corrections.Status.NEW).count()
        section.figures.append(
            Figure("Corrections suggested by readers", waiting,
                   _list_url(site, request, corrections, status__exact=corrections.Status.NEW))
        )  # fmt: skip
    if _list_url(site, request, Article):
        section.figures.append(
            Figure("Undated articles", Article.objects.undated().count(),
                   _list_url(site, request, Article,
                             date_source__exact=Article.DateSource.UNDATED))
        )  # fmt: skip
    return section


def _corrections_model():
    """Readers' suggested corrections, where the archive has them."""
    try:
        return apps.get_model("archive", "Correction")
    except LookupError:
        return None


def _authority(site, request) -> Section:
    section = Section(
        "authority",
        "Authority ids and duplicates",
        columns=["Without Wikidata id", "Suspected duplicates"],
        note="Suspected duplicates share a name or variant name once case, accents, "
        "punctuation and word order are set aside; compare them and merge.",
    )
    for model in AUTHORITY:
        if not _list_url(site, request, model):
            continue
        missing = model._default_manager.filter(wikidata="").count()
        duplicates = len(suspected_duplicates(model))
        section.rows.append(
            (
                _plural(model),
                [
                    Figure("Without Wikidata id", missing,
                           _list_url(site, request, model, authority="missing")),
                    Figure("Suspected duplicates", duplicates,
                           _list_url(site, request, model, duplicates="suspected")),
                ],
            )
        )  # fmt: skip
    return section


def _recent_imports(site, request) -> list[dict]:
    """The latest imported documents, each with the issue it made and that issue's review."""
    if not _list_url(site, request, SourceDocument):
        return []
    documents = SourceDocument.objects.defer("text", "report").order_by("-imported_at", "-pk")
    rows = []
    for document in documents[:RECENT_IMPORTS]:
        issue = document.issues.select_related("publication").first()
        rows.append(
            {
                "document": document,
                "url": reverse(f"{site.name}:archive_sourcedocument_change", args=[document.pk]),
                "issue": issue,
                "review_url": reverse(f"{site.name}:archive_issue_change", args=[issue.pk])
                if issue is not None
                else "",
            }
        )
    return rows


def dashboard(request, site) -> dict:
    """Everything the front page shows above the list of records."""
    sections = [_workflow(site, request), _review(site, request), _authority(site, request)]
    can_import = request.user.has_perm("archive.add_article") and request.user.has_perm(
        "archive.change_sourcedocument"
    )
    return {
        "sections": [s for s in sections if s.figures or s.rows],
        "recent_imports": _recent_imports(site, request),
        "import_url": reverse(f"{site.name}:archive_sourcedocument_import") if can_import else "",
    }
