"""A query with filters: the filters decide inside the search, whatever plan finds the words.

On PostgreSQL a date filter also narrows the word's matches through the index of the years
each article's date may fall in (migration 0017), and a word found in most of the filtered
articles is read in the filtered articles' order; these tests pin that neither changes which
articles are hits, on both databases, and that the years follow every change of a date.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from archive import search
from archive.models import Article
from archive.search.engine import span_years
from tests.factories import ArticleFactory, IssueFactory, MentionFactory, PersonFactory

pytestmark = pytest.mark.django_db


def hits(**params) -> set[int]:
    return {hit.article.pk for hit in search.search({"q": "strike", **params}).hits}


@pytest.fixture
def dated():
    """``strike`` in articles on both sides of the 1980s' edges, spanning them, open-ended
    and undated; one without the word."""
    dates = {
        "before": "1979-12",
        "first": "1980-01",
        "last": "1989-12",
        "after": "1990-01",
        "spanning": "1975/1995",
        "open": "1985/..",
        "long ago": "1381",
        "undated": "",
    }
    made = {
        name: ArticleFactory(date=date, title=f"Strike {name}", body="The strike went on.")
        for name, date in dates.items()
    }
    made["unrelated"] = ArticleFactory(date="1985-03", body="Nothing about it.")
    return made


@pytest.mark.parametrize("share", [0, 16, 10**9])
def test_decade_and_ranges(dated, monkeypatch, share):
    """The same hits whether or not the years index narrows the word's matches (it does
    only for a word not much rarer than the span, ``YEARS_INDEX_SHARE``)."""
    from archive.search import backends

    monkeypatch.setattr(backends, "YEARS_INDEX_SHARE", share)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE archive_search_article")  # the sizes the rule reads
        statements: list[str] = []

        def record(execute, sql, params, many, context):
            statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            hits(decade="1980")
        hinted = any("s.years &&" in sql for sql in statements)
        if share != 16:  # at 16 the sizes decide: here the word is in nearly every article
            assert hinted == (share == 10**9)

    def named(*names):
        return {dated[n].pk for n in names}

    assert hits(decade="1980") == named("first", "last", "spanning", "open")
    assert hits(year="1990") == named("after", "spanning", "open")
    assert hits(date_after="1989-12", date_before="1990-01") == named(
        "last", "after", "spanning", "open"
    )
    assert hits(date_before="1979") == named("before", "spanning", "long ago")
    assert hits(decade="1380") == named("long ago")
    assert hits(undated="true") == named("undated")
    for ordering in ("date", "-date"):
        assert hits(decade="1980", ordering=ordering) == named("first", "last", "spanning", "open")


def test_years_follow_a_changed_date(dated):
    moved = dated["before"]
    moved.date = "1984-05"
    moved.save()
    assert moved.pk in hits(decade="1980")
    # A bulk update of the stored date (no save()) is followed too on PostgreSQL, whose
    # triggers keep the years; the date filter itself reads the article row either way.
    Article.objects.filter(pk=moved.pk).update(
        effective_date_start=dt.date(1999, 1, 1), effective_date_end=dt.date(1999, 12, 31)
    )
    assert moved.pk not in hits(decade="1980")
    assert moved.pk in hits(decade="1990")


def test_issue_date_gives_the_years():
    """An editorial without a dateline takes its issue's date (Article.effective_date_rule):
    its years are the issue's."""
    issue = IssueFactory(date="1983-04")
    editorial = ArticleFactory(issue=issue, kind="editorial", date="", body="A strike call.")
    assert editorial.pk in hits(decade="1980")
    assert editorial.pk not in hits(decade="1990")


def test_filters_combined_with_a_word_in_most_articles():
    """A word in every article, with a person filter: the filtered articles are the hits."""
    walesa = PersonFactory(name="Lech Wałęsa")
    mentioned = [ArticleFactory(body=f"The strike, day {i}.") for i in range(3)]
    for article in mentioned:
        MentionFactory(article=article, person=walesa)
    for i in range(6):
        ArticleFactory(body=f"Another strike, {i}.")
    assert hits(person=walesa.slug) == {a.pk for a in mentioned}
    assert hits(person=walesa.slug, ordering="-date") == {a.pk for a in mentioned}


def test_span_years():
    assert span_years(dt.date(1980, 1, 1), dt.date(1989, 12, 31)) == list(range(1980, 1990))
    assert span_years(None, dt.date(1989, 12, 31)) == []
    assert span_years(dt.date(1900, 1, 1), dt.date(1999, 12, 31)) == []


