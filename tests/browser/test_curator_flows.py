"""The curator's day in a real browser, at 1280 px, over the seed collection.

Each flow is what a curator does with the mouse and keyboard, with a screenshot of each
step (``artifacts/screenshots/curator/``, the pictures of docs/curating.md), and each ends
by checking the database: dashboard → import two files → decide the unknown names →
accept → review the issue → confirm mentions in bulk → publish; merge two places from the
comparison page; the near-duplicate warning; a body edit and its history diff. axe-core
finds no serious or critical fault on the dashboard, the import report, the review page
and a change form. A Contributor goes through the same flows: prepares and edits drafts,
never publishes, merges or deletes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.checks import axe_faults
from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.engine_independent]

PASSWORD = "correct horse battery staple"
SHOTS = SCREENSHOTS / "curator"

ISSUE_7 = (
    b"Bulletin of the Eastern European Solidarity Campaign\nNumber 7, January 1990\n\n"
    b"1. The miners of Vorkuta strike again\n\nJanuary 1990\n\n"
    b"s the year began, the miners of Vorkuta struck again. Gorbachev sent a commission, "
    b"and Boris Yeltsin spoke to the strikers. Pavel Shestakov, a miner, read out the "
    b"demands.\n\n"
    b"2. Letter from Gdansk\n\nJanuary 1990\n\n"
    b"Solidarnosc is changing. Lech Walesa met the shipyard workers in Warszawa; Karol "
    b"Modzelewski argued against the plan of the Mazowiecky government.\n"
)
ISSUE_8 = (
    b"1. Prague after the Velvet Revolution\n\nFebruary 1990\n\n"
    b"Vaclav Havel is president. Petr Uhl, released from prison, warns that the Stalinists "
    b"are regrouping in Prague. Tbe crowds have gone home.\n"
)
ISSUE_9 = (
    "1. A letter from Leipzig\n\nMarch 1990\n\n"
    "The crowds in Leipzig have gone home. Bärbel Bohley says the revolution was stolen.\n"
).encode()

WIDER_THAN_VIEWPORT = """() => document.documentElement.scrollWidth > window.innerWidth + 1
  ? [...document.querySelectorAll('body *')]
      .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(0, 5).map(el => `${el.tagName}.${el.className}`)
  : []"""


def _user(group: str, username: str):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(
        username, f"{username}@example.org", PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture(scope="module")
def users(site, django_db_blocker) -> Iterator[dict]:
    """A Curator and a Contributor the live server can see, removed afterwards."""
    with django_db_blocker.unblock():
        made = {"curator": _user("Curator", "flow-curator"),
                "contributor": _user("Contributor", "flow-contributor")}  # fmt: skip
    yield made
    with django_db_blocker.unblock():
        for user in made.values():
            user.delete()


def login(page, username: str) -> None:
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click('input[type="submit"]')
    page.wait_for_url(re.compile(r"/admin/$"))


def shot(page, name: str, *, full_page: bool = False) -> None:
    """A 1280 px screenshot of the step; and no page scrolls sideways at that width."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert page.viewport_size["width"] == 1280
    assert page.evaluate(WIDER_THAN_VIEWPORT) == [], name
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def no_serious_faults(page, axe_source: str) -> None:
    serious = axe_faults(page, axe_source, serious=True)
    assert serious == [], "\n".join(serious)


def upload(page, *files: tuple[str, bytes]) -> None:
    """Choose the publication and the files on the import page, and ask for the report."""
    from archive.models import Publication

    publication = Publication.objects.order_by("pk").first()
    page.select_option("#id_publication", value=str(publication.pk))
    page.set_input_files(
        "#id_file", [{"name": n, "mimeType": "text/plain", "buffer": d} for n, d in files]
    )


def decide(page, name: str, button: str) -> None:
    """Click one decision for one unknown name; the report comes back without it."""
    row = page.locator("tr", has=page.locator("th.unknown-name", has_text=name))
    row.get_by_role("button", name=button).click()
    page.wait_for_load_state()
    assert page.locator(".messagelist .success").count() == 1, page.locator(
        ".messagelist"
    ).all_inner_texts()
    assert page.locator("th.unknown-name", has_text=name).count() == 0


