"""Stored counts (archive/counts.py) stay equal to the live count whatever writes the rows.

Every test compares the stored figures with the model layer's querysets
(``count_mismatches``) and with the triggers' own SQL (``sql_mismatches``), and checks the
expected number, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from archive import counts, models, services
from archive.counts import count_mismatches, refresh_counts, sql_mismatches
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


def assert_consistent() -> None:
    """Every stored figure equals the model layer's count and the triggers' own SQL."""
    assert count_mismatches() == []
    assert sql_mismatches() == []


def test_mentions_count_only_when_not_rejected_and_article_published():
    walesa = PersonFactory(name="Lech Wałęsa", sort_name="Wałęsa, Lech")
    MentionFactory(person=walesa)
    MentionFactory(person=walesa, status=models.Mention.Status.AUTO)
    MentionFactory(person=walesa, status=models.Mention.Status.REJECTED)
    MentionFactory(person=walesa, article=ArticleFactory(status=DRAFT))
    assert stored(walesa) == 2
    assert_consistent()


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
    assert_consistent()


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
    assert_consistent()


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
    assert_consistent()


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
    assert_consistent()


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
    assert_consistent()


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
    assert_consistent()


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
    # Articles count only under a published issue (Article.public_q()).
    assert figures(two) == (0, 0)
    models.Issue.objects.filter(pk=issue.pk).update(status=PUBLISHED)
    assert figures(two) == (1, 2)
    article = models.Article.objects.filter(issue=issue).first()
    article.issue = IssueFactory(publication=one)
    article.save()
    assert (figures(one), figures(two)) == ((1, 1), (1, 1))
    assert_consistent()


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
    assert_consistent()


def test_refresh_repairs_counts_written_by_a_raw_load():
    person = PersonFactory()
    MentionFactory.create_batch(2, person=person)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE archive_person SET mention_count = 7 WHERE id = %s", [person.pk])
    assert stored(person) == 7
    assert refresh_counts() == 1
    assert stored(person) == 2
    assert_consistent()


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
    assert_consistent()


# The whole visibility chain -----------------------------------------------------------------


def test_a_mention_counts_only_under_a_published_issue_of_a_published_publication():
    """The article's issue and publication decide too (``Article.public_q()``), and
    publishing or withdrawing either moves the count, by ORM save or bulk update."""
    walesa = PersonFactory(name="Lech Wałęsa", sort_name="Wałęsa, Lech")
    publication = PublicationFactory(title="Workers’ Liberty")
    issue = IssueFactory(publication=publication)
    MentionFactory(person=walesa, article=ArticleFactory(issue=issue))
    MentionFactory(person=walesa, article=ArticleFactory(issue=issue))
    MentionFactory(person=walesa)  # elsewhere, always public
    assert stored(walesa) == 3
    models.Issue.objects.filter(pk=issue.pk).update(status=models.Status.REVIEW)
    assert stored(walesa) == 1
    models.Issue.objects.filter(pk=issue.pk).update(status=PUBLISHED)
    assert stored(walesa) == 3
    publication.status = DRAFT
    publication.save()
    assert stored(walesa) == 1
    models.Publication.objects.filter(pk=publication.pk).update(status=PUBLISHED)
    assert stored(walesa) == 3
    assert_consistent()


def test_issue_publish_service_and_records_set_status_move_the_counts():
    person = PersonFactory(name="Nicolae Ceaușescu")
    issue = IssueFactory(status=DRAFT)
    article = ArticleFactory(issue=issue, status=models.Status.REVIEW)
    MentionFactory(person=person, article=article)
    assert stored(person) == 0
    services.issue_publish(issue=issue)
    assert stored(person) == 1
    publication = models.Publication.objects.filter(pk=issue.publication_id)
    services.records_set_status(queryset=publication, status=DRAFT)
    assert stored(person) == 0
    services.records_set_status(queryset=publication, status=PUBLISHED)
    assert stored(person) == 1
    assert_consistent()


def test_moving_an_article_or_an_issue_across_drafts_moves_the_counts():
    place = PlaceFactory(name="Gdańsk")
    public_issue, draft_issue = IssueFactory(), IssueFactory(status=DRAFT)
    article = ArticleFactory(issue=public_issue)
    MentionFactory(article=article, person=None, place=place)
    assert stored(place) == 1
    article.issue = draft_issue
    article.save()
    assert stored(place) == 0
    draft_publication = PublicationFactory(status=DRAFT)
    models.Issue.objects.filter(pk=draft_issue.pk).update(status=PUBLISHED)
    assert stored(place) == 1
    models.Issue.objects.filter(pk=draft_issue.pk).update(publication=draft_publication)
    assert stored(place) == 0
    draft_publication.refresh_from_db()
    assert (draft_publication.issue_count, draft_publication.article_count) == (1, 1)
    assert_consistent()


def test_a_records_own_status_does_not_move_its_own_figures():
    """A draft person counts its public mentions, so publishing it shows them at once; a
    draft publication counts what it will show once published."""
    draft_person = PersonFactory(name="Trotsky’s heir", status=DRAFT)
    MentionFactory.create_batch(2, person=draft_person)
    assert stored(draft_person) == 2
    assert models.Mention.objects.public(target="person").filter(person=draft_person).count() == 0
    services.records_set_status(
        queryset=models.Person.objects.filter(pk=draft_person.pk), status=PUBLISHED
    )
    assert stored(draft_person) == 2
    assert models.Mention.objects.public(target="person").filter(person=draft_person).count() == 2

    draft_publication = PublicationFactory(status=DRAFT)
    issue = IssueFactory(publication=draft_publication)
    ArticleFactory.create_batch(2, issue=issue)
    draft_publication.refresh_from_db()
    assert (draft_publication.issue_count, draft_publication.article_count) == (1, 2)
    assert models.Article.objects.public().filter(issue__publication=draft_publication).count() == 0
    models.Publication.objects.filter(pk=draft_publication.pk).update(status=PUBLISHED)
    draft_publication.refresh_from_db()
    assert (draft_publication.issue_count, draft_publication.article_count) == (1, 2)
    assert models.Article.objects.public().filter(issue__publication=draft_publication).count() == 2
    assert_consistent()


def test_out_of_order_load_counts_once_the_chain_is_complete():
    """A fixture may insert rows child first (foreign keys are checked at commit): the
    figures are right whatever the order."""
    person = PersonFactory()
    ids = {
        name: (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
        for name, model in (
            ("publication", models.Publication), ("issue", models.Issue),
            ("article", models.Article),
        )
    }  # fmt: skip
    mention = MentionFactory.build(person=person, article=None)
    mention.article_id = ids["article"]
    models.Mention.objects.bulk_create([mention])
    assert stored(person) == 0
    article = ArticleFactory.build(id=ids["article"], issue=None)
    article.issue_id = ids["issue"]
    models.Article.objects.bulk_create([article])
    assert stored(person) == 0
    issue = IssueFactory.build(id=ids["issue"], publication=None)
    issue.publication_id = ids["publication"]
    models.Issue.objects.bulk_create([issue])
    assert stored(person) == 0
    PublicationFactory(id=ids["publication"], title="Workers’ Liberty")
    assert stored(person) == 1
    publication = models.Publication.objects.get(pk=ids["publication"])
    assert (publication.issue_count, publication.article_count) == (1, 1)
    assert_consistent()


STATUSES = (PUBLISHED, DRAFT, models.Status.REVIEW)
MENTION_STATUSES = tuple(models.Mention.Status.values)


def _random_archive(rng) -> None:
    publications = [PublicationFactory(status=rng.choice(STATUSES)) for _ in range(3)]
    issues = [
        IssueFactory(publication=rng.choice(publications), status=rng.choice(STATUSES))
        for _ in range(5)
    ]
    articles = [
        ArticleFactory(issue=rng.choice(issues), status=rng.choice(STATUSES)) for _ in range(10)
    ]
    targets = {
        "person": [PersonFactory(status=rng.choice(STATUSES)) for _ in range(4)],
        "organisation": [OrganisationFactory(status=rng.choice(STATUSES)) for _ in range(3)],
        "place": [PlaceFactory(status=rng.choice(STATUSES)) for _ in range(3)],
    }
    for article in articles:
        for kind, records in targets.items():
            for record in rng.sample(records, rng.randint(0, 2)):
                ends = {"person": None, kind: record}
                MentionFactory(article=article, status=rng.choice(MENTION_STATUSES), **ends)


def _random_change(rng) -> str:
    """One write of the kinds the archive sees: bulk update, save(), move, delete."""
    level = rng.choice(["publication", "issue", "article", "mention", "move", "delete"])
    if level in ("publication", "issue", "article"):
        model = getattr(models, level.capitalize())
        pks = list(model.objects.values_list("pk", flat=True))
        chosen = rng.sample(pks, rng.randint(1, min(3, len(pks))))
        status = rng.choice(STATUSES)
        if rng.random() < 0.5:
            model.objects.filter(pk__in=chosen).update(status=status)
        else:
            for obj in model.objects.filter(pk__in=chosen):
                obj.status = status
                obj.save()
        return f"{level} {chosen} → {status}"
    if level == "mention":
        pks = list(models.Mention.objects.values_list("pk", flat=True))
        chosen = rng.sample(pks, min(4, len(pks)))
        status = rng.choice(MENTION_STATUSES)
        models.Mention.objects.filter(pk__in=chosen).update(status=status)
        return f"mentions {chosen} → {status}"
    if level == "move":
        issue = rng.choice(list(models.Issue.objects.all()))
        if rng.random() < 0.5:
            issue.publication = rng.choice(list(models.Publication.objects.all()))
            issue.save()
            return f"issue {issue.pk} → publication {issue.publication_id}"
        article = rng.choice(list(models.Article.objects.all()))
        models.Article.objects.filter(pk=article.pk).update(issue=issue, position=1000 + article.pk)
        return f"article {article.pk} → issue {issue.pk}"
    article = rng.choice(list(models.Article.objects.all()))
    article.delete()
    return f"deleted article {article.pk}"


def _assert_counts_are_the_model_layers():
    """Stored figures equal the model layer's querysets, for every record."""
    for kind in ("person", "organisation", "place"):
        model = getattr(models, kind.capitalize())
        for record in model.objects.all():
            public = models.Mention.objects.public(target=kind).filter(**{kind: record})
            if record.is_public():
                assert record.mention_count == public.count(), (kind, record.pk)
            else:
                assert public.count() == 0
    for publication in models.Publication.objects.all():
        issues = models.Issue.objects.public().filter(publication=publication)
        articles = models.Article.objects.public().filter(issue__publication=publication)
        if publication.is_public():
            assert publication.issue_count == issues.count(), publication.pk
            assert publication.article_count == articles.count(), publication.pk
    assert count_mismatches() == []
    assert sql_mismatches() == []


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_counts_follow_random_status_changes_at_every_level(seed):
    import random

    rng = random.Random(seed)
    _random_archive(rng)
    _assert_counts_are_the_model_layers()
    for _ in range(12):
        change = _random_change(rng)
        try:
            _assert_counts_are_the_model_layers()
        except AssertionError as error:
            raise AssertionError(f"after {change}: {error}") from error


