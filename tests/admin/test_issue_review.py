"""The issue review page, the compact mention rows of the article form and the article's
text editor with its preview."""

from __future__ import annotations

import pytest
from django.urls import reverse

from archive.models import Article, Mention, SourceDocument, Status, TextRepair
from tests.factories import (
    AliasFactory,
    ArticleFactory,
    IssueFactory,
    MentionFactory,
    PersonFactory,
    PlaceFactory,
)

from .browserform import admin_form_data, browser_post_data

pytestmark = pytest.mark.django_db

SOURCE = (
    "1. Kautsky and the renegades\n\nIn 1918 Kautsky wrote against the Bolsheviks.\n"
    "The workers of Gdansk are organ-\nising.\nSolidarnosc grew.\n"
)


@pytest.fixture
def issue():
    """A draft issue: one article in review, one draft; mentions and repairs to decide."""
    source = SourceDocument.objects.create(name="issue-3.txt", sha256="b" * 64, size=10,
                                           text=SOURCE)  # fmt: skip
    issue = IssueFactory(status=Status.DRAFT, title="Issue 3", source_document=source)
    first = ArticleFactory(issue=issue, position=1, status=Status.REVIEW,
                           title="Kautsky and the renegades", date="1918",
                           body="In 1918 Kautsky wrote against the Bolsheviks.")  # fmt: skip
    second = ArticleFactory(issue=issue, position=2, status=Status.DRAFT, date="",
                            kind="article", title="Gdańsk",
                            body="The workers of Gdansk are organ- ising.")  # fmt: skip
    karl = PersonFactory(name="Karl Kautsky")
    AliasFactory(person=karl, name="Kautsky")
    benedikt = PersonFactory(name="Benedikt Kautsky")
    AliasFactory(person=benedikt, name="Kautsky")
    context = "In 1918 Kautsky wrote against the Bolsheviks."
    for person in (karl, benedikt):
        MentionFactory(article=first, person=person, status=Mention.Status.FLAGGED,
                       context=context, first_offset=8)  # fmt: skip
    gdansk = PlaceFactory(name="Gdańsk")
    MentionFactory(article=second, person=None, place=gdansk, status=Mention.Status.AUTO,
                   context="The workers of Gdansk are organ- ising.")  # fmt: skip
    MentionFactory(article=second, person=PersonFactory(name="Lech Wałęsa"),
                   status=Mention.Status.CONFIRMED)  # fmt: skip
    TextRepair.objects.create(article=second, source_document=source, kind="typo",
                              status="flagged", line=5, before="Solidarnosc",
                              after="Solidarność", note="As printed.")  # fmt: skip
    return {"issue": issue, "first": first, "second": second, "karl": karl,
            "benedikt": benedikt, "gdansk": gdansk}  # fmt: skip


def review_url(issue) -> str:
    return reverse("admin:archive_issue_review", args=[issue.pk])


def test_the_review_page_lists_every_article_and_what_it_needs(client, curator, issue):
    client.force_login(curator)
    response = client.get(review_url(issue["issue"]))
    assert response.status_code == 200
    html = response.content.decode()
    rows = response.context["articles"]
    assert [r["article"].title for r in rows] == ["Kautsky and the renegades", "Gdańsk"]
    assert [(r["flagged"], r["auto"], r["confirmed"], r["flagged_repairs"]) for r in rows] == [
        (2, 0, 0, 0), (0, 1, 1, 1),
    ]  # fmt: skip
    assert "from its dateline" in html and "undated" in html
    # the mentions to decide, with the name highlighted in its context
    assert len(response.context["mentions"]) == 3
    assert '<mark class="name">Kautsky</mark> wrote' in html
    assert '<mark class="name">Gdansk</mark>' in html
    # the flagged repair, with the source lines around it
    assert '<mark class="repair">Solidarnosc</mark>' in html
    assert "organ-\nising." in html
    # publishing is refused while an article is a draft, and the page says so
    assert "still a draft" in html
    assert reverse("admin:archive_issue_publish", args=[issue["issue"].pk]) in html