def test_import_two_files_decide_names_review_confirm_and_publish(page, site, users, axe_source):
    from archive.models import Alias, Article, Issue, Mention, Person, Place, Status, TextRepair

    login(page, "flow-curator")
    shot(page, "01-dashboard")
    no_serious_faults(page, axe_source)

    page.get_by_role("link", name="Import text files").click()
    upload(page, ("bulletin-7.txt", ISSUE_7), ("bulletin-8.txt", ISSUE_8))
    shot(page, "02-import-form")
    page.get_by_role("button", name="Show the report").click()
    page.wait_for_selector("text=This is a dry run")
    assert page.locator(".text-not-imported").count() == 1  # the bulletin's masthead
    assert page.locator("mark.repair").count() == 1  # the lost drop cap, in context
    shot(page, "03-import-report")
    no_serious_faults(page, axe_source)
    assert Issue.objects.filter(slug__startswith="bulletin").count() == 0  # a dry run

    decide(page, "Pavel Shestakov", "New draft person: Pavel Shestakov")
    decide(page, "Karol Modzelewski", "New draft person: Karol Modzelewski")
    decide(page, "Warszawa", "Add Warszawa as a variant name of Warsaw")
    decide(page, "Mazowiecky", "Add Mazowiecky as a variant name of Tadeusz Mazowiecki")
    decide(page, "Vaclav Havel", "New draft person: Vaclav Havel")
    decide(page, "Petr Uhl", "New draft person: Petr Uhl")
    decide(page, "Prague", "New draft place: Prague")
    decide(page, "Tbe", "Tbe is not a name")  # "The", misread
    shot(page, "04-names-decided")
    assert Person.objects.get(name="Pavel Shestakov").status == Status.DRAFT
    assert Alias.objects.filter(name="Warszawa", place__name="Warsaw").exists()

    page.get_by_role("button", name=re.compile(r"Accept and import 3 draft articles")).click()
    page.wait_for_url(re.compile(r"/admin/archive/issue/\d+/review/$"))
    issue = Issue.objects.get(slug="bulletin-7")
    assert page.url.endswith(reverse("admin:archive_issue_review", args=[issue.pk]))
    assert Issue.objects.filter(slug="bulletin-8").exists()
    shot(page, "05-issue-review")
    no_serious_faults(page, axe_source)

    # every mention the import made in the issue, confirmed in one go
    to_confirm = Mention.objects.filter(article__issue=issue, status=Mention.Status.AUTO)
    expected = set(to_confirm.values_list("pk", flat=True))
    names = {str(m.target) for m in to_confirm}
    assert {"Pavel Shestakov", "Warsaw", "Tadeusz Mazowiecki", "Mikhail Gorbachev"} <= names
    page.locator("#mentions").get_by_label("Select every mention").check()
    page.get_by_role("button", name="Confirm selected").click()
    page.wait_for_url(re.compile(r"/review/#mentions$"))
    assert page.get_by_text("Nothing to confirm").count() == 1
    shot(page, "06-mentions-confirmed")
    confirmed = Mention.objects.filter(pk__in=expected, status=Mention.Status.CONFIRMED)
    assert confirmed.count() == len(expected)
    assert {m.history.first().history_user.username for m in confirmed} == {"flow-curator"}

    # the flagged repair accepted: the lost drop cap comes back in the text
    repair = TextRepair.objects.get(article__issue=issue, status=TextRepair.Status.FLAGGED)
    page.locator("#repairs").get_by_label("Select every repair").check()
    page.get_by_role("button", name="Accept selected").click()
    page.wait_for_url(re.compile(r"/review/#repairs$"))
    first = Article.objects.get(issue=issue, position=1)
    assert first.body.startswith(f"{repair.after} the year began")
    repair.refresh_from_db()
    assert repair.status == TextRepair.Status.ACCEPTED

    # the checked drafts to review, then publish the issue with them
    page.locator("#articles").get_by_label("Select every article").check()
    page.get_by_role("button", name="Send the selected drafts to review").click()
    page.wait_for_url(re.compile(r"/review/#articles$"))
    page.get_by_role("link", name="Publish with its articles…").last.click()
    page.wait_for_selector("#publish-rule")
    shot(page, "07-publish-confirmation")
    page.get_by_role("button", name="Yes, publish").click()
    page.wait_for_selector(".messagelist .success")
    issue.refresh_from_db()
    assert issue.status == Status.PUBLISHED
    assert set(issue.articles.values_list("status", flat=True)) == {Status.PUBLISHED}
    assert Article.objects.public().filter(issue=issue).count() == 2
    assert Issue.objects.get(slug="bulletin-8").status == Status.DRAFT
    # the new people stay drafts until a curator publishes them
    assert Place.objects.get(name="Prague").status == Status.DRAFT


