"""The admin's front page is a review dashboard: each figure counts what needs a curator and
links to the list showing exactly those records; models are grouped by task; link tables and
security logs are kept out of the way."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.urls import reverse

from archive.models import Alias, Mention, SourceDocument, Status, TextRepair
from tests.factories import (
    AliasFactory,
    ArticleFactory,
    EventFactory,
    IssueFactory,
    MentionFactory,
    OrganisationFactory,
    PersonFactory,
    PlaceFactory,
)

pytestmark = pytest.mark.django_db

#: Readers' suggested corrections are reviewed with the imports, where the archive has them.
CORRECTIONS = ["Correction"] if "correction" in apps.all_models["archive"] else []


@pytest.fixture
def work():
    """A little of everything a curator has to look at."""
    issue = IssueFactory(status=Status.DRAFT, date="")
    draft = ArticleFactory(issue=issue, status=Status.DRAFT, title="Wałęsa at the gate")
    ArticleFactory(issue=issue, status=Status.REVIEW, title="Trotsky’s testament")
    ArticleFactory(issue=issue, status=Status.DRAFT, date="", kind="article", title="No date")
    walesa = PersonFactory(name="Lech Wałęsa", sort_name="Wałęsa, Lech", wikidata="Q444")
    PersonFactory(name="Walesa, Lech")  # the same words, printed the other way round
    ceausescu = PersonFactory(name="Nicolae Ceaușescu", wikidata="Q41342")  # ș U+0219
    other = PersonFactory(name="N. Ceausescu", wikidata="Q1")
    AliasFactory(person=other, name="Nicolae Ceauşescu")  # ş U+015F: a variant of another
    PersonFactory(name="Leon Trotsky", status=Status.REVIEW, wikidata="Q33391")
    OrganisationFactory(name="Solidarność", status=Status.DRAFT)
    PlaceFactory(name="Gdańsk", wikidata="Q1792")
    EventFactory(status=Status.REVIEW)
    MentionFactory(article=draft, person=walesa, status=Mention.Status.FLAGGED)
    MentionFactory(article=draft, person=ceausescu, status=Mention.Status.AUTO)
    MentionFactory(person=walesa, status=Mention.Status.CONFIRMED)
    source = SourceDocument.objects.create(
        name="issue-7.txt", sha256="a" * 64, size=10, text="Kuron spoke.",
        report={"candidates": [["Kuron", 3], ["Eastern Europe", 2], ["Walesa", 1]]},
    )  # fmt: skip
    repair = {"article": draft, "source_document": source}
    TextRepair.objects.create(**repair, kind="typo", status="flagged", line=3,
                              before="Solidarnosc", after="Solidarność")  # fmt: skip
    TextRepair.objects.create(**repair, kind="hyphenation", status="applied", line=4,
                              before="organ-\nising", after="organising")  # fmt: skip
    AliasFactory(person=walesa, name="Walesa")
    return {"issue": issue, "source": source}


def figures(response) -> dict[str, tuple[int, str]]:
    """``{"People: drafts": (count, url), "Undated articles": (…)}`` from the page's context."""
    found = {}
    for section in response.context["dashboard"]["sections"]:
        for figure in section.figures:
            found[figure.label] = (figure.count, figure.url)
        for label, row in section.rows:
            for figure in row:
                found[f"{label}: {figure.label.lower()}"] = (figure.count, figure.url)
    return found


def test_front_page_is_titled_for_the_archive_and_leads_with_the_work(client, superuser, work):
    client.force_login(superuser)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Archive of political publications · curators" in html
    assert "Django administration" not in html
    assert html.index("Drafts and records in review") < html.index("All records, by task")
    shown = figures(response)
    assert shown["Articles: drafts"][0] == 2
    assert shown["Articles: in review"][0] == 1
    assert shown["Issues: drafts"][0] == 1
    assert shown["People: in review"][0] == 1
    assert shown["Organisations: drafts"][0] == 1
    assert shown["Events: in review"][0] == 1
    assert shown["Ambiguous mentions to decide"][0] == 1
    assert shown["Automatic mentions to confirm"][0] == 1
    assert shown["Flagged text repairs"][0] == 1
    assert shown["Unknown names from imports"][0] == 2  # "Walesa" is a known variant
    assert shown["Undated articles"][0] == 1
    assert shown["People: without wikidata id"][0] == 1
    assert shown["People: suspected duplicates"][0] == 4
    assert shown["Organisations: without wikidata id"][0] == 1
    assert shown["Places: without wikidata id"][0] == 0


