"""Stored counts (archive/counts.py) stay equal to the live count whatever writes the rows.

Every test compares the stored figures with the rule computed from the rows
(``count_mismatches``), and checks the expected number, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from archive import models, services
from archive.counts import count_mismatches, refresh_counts
from tests.factories import (
    ArticleFactory,
    IssueFactory,
    MentionFactory,
    OrganisationFactory,
    PersonFactory,
    PlaceFactory,
    PublicationFactory,
)

pytestmark = pytest.mark.django_db

PUBLISHED, DRAFT = models.Status.PUBLISHED, models.Status.DRAFT


def stored(obj) -> int:
    obj.refresh_from_db()
    return obj.mention_count


def consistent() -> bool:
    assert count_mismatches() == []
    return True


def test_mentions_count_only_when_not_rejected_and_article_published():
    walesa = PersonFactory(name="Lech Wałęsa", sort_name="Wałęsa, Lech")
    MentionFactory(person=walesa)
    MentionFactory(person=walesa, status=models.Mention.Status.AUTO)
    MentionFactory(person=walesa, status=models.Mention.Status.REJECTED)
    MentionFactory(person=walesa, article=ArticleFactory(status=DRAFT))
    assert stored(walesa) == 2
    assert consistent()


def test_publishing_and_unpublishing_articles_moves_the_counts():
    person = PersonFactory(name="Nicolae Ceaușescu")
    place = PlaceFactory(name="Gdańsk")
    article = ArticleFactory(status=DRAFT)
    MentionFactory(article=article, person=person)
    MentionFactory(article=article, person=None, place=place)
    assert (stored(person), stored(place)) == (0, 0)
    services.records_set_status(
        queryset=models.Article.objects.filter(pk=article.pk), status=PUBLISHED
    )
    assert (stored(person), stored(place)) == (1, 1)
    services.records_set_status(queryset=models.Article.objects.filter(pk=article.pk), status=DRAFT)
    assert (stored(person), stored(place)) == (0, 0)
    assert consistent()


def test_bulk_update_of_article_status_is_counted():
    person = PersonFactory()
    issue = IssueFactory()
    articles = ArticleFactory.create_batch(3, issue=issue)
    for a in articles:
        MentionFactory(article=a, person=person)
    assert stored(person) == 3
    assert models.Article.objects.filter(issue=issue).update(status=models.Status.REVIEW) == 3
    assert stored(person) == 0
    issue.publication.refresh_from_db()
    assert issue.publication.article_count == 0
    models.Article.objects.filter(pk=articles[0].pk).update(status=PUBLISHED)
    assert stored(person) == 1
    assert consistent()


def test_rejecting_moving_and_deleting_mentions():
    a, b = PersonFactory(), PersonFactory()
    mention = MentionFactory(person=a)
    assert (stored(a), stored(b)) == (1, 0)
    mention.status = models.Mention.Status.REJECTED
    mention.save()
    assert stored(a) == 0
    mention.status = models.Mention.Status.CONFIRMED
    mention.person = b
    mention.save()
    assert (stored(a), stored(b)) == (0, 1)
    mention.context = "only the context changed"
    mention.save()
    assert stored(b) == 1
    mention.delete()
    assert stored(b) == 0
    assert consistent()


def test_deleting_an_article_removes_its_mentions_from_the_counts():
    org = OrganisationFactory(name="Solidarność")
    article = ArticleFactory()
    MentionFactory(article=article, person=None, organisation=org)
    MentionFactory(organisation=org, person=None)
    assert stored(org) == 2
    publication = article.issue.publication
    publication.refresh_from_db()
    assert publication.article_count == 1
    article.delete()
    assert stored(org) == 1
    publication.refresh_from_db()
    assert publication.article_count == 0
    assert consistent()


def test_merge_moves_counts_onto_the_survivor():
    survivor = PersonFactory(name="Lech Wałęsa")
    duplicate = PersonFactory(name="Lech Walesa")
    shared = ArticleFactory()
    MentionFactory(article=shared, person=survivor)
    MentionFactory(article=shared, person=duplicate)  # same article: merged into one
    MentionFactory(person=duplicate)
    MentionFactory(person=duplicate, status=models.Mention.Status.REJECTED)
    assert (stored(survivor), stored(duplicate)) == (1, 2)
    services.entity_merge(survivor=survivor, duplicates=[duplicate])
    # The shared article's two mentions became one; the other counted one moved over.
    assert stored(survivor) == 2
    assert consistent()


def test_a_stale_instance_saved_later_does_not_overwrite_the_count():
    person = PersonFactory()
    stale = models.Person.objects.get(pk=person.pk)
    MentionFactory(person=person)
    stale.description = "Edited by a curator after the mention was linked."
    stale.save()
    assert stored(person) == 1
    person.refresh_from_db()
    assert person.description.startswith("Edited")
    publication = PublicationFactory()
    stale_pub = models.Publication.objects.get(pk=publication.pk)
    ArticleFactory(issue=IssueFactory(publication=publication))
    stale_pub.title = "Workers’ Liberty"
    stale_pub.save()
    publication.refresh_from_db()
    assert (publication.issue_count, publication.article_count) == (1, 1)
    assert consistent()


def test_publication_counts_follow_issues_and_articles():
    one, two = PublicationFactory(), PublicationFactory()
    issue = IssueFactory(publication=one)
    ArticleFactory.create_batch(2, issue=issue)
    ArticleFactory(issue=issue, status=DRAFT)
    IssueFactory(publication=one, status=DRAFT)

    def figures(p):
        p.refresh_from_db()
        return p.issue_count, p.article_count

    assert figures(one) == (1, 2)
    issue.publication = two  # an issue filed under the wrong title, corrected
    issue.save()
    assert (figures(one), figures(two)) == ((0, 0), (1, 2))
    models.Issue.objects.filter(pk=issue.pk).update(status=DRAFT)
    # Articles count when they are published, as the live count did.
    assert figures(two) == (0, 2)
    article = models.Article.objects.filter(issue=issue).first()
    article.issue = IssueFactory(publication=one)
    article.save()
    assert (figures(one), figures(two)) == ((1, 1), (0, 1))
    assert consistent()


def test_record_inserted_after_what_points_at_it_counts_it():
    """Fixtures may load a mention before its person (foreign keys are checked at commit):
    the person's insert counts the mentions already there."""
    article = ArticleFactory()
    pk = (models.Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 100
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO archive_mention (created, updated, article_id, person_id, count, "
            "first_offset, context, status) VALUES (%s, %s, %s, %s, 1, 0, '', 'auto')",
            [now, now, article.pk, pk],
        )
    person = PersonFactory(id=pk, name="Lech Wałęsa")
    assert stored(person) == 1
    assert consistent()


def test_refresh_repairs_counts_written_by_a_raw_load():
    person = PersonFactory()
    MentionFactory.create_batch(2, person=person)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE archive_person SET mention_count = 7 WHERE id = %s", [person.pk])
    assert stored(person) == 7
    assert refresh_counts() == 1
    assert stored(person) == 2
    assert consistent()


def test_collection_loaded_signal_refreshes_counts():
    from archive.signals import collection_loaded

    person = PersonFactory()
    MentionFactory(person=person)
    models.Person.objects.filter(pk=person.pk).update(mention_count=5)
    collection_loaded.send(sender=None)
    assert stored(person) == 1


def test_counts_are_never_negative():
    person = PersonFactory()
    with pytest.raises(IntegrityError, match="mention_count_not_negative"), transaction.atomic():
        models.Person.objects.filter(pk=person.pk).update(mention_count=-1)


def test_bulk_create_and_delete_of_mentions():
    people = PersonFactory.create_batch(3)
    articles = ArticleFactory.create_batch(4)
    models.Mention.objects.bulk_create(
        models.Mention(article=a, person=p, status="auto") for a in articles for p in people
    )
    assert [stored(p) for p in people] == [4, 4, 4]
    models.Mention.objects.filter(person=people[0]).delete()
    models.Mention.objects.filter(article=articles[0]).update(status="rejected")
    assert [stored(p) for p in people] == [0, 3, 3]
    assert consistent()