@pytest.mark.requires_postgres
def test_date_order_read_a_window_of_years_at_a_time(monkeypatch, dated):
    """PostgreSQL reads a word of a few percent of the articles by date one window of years
    at a time: the same hits in the same order as one sorted read."""
    from archive.search import backends

    for i, date in enumerate(["1980-02", "1980-02", "1982", "1984/1986", "1999-12", "1960"]):
        ArticleFactory(date=date, title=f"More {i}", body="Another strike.")
    # Drafts in the windows: a window's matches are checked against the public articles
    # after they are sorted, until a list's worth pass.
    drafts = {
        ArticleFactory(date=date, title=f"Draft {i}", body="A strike.", status="draft").pk
        for i, date in enumerate(["1999-12", "1980-02", "1960"])
    }
    cases = [
        {},
        {"decade": "1980"},
        {"kind": "article"},
        {"date_after": "1981"},
        {"date_after": "1981", "date_before": "1995"},
    ]
    expected = {}
    for ordering in ("date", "-date"):
        for params in cases:
            key = (ordering, tuple(params.items()))
            expected[key] = [
                h.article.pk
                for h in search.search({"q": "strike", "ordering": ordering, **params}).hits
            ]
            # The order itself, from the hits' dates: oldest (newest) first, ties by id in
            # the same direction, no start date last. (A date filter's span starts its read
            # inside the span, after the dates running into it from before.)
            newest = ordering == "-date"
            assert set(expected[key]) == hits(**params), key  # every hit, in either order
            found = Article.objects.filter(pk__in=expected[key])
            dated = sorted(
                (a for a in found if a.effective_date_start),
                key=lambda a: (a.effective_date_start, a.pk),
                reverse=newest,
            )
            undated = sorted((a for a in found if not a.effective_date_start),
                             key=lambda a: a.pk, reverse=newest)  # fmt: skip
            assert expected[key] == [a.pk for a in dated + undated], key
    monkeypatch.setattr(backends, "WINDOWED", 0)
    monkeypatch.setattr(backends, "RANK_CAP", 3)  # several windows to fill a list
    for (ordering, params), ids in expected.items():
        windowed = [
            h.article.pk
            for h in search.search({"q": "strike", "ordering": ordering, **dict(params)}).hits
        ]
        assert windowed == ids[: len(windowed)], (ordering, params)
        assert len(windowed) == min(len(ids), 3)
        assert not drafts & set(ids)


@pytest.mark.requires_postgres
@pytest.mark.parametrize("known", [False, True])
def test_a_word_unknown_to_the_statistics_is_counted_before_windows(monkeypatch, dated, known):
    """The planner gives every word missing from its statistics the same floor estimate (at
    a million articles 5,000, for a word in 168 as for one in 4,000). Such a word is counted,
    up to WINDOWED, and its few matches sorted in one read; a word the statistics know above
    the floor goes to windows of years at once. The same hits in the same order either way.
    (Simulated: the planner's figures are set, the words' matches are real.)"""
    from archive.search import backends

    floor = backends.WINDOWED
    expected = {o: [h.article.pk for h in search.search({"q": "strike", "ordering": o}).hits]
                for o in ("date", "-date")}  # fmt: skip

    def estimate(self, cursor, tsq, tparams, *args, **kwargs):
        unknown = backends.UNKNOWN_LEXEME in tparams
        return floor if unknown or not known else floor + 1

    monkeypatch.setattr(backends.PostgresBackend, "_estimate", estimate)
    monkeypatch.setattr(backends.PostgresBackend, "_size", lambda self, cursor: 10**6)
    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    for ordering, ids in expected.items():
        statements.clear()
        with connection.execute_wrapper(record):
            found = [
                h.article.pk for h in search.search({"q": "strike", "ordering": ordering}).hits
            ]
        assert found == ids, ordering
        counted = [s for s in statements if s.startswith("SELECT count(*) FROM (SELECT 1")]
        windows = [s for s in statements if "s.years && %s::int4[] AND a.effective_date_start" in s]
        assert len(counted) == (0 if known else 1), ordering
        assert bool(windows) == known, ordering


