"""Publishing an issue publishes its articles with it: confirmation page first, one
transaction, refused (naming them) while any article is a draft; Contributors cannot."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from archive.models import Article, Issue, Status
from tests.factories import ArticleFactory, IssueFactory, UserFactory

from .browserform import admin_form_data, browser_post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator():
    user = UserFactory(username="ada")
    user.groups.add(Group.objects.get(name="Curator"))
    return user


@pytest.fixture
def contributor():
    user = UserFactory(username="bob")
    user.groups.add(Group.objects.get(name="Contributor"))
    return user


@pytest.fixture
def issue():
    """A draft issue of a published publication: two articles in review, one published."""
    issue = IssueFactory(status=Status.DRAFT, title="Eastern Europe 1989")
    ArticleFactory(issue=issue, position=1, title="Wałęsa at the gate", status=Status.REVIEW)
    ArticleFactory(issue=issue, position=2, title="Trotsky’s testament", status=Status.REVIEW)
    ArticleFactory(issue=issue, position=3, title="Ceaușescu falls", status=Status.PUBLISHED)
    return issue


def publish_url(issue) -> str:
    return reverse("admin:archive_issue_publish", args=[issue.pk])


def statuses(issue) -> list[tuple[str, str]]:
    return list(issue.articles.order_by("position").values_list("title", "status"))


def test_the_change_form_offers_publishing_with_the_articles(client, curator, issue):
    client.force_login(curator)
    page = client.get(reverse("admin:archive_issue_change", args=[issue.pk])).content.decode()
    assert f'href="{publish_url(issue)}"' in page
    assert "Publish with its articles…" in page


def test_confirmation_page_lists_articles_and_what_becomes_public_and_writes_nothing(
    client, curator, issue
):
    client.force_login(curator)
    before = statuses(issue)
    response = client.get(publish_url(issue))
    assert response.status_code == 200
    page = response.content.decode()
    assert "publishes it together with every article in review" in page  # the rule
    for title in ("Wałęsa at the gate", "Trotsky’s testament", "Ceaușescu falls"):
        assert title in page
    assert page.count("In review") == 2
    assert page.count("Published (public)") == 2
    assert "Stays published (public)" in page
    assert 'value="Yes, publish"' in page
    cancel = reverse("admin:archive_issue_change", args=[issue.pk])
    assert f'href="{cancel}" class="button cancel-link"' in page
    assert statuses(issue) == before
    assert Issue.objects.get(pk=issue.pk).status == Status.DRAFT


def test_confirming_publishes_the_issue_and_its_reviewed_articles_together(client, curator, issue):
    client.force_login(curator)
    data = _confirm_form(client, issue)
    response = client.post(publish_url(issue), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:archive_issue_change", args=[issue.pk])
    assert "with 2 articles that were in review" in response.content.decode()
    issue.refresh_from_db()
    assert issue.status == Status.PUBLISHED and issue.published_at is not None
    assert [s for _, s in statuses(issue)] == [Status.PUBLISHED] * 3
    assert Article.objects.filter(issue=issue).public().count() == 3
    latest = issue.history.first()
    assert latest.history_user == curator
    assert latest.history_change_reason == "Published with 2 articles in review"
    first = Article.objects.get(issue=issue, position=1).history.first()
    assert first.history_user == curator and "Published with its issue" in (
        first.history_change_reason
    )


def _confirm_form(client, issue) -> dict:
    """What pressing "Yes, publish" on the confirmation page posts."""
    html = client.get(publish_url(issue)).content.decode()
    start = html.index('<form method="post">')
    return browser_post_data(html[start:].replace("<form ", '<form id="confirm" ', 1), "confirm")


def test_a_draft_article_refuses_the_whole_issue_and_names_it(client, curator, issue):
    ArticleFactory(issue=issue, position=4, title="Solidarność at ten", status=Status.DRAFT)
    client.force_login(curator)
    page = client.get(publish_url(issue)).content.decode()
    assert "cannot be published: 1 of its articles is still a draft" in page
    assert "#4 “Solidarność at ten”" in page
    assert 'value="Yes, publish"' not in page  # nothing to confirm
    before = statuses(issue)
    # Even a forced POST publishes nothing and says why.
    response = client.post(publish_url(issue), {"post": "yes"})
    assert "#4 “Solidarność at ten”" in response.content.decode()
    assert statuses(issue) == before
    assert Issue.objects.get(pk=issue.pk).status == Status.DRAFT


def test_an_article_in_review_that_cannot_be_published_refuses_too(client, curator, issue):
    ArticleFactory(issue=issue, position=4, title="Empty page", status=Status.REVIEW, body="")
    client.force_login(curator)
    page = client.get(publish_url(issue)).content.decode()
    assert "#4 “Empty page” cannot be published as it stands" in page
    client.post(publish_url(issue), {"post": "yes"})
    assert Issue.objects.get(pk=issue.pk).status == Status.DRAFT
    assert Article.objects.filter(issue=issue, status=Status.REVIEW).count() == 3


def test_a_confirmation_drawn_before_the_articles_changed_is_refused(client, curator, issue):
    client.force_login(curator)
    data = _confirm_form(client, issue)
    late = ArticleFactory(issue=issue, position=4, title="Sent to review later",
                          status=Status.REVIEW)  # fmt: skip
    response = client.post(publish_url(issue), data)
    assert "changed after the list you confirmed was drawn" in response.content.decode()
    assert Issue.objects.get(pk=issue.pk).status == Status.DRAFT
    assert Article.objects.get(pk=late.pk).status == Status.REVIEW
    # Looking again shows the new article; confirming that list publishes it with the rest.
    assert "Sent to review later" in client.get(publish_url(issue)).content.decode()
    client.post(publish_url(issue), _confirm_form(client, issue))
    assert Issue.objects.get(pk=issue.pk).status == Status.PUBLISHED
    assert Article.objects.get(pk=late.pk).status == Status.PUBLISHED


def test_the_list_action_confirms_first_and_publishes_all_or_nothing(client, curator, issue):
    other = IssueFactory(publication=issue.publication, status=Status.REVIEW)
    ArticleFactory(issue=other, position=1, title="Unchecked", status=Status.DRAFT)
    client.force_login(curator)
    changelist = reverse("admin:archive_issue_changelist")
    selected = {"action": "publish", "_selected_action": [str(issue.pk), str(other.pk)]}
    page = client.post(changelist, selected).content.decode()
    assert "Wałęsa at the gate" in page and "Unchecked" in page
    assert "#1 “Unchecked”" in page and 'value="Yes, publish"' not in page
    # Forcing it: the first issue could be published, the second cannot, so neither is.
    response = client.post(changelist, {**selected, "post": "yes"}, follow=True)
    assert "Nothing was published." in response.content.decode()
    assert Issue.objects.get(pk=issue.pk).status == Status.DRAFT
    assert Article.objects.filter(issue=issue, status=Status.REVIEW).count() == 2

    page = client.post(changelist, {**selected, "_selected_action": [str(issue.pk)]})
    html = page.content.decode()
    start = html.index('<form method="post">')
    data = browser_post_data(html[start:].replace("<form ", '<form id="c" ', 1), "c")
    assert data["action"] == ["publish"] and data["post"] == ["yes"]
    client.post(changelist, data)
    assert Issue.objects.get(pk=issue.pk).status == Status.PUBLISHED
    assert Issue.objects.get(pk=other.pk).status == Status.REVIEW


def test_the_issue_form_cannot_publish_but_can_unpublish_and_says_what_that_hides(
    client, curator, issue
):
    client.force_login(curator)
    url = reverse("admin:archive_issue_change", args=[issue.pk])
    data = admin_form_data(client, url, "issue")
    data["status"] = [Status.PUBLISHED]
    response = client.post(url, data)
    assert response.status_code == 200
    assert "An issue is published together with its articles" in response.content.decode()
    assert Issue.objects.get(pk=issue.pk).status == Status.DRAFT

    client.post(publish_url(issue), _confirm_form(client, issue))
    data = admin_form_data(client, url, "issue")
    data["status"] = [Status.REVIEW]
    response = client.post(url, data, follow=True)
    assert "The issue is no longer public, and neither are its articles" in (
        response.content.decode()
    )
    # Its articles keep "published", and the admin says they are not public.
    articles = client.get(reverse("admin:archive_article_changelist")).content.decode()
    assert articles.count("Published (not public: issue is in review)") == 3
    article = issue.articles.get(position=1)
    page = client.get(reverse("admin:archive_article_change", args=[article.pk]))
    assert f"Not public: its issue “{issue}” is in review" in page.content.decode()


def test_a_draft_publication_is_named_before_and_after_publishing(client, curator, issue):
    publication = issue.publication
    publication.status = Status.DRAFT
    publication.save()
    client.force_login(curator)
    page = client.get(publish_url(issue)).content.decode()
    assert f"Its publication “{publication}” is not published" in page
    assert "Published (not public: the publication is not published)" in page
    response = client.post(publish_url(issue), _confirm_form(client, issue), follow=True)
    assert "so nothing in the issue is public yet" in response.content.decode()
    assert Issue.objects.get(pk=issue.pk).status == Status.PUBLISHED
    assert not Article.objects.filter(issue=issue).public().exists()
    listing = client.get(reverse("admin:archive_issue_changelist")).content.decode()
    assert "Published (not public: publication is a draft)" in listing


def test_a_contributor_cannot_publish_an_issue(client, contributor, issue):
    client.force_login(contributor)
    assert client.get(publish_url(issue)).status_code == 403
    assert client.post(publish_url(issue), {"post": "yes"}).status_code == 403
    change = client.get(reverse("admin:archive_issue_change", args=[issue.pk]))
    assert "Publish with its articles" not in change.content.decode()
    changelist = reverse("admin:archive_issue_changelist")
    assert 'value="publish"' not in client.get(changelist).content.decode()
    client.post(changelist, {"action": "publish", "_selected_action": [issue.pk], "post": "yes"})
    assert Issue.objects.get(pk=issue.pk).status == Status.DRAFT
    assert Article.objects.filter(issue=issue, status=Status.REVIEW).count() == 2


def test_the_publication_page_does_not_publish_issues(client, curator, issue):
    client.force_login(curator)
    url = reverse("admin:archive_publication_change", args=[issue.publication_id])
    data = admin_form_data(client, url, "publication")
    assert not any(k.startswith("issues-") and k.endswith("-status") for k in data)
    data["issues-0-status"] = [Status.PUBLISHED]
    assert client.post(url, data).status_code == 302
    assert Issue.objects.get(pk=issue.pk).status == Status.DRAFT