def test_confirm_and_reject_mentions_in_bulk(client, curator, issue):
    client.force_login(curator)
    karl = Mention.objects.get(person=issue["karl"])
    benedikt = Mention.objects.get(person=issue["benedikt"])
    elsewhere = MentionFactory(status=Mention.Status.AUTO)  # another issue's: not touched
    response = client.post(review_url(issue["issue"]), {"action": "confirm",
                           "mention": [karl.pk, elsewhere.pk], "anchor": "#mentions"})  # fmt: skip
    assert response.status_code == 302 and response.url.endswith("/review/#mentions")
    client.post(review_url(issue["issue"]), {"action": "reject", "mention": [benedikt.pk]})
    karl.refresh_from_db()
    benedikt.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (karl.status, benedikt.status) == (Mention.Status.CONFIRMED, Mention.Status.REJECTED)
    assert elsewhere.status == Mention.Status.AUTO
    decision = karl.history.first()
    assert decision.history_user == curator
    assert decision.history_change_reason == "Confirmed by a curator"
    page = client.get(review_url(issue["issue"]))
    assert len(page.context["mentions"]) == 1  # only Gdańsk is left to decide


def test_repairs_are_accepted_from_the_page(client, curator, issue):
    client.force_login(curator)
    repair = TextRepair.objects.get()
    client.post(review_url(issue["issue"]), {"action": "accept_repairs", "repair": [repair.pk]})
    repair.refresh_from_db()
    assert repair.status == TextRepair.Status.ACCEPTED
    assert client.get(review_url(issue["issue"])).context["repairs"] == []


def test_a_contributor_decides_mentions_but_is_not_offered_publishing(client, contributor, issue):
    client.force_login(contributor)
    html = client.get(review_url(issue["issue"])).content.decode()
    assert "A curator publishes the issue" in html
    assert reverse("admin:archive_issue_publish", args=[issue["issue"].pk]) not in html
    assert client.get(reverse("admin:archive_issue_publish",
                              args=[issue["issue"].pk])).status_code == 403  # fmt: skip
    gdansk = Mention.objects.get(place=issue["gdansk"])
    client.post(review_url(issue["issue"]), {"action": "confirm", "mention": [gdansk.pk]})
    gdansk.refresh_from_db()
    assert gdansk.status == Mention.Status.CONFIRMED


def test_the_issue_form_and_list_lead_to_the_review(client, curator, issue):
    client.force_login(curator)
    url = review_url(issue["issue"])
    change = client.get(reverse("admin:archive_issue_change", args=[issue["issue"].pk]))
    assert f'href="{url}"' in change.content.decode()
    changelist = client.get(reverse("admin:archive_issue_changelist"))
    assert f'href="{url}"' in changelist.content.decode()


def test_the_review_page_costs_a_bounded_number_of_queries(
    client, curator, issue, django_assert_max_num_queries
):
    client.force_login(curator)
    for position in range(3, 13):
        article = ArticleFactory(issue=issue["issue"], position=position, status=Status.DRAFT)
        for _ in range(3):
            MentionFactory(article=article, status=Mention.Status.AUTO, context="Someone spoke")
    with django_assert_max_num_queries(45):
        response = client.get(review_url(issue["issue"]))
    assert len(response.context["mentions"]) == 33


# ---------------------------------------------------------------- the article form


def test_the_article_form_shows_mentions_as_compact_rows(client, curator, issue):
    client.force_login(curator)
    article = issue["first"]
    html = client.get(reverse("admin:archive_article_change", args=[article.pk])).content.decode()
    for kind in ("person", "organisation", "place", "event"):
        assert f'name="mentions-0-{kind}"' not in html  # no empty autocomplete boxes
    karl = reverse("admin:archive_person_change", args=[issue["karl"].pk])
    assert f'<a href="{karl}">Karl Kautsky</a>' in html
    assert 'name="mentions-0-status"' in html and 'name="mentions-0-count"' in html
    assert '<mark class="name">Kautsky</mark>' in html
    assert f"{reverse('admin:archive_mention_add')}?article={article.pk}" in html
    assert reverse("admin:archive_article_text", args=[article.pk]) in html


def test_a_status_changed_in_a_compact_row_is_saved(client, curator, issue):
    client.force_login(curator)
    article = issue["first"]
    url = reverse("admin:archive_article_change", args=[article.pk])
    data = admin_form_data(client, url, "article")
    rows = {data[f"mentions-{i}-id"][0]: i for i in range(int(data["mentions-TOTAL_FORMS"][0]))}
    karl = Mention.objects.get(person=issue["karl"])
    data[f"mentions-{rows[str(karl.pk)]}-status"] = ["confirmed"]
    assert client.post(url, data).status_code == 302
    karl.refresh_from_db()
    assert karl.status == Mention.Status.CONFIRMED and karl.person == issue["karl"]


