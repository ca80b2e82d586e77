"""The issue review page: everything a curator checks before publishing an imported issue.

``/admin/archive/issue/<id>/review/`` lists every article of the issue with its status,
date (and where it comes from), flagged repairs, mentions to confirm and the edits curators
made; then one compact table of the mentions waiting for a decision (the context with the
name highlighted, the target, the count), to confirm or reject in bulk; then the flagged
repairs with the source text around them, to accept or reject in bulk; and the way to
publish the issue with its articles (the confirmation page of ``IssueAdmin``).

Decisions go through the same services as everywhere else (``mentions_set_status``,
``repairs_accept`` / ``repairs_revert``), each recorded in history with who made it.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from archive.importers.linking import NameIndex, find_mentions
from archive.importers.review import (
    document_unknown_names,
    repairs_accept,
    repairs_revert,
    text_around,
)
from archive.models import TARGETS, Alias, Article, Issue, Mention, Status, TextRepair
from archive.services import issue_publish_plan, mentions_set_status, records_set_status

from .base import can_publish, status_with_visibility, visibility

__all__ = ["highlight_names", "issue_review_view"]

#: Mention statuses that wait for a curator's decision, most urgent first.
TO_DECIDE = (Mention.Status.FLAGGED, Mention.Status.AUTO)
BULK_MENTIONS = {"confirm": Mention.Status.CONFIRMED, "reject": Mention.Status.REJECTED}


def highlight_names(
    text: str, names: list[str], kind: str = "person", *, width: int | None = None
) -> SafeString:
    """``text`` escaped, with each occurrence of one of ``names`` (case, diacritics and
    apostrophes aside, whole words: the linker's own matching) marked. With ``width``, only
    about that many characters around the first occurrence are kept, cut at spaces."""
    index = NameIndex.from_entries([(name, kind, 0) for name in names if name.strip()])
    hits = find_mentions(text, index)
    start, end = 0, len(text)
    if width is not None and len(text) > width:
        centre = hits[0].start if hits else 0
        start = max(0, centre - width // 2)
        end = min(len(text), start + width)
        if start > 0:
            start = text.find(" ", start, centre) + 1 or start
        if end < len(text):
            end = text.rfind(" ", hits[0].end if hits else start, end) if hits else end
            end = end if end > start else min(len(text), start + width)
    out = ["…" if start > 0 else ""]
    pos = start
    for hit in hits:
        if hit.start < start or hit.end > end:
            continue
        out.append(escape(text[pos : hit.start]))
        out.append(f'<mark class="name">{escape(text[hit.start : hit.end])}</mark>')
        pos = hit.end
    out.append(escape(text[pos:end]))
    out.append("…" if end < len(text) else "")
    return mark_safe("".join(out))  # noqa: S308 - every piece from the data is escaped


def mention_names(mention: Mention) -> list[str]:
    """The names the mention's record is known by (its variant names prefetched or not)."""
    target = mention.target
    names = [getattr(target, "name", None) or target.title]
    if getattr(target, "acronym", ""):
        names.append(target.acronym)
    if hasattr(target, "aliases"):
        names += [alias.name for alias in target.aliases.all()]
    return names


def _names_by_target(mentions: list[Mention]) -> dict[tuple[str, int], list[str]]:
    """Every name each mentioned record is known by: name, variant names, acronym."""
    names: dict[tuple[str, int], list[str]] = defaultdict(list)
    ids: dict[str, set[int]] = defaultdict(set)
    for mention in mentions:
        kind, target = mention.target_type, mention.target
        key = (kind, target.pk)
        if key not in names:
            names[key].append(getattr(target, "name", None) or target.title)
            if getattr(target, "acronym", ""):
                names[key].append(target.acronym)
            ids[kind].add(target.pk)
    for kind in ("person", "organisation", "place"):
        if ids[kind]:
            aliases = Alias.objects.filter(**{f"{kind}__in": ids[kind]})
            for pk, name in aliases.values_list(f"{kind}_id", "name"):
                names[(kind, pk)].append(name)
    return names


def _admin_url(site, obj, view: str = "change") -> str:
    opts = obj._meta
    return reverse(f"{site.name}:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])


def _mention_rows(site, issue: Issue) -> list[dict]:
    mentions = list(
        Mention.objects.filter(article__issue=issue)
        .filter(Q(status=Mention.Status.FLAGGED) | Q(status=Mention.Status.AUTO))
        .select_related("article", *TARGETS)
        .order_by("article__position", "article_id", "first_offset", "id")
    )
    names = _names_by_target(mentions)
    rows = []
    for mention in mentions:
        kind, target = mention.target_type, mention.target
        rows.append(
            {
                "mention": mention,
                "kind": target._meta.verbose_name,
                "target": target,
                "target_url": _admin_url(site, target),
                "article_url": _admin_url(site, mention.article),
                "context": highlight_names(
                    mention.context, names[(kind, target.pk)], "event" if kind == "event" else kind
                ),
            }
        )
    return rows


def _repair_rows(site, issue: Issue) -> list[dict]:
    repairs = list(
        TextRepair.objects.filter(article__issue=issue, status=TextRepair.Status.FLAGGED)
        .select_related("article", "source_document")
        .order_by("article__position", "line", "id")
    )
    texts: dict[int, str] = {}
    rows = []
    for repair in repairs:
        source = repair.source_document
        if source.pk not in texts:
            texts[source.pk] = source.text or ""
        rows.append(
            {
                "repair": repair,
                "url": _admin_url(site, repair),
                "article_url": _admin_url(site, repair.article),
                "around": text_around(texts[source.pk], line=repair.line, part=repair.before),
            }
        )
    return rows


def _article_rows(site, issue: Issue) -> list[dict]:
    articles = list(issue.articles.select_related("issue__publication").order_by("position", "pk"))
    mention_counts: Counter = Counter()
    for article_id, status in Mention.objects.filter(article__issue=issue).values_list(
        "article_id", "status"
    ):
        mention_counts[(article_id, status)] += 1
    flagged_repairs = Counter(
        TextRepair.objects.filter(
            article__issue=issue, status=TextRepair.Status.FLAGGED
        ).values_list("article_id", flat=True)
    )
    repairs_url = reverse(f"{site.name}:archive_textrepair_changelist")
    rows = []
    for article in articles:
        last = article.history.select_related("history_user").first()
        rows.append(
            {
                "article": article,
                "url": _admin_url(site, article),
                "text_url": _admin_url(site, article, "text"),
                "history_url": _admin_url(site, article, "history"),
                "status": status_with_visibility(article),
                "flagged_repairs": flagged_repairs[article.pk],
                "repairs_url": f"{repairs_url}?article__id__exact={article.pk}"
                "&status__exact=flagged",
                "flagged": mention_counts[(article.pk, Mention.Status.FLAGGED)],
                "auto": mention_counts[(article.pk, Mention.Status.AUTO)],
                "confirmed": mention_counts[(article.pk, Mention.Status.CONFIRMED)],
                "edited": article.curator_edited_fields or [],
                "last": last,
            }
        )
    return rows


def _decide(model_admin, request, issue: Issue) -> None:
    """Apply the bulk decision posted from the page (mentions or repairs of this issue)."""
    action = request.POST.get("action", "")
    user = request.user
    if action in BULK_MENTIONS:
        if not user.has_perm("archive.change_mention"):
            raise PermissionDenied
        ids = [i for i in request.POST.getlist("mention") if i.isdigit()]
        chosen = Mention.objects.filter(article__issue=issue, pk__in=ids)
        if not ids:
            model_admin.message_user(request, "Tick the mentions to decide on first.",
                                     messages.WARNING)  # fmt: skip
            return
        count = mentions_set_status(mentions=chosen, status=BULK_MENTIONS[action], user=user)
        verb = "Confirmed" if action == "confirm" else "Rejected"
        model_admin.message_user(request, f"{verb} {count} mention(s).", messages.SUCCESS)
    elif action == "articles_to_review":
        if not can_publish(request):
            raise PermissionDenied
        ids = [i for i in request.POST.getlist("article") if i.isdigit()]
        drafts = Article.objects.filter(issue=issue, pk__in=ids, status=Status.DRAFT)
        count = records_set_status(queryset=drafts, status=Status.REVIEW, user=user,
                                   reason="Checked on the issue's review page")  # fmt: skip
        model_admin.message_user(request, f"Sent {count} draft(s) to review.", messages.SUCCESS)
    elif action in ("accept_repairs", "reject_repairs"):
        if not user.has_perm("archive.change_textrepair"):
            raise PermissionDenied
        ids = [i for i in request.POST.getlist("repair") if i.isdigit()]
        chosen = TextRepair.objects.filter(article__issue=issue, pk__in=ids).select_related(
            "article"
        )
        decide = repairs_accept if action == "accept_repairs" else repairs_revert
        result = decide(repairs=chosen)
        verb = "accepted" if action == "accept_repairs" else "rejected"
        if result.done:
            model_admin.message_user(request, f"{len(result.done)} repair(s) {verb}.",
                                     messages.SUCCESS)  # fmt: skip
        for repair, reason in result.skipped[:10]:
            model_admin.message_user(request, f"Line {repair.line}: {reason}.", messages.WARNING)
        if not ids:
            model_admin.message_user(request, "Tick the repairs to decide on first.",
                                     messages.WARNING)  # fmt: skip


def issue_review_view(model_admin, request, object_id: str):
    """The review page of one issue (see the module docstring)."""
    site = model_admin.admin_site
    issue = model_admin.get_object(request, unquote(object_id))
    if issue is None:
        return model_admin._get_obj_does_not_exist_redirect(request, model_admin.opts, object_id)
    if not model_admin.has_view_or_change_permission(request, issue):
        raise PermissionDenied
    review_url = _admin_url(site, issue, "review")
    if request.method == "POST":
        _decide(model_admin, request, issue)
        return HttpResponseRedirect(review_url + request.POST.get("anchor", ""))
    plan = issue_publish_plan(issue=issue)
    articles = _article_rows(site, issue)
    mentions = _mention_rows(site, issue)
    repairs = _repair_rows(site, issue)
    source = issue.source_document
    unknown = document_unknown_names(source) if source is not None else []
    user = request.user
    context = {
        **site.each_context(request),
        "title": f"Review “{issue}”",
        "opts": model_admin.opts,
        "issue": issue,
        "visibility": visibility(issue),
        "change_url": _admin_url(site, issue),
        "public_url": issue.get_absolute_url() if issue.is_public() else "",
        "source": source,
        "source_url": _admin_url(site, source) if source is not None else "",
        "names_url": _admin_url(site, source, "names") if source is not None else "",
        "unknown_names": unknown,
        "articles": articles,
        "status_counts": list(
            Counter(row["article"].get_status_display() for row in articles).items()
        ),
        "mentions": mentions,
        "repairs": repairs,
        "plan": plan,
        # Workflow, not visibility: an issue still being prepared has its publish step ahead.
        "in_preparation": issue.status in (Status.DRAFT, Status.REVIEW),
        "can_publish": can_publish(request),
        "publish_url": _admin_url(site, issue, "publish"),
        "can_decide_mentions": user.has_perm("archive.change_mention"),
        "can_decide_repairs": user.has_perm("archive.change_textrepair"),
        "add_mention_url": reverse(f"{site.name}:archive_mention_add"),
        "article_model": Article,
    }
    return TemplateResponse(request, "admin/archive/issue/review.html", context)