def test_every_figure_links_to_a_list_of_exactly_what_it_counts(client, superuser, work):
    client.force_login(superuser)
    shown = figures(client.get(reverse("admin:index")))
    assert len(shown) >= 20
    names_count, names_url = shown.pop("Unknown names from imports")
    for label, (count, url) in shown.items():
        assert url, label
        response = client.get(url)
        assert response.status_code == 200, (label, url)
        assert response.context["cl"].result_count == count, (label, url)
    # names are counted one by one, and listed by the import that found them
    documents = client.get(names_url).context["cl"].result_list
    assert names_count == 2 and list(documents) == [work["source"]]


def test_undated_and_duplicates_lists_name_the_records(client, superuser, work):
    client.force_login(superuser)
    shown = figures(client.get(reverse("admin:index")))
    undated = client.get(shown["Undated articles"][1]).context["cl"].result_list
    assert [a.title for a in undated] == ["No date"]
    people = client.get(shown["People: suspected duplicates"][1]).context["cl"].result_list
    assert sorted(p.name for p in people) == [
        "Lech Wałęsa", "N. Ceausescu", "Nicolae Ceaușescu", "Walesa, Lech",
    ]  # fmt: skip


def test_unknown_names_leave_the_count_once_a_record_is_known_by_them(client, superuser, work):
    client.force_login(superuser)
    assert figures(client.get(reverse("admin:index")))["Unknown names from imports"][0] == 2
    Alias.objects.create(person=PersonFactory(name="Jacek Kuroń"), name="Kuron")
    assert figures(client.get(reverse("admin:index")))["Unknown names from imports"][0] == 1


def test_models_are_grouped_by_task_and_link_tables_are_reached_from_their_records(
    client, superuser, work
):
    client.force_login(superuser)
    response = client.get(reverse("admin:index"))
    groups = [(app["name"], [m["object_name"] for m in app["models"]])
              for app in response.context["app_list"]]  # fmt: skip
    assert groups == [
        ("Content", ["Publication", "Issue", "Article"]),
        ("People, organisations, places, events", ["Person", "Organisation", "Place", "Event"]),
        ("Import and review", ["SourceDocument", "TextRepair", "Mention", *CORRECTIONS,
                               "BackgroundJob"]),
        ("Site and security", ["User", "Group", "AccessAttempt", "AccessFailureLog",
                               "AccessLog", "DBTaskResult"]),
    ]  # fmt: skip
    html = response.content.decode()
    assert 'id="group-content"' in html
    for hidden in ("alias", "authorship", "illustration", "eventparticipant"):
        url = reverse(f"admin:archive_{hidden}_changelist")
        assert f'href="{url}"' not in html
        assert client.get(url).status_code == 200  # still reachable
    # the side bar of any page groups them the same way and leads to the front page's groups
    page = client.get(reverse("admin:archive_person_changelist")).content.decode()
    assert 'href="/admin/#group-entities"' in page


def test_security_logs_are_for_superusers_only(client, curator, superuser):
    from django.contrib.auth.models import Permission

    # even a curator given every permission on the logs does not see them
    curator.user_permissions.add(*Permission.objects.filter(content_type__app_label="axes"))
    curator.is_staff = True
    curator.save()
    logs = reverse("admin:axes_accessattempt_changelist")
    client.force_login(curator)
    assert client.get(logs).status_code == 403
    assert "Access attempts" not in client.get(reverse("admin:index")).content.decode()
    client.force_login(superuser)
    assert client.get(logs).status_code == 200
    assert "Access attempts" in client.get(reverse("admin:index")).content.decode()


def test_a_contributor_sees_the_work_but_not_the_security_group(client, contributor, work):
    client.force_login(contributor)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    shown = figures(response)
    assert shown["Articles: drafts"][0] == 2
    assert shown["Unknown names from imports"][0] == 2
    names = [app["name"] for app in response.context["app_list"]]
    assert "Site and security" not in names
    assert "Import text files</a>" in response.content.decode()


def test_the_dashboard_costs_a_fixed_number_of_queries(client, superuser, work,
                                                       django_assert_max_num_queries):  # fmt: skip
    client.force_login(superuser)
    client.get(reverse("admin:index"))
    for n in range(20):
        PersonFactory(name=f"Someone {n}", status=Status.DRAFT)
        ArticleFactory(issue=work["issue"], status=Status.DRAFT)
    with django_assert_max_num_queries(40):
        response = client.get(reverse("admin:index"))
    assert figures(response)["People: drafts"][0] == 20
    assert re.search(r"Recent imports", response.content.decode())
