"""Admin for publications, issues and articles (the reading units).

Publishing an issue publishes its articles with it (``archive.services.issue_publish``):
the curator first sees a confirmation page listing the issue's articles, their statuses and
what becomes public; the same page refuses, naming them, while any article is a draft.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from archive.exports.admin import export_selected_as_csv
from archive.models import Article, Authorship, Illustration, Issue, Publication, Status
from archive.services import IssuePublishPlan, issue_publish, issue_publish_plan

from .base import (
    ArchiveModelAdmin,
    ArchiveTabularInline,
    DecadeListFilter,
    FaithfulModelForm,
    PublishableAdmin,
    stored_differences,
)
from .mentions import CompactMentionInline
from .review import issue_review_view
from .text_editor import article_text_view

#: The rule, as the admin states it (and docs/data-model.md, "Publishing an issue").
ISSUE_PUBLISH_RULE = (
    "Publishing an issue publishes it together with every article in review. Articles "
    "already published stay published, and become public with the issue. While any article "
    "is still a draft, nothing is published: send the drafts to review once they are "
    "checked, or move them to another issue. It all happens in one step, or not at all."
)

#: Statuses an issue may be given from its change form; publishing has its own page.
NOT_PUBLISHING = (Status.DRAFT, Status.REVIEW)


class IssueInline(ArchiveTabularInline):
    model = Issue
    extra = 0
    fields = ["title", "volume", "number", "date", "status"]
    # An issue is published with its articles, from its own page, never from this list.
    readonly_fields = ["status"]
    show_change_link = True


@admin.register(Publication)
class PublicationAdmin(PublishableAdmin):
    list_display = ["title", "kind", "publisher", "run", "language", "status"]
    list_filter = ["status", "kind", "language"]
    search_fields = ["title", "slug", "issn", "description"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["publisher", "place", "predecessor"]
    readonly_fields = ["created", "updated", "published_at"]
    inlines = [IssueInline]


class RunDecadeFilter(DecadeListFilter):
    date_field = "date_start"


class IssueAdminForm(FaithfulModelForm):
    """An issue's status can go back to draft or review here; publishing it is refused
    here, because it must go through the confirmation page that publishes its articles."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "status" in self.fields:
            self.fields["status"].help_text = (
                "To publish the issue, use “Publish with its articles…” (top right). "
                + ISSUE_PUBLISH_RULE
            )

    def clean_status(self) -> str:
        status = self.cleaned_data["status"]
        # Compared with the stored status, not the form's initial one: a history revert
        # draws its form from an old (perhaps published) version.
        stored = (
            Issue.objects.filter(pk=self.instance.pk).values_list("status", flat=True).first()
            if self.instance.pk
            else None
        )
        if status != stored and status not in NOT_PUBLISHING:
            raise ValidationError(
                "An issue is published together with its articles: use “Publish with its "
                "articles…” on the issue's page (or the “Publish selected issues with their "
                "articles…” action), which shows what will become public first.",
                code="publish_with_articles",
            )
        return status


def _ids(value: str | None) -> list[int] | None:
    """The article ids a confirmation page was drawn with ("3,5,8"); None if not given."""
    if value is None:
        return None
    return [int(part) for part in value.split(",") if part.strip().isdigit()]


