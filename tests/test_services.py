"""Curator services: merging duplicates, changing publication status, publishing an issue."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from archive import services
from archive.models import (
    Alias,
    Article,
    Authorship,
    Event,
    Issue,
    Mention,
    Organisation,
    PastSlug,
    Person,
    Place,
    Status,
)
from archive.services import entity_merge, issue_publish, issue_publish_plan, records_set_status
from tests.factories import (
    AliasFactory,
    ArticleFactory,
    AuthorshipFactory,
    EventFactory,
    IssueFactory,
    MentionFactory,
    OrganisationFactory,
    PersonFactory,
    PlaceFactory,
    PublicationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_merge_moves_everything_onto_the_survivor():
    survivor = PersonFactory(name="Lech Wałęsa", sort_name="Wałęsa, Lech", slug="lech-walesa")
    duplicate = PersonFactory(name="Lech Walesa", slug="walesa")
    Alias.objects.create(person=duplicate, name="Walesa")
    shared_article, other_article = ArticleFactory(), ArticleFactory()
    MentionFactory(article=shared_article, person=survivor, count=2, first_offset=50)
    MentionFactory(article=shared_article, person=duplicate, count=3, first_offset=10,
                   context="Walesa spoke")  # fmt: skip
    MentionFactory(article=other_article, person=duplicate, count=1)
    AuthorshipFactory(article=other_article, person=duplicate)
    event = EventFactory()
    event.participants.create(person=duplicate, role="leader")

    assert entity_merge(survivor=survivor, duplicates=[duplicate]) == 1

    assert not Person.objects.filter(pk=duplicate.pk).exists()
    shared = Mention.objects.get(article=shared_article, person=survivor)
    assert (shared.count, shared.first_offset, shared.context) == (5, 10, "Walesa spoke")
    assert Mention.objects.filter(article=other_article, person=survivor).exists()
    assert Authorship.objects.filter(article=other_article, person=survivor).exists()
    assert event.participants.filter(person=survivor, role="leader").exists()
    assert set(survivor.aliases.values_list("name", flat=True)) == {"Walesa", "Lech Walesa"}
    past = PastSlug.objects.get(slug="walesa")
    assert past.target == survivor
    last = survivor.history.first()
    assert last.history_change_reason == f"Merged “Lech Walesa” (#{duplicate.pk}) into this record"
    assert "#None" not in last.history_change_reason
    gone = Person.history.filter(id=duplicate.pk).first()
    assert gone.history_type == "-"
    assert gone.history_change_reason == f"Merged into “Lech Wałęsa” (#{survivor.pk})"


def test_merge_places_moves_mentions_variants_publications_and_events():
    survivor = PlaceFactory(name="Gdańsk", slug="gdansk")
    duplicate = PlaceFactory(name="Danzig", slug="danzig", wikidata="Q1792",
                             latitude="54.35200", longitude="18.64660")  # fmt: skip
    AliasFactory(person=None, place=duplicate, name="Gdansk")
    article = ArticleFactory()
    MentionFactory(person=None, place=survivor, article=article, count=1,
                   status=Mention.Status.AUTO)  # fmt: skip
    MentionFactory(person=None, place=duplicate, article=article, count=2,
                   status=Mention.Status.CONFIRMED)  # fmt: skip
    publication = PublicationFactory(place=duplicate)
    both, only_duplicate = EventFactory(), EventFactory()
    both.places.add(survivor, duplicate)
    only_duplicate.places.add(duplicate)

    merged = entity_merge(
        survivor=survivor, duplicates=[duplicate],
        values={"wikidata": "Q1792", "latitude": duplicate.latitude,
                "longitude": duplicate.longitude},
    )  # fmt: skip

    assert merged == 1
    assert not Place.objects.filter(pk=duplicate.pk).exists()
    survivor.refresh_from_db()
    assert (survivor.wikidata, str(survivor.latitude)) == ("Q1792", "54.35200")
    mention = Mention.objects.get(article=article, place=survivor)
    assert (mention.count, mention.status) == (3, Mention.Status.CONFIRMED)
    publication.refresh_from_db()
    assert publication.place == survivor  # not left pointing nowhere
    assert list(both.places.all()) == [survivor]
    assert list(only_duplicate.places.all()) == [survivor]
    assert set(survivor.aliases.values_list("name", flat=True)) == {"Gdansk", "Danzig"}
    assert PastSlug.objects.get(slug="danzig").target == survivor


def test_merge_events_moves_roles_articles_places_and_mentions():
    survivor = EventFactory(title="Fall of the Berlin Wall", slug="berlin-wall")
    duplicate = EventFactory(title="The Wall falls", slug="wall-falls", description="Night.")
    person = PersonFactory()
    survivor.participants.create(person=person, role="participant")
    duplicate.participants.create(person=person, role="participant")  # the same role: one kept
    duplicate.participants.create(person=person, role="leader")
    article, place = ArticleFactory(), PlaceFactory()
    duplicate.articles.add(article)
    duplicate.places.add(place)
    MentionFactory(person=None, event=duplicate, article=article)

    entity_merge(survivor=survivor, duplicates=[duplicate], values={"description": "Night."})

    survivor.refresh_from_db()
    assert survivor.description == "Night."
    roles = sorted(survivor.participants.values_list("role", flat=True))
    assert roles == ["leader", "participant"]
    assert list(survivor.articles.all()) == [article]
    assert list(survivor.places.all()) == [place]
    assert Mention.objects.get(event=survivor).article == article
    assert PastSlug.objects.get(slug="wall-falls").target == survivor
    reason = survivor.history.first().history_change_reason
    assert reason == f"Merged “1989-11-09: The Wall falls” (#{duplicate.pk}) into this record"


def test_merge_organisations_keeps_hierarchy_and_publishers():
    survivor = OrganisationFactory(name="Socialist Organiser")
    duplicate = OrganisationFactory(name="Socialist Organizer", parent=survivor)
    child = OrganisationFactory(name="SO supporters", parent=duplicate, predecessor=duplicate)
    publication = PublicationFactory(publisher=duplicate)

    entity_merge(survivor=survivor, duplicates=[duplicate])

    child.refresh_from_db()
    publication.refresh_from_db()
    survivor.refresh_from_db()
    assert (child.parent, child.predecessor) == (survivor, survivor)
    assert publication.publisher == survivor
    assert survivor.parent is None  # not its own parent


def test_a_long_merge_reason_is_cut_to_fit_the_history_but_keeps_the_ids():
    survivor = PersonFactory(name="A" * 200)
    duplicates = [PersonFactory(name="B" * 200), PersonFactory(name="C" * 200)]
    entity_merge(survivor=survivor, duplicates=duplicates)
    reason = survivor.history.first().history_change_reason
    assert len(reason) == services.REASON_LENGTH and reason.endswith("…")
    assert f"(#{duplicates[0].pk})" in reason


def test_every_relation_of_a_mergeable_kind_is_moved_by_a_merge():
    """A new foreign key to a person, organisation, place or event must be moved by merges
    (or it would be emptied or deleted with the duplicate): entity_links() lists each."""
    for model in services.MERGEABLE:
        obj = {Person: PersonFactory, Organisation: OrganisationFactory, Place: PlaceFactory,
               Event: EventFactory}[model]()  # fmt: skip
        links = dict(services.entity_links(obj))
        related = [r for r in model._meta.related_objects
                   if not r.related_model.__name__.startswith("Historical")]  # fmt: skip
        assert len(links) == len(related) + len(model._meta.many_to_many), model


def test_merge_refuses_a_field_it_does_not_take_and_nonsense_values():
    survivor, duplicate = PersonFactory(), PersonFactory()
    with pytest.raises(ValidationError):
        entity_merge(survivor=survivor, duplicates=[duplicate], values={"slug": "x"})
    with pytest.raises(ValidationError):
        entity_merge(survivor=survivor, duplicates=[duplicate], values={"wikidata": "42"})
    assert Person.objects.filter(pk=duplicate.pk).exists()


def test_merge_refuses_nonsense():
    person = PersonFactory()
    with pytest.raises(ValidationError):
        entity_merge(survivor=person, duplicates=[person])
    with pytest.raises(ValidationError):
        entity_merge(survivor=person, duplicates=[OrganisationFactory()])
    assert Person.objects.filter(pk=person.pk).exists()


def test_merge_is_all_or_nothing(monkeypatch):
    survivor, duplicate = PersonFactory(), PersonFactory()
    MentionFactory(person=duplicate)

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(PastSlug.objects, "get_or_create", explode)
    with pytest.raises(RuntimeError):
        entity_merge(survivor=survivor, duplicates=[duplicate])
    assert Person.objects.filter(pk=duplicate.pk).exists()
    assert Mention.objects.filter(person=duplicate).count() == 1
    ct = ContentType.objects.get_for_model(Person)
    assert not PastSlug.objects.filter(content_type=ct).exists()


def test_set_status_publishes_with_timestamp_and_history():
    draft = ArticleFactory(status=Status.DRAFT)
    published = ArticleFactory(status=Status.PUBLISHED)
    changed = records_set_status(queryset=Article.objects.all(), status=Status.PUBLISHED)
    assert changed == 1
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED and draft.published_at is not None
    assert draft.history.first().history_change_reason == "status → published"
    assert Article.objects.public().count() == 2
    records_set_status(queryset=Article.objects.filter(pk=published.pk), status=Status.REVIEW)
    published.refresh_from_db()
    assert published.published_at is None
    assert not published.is_public()
    with pytest.raises(ValidationError):
        records_set_status(queryset=Article.objects.all(), status="secret")


# ---------------------------------------------------------------- publishing an issue


def _issue_with_articles(*article_statuses: str):
    issue = IssueFactory(status=Status.DRAFT)
    for position, status in enumerate(article_statuses, start=1):
        ArticleFactory(issue=issue, position=position, title=f"Piece {position}", status=status)
    return issue


def test_issue_publish_plan_sorts_the_articles_by_what_would_happen():
    issue = _issue_with_articles(Status.REVIEW, Status.PUBLISHED, Status.DRAFT, Status.REVIEW)
    ArticleFactory(issue=issue, position=5, title="No text", status=Status.REVIEW, body="")
    plan = issue_publish_plan(issue=issue)
    assert [a.position for a in plan.to_publish] == [1, 4]
    assert [a.position for a in plan.already_published] == [2]
    assert [a.position for a in plan.drafts] == [3]
    assert [(a.position, "article_published_has_body" in why) for a, why in plan.invalid] == [
        (5, True)
    ]
    assert [a.position for a in plan.articles] == [1, 2, 3, 4, 5]
    assert not plan.allowed
    assert plan.refusals[0].endswith(
        "1 of its articles is still a draft (#3 “Piece 3”). Send them to review once they are "
        "checked, or move them to another issue."
    )
    assert "#5 “No text” cannot be published as it stands" in plan.refusals[1]
    assert Article.objects.filter(issue=issue, status=Status.PUBLISHED).count() == 1  # read only


def test_issue_publish_publishes_the_issue_with_its_reviewed_articles():
    issue = _issue_with_articles(Status.REVIEW, Status.PUBLISHED, Status.REVIEW)
    curator = UserFactory(is_superuser=True)
    plan = issue_publish(issue=issue, user=curator)
    assert [a.position for a in plan.to_publish] == [1, 3]
    issue.refresh_from_db()
    assert issue.status == Status.PUBLISHED and issue.is_public()
    assert Article.objects.filter(issue=issue).public().count() == 3
    assert issue.history.first().history_user == curator


def test_issue_publish_refuses_while_an_article_is_a_draft_and_writes_nothing():
    issue = _issue_with_articles(Status.REVIEW, Status.DRAFT)
    with pytest.raises(ValidationError) as refused:
        issue_publish(issue=issue)
    assert "#2 “Piece 2”" in refused.value.messages[0]
    assert Issue.objects.get(pk=issue.pk).status == Status.DRAFT
    assert Article.objects.get(issue=issue, position=1).status == Status.REVIEW


def test_issue_publish_is_one_transaction(monkeypatch):
    issue = _issue_with_articles(Status.REVIEW, Status.REVIEW)
    real = services._set_status

    def fail_on_the_issue(obj, *args, **kwargs):
        if isinstance(obj, Issue):
            raise RuntimeError("disk full")
        return real(obj, *args, **kwargs)

    monkeypatch.setattr(services, "_set_status", fail_on_the_issue)
    with pytest.raises(RuntimeError):
        issue_publish(issue=issue)
    assert not Article.objects.filter(issue=issue, status=Status.PUBLISHED).exists()


def test_issue_publish_checks_the_list_the_curator_saw():
    issue = _issue_with_articles(Status.REVIEW)
    shown = issue_publish_plan(issue=issue).to_publish_ids
    ArticleFactory(issue=issue, position=2, status=Status.REVIEW)
    with pytest.raises(ValidationError, match="changed after the list you confirmed"):
        issue_publish(issue=issue, expected=shown)
    assert Issue.objects.get(pk=issue.pk).status == Status.DRAFT
    issue_publish(issue=issue, expected=issue_publish_plan(issue=issue).to_publish_ids)
    assert Issue.objects.get(pk=issue.pk).status == Status.PUBLISHED


def test_issue_publish_needs_the_publish_permission():
    issue = _issue_with_articles(Status.REVIEW)
    contributor = UserFactory()
    contributor.groups.add(Group.objects.get(name="Contributor"))
    with pytest.raises(PermissionDenied):
        issue_publish(issue=issue, user=contributor)
    assert Issue.objects.get(pk=issue.pk).status == Status.DRAFT


def test_issues_are_not_published_without_their_articles():
    issue = _issue_with_articles(Status.REVIEW)
    with pytest.raises(ValidationError, match="use issue_publish"):
        records_set_status(queryset=Issue.objects.filter(pk=issue.pk), status=Status.PUBLISHED)
    assert Issue.objects.get(pk=issue.pk).status == Status.DRAFT
    # Sending back to review (or to draft) stays a plain status change.
    issue_publish(issue=issue)
    assert records_set_status(queryset=Issue.objects.filter(pk=issue.pk), status=Status.REVIEW)
    assert Issue.objects.get(pk=issue.pk).status == Status.REVIEW
    assert Article.objects.get(issue=issue).status == Status.PUBLISHED  # kept, not public
    assert not Article.objects.filter(issue=issue).public().exists()
