"""Must show: a client that follows /api/changes/ ends up holding the public release.

A scripted life of the archive (creates, edits of public records and of drafts, publishing,
withdrawals, a merge, deletions), with clients following the feed as it happens. At the end
a data release is built with ``build_dataset``: the CSV files each client writes from its
own copy are byte-identical to the release's. One client stops half-way, saves its cursor
and its copy, and resumes later from them; one takes everything at once as JSON Lines.
Both end identical too.
"""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from archive import models, services
from archive.changes import last_seq
from archive.datasets.releases import list_releases
from tests.changes.mirror import Mirror
from tests.factories import (
    AliasFactory,
    ArticleFactory,
    AuthorshipFactory,
    EventFactory,
    IllustrationFactory,
    IssueFactory,
    MentionFactory,
    OrganisationFactory,
    PersonFactory,
    PlaceFactory,
    PublicationFactory,
)

pytestmark = pytest.mark.django_db

DRAFT, PUBLISHED = models.Status.DRAFT, models.Status.PUBLISHED


def _set(obj, status: str, reason: str = "") -> None:
    services.records_set_status(
        queryset=type(obj).objects.filter(pk=obj.pk), status=status, reason=reason
    )


def _entries(mirror: Mirror, kind: str, record_id: int) -> list[str]:
    return [e["change"] for e in mirror.applied if e["kind"] == kind and e["id"] == record_id]


