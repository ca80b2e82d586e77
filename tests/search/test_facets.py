"""Entity facets (people, organisations, places, events) over a search's hits: the counts the
model layer's rules give, top values first, in a fixed number of queries.

The facets read all four kinds and the event links in one statement, with the article's
own visibility taken from the hits (public articles); these tests compare them with counts
made here, record by record, with the models' ``is_public()``.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive import search
from archive.models import Event, Mention, Status
from archive.search.facets import TOP, facets
from tests.factories import (
    ArticleFactory,
    EventFactory,
    IssueFactory,
    MentionFactory,
    OrganisationFactory,
    PersonFactory,
    PlaceFactory,
    PublicationFactory,
)

pytestmark = pytest.mark.django_db

KINDS = ("person", "organisation", "place", "event")


def entity_facets(results: search.SearchResults) -> dict[str, list[tuple[str, str, int]]]:
    """``{param: [(slug, label, count), …]}`` in the order shown."""
    return {
        f.param: [(v.value, v.label, v.count) for v in f.values]
        for f in results.facets
        if f.param in KINDS
    }


def expected(hit_ids: set[int]) -> dict[str, list[tuple[str, str, int]]]:
    """The facets counted here from each record: a public mention (``is_public()``) of a
    hit, and for events also a link whose event is public; top ``TOP`` by count, then name,
    then id (events by count, then title, then id)."""
    articles: dict[tuple[str, int], set[int]] = defaultdict(set)
    labels: dict[tuple[str, int], tuple[str, str]] = {}
    for mention in Mention.objects.filter(article_id__in=hit_ids):
        if mention.is_public():
            target = mention.target
            key = (mention.target_type, target.pk)
            articles[key].add(mention.article_id)
            labels[key] = (target.slug, getattr(target, "name", None) or target.title)
    for link in Event.articles.through.objects.filter(article_id__in=hit_ids):
        if link.event.is_public() and link.article.is_public():
            key = ("event", link.event_id)
            articles[key].add(link.article_id)
            labels[key] = (link.event.slug, link.event.title)
    result = {}
    for kind in KINDS:
        keys = sorted(
            (k for k in articles if k[0] == kind),
            key=lambda k: (-len(articles[k]), labels[k][1], k[1]),
        )[:TOP]
        if keys:
            result[kind] = [(*labels[k], len(articles[k])) for k in keys]
    return result


@pytest.fixture
def archive_of_mentions():
    """Twelve hits ("strike") and one non-hit; people, organisations, places and events,
    some of them drafts, mentioned at random (some mentions rejected), events also linked;
    one hit in a draft issue (so not a hit at all)."""
    rng = random.Random(7)
    pub = PublicationFactory(slug="paper")
    hits = [
        ArticleFactory(issue=IssueFactory(publication=pub), title=f"Strike {i}", body="Strike!")
        for i in range(12)
    ]
    hidden_issue = IssueFactory(publication=pub, status=Status.DRAFT)
    hidden = ArticleFactory(issue=hidden_issue, title="Strike hidden", body="A strike.")
    other = ArticleFactory(title="Elsewhere", body="Nothing to see.")
    targets = {
        "person": [
            PersonFactory(name=f"Person {c}", status=Status.DRAFT if c == "c" else Status.PUBLISHED)
            for c in "abcdef"
        ],
        "organisation": [
            OrganisationFactory(name=n, status=Status.REVIEW if n == "Beta" else Status.PUBLISHED)
            for n in ("Alpha", "Beta", "Gamma")
        ],
        "place": [PlaceFactory(name=n) for n in ("Gdańsk", "Gdynia", "Łódź")],
        "event": [
            EventFactory(title=t, status=Status.DRAFT if t == "Strike two" else Status.PUBLISHED)
            for t in ("Strike one", "Strike two", "Strike three")
        ],
    }
    for article in [*hits, hidden, other]:
        for kind, records in targets.items():
            for record in rng.sample(records, rng.randint(0, len(records))):
                status = rng.choice([Mention.Status.AUTO, Mention.Status.REJECTED])
                MentionFactory(article=article, status=status, **{"person": None, kind: record})
        for event in rng.sample(targets["event"], rng.randint(0, 2)):
            event.articles.add(article)
    return {"hits": hits, "targets": targets}


def test_entity_facets_are_the_model_layers_counts(archive_of_mentions):
    results = search.search({"q": "strike"})
    hit_ids = {hit.article.pk for hit in results.hits}
    assert hit_ids == {a.pk for a in archive_of_mentions["hits"]}
    shown = entity_facets(results)
    assert shown == expected(hit_ids)
    # The drafts and the record under review are never offered, whatever mentions them.
    slugs = {slug for values in shown.values() for slug, _label, _n in values}
    assert not slugs & {"person-c", "beta", "strike-two"}
    assert set(shown) == set(KINDS)  # every kind has public mentions among the hits


def test_each_entity_value_counts_what_choosing_it_keeps(archive_of_mentions):
    results = search.search({"q": "strike"})
    for param, values in entity_facets(results).items():
        for slug, _label, count in values:
            assert search.search({"q": "strike", param: slug}).total == count, (param, slug)


def test_entity_facets_after_a_filter_count_the_filtered_hits(archive_of_mentions):
    person = archive_of_mentions["targets"]["person"][0]
    results = search.search({"q": "strike", "person": person.slug})
    hit_ids = {hit.article.pk for hit in results.hits}
    assert hit_ids and len(hit_ids) < len(archive_of_mentions["hits"])
    assert entity_facets(results) == expected(hit_ids)
    chosen = [v for f in results.facets if f.param == "person" for v in f.values if v.selected]
    assert [v.value for v in chosen] == [person.slug]


def test_top_values_only_most_frequent_first_ties_by_name():
    people = [PersonFactory(name=f"Name {i:02d}") for i in range(TOP + 5)]
    articles = [ArticleFactory(title=f"Strike {i}", body="Strike!") for i in range(3)]
    # The last two people are in every hit, the rest in one each (a tie broken by name).
    for i, person in enumerate(people):
        for article in articles if i >= TOP + 3 else [articles[i % 3]]:
            MentionFactory(article=article, person=person)
    values = entity_facets(search.search({"q": "strike"}))["person"]
    assert len(values) == TOP
    assert [v[2] for v in values[:2]] == [3, 3]
    assert [v[1] for v in values] == [
        *(p.name for p in people[TOP + 3 :]),
        *sorted(p.name for p in people[: TOP + 3])[: TOP - 2],
    ]


def test_facets_cost_a_fixed_number_of_queries(archive_of_mentions):
    hit_ids = [a.pk for a in archive_of_mentions["hits"]]
    with CaptureQueriesContext(connection) as few:
        facets(hit_ids[:2], {})
    with CaptureQueriesContext(connection) as many:
        facets(hit_ids, {})
    # Publication, kind and dates; the four entity kinds with the event links.
    assert len(few) == len(many) == 2
    # No article, issue or publication chain is re-joined for the entity facets: the hits
    # are public articles already.
    entity_sql = [q["sql"] for q in many.captured_queries if "archive_mention" in q["sql"]]
    assert len(entity_sql) == 1
    assert "archive_issue" not in entity_sql[0] and "archive_publication" not in entity_sql[0]


def test_hits_show_kind_and_date_source_in_words(client):
    ArticleFactory(title="Strike editorial", body="Strike!", kind="editorial", date="1989-06")
    page = client.get("/search/", {"q": "strike"}).content.decode()
    meta = re.search(
        r'<p class="meta">[^<]*Editorial · <span class="article-date" title="([^"]*)"', page
    )
    assert meta is not None, page
    assert meta.group(1) == "Date from its dateline"