@pytest.fixture(scope="module")
def danzig(site, django_db_blocker):
    """A draft place that duplicates the seed's Gdańsk, with one mention of its own
    (committed, so the live server sees it whichever database runs the tests)."""
    from archive.models import Mention, Place, Status
    from tests.factories import MentionFactory, PlaceFactory

    with django_db_blocker.unblock():
        gdansk = Place.objects.get(name="Gdańsk")
        place = PlaceFactory(name="Danzig", slug="danzig", status=Status.DRAFT, wikidata="",
                             country_code="PL")  # fmt: skip
        elsewhere = (
            Mention.objects.exclude(place=gdansk)
            .exclude(article__in=Mention.objects.filter(place=gdansk).values("article"))
            .first()
            .article
        )
        MentionFactory(person=None, place=place, article=elsewhere, status=Mention.Status.AUTO)
        return {"gdansk": gdansk, "danzig": place,
                "mentions": Mention.objects.filter(place=gdansk).count()}  # fmt: skip


def test_merge_two_places_from_the_comparison_page(page, site, users, danzig):
    from archive.models import Mention, PastSlug, Place

    gdansk, duplicate = danzig["gdansk"], danzig["danzig"]
    login(page, "flow-curator")
    page.goto(reverse("admin:archive_place_changelist"))
    for place in (gdansk, duplicate):
        page.locator(f'input[name="_selected_action"][value="{place.pk}"]').check()
    page.select_option('select[name="action"]', "merge_selected")
    page.locator('button[name="index"]').first.click()  # the action's "Go"
    page.wait_for_url(re.compile(r"/admin/archive/place/merge/\?a="))
    shot(page, "08-merge-comparison")
    survivor_side = "a" if page.url.endswith(f"a={gdansk.pk}&b={duplicate.pk}") else "b"
    page.locator(f'input[name="survivor"][value="{survivor_side}"]').check()
    page.get_by_role("button", name="Merge").click()
    page.wait_for_url(re.compile(rf"/admin/archive/place/{gdansk.pk}/change/$"))
    shot(page, "09-merged")

    assert not Place.objects.filter(pk=duplicate.pk).exists()
    assert Mention.objects.filter(place=gdansk).count() == danzig["mentions"] + 1
    assert gdansk.aliases.filter(name="Danzig").exists()
    assert PastSlug.objects.get(slug="danzig").object_id == gdansk.pk
    reason = gdansk.history.first().history_change_reason
    assert reason == f"Merged “Danzig” (#{duplicate.pk}) into this record"
    response = page.goto("/places/danzig/")
    assert page.url.endswith(gdansk.get_absolute_url()) and response.status == 200


def test_near_duplicate_warning_on_create(page, site, users):
    from archive.models import Person

    login(page, "flow-curator")
    page.goto(reverse("admin:archive_person_add"))
    page.fill("#id_name", "Lech Walesa")
    page.locator("#id_name").press("Tab")  # the admin fills the slug in from the name…
    page.fill("#id_slug", "lech-walesa-2")  # …"lech-walesa" is taken: the curator types one
    page.dispatch_event("#id_slug", "change")
    page.locator('input[name="_save"]').click()
    page.wait_for_selector("text=similar person already exists")
    assert page.get_by_role("link", name="Lech Wałęsa").count() == 1
    shot(page, "10-near-duplicate")
    assert not Person.objects.filter(name="Lech Walesa").exists()
    page.get_by_label("Create it even so").check()
    page.locator('input[name="_save"]').click()
    page.wait_for_selector(".messagelist .success")
    assert Person.objects.get(name="Lech Walesa").slug == "lech-walesa-2"