def test_refresh_counts_uses_the_model_layer_and_agrees_with_the_trigger_sql():
    import random

    _random_archive(random.Random(7))
    expected = {
        (table, pk, column): n for table, pk, column, _stored, n in _broken_then_mismatches()
    }
    assert expected  # the raw write broke every figure
    assert refresh_counts() == len(expected)
    assert refresh_counts() == 0
    assert_consistent()


def _broken_then_mismatches():
    with connection.cursor() as cursor:
        for table, column in counts.LIVE:
            cursor.execute(f"UPDATE {table} SET {column} = {column} + 3")
    return count_mismatches()


# The module, the migrations and the model layer agree ------------------------------------


def test_installed_triggers_are_this_modules():
    """A change to archive/counts.py needs a migration re-creating the triggers: the
    database must run exactly the SQL this module generates."""
    vendor = connection.vendor
    statements = counts.trigger_sql(vendor)
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'archive_counts_%'"
            )
            installed = dict(cursor.fetchall())
            expected = {s.split()[2]: s for s in statements if s.startswith("CREATE TRIGGER")}
        else:
            cursor.execute(
                "SELECT proname, prosrc FROM pg_proc WHERE proname LIKE 'archive_counts_%'"
            )
            installed = dict(cursor.fetchall())
            expected = {
                s.split()[4].removesuffix("()"): s.split("AS $$", 1)[1].rsplit("$$", 1)[0]
                for s in statements
                if s.startswith("CREATE OR REPLACE FUNCTION")
            }
            cursor.execute(
                "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = "
                "t.tgrelid WHERE t.tgname LIKE 'archive_counts_%'"
            )
            assert sorted(cursor.fetchall()) == sorted(counts.trigger_names())
    assert set(installed) == {name for name, _table in counts.trigger_names()}
    assert installed == expected


