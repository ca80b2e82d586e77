"""Deciding on the unknown names an import found, one click each.

An import lists the capitalised names that match no person, organisation or place (its
"candidates"). For each, the curator can

* create a **draft person, organisation or place** named as printed
  (:func:`archive.services.entity_create_draft`);
* add it as a **variant name** of an existing record: the closest records (the search's own
  name matching, drafts included) are offered as buttons
  (:func:`archive.services.alias_add`), any other one through the variant-name form, the
  name filled in;
* set it aside as **not a name** ("Eastern Europe", a slogan): kept in the import's report
  (or, before the import is accepted, with the waiting upload).

A decided name leaves the list (archive/importers/review.py says when a name is
"undecided"). After a record or variant is added for an imported document, its articles
still being prepared are linked again, so the new mentions wait on the issue's review page.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlparse

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from archive.importers.review import candidate_dismiss, document_relink, document_unknown_names
from archive.models import Organisation, Person, Place, SourceDocument
from archive.search.entities import match_entities
from archive.services import alias_add, entity_create_draft

__all__ = ["name_rows", "names_decide_view", "names_page_view"]

KINDS = {"person": Person, "organisation": Organisation, "place": Place}
#: The kind of variant name a spelling found in a source is.
SPELLING = "source_spelling"
#: Close records offered as "variant of …" for each name.
SUGGESTIONS = 3


def _may_add(user, kind: str) -> bool:
    return user.has_perm(f"archive.add_{kind}")


def name_rows(request, names, *, next_url: str, document: SourceDocument | None = None):
    """The rows of the unknown-names table: each name, how often it occurs, what the user
    may do with it, and the close records it could be a variant of."""
    user = request.user
    creatable = [(kind, KINDS[kind]._meta.verbose_name) for kind in KINDS if _may_add(user, kind)]
    can_alias = user.has_perm("archive.add_alias")
    alias_add_url = reverse("admin:archive_alias_add")
    rows = []
    for name, count in names:
        suggestions = []
        if can_alias:
            for match in match_entities(name, limit=SUGGESTIONS * 2, public_only=False):
                if match.id is None or match.kind not in KINDS:
                    continue
                suggestions.append(
                    {"value": f"variant:{match.kind}:{match.id}", "label": match.name,
                     "kind": KINDS[match.kind]._meta.verbose_name}
                )  # fmt: skip
                if len(suggestions) == SUGGESTIONS:
                    break
        rows.append(
            {
                "name": name,
                "count": count,
                # Any other record, chosen in the variant-name form (the closest are above).
                "alias_url": f"{alias_add_url}?{urlencode({'name': name, 'kind': SPELLING})}"
                if can_alias
                else "",
                "suggestions": suggestions,
                "creatable": creatable,
                "next": next_url,
                "document": document.pk if document is not None else "",
            }
        )
    return rows


def _safe_next(request, fallback: str) -> str:
    """Only a path on this site (the report or names page the decision was made on)."""
    target = request.POST.get("next", "")
    parsed = urlparse(target)
    if target.startswith("/") and not parsed.netloc and not target.startswith("//"):
        return target
    return fallback


def names_decide_view(model_admin, request):
    """POST one decision on one name (see the module docstring), then go back."""
    if request.method != "POST":
        raise PermissionDenied
    name = " ".join(request.POST.get("name", "").split())
    decision = request.POST.get("decision", "")
    document = None
    if request.POST.get("document", "").isdigit():
        document = SourceDocument.objects.filter(pk=request.POST["document"]).first()
    back = _safe_next(request, reverse("admin:archive_sourcedocument_import_report"))
    if not name:
        model_admin.message_user(request, "No name was given.", messages.WARNING)
        return HttpResponseRedirect(back)
    try:
        done = _apply(request, model_admin, name, decision, document)
    except ValidationError as exc:
        model_admin.message_user(request, f"“{name}”: {' '.join(exc.messages)}", messages.ERROR)
        return HttpResponseRedirect(back)
    if done and document is not None and decision != "dismiss":
        document_relink(document=document)
    if done:
        model_admin.message_user(request, done, messages.SUCCESS)
    return HttpResponseRedirect(back)


def _apply(request, model_admin, name: str, decision: str, document):
    user = request.user
    if decision == "dismiss":
        if not user.has_perm("archive.change_sourcedocument"):
            raise PermissionDenied
        if document is not None:
            candidate_dismiss(document=document, name=name)
        else:
            from .import_flow import SESSION_KEY  # the waiting upload (imports this module)

            batch = request.session.get(SESSION_KEY)
            if not batch:
                raise ValidationError("the upload is no longer waiting; upload it again.")
            batch["dismissed"] = sorted(set(batch.get("dismissed", [])) | {name})
            request.session[SESSION_KEY] = batch
        return f"“{name}” is set aside as not a name."
    if decision in KINDS:
        if not _may_add(user, decision):
            raise PermissionDenied
        record = entity_create_draft(model=KINDS[decision], name=name, user=user)
        url = reverse(f"admin:archive_{decision}_change", args=[record.pk])
        return format_html(
            "Created the draft {} <a href=\"{}\">{}</a>: add its dates and Wikidata id there.",
            KINDS[decision]._meta.verbose_name, url, record,
        )  # fmt: skip
    if decision.startswith("variant:"):
        if not user.has_perm("archive.add_alias"):
            raise PermissionDenied
        _, kind, pk = [*decision.split(":"), "", ""][:3]
        model = KINDS.get(kind)
        record = model._default_manager.filter(pk=pk).first() if model and pk.isdigit() else None
        if record is None:
            raise ValidationError("that record no longer exists.")
        alias_add(entity=record, name=name, user=user)
        url = reverse(f"admin:archive_{kind}_change", args=[record.pk])
        return format_html("“{}” is now a variant name of <a href=\"{}\">{}</a>.", name, url,
                           record)  # fmt: skip
    raise ValidationError("choose what to do with the name.")


def names_page_view(model_admin, request, object_id: str):
    """An imported document's undecided names, to decide on after the import."""
    document = model_admin.get_object(request, unquote(object_id))
    if document is None:
        return model_admin._get_obj_does_not_exist_redirect(request, model_admin.opts, object_id)
    if not model_admin.has_view_or_change_permission(request, document):
        raise PermissionDenied
    here = reverse("admin:archive_sourcedocument_names", args=[document.pk])
    unknown = document_unknown_names(document)
    show_all = request.GET.get("all") == "1"
    shown = unknown if show_all else unknown[:25]
    issue = document.issues.first()
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"Unknown names in {document.name}",
        "document": document,
        "document_url": reverse("admin:archive_sourcedocument_change", args=[document.pk]),
        "review_url": reverse("admin:archive_issue_review", args=[issue.pk]) if issue else "",
        "names": name_rows(request, shown, next_url=here, document=document),
        "unknown_count": len(unknown),
        "more_names": len(unknown) - len(shown),
        "all_url": f"{here}?all=1",
    }
    return TemplateResponse(request, "admin/archive/sourcedocument/names.html", context)