def test_body_edit_with_preview_and_its_history_diff(page, site, users, axe_source):
    from archive.models import Article

    article = Article.objects.filter(body__contains="Eastern Europe").order_by("position").first()
    login(page, "flow-curator")
    page.goto(reverse("admin:archive_article_change", args=[article.pk]))
    shot(page, "11-article-form")
    no_serious_faults(page, axe_source)
    assert page.locator('select[name="mentions-0-person"]').count() == 0  # compact rows

    page.get_by_role("link", name="Text and preview").click()
    page.wait_for_url(re.compile(r"/text/$"))
    body = page.locator("#id_body")
    old = body.input_value()
    new = old.replace("Eastern Europe", "Central and Eastern Europe", 1)
    body.fill(new)
    page.get_by_role("button", name="Preview").click()
    # The page before the click has a preview too: wait for the new one's text.
    expect(page.locator(".article-preview")).to_contain_text("Central and Eastern Europe")
    shot(page, "12-text-preview")
    article.refresh_from_db()
    assert "Central and Eastern Europe" not in article.body  # a preview saves nothing
    page.fill("#id_reason", "The print reads “Central and Eastern Europe”")
    page.get_by_role("button", name="Save the text").click()
    page.wait_for_selector(".messagelist .success")
    article.refresh_from_db()
    assert article.body == new.replace("\r\n", "\n")
    assert "body" in article.curator_edited_fields

    page.get_by_role("link", name="History").click()
    diff = page.locator(".diff-text ins").first
    assert diff.inner_text().strip() == "Central and"
    assert page.get_by_text("The print reads “Central and Eastern Europe”").count() == 1
    page.locator(".diff-text").first.scroll_into_view_if_needed()
    shot(page, "13-history-diff")
    entry = article.history.first()
    assert entry.history_user.username == "flow-curator"


def test_a_contributor_prepares_drafts_but_cannot_publish_merge_or_delete(page, site, users):
    from archive.models import Issue, Mention, Person, Place, Status

    login(page, "flow-contributor")
    assert page.get_by_role("link", name="Import text files").count() == 1
    page.get_by_role("link", name="Import text files").click()
    upload(page, ("letter-9.txt", ISSUE_9))
    page.get_by_role("button", name="Show the report").click()
    page.wait_for_selector("text=This is a dry run")
    decide(page, "Bärbel Bohley", "New draft person: Bärbel Bohley")
    page.get_by_role("button", name=re.compile(r"Accept and import")).click()
    page.wait_for_url(re.compile(r"/admin/archive/issue/\d+/review/$"))
    issue = Issue.objects.get(slug="letter-9")
    assert page.get_by_text("A curator publishes the issue").count() == 1
    assert page.get_by_role("link", name="Publish with its articles…").count() == 0
    assert page.get_by_role("button", name="Send the selected drafts to review").count() == 0
    page.locator("#mentions").get_by_label("Select every mention").check()
    page.get_by_role("button", name="Confirm selected").click()
    page.wait_for_url(re.compile(r"/review/#mentions$"))
    shot(page, "14-contributor-review")
    assert not Mention.objects.filter(article__issue=issue, status=Mention.Status.AUTO).exists()
    assert Person.objects.get(name="Bärbel Bohley").status == Status.DRAFT

    # the draft's text is theirs to edit; publishing, merging and deleting are not
    article = issue.articles.get()
    page.goto(reverse("admin:archive_article_text", args=[article.pk]))
    assert page.locator("#id_body").count() == 1
    assert page.goto(reverse("admin:archive_issue_publish", args=[issue.pk])).status == 403
    places = list(Place.objects.order_by("pk").values_list("pk", flat=True)[:2])
    merge = reverse("admin:archive_place_merge") + f"?a={places[0]}&b={places[1]}"
    assert page.goto(merge).status == 403
    bohley = Person.objects.get(name="Bärbel Bohley")
    assert page.goto(reverse("admin:archive_person_delete", args=[bohley.pk])).status == 403
    page.goto(reverse("admin:archive_place_changelist"))
    actions = page.locator('select[name="action"] option').all_inner_texts()
    assert not any("merge" in a.lower() or "delete" in a.lower() or "publish" in a.lower()
                   for a in actions)  # fmt: skip
    issue.refresh_from_db()
    assert issue.status == Status.DRAFT
    assert Place.objects.filter(pk__in=places).count() == 2
