"""Synthetic records added on top of the seed collection, for load and size tests.

``add_synthetic(articles=5000)`` adds published publications, issues, articles (text built
from the seed collection's own vocabulary, so searches hit realistic posting lists), people
and mentions with ``bulk_create`` in one transaction, then sends ``collection_loaded`` so
derived data (the search index, the stored counts) is rebuilt exactly as after a collection
load. ``bulk_create`` does not call ``save()``, so every record's derived fields (EDTF bounds,
folded names, word counts, an article's effective date and its source) are computed first
by the one function ``save()`` uses, ``derive_fields()``. Deterministic for a given seed.
"""

from __future__ import annotations

import random
import re

from django.db import transaction
from django.utils import timezone

from archive.models import Article, Issue, Mention, Person, Publication, Status
from archive.models.base import derive_fields
from archive.signals import collection_loaded

FALLBACK_WORDS = [
    "solidarity", "strike", "workers", "shipyard", "gdansk", "walesa", "union", "party",
    "congress", "revolution", "bureaucracy", "stalinism", "democracy", "trotsky", "marxism",
    "socialism", "regime", "reform", "protest", "committee", "martial", "law", "poland",
    "romania", "ceausescu", "hungary", "leadership", "struggle",
]  # fmt: skip


def vocabulary() -> list[str]:
    words = []
    for body in Article.objects.values_list("body", flat=True)[:200]:
        words.extend(re.findall(r"[^\W\d_]{3,}", body))
    return words or FALLBACK_WORDS


def paragraph(rng: random.Random, words: list[str], n: int) -> str:
    return " ".join(rng.choice(words) for _ in range(n)).capitalize() + "."


@transaction.atomic
def add_synthetic(*, articles: int = 5000, seed: int = 1989) -> dict[str, int]:
    """Add ``articles`` synthetic articles (and proportionate other records); return counts."""
    rng = random.Random(seed)
    words = vocabulary()
    now = timezone.now()
    published = {"status": Status.PUBLISHED, "published_at": now}

    n_publications = max(articles // 500, 2)
    publications = Publication.objects.bulk_create(
        _derived(Publication(title=f"Synthetic Review {i}", slug=f"synthetic-review-{i}",
                             run="1980/1995", **published))
        for i in range(n_publications)
    )  # fmt: skip
    issues = []
    per_issue = 10
    for i in range(max(articles // per_issue, 1)):
        year, month = 1980 + i % 15, 1 + i % 12
        date = f"{year}-{month:02d}"
        issues.append(
            _derived(Issue(publication=publications[i % n_publications], slug=f"no-{i}",
                           number=str(i), date=date, **published))
        )  # fmt: skip
    issues = Issue.objects.bulk_create(issues)

    people = Person.objects.bulk_create(
        _derived(Person(name=(name := f"{rng.choice(words).title()} "
                                      f"{rng.choice(words).title()} {i}"),
                        sort_name=name, slug=f"synthetic-person-{i}", **published))
        for i in range(max(articles // 5, 1))
    )  # fmt: skip

    rows = []
    for i in range(articles):
        issue = issues[i % len(issues)]
        body = "\n\n".join(paragraph(rng, words, rng.randint(40, 120)) for _ in range(6))
        rows.append(_derived(Article(
            issue=issue, position=i // len(issues) + 1, slug=f"synthetic-{i}",
            title=paragraph(rng, words, 6)[:-1], body=body, raw_text=body, date=issue.date,
            **published,
        )))  # fmt: skip
    created = Article.objects.bulk_create(rows, batch_size=500)

    mentions = [
        Mention(article=article, person=people[(i * 7 + k) % len(people)], count=1 + k,
                context=article.body[:120], status=Mention.Status.CONFIRMED)
        for i, article in enumerate(created) for k in range(3)
    ]  # fmt: skip
    Mention.objects.bulk_create(mentions, batch_size=1000)
    collection_loaded.send(sender=add_synthetic)
    return {
        "publications": len(publications),
        "issues": len(issues),
        "articles": len(created),
        "people": len(people),
        "mentions": len(mentions),
    }


def _derived(obj):
    """``obj`` with its derived fields computed, as ``save()`` would (``bulk_create`` does
    not call it)."""
    derive_fields(obj)
    return obj


def insert_people_and_authorships(cursor, people: int = 2000) -> None:
    """Bulk-insert ``people`` published people in SQL and sign every other article.

    Shared by the PostgreSQL benchmarks that fill millions of articles, where the ORM would
    dominate the set-up time; author columns then cost what they cost in real exports.
    """
    cursor.execute(
        "INSERT INTO archive_person (created, updated, status, published_at, curator_notes,"
        " name, name_folded, slug, description, wikidata, sort_name, sort_name_folded,"
        " birth, birth_start, birth_end, death, death_start, death_end, country, viaf,"
        " mention_count)"
        " SELECT now(), now(), 'published', now(), '', 'Person ' || g, 'person ' || g,"
        " 'person-' || g, '', '', 'Person ' || g, 'person ' || g, '', NULL, NULL, '',"
        " NULL, NULL, '', '', 0 FROM generate_series(1, %s) AS g",
        [people],
    )
    cursor.execute(
        "INSERT INTO archive_authorship (created, updated, article_id, person_id, role,"
        " \"order\") SELECT now(), now(), a.id, p.min_id + a.id %% %s, 'author', 1"
        " FROM archive_article a, (SELECT min(id) AS min_id FROM archive_person) p"
        " WHERE a.id %% 2 = 0",
        [people],
    )