def test_postgres_triggers_reach_other_tables_only_by_their_linking_index():
    """Right after a bulk load the planner may think no article is published and walk the
    status index for every changed row (8 s for 10,000 mentions): each table is reached by
    a lateral lookup on the linking column alone, the status checked on the row found."""
    import re

    lookups = []
    for statement in counts.trigger_sql("postgresql"):
        if not statement.startswith("CREATE OR REPLACE FUNCTION"):
            continue
        plain = re.findall(r"(?<!CROSS )JOIN (archive_\w+)", statement)
        assert plain == [], (statement.split("(")[0], plain)
        lookups += re.findall(r"LATERAL \(SELECT [^()]* WHERE ([^()]*?) OFFSET 0", statement)
    assert len(lookups) > 50
    assert [x for x in lookups if not re.fullmatch(r"\w+\.\w+ = \w+\.\w+", x)] == []


def test_sql_literals_are_the_model_layers_statuses():
    assert f"'{models.Status.PUBLISHED.value}'" == counts.PUBLISHED
    assert f"'{models.Mention.Status.REJECTED.value}'" == counts.REJECTED


def test_counted_rows_are_the_public_rule_without_the_records_own_condition():
    rules = {(m.__name__, column): rows for (m, column), (rows, _link) in counts.counted().items()}
    assert set(rules) == {
        ("Person", "mention_count"), ("Organisation", "mention_count"),
        ("Place", "mention_count"), ("Publication", "issue_count"),
        ("Publication", "article_count"),
    }  # fmt: skip
    assert set(rules) == {(t.removeprefix("archive_").capitalize(), c) for t, c in counts.LIVE}
    with pytest.raises(ValueError, match="not found"):
        counts._without(models.Article.public_q(), models.Person.public_q("person__"))


