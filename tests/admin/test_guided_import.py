"""The guided import: several files at once, a report that leads with what needs a
decision, one click per unknown name, accept → the new issue's review page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from archive.admin.importing import SESSION_KEY
from archive.models import Alias, Article, Issue, Mention, Person, Place, SourceDocument, Status
from tests.factories import PlaceFactory, PublicationFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/archive/sourcedocument/import/"
REPORT_URL = "/admin/archive/sourcedocument/import/report/"
DECIDE_URL = "/admin/archive/sourcedocument/import/names/"

ISSUE_A = (
    "Workers’ Liberty\nAn introduction the importer does not claim.\n\n"
    "1. Kuron in Gdansk\n\nJanuary 1990\n\n"
    "s Jacek Kuron said to the workers of Gdansk, the strike goes on.\n\n"
    "2. Another piece\n\nMarch 1990\n\nJacek Kuron spoke again in Warszawa, and Adam Michnik "
    "wrote.\n"
).encode()
ISSUE_B = b"1. Michnik writes\n\nApril 1990\n\nAdam Michnik wrote from Warszawa.\n"


@pytest.fixture
def publication():
    return PublicationFactory(title="Workers’ Liberty", slug="workers-liberty")


@pytest.fixture
def gdansk():
    """Known: "Gdansk" as printed is linked to it (folding), not an unknown name."""
    return PlaceFactory(name="Gdańsk", slug="gdansk", status=Status.DRAFT)


@pytest.fixture
def warsaw():
    """Close to "Warszawa" as printed, but not the same name: offered as a variant."""
    return PlaceFactory(name="Warsaw", slug="warsaw", status=Status.DRAFT)


def upload(client, publication, *files, **extra):
    return client.post(IMPORT_URL, {
        "action": "preview", "publication": publication.pk,
        "file": [SimpleUploadedFile(name, data, content_type="text/plain")
                 for name, data in files],
        **extra,
    })  # fmt: skip


def decide(client, name: str, decision: str, **extra):
    return client.post(DECIDE_URL, {"name": name, "decision": decision, "next": REPORT_URL,
                                    **extra})  # fmt: skip


def names_on(response) -> list[str]:
    return [row["name"] for file in response.context["files"] for row in file["names"]]


def test_two_files_are_reported_together_and_nothing_is_written(client, curator, publication):
    client.force_login(curator)
    response = upload(client, publication, ("issue-a.txt", ISSUE_A), ("issue-b.txt", ISSUE_B))
    assert response.status_code == 200
    html = response.content.decode()
    assert "This is a dry run" in html
    assert [f["name"] for f in response.context["files"]] == ["issue-a.txt", "issue-b.txt"]
    assert 'value="Accept and import 3 draft articles from 2 files"' in html
    assert SourceDocument.objects.count() == Article.objects.count() == 0
    assert [f["name"] for f in client.session[SESSION_KEY]["files"]] == [
        "issue-a.txt", "issue-b.txt",
    ]  # fmt: skip


def test_the_report_leads_with_what_needs_a_decision(client, curator, publication):
    client.force_login(curator)
    html = upload(client, publication, ("issue-a.txt", ISSUE_A)).content.decode()
    decisions = html.index("Needs a decision")
    assert decisions < html.index("Draft articles, in reading order")
    # the lines that were not imported are shown, not just counted
    assert "Text not imported." in html
    assert "An introduction the importer does not claim." in html
    # a flagged repair with the source lines around it
    assert '<mark class="repair">s</mark> Jacek Kuron said' in html
    # the unknown names, each with its decisions
    assert "Jacek Kuron" in html and 'value="person"' in html and 'value="dismiss"' in html


def test_each_unknown_name_is_decided_in_one_click(client, curator, publication, gdansk,
                                                   warsaw):  # fmt: skip
    client.force_login(curator)
    upload(client, publication, ("issue-a.txt", ISSUE_A))
    report = client.get(REPORT_URL)
    assert names_on(report) == ["Jacek Kuron", "Adam Michnik", "Warszawa"]
    rows = {row["name"]: row for row in report.context["files"][0]["names"]}
    # the close existing record is offered as a variant
    assert [s["label"] for s in rows["Warszawa"]["suggestions"]] == ["Warsaw"]
    # any other record through the variant-name form, the name filled in
    other = client.get(rows["Adam Michnik"]["alias_url"])
    assert other.status_code == 200
    assert 'value="Adam Michnik"' in other.content.decode()

    assert decide(client, "Jacek Kuron", "person").status_code == 302
    decide(client, "Warszawa", f"variant:place:{warsaw.pk}")
    decide(client, "Adam Michnik", "dismiss")

    kuron = Person.objects.get(name="Jacek Kuron")
    assert (kuron.status, kuron.slug) == (Status.DRAFT, "jacek-kuron")
    assert kuron.history.first().history_user == curator
    assert Alias.objects.get(place=warsaw).name == "Warszawa"
    assert names_on(client.get(REPORT_URL)) == []


def test_accepting_opens_the_new_issue_review_with_its_mentions(client, curator, publication,
                                                                 gdansk):  # fmt: skip
    client.force_login(curator)
    upload(client, publication, ("issue-a.txt", ISSUE_A), ("issue-b.txt", ISSUE_B))
    decide(client, "Jacek Kuron", "person")
    decide(client, "Adam Michnik", "dismiss")
    decide(client, "Warszawa", "dismiss")
    token = client.session[SESSION_KEY]["token"]
    response = client.post(IMPORT_URL, {"action": "accept", "token": token})
    first, second = Issue.objects.order_by("pk")
    assert response.status_code == 302
    assert response.url == reverse("admin:archive_issue_review", args=[first.pk])
    review = client.get(response.url)
    messages = [str(m) for m in review.context["messages"]]
    assert any("issue-a.txt" in m and "issue-b.txt" in m for m in messages)
    # the person created before accepting is linked in the new issue, waiting for review
    kuron = Person.objects.get(name="Jacek Kuron")
    mentions = Mention.objects.filter(article__issue=first, person=kuron)
    assert mentions.count() == 2 and {m.status for m in mentions} == {Mention.Status.AUTO}
    assert len(review.context["mentions"]) >= 2
    # the name set aside stays set aside
    for document in SourceDocument.objects.all():
        assert "Adam Michnik" in document.report["dismissed_candidates"]
    assert SESSION_KEY not in client.session
    assert second.articles.count() == 1


def test_after_the_import_names_are_decided_from_the_document_and_relinked(
    client, curator, publication
):
    client.force_login(curator)
    upload(client, publication, ("issue-a.txt", ISSUE_A))
    client.post(IMPORT_URL, {"action": "accept", "token": client.session[SESSION_KEY]["token"]})
    document = SourceDocument.objects.get()
    names_url = reverse("admin:archive_sourcedocument_names", args=[document.pk])
    page = client.get(names_url)
    assert [row["name"] for row in page.context["names"]] == [
        "Jacek Kuron", "Adam Michnik", "Gdansk", "Warszawa",
    ]  # fmt: skip
    review = client.get(reverse("admin:archive_issue_review", args=[document.issues.get().pk]))
    assert names_url in review.content.decode()
    response = client.post(DECIDE_URL, {"name": "Jacek Kuron", "decision": "person",
                                        "document": document.pk, "next": names_url})  # fmt: skip
    assert response.url == names_url
    kuron = Person.objects.get(name="Jacek Kuron")
    assert Mention.objects.filter(person=kuron, status=Mention.Status.AUTO).count() == 2
    client.post(DECIDE_URL, {"name": "Gdansk", "decision": "place", "document": document.pk,
                             "next": names_url})  # fmt: skip
    assert Mention.objects.filter(place=Place.objects.get(name="Gdansk")).count() == 1
    for name in ("Adam Michnik", "Warszawa"):
        client.post(DECIDE_URL, {"name": name, "decision": "dismiss", "document": document.pk,
                                 "next": names_url})  # fmt: skip
    assert client.get(names_url).context["unknown_count"] == 0


def test_several_files_cannot_share_one_issue_title(client, curator, publication):
    client.force_login(curator)
    response = upload(client, publication, ("a.txt", ISSUE_A), ("b.txt", ISSUE_B),
                      issue_title="One title")  # fmt: skip
    assert response.status_code == 400
    assert "leave them empty when uploading several files" in response.content.decode()


def test_a_decision_only_goes_back_to_a_page_of_this_site(client, curator, publication):
    client.force_login(curator)
    upload(client, publication, ("issue-a.txt", ISSUE_A))
    response = client.post(DECIDE_URL, {"name": "Adam Michnik", "decision": "dismiss",
                                        "next": "https://evil.example/"})  # fmt: skip
    assert response.url == REPORT_URL


def test_a_contributor_imports_and_decides_names_as_drafts(client, contributor, publication):
    client.force_login(contributor)
    upload(client, publication, ("issue-a.txt", ISSUE_A))
    decide(client, "Jacek Kuron", "organisation")
    client.post(IMPORT_URL, {"action": "accept", "token": client.session[SESSION_KEY]["token"]})
    assert Issue.objects.get().status == Status.DRAFT
    assert set(Article.objects.values_list("status", flat=True)) == {Status.DRAFT}
    assert Person.objects.count() == 0
    assert client.get(reverse("admin:archive_issue_review",
                              args=[Issue.objects.get().pk])).status_code == 200  # fmt: skip