def test_following_the_feed_rebuilds_the_release_byte_for_byte(client, dataset_root, tmp_path):
    follower = Mirror(client, page_size=5)

    # 1. An archive with public records, drafts, and drafts hiding under public parents.
    awl = OrganisationFactory(name="Alliance for Workers’ Liberty", acronym="AWL")
    gdansk = PlaceFactory(name="Gdańsk", latitude="54.35200", longitude="18.64660")
    wl = PublicationFactory(title="Workers’ Liberty", publisher=awl, place=gdansk)
    issue = IssueFactory(publication=wl, date="1990-01")
    walesa = PersonFactory(name="Lech Wałęsa", sort_name="Wałęsa, Lech", slug="lech-walesa")
    walesa_dup = PersonFactory(name="Lech Walesa", slug="lech-walesa-2")
    AliasFactory(person=walesa, name="Walesa")
    ceausescu = PersonFactory(name="Nicolae Ceaușescu", sort_name="Ceaușescu, Nicolae")
    first = ArticleFactory(
        issue=issue, position=1, title="The risen people", date="",
        body="Trotsky’s heirs & Wałęsa’s union.\n\n=SUM(A1) is not a formula.",
    )  # fmt: skip
    second = ArticleFactory(issue=issue, position=2, title="Stalinism collapses", date="1991-08~")
    draft = ArticleFactory(issue=issue, position=3, title="A draft", status=DRAFT)
    AuthorshipFactory(article=first, person=walesa_dup)
    AuthorshipFactory(article=second, person=walesa)
    MentionFactory(article=first, person=ceausescu, count=2, context="Ceaușescu fell")
    MentionFactory(article=second, person=walesa_dup)
    MentionFactory(article=draft, person=walesa)
    coup = EventFactory(title="August coup", date="1991-08-19")
    coup.places.add(gdansk)
    coup.articles.add(second)
    models.EventParticipant.objects.create(event=coup, person=walesa_dup, role="leader")
    strike = EventFactory(title="Shipyard strike", date="1980-08")
    kept = ArticleFactory(
        issue=IssueFactory(publication=wl, date="1990-02"), position=1, date="1990-02-01",
        title="Kept, \"quoted\"", body="+1 for the strikers, and -1 for the bureaucrats.",
    )  # fmt: skip
    AuthorshipFactory(article=kept, person=walesa_dup)
    MentionFactory(article=kept, person=None, place=gdansk)
    IllustrationFactory(article=kept, caption="=Shipyard gate, 1980")
    assert follower.follow() > 0
    assert _entries(follower, "articles", first.pk) == ["created"]
    assert draft.pk not in follower.rows["articles"]

    # 2. Edits: a public article (a public change) and the draft (not a public change).
    first.title = "The risen people of Eastern Europe"
    first.save()
    draft.body = "Rewritten, still a draft."
    draft.save()
    follower.follow()
    assert _entries(follower, "articles", first.pk) == ["created", "updated"]
    assert _entries(follower, "articles", draft.pk) == []

    # A client stops here and keeps its cursor and its copy.
    saved = Mirror(client, page_size=3)
    saved.follow()
    checkpoint = saved.save()

    # 3. Publishing the draft (its mention becomes public with it), withdrawing an article.
    _set(draft, PUBLISHED)
    _set(second, DRAFT, reason="Transcription under review")
    follower.follow()
    assert _entries(follower, "articles", draft.pk) == ["published"]
    assert _entries(follower, "articles", second.pk)[-1] == "withdrawn"
    withdrawn = [e for e in follower.applied if e["id"] == second.pk and e["kind"] == "articles"]
    assert withdrawn[-1]["reason"] == "Transcription under review"
    # Its links left with it, its mention of Wałęsa among them.
    assert not any(r["article_id"] == second.pk for r in follower.rows["mentions"].values())

    # 4. A rename changes the rows that print the name; a merge moves links to the survivor.
    ceausescu.name = "Nicolae Ceauşescu"
    ceausescu.save()
    services.entity_merge(survivor=walesa, duplicates=[walesa_dup])
    follower.follow()
    merged = [e for e in follower.applied if e["kind"] == "people" and e["id"] == walesa_dup.pk]
    assert merged[-1]["change"] == "merged" and merged[-1]["merged_into"] == walesa.pk
    assert "Nicolae Ceauşescu" in {r["target_name"] for r in follower.rows["mentions"].values()}

    # 5. Deletions, an issue withdrawn with its articles, records created and published.
    strike_id = strike.pk
    strike.delete()
    models.Alias.objects.filter(person=walesa, name="Walesa").delete()
    late_issue = IssueFactory(publication=wl, date="1992")
    late = ArticleFactory(issue=late_issue, position=1, title="After the coup")
    _set(late_issue, DRAFT)
    rosa = PersonFactory(name="Rosa Luxemburg", status=DRAFT)
    AliasFactory(person=rosa, name="Róża Luksemburg")
    AuthorshipFactory(article=first, person=rosa)
    follower.follow()
    assert _entries(follower, "events", strike_id)[-1] == "deleted"
    assert _entries(follower, "articles", late.pk) == []  # never public: never reported
    _set(rosa, PUBLISHED)
    _set(issue, DRAFT)
    follower.follow()
    assert _entries(follower, "people", rosa.pk) == ["published"]
    assert _entries(follower, "articles", first.pk)[-1] == "withdrawn"
    assert set(follower.rows["articles"]) == {kept.pk}
    assert follower.rows["authorships"][kept.authorships.get().pk]["person_id"] == walesa.pk
    _set(issue, DRAFT)  # nothing changes: no change recorded
    before = last_seq()
    follower.follow()
    assert last_seq() == before

    # The release, and the clients' copies of it.
    call_command("build_dataset")
    release = list_releases()[0]
    datapackage = json.loads((release.path / "datapackage.json").read_text())

    resumed = Mirror.restore(client, checkpoint, page_size=4)
    resumed.follow()
    everything = Mirror(client)
    everything.follow_jsonl()
    for name, mirror in (("follower", follower), ("resumed", resumed), ("jsonl", everything)):
        folder = tmp_path / name
        mirror.write_csvs(folder, datapackage)
        for resource in datapackage["resources"]:
            if resource["format"] != "csv":
                continue
            ours = (folder / resource["path"]).read_bytes()
            theirs = (release.path / resource["path"]).read_bytes()
            assert ours == theirs, (name, resource["path"])
    assert follower.after == resumed.after == everything.after == last_seq()
    assert release.manifest["changes"]["last_seq"] == last_seq()


def test_resuming_from_a_saved_cursor_gives_what_an_unbroken_follower_got(client):
    people = [PersonFactory(name=f"Person {n}") for n in range(6)]
    unbroken = Mirror(client, page_size=2)
    unbroken.follow()
    people[0].name = "Rosa Luxemburg"
    people[0].save()
    _set(people[1], DRAFT)
    half = Mirror(client, page_size=4)
    midpoint = unbroken.after + 1  # inside the second recording (sequences never restart)
    half.follow(until_seq=midpoint)
    assert half.after == midpoint
    state = half.save()
    people[2].delete()
    PersonFactory(name="Leon Trotsky")
    unbroken.follow()
    resumed = Mirror.restore(client, state, page_size=3)
    resumed.follow()
    assert resumed.rows == unbroken.rows
    assert [e["seq"] for e in resumed.applied] == [
        e["seq"] for e in unbroken.applied if e["seq"] > midpoint
    ]