@admin.register(Issue)
class IssueAdmin(PublishableAdmin):
    form = IssueAdminForm
    list_display = [
        "__str__", "publication", "volume", "number", "date", "status_shown", "review_link",
    ]  # fmt: skip
    list_filter = ["status", "publication", RunDecadeFilter]
    search_fields = ["title", "slug", "publication__title", "number"]
    autocomplete_fields = ["publication"]
    raw_id_fields = ["source_document"]
    readonly_fields = ["visibility", "created", "updated", "published_at"]
    list_select_related = ["publication"]

    def get_urls(self):
        publish = path(
            "<path:object_id>/publish/",
            self.admin_site.admin_view(self.publish_view),
            name="archive_issue_publish",
        )
        review = path(
            "<path:object_id>/review/",
            self.admin_site.admin_view(self.review_view),
            name="archive_issue_review",
        )
        return [publish, review, *super().get_urls()]

    def review_view(self, request, object_id):
        """Every article of the issue, its mentions and repairs to decide, and publishing."""
        return issue_review_view(self, request, object_id)

    @admin.display(description="review")
    def review_link(self, obj) -> str:
        url = reverse(f"{self.admin_site.name}:archive_issue_review", args=[obj.pk])
        return format_html('<a href="{}">Review</a>', url)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}),
                         "can_publish_issue": self.has_publish_permission(request)}  # fmt: skip
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        was_public = Issue.objects.select_related("publication").get(pk=obj.pk).is_public()
        super().save_model(request, obj, form, change)
        if was_public and not obj.is_public():
            self._say_articles_hidden(request)

    def _say_articles_hidden(self, request) -> None:
        self.message_user(
            request,
            "The issue is no longer public, and neither are its articles. Articles published "
            "in it keep their status, shown as “Published (not public: issue is …)” in the "
            "article list, and become public again when the issue is published.",
            messages.WARNING,
        )

    @admin.action(description="Send selected records back to review", permissions=["publish"])
    def send_back_to_review(self, request, queryset):
        public_before = [issue.pk for issue in queryset.select_related("publication")
                         if issue.is_public()]  # fmt: skip
        super().send_back_to_review(request, queryset)
        if public_before:
            self._say_articles_hidden(request)

    # -- publishing an issue with its articles

    @admin.action(description="Publish selected issues with their articles…",
                  permissions=["publish"])  # fmt: skip
    def publish(self, request, queryset):
        issues = list(queryset.select_related("publication").order_by("pk"))
        if request.POST.get("post") != "yes":
            changelist = reverse("admin:archive_issue_changelist")
            return self._publish_confirmation(request, issues, cancel_url=changelist, action=True)
        try:
            with transaction.atomic():
                plans = [
                    issue_publish(issue=issue, user=request.user,
                                  expected=_ids(request.POST.get(f"expected-{issue.pk}")))
                    for issue in issues
                ]  # fmt: skip
        except ValidationError as exc:
            for message in exc.messages:
                self.message_user(request, message, messages.ERROR)
            self.message_user(request, "Nothing was published.", messages.ERROR)
            return None
        for plan in plans:
            self._say_published(request, plan)
        return None

    def publish_view(self, request, object_id):
        """The change form's “Publish with its articles…”: confirmation page, then publish."""
        if not self.has_publish_permission(request):
            raise PermissionDenied
        issue = self.get_object(request, unquote(object_id))
        if issue is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        change_url = reverse("admin:archive_issue_change", args=[issue.pk])
        if request.method == "POST":
            expected = _ids(request.POST.get(f"expected-{issue.pk}"))
            try:
                plan = issue_publish(issue=issue, user=request.user, expected=expected)
            except ValidationError as exc:
                for message in exc.messages:
                    self.message_user(request, message, messages.ERROR)
                issue.refresh_from_db()
            else:
                self._say_published(request, plan)
                return HttpResponseRedirect(change_url)
        return self._publish_confirmation(request, [issue], cancel_url=change_url)

    def _say_published(self, request, plan: IssuePublishPlan) -> None:
        count = len(plan.to_publish)
        self.message_user(
            request,
            f"Published “{plan.issue}” with {count} article{'s' if count != 1 else ''} "
            f"that {'was' if count == 1 else 'were'} in review.",
            messages.SUCCESS,
        )
        if not plan.publication_is_public:
            self.message_user(
                request,
                f"Its publication “{plan.issue.publication}” is not published, so nothing in "
                "the issue is public yet.",
                messages.WARNING,
            )

    def _publish_confirmation(self, request, issues, *, cancel_url: str, action: bool = False):
        sections = [self._publish_section(issue_publish_plan(issue=issue)) for issue in issues]
        context = {
            **self.admin_site.each_context(request),
            "title": "Publish issues with their articles"
            if len(issues) > 1
            else f"Publish “{issues[0]}” with its articles",
            "opts": self.opts,
            "rule": ISSUE_PUBLISH_RULE,
            "sections": sections,
            "allowed": all(s["plan"].allowed for s in sections),
            "cancel_url": cancel_url,
            "is_action": action,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/archive/issue/publish_confirmation.html", context)

    def _publish_section(self, plan: IssuePublishPlan) -> dict:
        """One issue's rows for the confirmation page: now → after, and what is public."""
        public = plan.publication_is_public
        becomes = "public" if public else "not public: the publication is not published"
        outcome = {}
        for article in plan.to_publish:
            outcome[article.pk] = (f"Published ({becomes})", "publish")
        for article in plan.already_published:
            outcome[article.pk] = (f"Stays published ({becomes})", "stays")
        for article in plan.drafts:
            outcome[article.pk] = ("Still a draft: nothing can be published", "blocks")
        for article, problem in plan.invalid:
            outcome[article.pk] = (f"Cannot be published: {problem}", "blocks")
        rows = [
            {
                "article": article,
                "url": reverse("admin:archive_article_change", args=[article.pk]),
                "now": article.get_status_display(),
                "after": outcome[article.pk][0],
                "kind": outcome[article.pk][1],
            }
            for article in plan.articles
        ]
        return {
            "plan": plan,
            "rows": rows,
            "issue_url": reverse("admin:archive_issue_change", args=[plan.issue.pk]),
            "expected": ",".join(str(pk) for pk in plan.to_publish_ids),
        }


class AuthorshipInline(ArchiveTabularInline):
    model = Authorship
    extra = 0
    fields = ["person", "role", "order"]
    autocomplete_fields = ["person"]


class IllustrationInline(ArchiveTabularInline):
    model = Illustration
    extra = 0
    fields = ["position", "caption", "page", "after_paragraph"]
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})},
    }


