"""The curators' admin over HTTP: roles, actions, history, EDTF errors, search by variant."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from archive.models import Article, Person, Status
from tests.factories import AliasFactory, ArticleFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator(client):
    user = UserFactory()
    user.groups.add(Group.objects.get(name="Curator"))
    return user


@pytest.fixture
def contributor():
    user = UserFactory()
    user.groups.add(Group.objects.get(name="Contributor"))
    return user


def changelist_action(client, model: str, action: str, ids: list[int], **extra):
    return client.post(
        reverse(f"admin:archive_{model}_changelist"),
        {"action": action, "_selected_action": [str(i) for i in ids], **extra},
        follow=True,
    )


def test_every_admin_page_renders_for_a_curator(client, curator):
    article = ArticleFactory()
    client.force_login(curator)
    for model in ("article", "issue", "publication", "person", "organisation", "place",
                  "event", "mention", "alias", "authorship", "illustration"):  # fmt: skip
        assert client.get(reverse(f"admin:archive_{model}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:archive_{model}_add")).status_code == 200
    assert client.get(reverse("admin:archive_article_change", args=[article.pk])).status_code == 200
    assert (
        client.get(reverse("admin:archive_article_history", args=[article.pk])).status_code == 200
    )


def test_curator_publishes_contributor_cannot(client, curator, contributor):
    draft = ArticleFactory(status=Status.DRAFT)
    client.force_login(contributor)
    response = changelist_action(client, "article", "publish", [draft.pk])
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT  # the action is not even offered
    assert b'value="publish"' not in client.get(reverse("admin:archive_article_changelist")).content

    client.force_login(curator)
    changelist_action(client, "article", "publish", [draft.pk])
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED


def test_contributor_edits_drafts_but_not_published_records_and_cannot_delete(client, contributor):
    draft = ArticleFactory(status=Status.DRAFT, title="Draft")
    published = ArticleFactory(status=Status.PUBLISHED)
    client.force_login(contributor)
    url = reverse("admin:archive_article_change", args=[draft.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="status"' not in page.content  # status is read-only for them
    published_page = client.get(reverse("admin:archive_article_change", args=[published.pk]))
    assert b'name="title"' not in published_page.content  # view only
    delete = client.post(reverse("admin:archive_article_delete", args=[draft.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert Article.objects.filter(pk=draft.pk).exists()


def test_curator_can_delete(client, curator):
    draft = ArticleFactory(status=Status.DRAFT)
    client.force_login(curator)
    client.post(reverse("admin:archive_article_delete", args=[draft.pk]), {"post": "yes"})
    assert not Article.objects.filter(pk=draft.pk).exists()


def test_invalid_edtf_in_the_form_says_why(client, curator):
    article = ArticleFactory()
    client.force_login(curator)
    url = reverse("admin:archive_article_change", args=[article.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "id"}
    data.update({"issue": article.issue_id, "date": "1991-13"})
    for prefix in ("authorships", "illustrations", "mentions"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "month 13 does not exist" in response.content.decode()
    article.refresh_from_db()
    assert article.date == "1990-01"


def test_merge_action_through_the_admin(client, curator):
    survivor = PersonFactory(name="Lech Wałęsa")
    duplicate = PersonFactory(name="Lech Walesa")
    client.force_login(curator)
    compare = changelist_action(client, "person", "merge_selected", [survivor.pk, duplicate.pk])
    assert b"Compare and merge two people" in compare.content
    done = client.post(
        reverse("admin:archive_person_merge"),
        {"a": survivor.pk, "b": duplicate.pk, "survivor": "a"},
        follow=True,
    )
    assert "Merged “Lech Walesa” into" in done.content.decode()
    assert list(Person.objects.values_list("pk", flat=True)) == [survivor.pk]


def test_contributor_cannot_merge(client, contributor):
    a, b = PersonFactory(), PersonFactory()
    client.force_login(contributor)
    changelist_action(client, "person", "merge_selected", [a.pk, b.pk], survivor=a.pk)
    assert Person.objects.count() == 2


def test_history_records_who_changed_what_and_revert_restores(client, curator):
    article = ArticleFactory(title="Original title")
    client.force_login(curator)
    article.title = "Edited title"
    article._history_user = curator
    article.save()
    history = article.history.all()
    assert [h.title for h in history] == ["Edited title", "Original title"]
    assert history[0].history_user == curator
    delta = history[0].diff_against(history[1])
    assert [c.field for c in delta.changes] == ["title"]
    original = history[1]
    revert_url = reverse(
        "admin:archive_article_simple_history", args=[article.pk, original.history_id]
    )
    assert client.get(revert_url).status_code == 200
    original.instance.save()
    article.refresh_from_db()
    assert article.title == "Original title"


def test_admin_search_finds_people_by_variant_name(client, curator):
    person = PersonFactory(name="Lech Wałęsa")
    AliasFactory(person=person, name="Walesa")
    PersonFactory(name="Someone Else")
    client.force_login(curator)
    response = client.get(reverse("admin:archive_person_changelist"), {"q": "walesa"})
    assert list(response.context["cl"].result_list) == [person]


def test_curator_edits_are_remembered_for_reimports(client, curator):
    article = ArticleFactory(title="Draft title")
    client.force_login(curator)
    url = reverse("admin:archive_article_change", args=[article.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "id"}
    data.update({"issue": article.issue_id, "title": "Curated title"})
    for prefix in ("authorships", "illustrations", "mentions"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert article.title == "Curated title"
    assert article.curator_edited_fields == ["title"]


def test_export_selected_rows_as_csv_uses_the_public_columns(client, contributor):
    chosen = PersonFactory(name="Lech Wałęsa", slug="lech-walesa")
    PersonFactory(name="Not chosen")
    client.force_login(contributor)
    response = client.post(
        reverse("admin:archive_person_changelist"),
        {"action": "export_selected_as_csv", "_selected_action": [str(chosen.pk)]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = b"".join(response.streaming_content).decode().splitlines()
    header = lines[0].split(",")
    assert header[0] == "id" and "name" in header
    assert len(lines) == 2
    assert lines[1].startswith(f"{chosen.pk},") and "Lech Wałęsa" in lines[1]
