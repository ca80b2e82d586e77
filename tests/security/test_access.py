"""Who reaches what: only staff reach the admin, logins are rate-limited, roles hold."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from archive.models import Article, Status
from tests.factories import ArticleFactory, PersonFactory, UserFactory
from tests.reliability.adminforms import form_data, open_form

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "correct horse battery"  # UserFactory's


def login(client: Client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"})


def logged_in(client: Client) -> bool:
    return client.get("/admin/").status_code == 200


def test_sixth_bad_password_locks_out_and_then_the_right_one_is_refused():
    user = UserFactory(username="ada")
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(5):
        response = login(client, "ada", "wrong password")
        assert response.status_code == 200  # the form again, with an error
        assert "Please enter the correct username and password" in response.content.decode()
    sixth = login(client, "ada", "wrong again")
    assert sixth.status_code == 429
    refused = login(client, "ada", PASSWORD)
    assert refused.status_code == 429
    assert not logged_in(client)
    # Nothing was granted to the locked-out attacker, even with the right password.
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.last_login is None


def test_fewer_failures_than_the_limit_do_not_lock_out():
    UserFactory(username="bob")
    client = Client(REMOTE_ADDR="203.0.113.8")
    for _ in range(5):
        login(client, "bob", "wrong password")
    response = login(client, "bob", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


@pytest.mark.parametrize("path", ["/admin/", "/admin/archive/article/",
                                  "/admin/archive/person/add/", "/admin/auth/user/"])  # fmt: skip
def test_anonymous_visitors_are_sent_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_a_non_staff_account_cannot_enter_the_admin(client):
    user = UserFactory(username="reader", is_staff=False)
    user.groups.add(Group.objects.get(name="Curator"))  # even with permissions
    response = login(client, "reader", PASSWORD)
    assert response.status_code == 200
    assert "staff account" in response.content.decode()
    client.force_login(user)
    for path in ("/admin/", "/admin/archive/article/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


def test_staff_without_a_role_see_no_records(client):
    client.force_login(UserFactory(username="norole"))
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/archive/article/").status_code == 403
    assert client.get("/admin/auth/user/").status_code == 403


@pytest.fixture
def contributor_client() -> Client:
    user = UserFactory(username="cora")
    user.groups.add(Group.objects.get(name="Contributor"))
    client = Client()
    client.force_login(user)
    return client


def test_contributor_cannot_publish_by_posting_the_status_field(contributor_client):
    draft = ArticleFactory(status=Status.DRAFT, title="Draft")
    url = reverse("admin:archive_article_change", args=[draft.pk])
    data = open_form(contributor_client, url)
    data["status"] = Status.PUBLISHED  # a hand-crafted post: the field is read-only
    data["title"] = "Draft, edited"
    assert contributor_client.post(url, data).status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.status) == ("Draft, edited", Status.DRAFT)


def test_contributor_cannot_bulk_delete(contributor_client):
    drafts = [ArticleFactory(status=Status.DRAFT) for _ in range(2)]
    response = contributor_client.post(
        reverse("admin:archive_article_changelist"),
        {"action": "delete_selected", "_selected_action": [str(a.pk) for a in drafts],
         "post": "yes"},
    )  # fmt: skip
    assert response.status_code in (200, 302, 403)
    assert Article.objects.filter(pk__in=[a.pk for a in drafts]).count() == 2
    person = PersonFactory(status=Status.DRAFT)
    delete = contributor_client.post(
        reverse("admin:archive_person_delete", args=[person.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403


def test_contributor_cannot_publish_by_reverting_to_a_published_version(contributor_client):
    """Reverting restores fields, but never the status, for someone who may not publish."""
    article = ArticleFactory(status=Status.PUBLISHED, title="Published once")
    curator = UserFactory(username="cur")
    curator.groups.add(Group.objects.get(name="Curator"))
    curator_client = Client()
    curator_client.force_login(curator)
    curator_client.post(
        reverse("admin:archive_article_changelist"),
        {"action": "send_back_to_review", "_selected_action": [str(article.pk)]},
    )
    article.refresh_from_db()
    assert article.status == Status.REVIEW
    published = article.history.filter(status=Status.PUBLISHED).first()
    revert_url = reverse("admin:archive_article_simple_history", args=[article.pk, published.pk])
    page = contributor_client.get(revert_url)
    if page.status_code == 200:
        contributor_client.post(revert_url, form_data(page))
    article.refresh_from_db()
    assert article.status == Status.REVIEW


def test_view_only_access_cannot_post_a_revert(contributor_client):
    """simple-history shows revert forms to viewers; posting one needs change permission."""
    article = ArticleFactory(status=Status.PUBLISHED, title="Original")
    article.title = "Curated"
    article.save()
    original = article.history.order_by("history_date").first()
    revert_url = reverse("admin:archive_article_simple_history", args=[article.pk, original.pk])
    response = contributor_client.post(revert_url, {"title": "Original"})
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title == "Curated"
