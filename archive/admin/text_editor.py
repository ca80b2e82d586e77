"""An article's text, edited beside a preview of how the public page will show it.

``/admin/archive/article/<id>/text/``: a tall editor for the body and, beside it, the body
rendered by the public page's own renderer (``archive.views.reader.render_body``, with the
article's captions in place). "Preview" shows the typed text rendered without saving;
"Save" saves it as the change form would (faithful, version-checked against other curators'
edits, remembered in ``curator_edited_fields`` so re-imports keep it) with the reason the
curator gives, which the history shows beside the word-level diff.
"""

from __future__ import annotations

from collections import defaultdict

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from archive.models import Article
from archive.services import change_reason
from archive.views.reader import render_body

from .base import FaithfulModelForm, stored_differences
from .concurrency import concurrency_form
from .history import ensure_history_baseline

__all__ = ["ArticleTextForm", "article_text_view"]


class ArticleTextForm(FaithfulModelForm):
    reason = forms.CharField(
        required=False,
        max_length=100,
        label="Reason for this change",
        help_text="Shown in the article's history, e.g. “paragraph restored from the print”.",
    )

    class Meta:
        model = Article
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 32, "class": "body-editor"})}


def _preview(article: Article, body: str):
    captions: dict[int, list[str]] = defaultdict(list)
    for illustration in article.illustrations.all():
        captions[illustration.after_paragraph or 10**6].append(illustration.caption)
    html, _sections = render_body(body, captions=dict(captions))
    return html


def article_text_view(model_admin, request, object_id: str):
    """The editor with its preview (see the module docstring)."""
    site = model_admin.admin_site
    article = model_admin.get_object(request, unquote(object_id))
    if article is None:
        return model_admin._get_obj_does_not_exist_redirect(request, model_admin.opts, object_id)
    if not model_admin.has_view_or_change_permission(request, article):
        raise PermissionDenied
    can_edit = model_admin.has_change_permission(request, article)
    form_class = concurrency_form(ArticleTextForm)
    url = reverse(f"{site.name}:archive_article_text", args=[article.pk])
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        with transaction.atomic(using=router.db_for_write(Article)):
            form = form_class(request.POST, instance=article)
            if form.is_valid() and "_preview" not in request.POST:
                _save(model_admin, request, form)
                return HttpResponseRedirect(url)
    else:
        form = form_class(instance=article)
    body = form.cleaned_data["body"] if form.is_bound and form.is_valid() else article.body
    context = {
        **site.each_context(request),
        "title": f"Text of “{article.title}”",
        "opts": model_admin.opts,
        "article": article,
        "form": form,
        "can_edit": can_edit,
        "preview": _preview(article, body),
        "previewing": form.is_bound,
        "change_url": reverse(f"{site.name}:archive_article_change", args=[article.pk]),
        "history_url": reverse(f"{site.name}:archive_article_history", args=[article.pk]),
        "review_url": reverse(f"{site.name}:archive_issue_review", args=[article.issue_id]),
    }
    return TemplateResponse(request, "admin/archive/article/text.html", context)


def _save(model_admin, request, form) -> None:
    """Save the body if it really changed, and say which."""
    article = form.save(commit=False)
    if "body" not in stored_differences(article):
        model_admin.message_user(request, "The text was not changed: nothing to save.",
                                 messages.INFO)  # fmt: skip
        return
    ensure_history_baseline(article)
    article.curator_edited_fields = sorted(set(article.curator_edited_fields or []) | {"body"})
    article._history_user = request.user
    article._change_reason = change_reason(form.cleaned_data.get("reason") or "Text edited")
    article.save()
    article._nothing_saved = False
    model_admin.log_change(request, article, [{"changed": {"fields": ["Body"]}}])
    model_admin.message_user(request, "The text was saved.", messages.SUCCESS)