@pytest.mark.requires_postgres
def test_narrow_and_broad_filters_find_the_same_hits(monkeypatch, dated):
    """PostgreSQL starts from the filtered articles when the planner expects few of them, and
    checks each of the word's matches against the filters otherwise: the same hits, in the
    same order, with the same totals, either way."""
    from archive.search import backends

    walesa = PersonFactory(name="Lech Wałęsa")
    for name in ("first", "spanning", "undated", "unrelated"):
        MentionFactory(article=dated[name], person=walesa)
    other = IssueFactory(date="1986-02")
    editorial = ArticleFactory(issue=other, kind="editorial", date="", body="A strike call.")
    cases = [
        {"person": walesa.slug},
        {"decade": "1980"},
        {"kind": "editorial"},
        {"publication": other.publication.slug},
        {"person": walesa.slug, "decade": "1980"},
    ]

    def answers() -> dict:
        out = {}
        for ordering in ("relevance", "date", "-date"):
            for params in cases:
                found = search.search({"q": "strike", "ordering": ordering, **params})
                key = (ordering, tuple(params.items()))
                out[key] = ([h.article.pk for h in found.hits], found.total)
        return out

    monkeypatch.setattr(backends, "DRIVING_BASE", 10**9)  # always from the filtered articles
    narrow = answers()
    monkeypatch.setattr(backends, "ALONE_BELOW", 10**12)  # the body branch alone, complete
    alone = answers()
    monkeypatch.setattr(backends, "DRIVING_BASE", -1)  # always from the word's matches
    broad = answers()
    assert narrow == alone == broad
    # A pool of two: the body branch alone is cut, and the whole statement runs again.
    monkeypatch.setattr(backends, "POOL", 2)
    monkeypatch.setattr(backends, "DRIVING_BASE", 10**9)
    cut = answers()
    monkeypatch.setattr(backends, "ALONE_BELOW", 0)
    assert cut == answers()
    # "unrelated" lacks the word: first, spanning and undated are the hits.
    assert narrow[("relevance", (("person", walesa.slug),))][1] == 3
    assert set(narrow[("date", (("decade", "1980"),))][0]) == {
        editorial.pk,
        *(dated[n].pk for n in ("first", "last", "spanning", "open")),
    }


def test_publication_and_kind_follow_every_write():
    """On PostgreSQL the index holds each article's publication and kind beside its vectors
    (migration 0022), kept by the database's triggers: whatever moves an article (its kind,
    its issue, its issue's publication; by save() or by a bulk update), a search filtered by
    publication or kind finds it where it now is, on both databases."""
    from tests.factories import PublicationFactory

    left, right = PublicationFactory(), PublicationFactory()
    left_issue, right_issue = IssueFactory(publication=left), IssueFactory(publication=right)
    saved = ArticleFactory(issue=left_issue, kind="article", body="A strike.")
    bulk = ArticleFactory(issue=left_issue, kind="article", body="A strike again.")
    moved_issue = IssueFactory(publication=left)
    carried = ArticleFactory(issue=moved_issue, kind="editorial", body="A strike editorial.")

    def found(**params) -> set[int]:
        return hits(**params) & {saved.pk, bulk.pk, carried.pk}

    assert found(publication=left.slug) == {saved.pk, bulk.pk, carried.pk}
    assert found(kind="editorial") == {carried.pk}

    saved.kind, saved.issue = "editorial", right_issue
    saved.save()
    Article.objects.filter(pk=bulk.pk).update(kind="sidebar")
    type(moved_issue).objects.filter(pk=moved_issue.pk).update(publication=right)

    assert found(publication=left.slug) == {bulk.pk}
    assert found(publication=right.slug) == {saved.pk, carried.pk}
    assert found(kind="editorial") == {saved.pk, carried.pk}
    assert found(kind="sidebar") == {bulk.pk}
    assert found(publication=right.slug, kind="editorial") == {saved.pk, carried.pk}
    assert found(publication=left.slug, kind="editorial") == set()

    if connection.vendor == "postgresql":
        from archive.search import backends

        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM {backends.TABLE} s "
                "JOIN archive_article a ON a.id = s.article_id "
                "JOIN archive_issue i ON i.id = a.issue_id "
                "WHERE s.publication_id IS DISTINCT FROM i.publication_id "
                "OR s.kind IS DISTINCT FROM a.kind"
            )
            assert cursor.fetchone()[0] == 0
            backends.PostgresBackend().index()  # a bulk rebuild writes the same keys
            cursor.execute(
                f"SELECT count(*) FROM {backends.TABLE} s "
                "JOIN archive_article a ON a.id = s.article_id "
                "JOIN archive_issue i ON i.id = a.issue_id "
                "WHERE s.publication_id IS NOT DISTINCT FROM i.publication_id "
                "AND s.kind IS NOT DISTINCT FROM a.kind"
            )
            assert cursor.fetchone()[0] == Article.objects.count()