# ---------------------------------------------------------------- text with preview


def text_url(article) -> str:
    return reverse("admin:archive_article_text", args=[article.pk])


def text_form(client, article) -> dict[str, list[str]]:
    """What the text page's form posts as it stands (version token included)."""
    return browser_post_data(client.get(text_url(article)).content.decode(), "article-text-form")


def test_the_text_page_shows_the_body_rendered_as_the_public_page_does(client, curator, issue):
    article = issue["first"]
    article.body = "## The renegade\n\nIn 1918 Kautsky wrote.\n\nA second paragraph."
    article.save()
    client.force_login(curator)
    html = client.get(text_url(article)).content.decode()
    assert '<h2 id="the-renegade">The renegade</h2>' in html
    assert "<p>In 1918 Kautsky wrote.</p>" in html
    assert 'name="body"' in html and 'value="Preview"' in html


def test_preview_shows_the_typed_text_without_saving(client, curator, issue):
    article = issue["first"]
    client.force_login(curator)
    data = text_form(client, article)
    data["body"] = ["Trotsky’s answer.\r\n\r\nIn two paragraphs."]
    data["_preview"] = ["Preview"]
    response = client.post(text_url(article), data)
    assert response.status_code == 200
    assert "<p>Trotsky’s answer.</p>" in response.content.decode()
    article.refresh_from_db()
    assert article.body == "In 1918 Kautsky wrote against the Bolsheviks."


def test_saving_the_text_records_the_edit_and_its_reason(client, curator, issue):
    article = issue["first"]
    client.force_login(curator)
    data = text_form(client, article)
    data["body"] = ["In 1918 Kautsky wrote against the Bolsheviks.\r\n\r\nRestored paragraph."]
    data["reason"] = ["Paragraph restored from the print"]
    response = client.post(text_url(article), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == "In 1918 Kautsky wrote against the Bolsheviks.\n\nRestored paragraph."
    assert "body" in article.curator_edited_fields
    entry = article.history.first()
    assert entry.history_user == curator
    assert entry.history_change_reason == "Paragraph restored from the print"


def test_a_stale_text_page_is_refused(client, curator, issue):
    article = issue["first"]
    client.force_login(curator)
    data = text_form(client, article)
    Article.objects.get(pk=article.pk).save()  # someone else saved meanwhile
    data["body"] = ["Overwritten."]
    response = client.post(text_url(article), data)
    assert response.status_code == 200
    assert "changed by" in response.content.decode()
    article.refresh_from_db()
    assert article.body != "Overwritten."


def test_a_contributor_reads_but_cannot_edit_a_published_article(client, contributor, issue):
    article = ArticleFactory(status=Status.PUBLISHED)
    client.force_login(contributor)
    html = client.get(text_url(article)).content.decode()
    assert 'name="body"' not in html
    assert client.post(text_url(article), {"body": "x"}).status_code == 403
    draft = issue["second"]
    assert 'name="body"' in client.get(text_url(draft)).content.decode()


def test_a_curator_sends_checked_drafts_to_review_then_the_issue_can_be_published(
    client, curator, issue
):
    client.force_login(curator)
    second = issue["second"]
    response = client.post(review_url(issue["issue"]), {"action": "articles_to_review",
                                                        "article": [second.pk]})  # fmt: skip
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == Status.REVIEW
    assert second.history.first().history_change_reason == "Checked on the issue's review page"
    html = client.get(review_url(issue["issue"])).content.decode()
    assert "Publishing the issue now publishes it with 2 articles in review" in html


def test_a_contributor_cannot_send_articles_to_review(client, contributor, issue):
    client.force_login(contributor)
    html = client.get(review_url(issue["issue"])).content.decode()
    assert 'value="articles_to_review"' not in html
    data = {"action": "articles_to_review", "article": [issue["second"].pk]}
    assert client.post(review_url(issue["issue"]), data).status_code == 403
    issue["second"].refresh_from_db()
    assert issue["second"].status == Status.DRAFT