# Concurrent writers (PostgreSQL, read committed) ------------------------------------------


def _in_thread(work) -> tuple:
    """Run ``work`` in its own thread and database connection; return (thread, outcome)."""
    import threading

    from django.db import connections

    outcome: dict = {}

    def run():
        try:
            with transaction.atomic():
                work()
            outcome["ok"] = True
        except Exception as error:  # reported by the test
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("level", ["article", "issue", "publication"])
@pytest.mark.parametrize("publisher_first", [True, False], ids=["publish-first", "mention-first"])
def test_a_mention_written_while_a_parent_is_published_is_counted(level, publisher_first):
    """Whichever of the two commits first, the other waits for it and then counts its rows:
    the mention is counted once its article, issue or publication is published (neither
    trigger misses the other's uncommitted row)."""
    import time

    person = PersonFactory(name="Lech Wałęsa")
    publication = PublicationFactory(status=DRAFT if level == "publication" else PUBLISHED)
    issue = IssueFactory(publication=publication, status=DRAFT if level == "issue" else PUBLISHED)
    article = ArticleFactory(issue=issue, status=DRAFT if level == "article" else PUBLISHED)
    parent = {"article": article, "issue": issue, "publication": publication}[level]

    def publish():
        type(parent).objects.filter(pk=parent.pk).update(status=PUBLISHED)

    def mention():
        MentionFactory(article=article, person=person)

    first, second = (publish, mention) if publisher_first else (mention, publish)
    with transaction.atomic():
        first()
        thread, outcome = _in_thread(second)
        time.sleep(0.5)
        assert thread.is_alive(), "the second writer should wait for the first to commit"
    thread.join(timeout=30)
    assert outcome == {"ok": True}
    assert stored(person) == 1
    assert_consistent()


def test_public_article_total_from_stored_counts_follows_every_level():
    """``Article.objects.public_count()`` (the home page's figure, read from the public
    publications' stored counts) is ``public().count()`` whatever is published or not."""
    one, two = PublicationFactory(), PublicationFactory()
    issue = IssueFactory(publication=one)
    ArticleFactory.create_batch(3, issue=issue)
    ArticleFactory(issue=issue, status=DRAFT)
    ArticleFactory(issue=IssueFactory(publication=two))
    ArticleFactory(issue=IssueFactory(publication=one, status=DRAFT))

    def agree() -> int:
        total = models.Article.objects.public_count()
        assert total == models.Article.objects.public().count()
        return total

    assert agree() == 4
    models.Publication.objects.filter(pk=two.pk).update(status=DRAFT)
    assert agree() == 3
    models.Issue.objects.filter(pk=issue.pk).update(status=DRAFT)
    assert agree() == 0
    models.Issue.objects.filter(pk=issue.pk).update(status=PUBLISHED)
    models.Article.objects.filter(issue=issue).update(status=PUBLISHED)
    assert agree() == 4
    # A narrowed set has no stored figure: it is counted.
    narrowed = models.Article.objects.filter(issue=issue)
    assert narrowed.public_count() == narrowed.public().count() == 4