class ArticleMentionInline(CompactMentionInline):
    """The article's mentions, one compact row each (see CompactMentionInline)."""

    fields = ["target_shown", "count", "status", "context_shown"]


class EffectiveDecadeFilter(DecadeListFilter):
    """An article's decade by its effective date (the one rule, ``Article.effective_date``)."""

    date_field = "effective_date_start"


class HasAuthorFilter(admin.SimpleListFilter):
    title = "authorship"
    parameter_name = "signed"

    def lookups(self, request, model_admin):
        return [("yes", "Signed"), ("no", "Unsigned")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(authorships__isnull=False).distinct()
        if self.value() == "no":
            return queryset.unsigned()
        return queryset


@admin.register(Article)
class ArticleAdmin(PublishableAdmin):
    list_display = [
        "title", "label", "kind", "issue", "position", "effective_date_shown", "word_count",
        "status_shown",
    ]  # fmt: skip
    list_filter = [
        "status", "kind", "issue__publication", "date_source", EffectiveDecadeFilter,
        HasAuthorFilter, "language",
    ]  # fmt: skip
    search_fields = ["title", "subtitle", "label", "body", "slug"]
    autocomplete_fields = ["issue", "first_published_in_issue", "first_published_in_publication"]
    readonly_fields = [
        "visibility", "word_count", "raw_text_as_imported", "curator_edited_fields", "created",
        "updated", "published_at",
    ]  # fmt: skip
    list_select_related = ["issue__publication"]
    inlines = [AuthorshipInline, IllustrationInline, ArticleMentionInline]
    fieldsets = [
        (None, {"fields": ["issue", "position", "label", "kind", "title", "subtitle", "slug",
                           "status", "visibility"]}),
        ("Date", {"fields": ["date", "date_display"]}),
        ("First published", {"fields": ["first_published_in_publication",
                                         "first_published_in_issue", "first_published_date"]}),
        ("Text", {"fields": ["pages", "language", "body", "word_count"]}),
        ("Provenance", {"classes": ["collapse"], "fields": ["raw_text_as_imported"]}),
        ("Curation", {"fields": ["curator_notes", "curator_edited_fields", "created", "updated",
                                 "published_at"]}),
    ]  # fmt: skip

    def get_urls(self):
        text = path(
            "<path:object_id>/text/",
            self.admin_site.admin_view(self.text_view),
            name="archive_article_text",
        )
        return [text, *super().get_urls()]

    def text_view(self, request, object_id):
        """The body in a tall editor beside a preview of the public page's rendering."""
        return article_text_view(self, request, object_id)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}),
                         "add_mention_url": reverse("admin:archive_mention_add")}  # fmt: skip
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="date", ordering="effective_date_start")
    def effective_date_shown(self, obj) -> str:
        """The article's effective date and where it comes from ("1990-01, from its
        dateline"); "undated" when the rule gives none."""
        if not obj.effective_date:
            return obj.get_date_source_display()
        return f"{obj.effective_date}, from {obj.get_date_source_display()}"

    @admin.display(description="raw text (as imported, read-only)")
    def raw_text_as_imported(self, obj) -> str:
        """The extracted text is provenance: shown exactly, never edited here (the repair
        log replays the body back to it)."""
        if not obj.raw_text:
            return "—"
        return format_html('<pre class="provenance" style="white-space: pre-wrap">{}</pre>',
                           obj.raw_text)  # fmt: skip

    def save_model(self, request, obj, form, change):
        """Remember which fields a curator changed, so re-imports leave them alone: only
        fields whose value really differs from the stored one (line breaks normalised)."""
        if change:
            edited = set(stored_differences(obj)) & set(form.fields) - {"status"}
            if edited:
                obj.curator_edited_fields = sorted(set(obj.curator_edited_fields) | edited)
        super().save_model(request, obj, form, change)


@admin.register(Authorship)
class AuthorshipAdmin(ArchiveModelAdmin):
    actions = [export_selected_as_csv]
    list_display = ["person", "role", "article", "order"]
    list_filter = ["role"]
    search_fields = ["person__name", "article__title"]
    autocomplete_fields = ["person", "article"]
    list_select_related = ["person", "article"]


@admin.register(Illustration)
class IllustrationAdmin(ArchiveModelAdmin):
    actions = [export_selected_as_csv]
    list_display = ["__str__", "article", "page", "position"]
    search_fields = ["caption", "article__title"]
    autocomplete_fields = ["article"]
    list_select_related = ["article"]
