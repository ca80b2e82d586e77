"""One visibility rule, in the model layer, and nowhere else.

Two guards:

- no module under ``archive/`` outside ``archive/models/`` (and the frozen migrations) decides
  visibility by hand: filtering on a status, comparing with ``Status.PUBLISHED``, calling the
  transitional ``published()`` / ``is_published()``, or writing ``'published'`` into SQL. A
  hit is printed as ``file:line: text``. Setting a status (publishing) is not deciding it
  and is allowed: an attribute assignment never matches, and the short :data:`ALLOWED` list
  names each other exception with its reason;
- every public model has the rule's three forms, ``public_q()``, ``objects.public()`` and
  ``is_public()``, and they agree row by row on a random archive, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import ast
import io
import random
import re
import tokenize
from pathlib import Path

import pytest
from django.db.models import Q

from archive import models
from tests.factories import (
    AliasFactory,
    ArticleFactory,
    AuthorshipFactory,
    EmendationFactory,
    EventFactory,
    IllustrationFactory,
    IssueFactory,
    MentionFactory,
    OrganisationFactory,
    PersonFactory,
    PlaceFactory,
    PublicationFactory,
)

ROOT = Path(__file__).resolve().parent.parent
ARCHIVE = ROOT / "archive"
EXEMPT_DIRS = (ARCHIVE / "models", ARCHIVE / "migrations")

#: Calls whose keyword arguments are lookups (a filter), not values to write.
FILTER_CALLS = {"filter", "exclude", "get", "Q", "get_object_or_404", "get_list_or_404"}
#: What deciding visibility by hand looks like in a line of source (Python or template).
LINE_PATTERNS = {
    "status lookup across a relation": re.compile(r"\w__status\b"),
    "status__in": re.compile(r"\bstatus__in\b"),
    "transitional is_published": re.compile(r"\bis_published\b"),
    "published in SQL": re.compile(r"""(?:=|<>|!=|\bIN\s*\()\s*'published'|"'published'\""""),
}
TEMPLATE_PATTERNS = {
    "comparison with published": re.compile(
        r"""(?:[=!]=\s*["']published["'])|(?:["']published["']\s*[=!]=)"""
    ),
}

#: ``(path, check, text on the line, reason)``: the hits allowed on purpose, each by name.
ALLOWED = [
    (
        "archive/counts.py",
        "published in SQL",
        "PUBLISHED = \"'published'\"",
        "the stored-count triggers are SQL; tests/models/test_counts.py checks them against "
        "the model layer's querysets on both engines",
    ),
    (
        "archive/admin/importing.py",
        "status lookup across a relation",
        'repairs__status="flagged"',
        "a text repair's review state (applied, flagged…), not a record's visibility",
    ),
]


def _is_published_value(node: ast.AST) -> bool:
    """``"published"`` or ``…Status.PUBLISHED``."""
    if isinstance(node, ast.Constant):
        return node.value == "published"
    if isinstance(node, ast.Name):  # a module constant standing for it
        return node.id == "PUBLISHED"
    return isinstance(node, ast.Attribute) and node.attr == "PUBLISHED"


def _callee(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _python_hits(text: str) -> list[tuple[int, str]]:
    """(line, check) for each hand-written decision in Python source."""
    hits = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Call):
            name = _callee(node)
            if name == "published" and not node.args and not node.keywords:
                hits.append((node.lineno, "transitional published()"))
            if name in FILTER_CALLS:
                for keyword in node.keywords:
                    if keyword.arg == "status" and _is_published_value(keyword.value):
                        hits.append((keyword.value.lineno, "status filter"))
        elif isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for operand in operands:
                inside = operand.elts if isinstance(operand, ast.Tuple | ast.List | ast.Set) else []
                if _is_published_value(operand) or any(map(_is_published_value, inside)):
                    hits.append((node.lineno, "comparison with published"))
                    break
    cuts: dict[int, int] = {}  # comments are prose, not code
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT:
            cuts[token.start[0]] = token.start[1]
    for number, line in enumerate(text.splitlines(), start=1):
        code = line[: cuts.get(number, len(line))]
        hits += [(number, name) for name, p in LINE_PATTERNS.items() if p.search(code)]
    return sorted(set(hits))


def _template_hits(text: str) -> list[tuple[int, str]]:
    patterns = {**LINE_PATTERNS, **TEMPLATE_PATTERNS}
    return [
        (number, name)
        for number, line in enumerate(text.splitlines(), start=1)
        for name, pattern in patterns.items()
        if pattern.search(line)
    ]


def hits_in(text: str, suffix: str = ".py") -> list[tuple[int, str]]:
    return _python_hits(text) if suffix == ".py" else _template_hits(text)


def _allowed(relative: str, name: str, line: str) -> bool:
    return any(
        (path, check) == (relative, name) and snippet in line
        for path, check, snippet, _reason in ALLOWED
    )


def visibility_by_hand() -> list[str]:
    """``file:line: [check] text`` for every hand-written visibility decision."""
    hits = []
    for path in sorted([*ARCHIVE.rglob("*.py"), *ARCHIVE.rglob("*.html")]):
        if any(path.is_relative_to(d) for d in EXEMPT_DIRS):
            continue
        relative = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for number, name in hits_in(text, path.suffix):
            line = lines[number - 1]
            if not _allowed(relative, name, line):
                hits.append(f"{relative}:{number}: [{name}] {line.strip()}")
    return hits


def test_no_module_decides_visibility_by_hand():
    hits = visibility_by_hand()
    for hit in hits:
        print(hit)
    assert hits == [], (
        f"{len(hits)} hand-written visibility rule(s); use the model layer's public_q(), "
        ".public() or is_public():\n" + "\n".join(hits)
    )


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ('Article.objects.filter(status="published")', "status filter"),
        ("qs.exclude(\n    pk=1,\n    status=Status.PUBLISHED,\n)", "status filter"),
        ("q = Q(status=models.Status.PUBLISHED)", "status filter"),
        ('qs.filter(issue__status="published")', "status lookup across a relation"),
        ('list_filter = ["issue__publication__status"]', "status lookup across a relation"),
        ('qs.filter(status__in=["published", "review"])', "status__in"),
        ("Article.objects.published()", "transitional published()"),
        ("if article.is_published():\n    pass", "transitional is_published"),
        ("if obj.status == Status.PUBLISHED:\n    pass", "comparison with published"),
        ('ok = "published" != obj.status', "comparison with published"),
        ("ok = obj.status in (Status.REVIEW, Status.PUBLISHED)", "comparison with published"),
        ("PUBLISHED = 'published'\nqs.filter(status=PUBLISHED)", "status filter"),
        ("SQL = \"WHERE a.status = 'published'\"", "published in SQL"),
    ],
)
def test_each_check_catches_what_it_names(source, name):
    assert name in {check for _line, check in hits_in(source)}


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("{% if article.is_published %}x{% endif %}", "transitional is_published"),
        ('{% if article.status == "published" %}x{% endif %}', "comparison with published"),
    ],
)
def test_templates_are_checked_too(source, name):
    assert name in {check for _line, check in hits_in(source, ".html")}


@pytest.mark.parametrize(
    "source",
    [
        "obj.status = Status.PUBLISHED",
        "article.status = models.Status.PUBLISHED",
        "Article.objects.filter(pk__in=ids).update(status=Status.PUBLISHED)",
        "records_set_status(queryset=qs, status=Status.PUBLISHED, user=user)",
        "Article.objects.public().filter(Person.public_q('person__'))",
        "if article.is_public():\n    pass",
        "x = 1  # never filter(status='published') by hand",
        'status = models.CharField(max_length=16, choices=Status.choices, default="draft")',
    ],
)
def test_setting_a_status_or_using_the_rule_is_not_a_hit(source):
    assert hits_in(source) == []


def test_the_allow_list_is_tiny_and_every_entry_is_still_needed():
    assert len(ALLOWED) <= 3
    for path, name, snippet, reason in ALLOWED:
        assert reason
        text = (ROOT / path).read_text(encoding="utf-8")
        lines = text.splitlines()
        assert any(check == name and snippet in lines[n - 1] for n, check in hits_in(text)), (
            path,
            name,
            snippet,
        )


# The rule's three forms agree ---------------------------------------------------------------

#: Every model a public surface shows, each with the rule in three forms.
PUBLIC_MODELS = [
    models.Publication, models.Issue, models.Article, models.Person, models.Organisation,
    models.Place, models.Event, models.Mention, models.Authorship, models.Illustration,
    models.Alias, models.EventParticipant, models.Emendation,
]  # fmt: skip
#: Models no public surface lists (provenance, redirects, bookkeeping).
INTERNAL_MODELS = [
    models.SourceDocument, models.TextRepair, models.PastSlug, models.ContentVersion,
    # The changes log: derived from the public rows (archive/changes.py), never filtered.
    models.Change, models.PublicRow, models.ChangeLogState,
    # Readers' suggested corrections: the curators' queue, never shown (archive/corrections.py).
    models.Correction,
    # Progress of imports and release builds run by the task worker: the admin's, never shown.
    models.BackgroundJob,
    # The search's "did you mean" words, derived from the public articles (search/suggest.py).
    models.SearchVocabulary,
]  # fmt: skip

STATUSES = (models.Status.PUBLISHED, models.Status.DRAFT, models.Status.REVIEW)


def test_every_archive_model_is_public_or_internal_by_name():
    from django.apps import apps

    concrete = {
        m
        for m in apps.get_app_config("archive").get_models()
        if not m.__name__.startswith("Historical")
    }
    assert concrete == set(PUBLIC_MODELS) | set(INTERNAL_MODELS)


@pytest.mark.parametrize("model", PUBLIC_MODELS, ids=lambda m: m.__name__)
def test_every_public_model_has_the_three_forms(model):
    assert callable(getattr(model, "public_q", None))
    assert callable(getattr(model._default_manager, "public", None))
    assert callable(getattr(model, "is_public", None))
    assert isinstance(model.public_q(), Q)
    sql = str(model._default_manager.public().query)
    assert sql == str(model._default_manager.filter(model.public_q()).query)


def _random_archive(rng: random.Random) -> None:
    """Every kind of record and link with random statuses, mostly published (a chain of
    three needs it); the first of each kind is public and the second is a draft, so both
    sides of the rule are always there."""
    weights = (6, 2, 2)

    def status(i: int) -> str:
        forced = {0: models.Status.PUBLISHED, 1: models.Status.DRAFT}
        return forced.get(i) or rng.choices(STATUSES, weights)[0]

    def pick(records: list, i: int):
        return records[0] if i == 0 else rng.choice(records)

    publications = [PublicationFactory(status=status(i)) for i in range(3)]
    issues = [IssueFactory(publication=pick(publications, i), status=status(i)) for i in range(5)]
    articles = [ArticleFactory(issue=pick(issues, i), status=status(i)) for i in range(10)]
    people = [PersonFactory(status=status(i)) for i in range(4)]
    organisations = [OrganisationFactory(status=status(i)) for i in range(3)]
    places = [PlaceFactory(status=status(i)) for i in range(3)]
    events = [EventFactory(status=status(i)) for i in range(3)]
    targets = {"person": people, "organisation": organisations, "place": places, "event": events}
    mention_statuses = models.Mention.Status.values
    for n, article in enumerate(articles):
        for kind, records in targets.items():
            chosen = records[:2] if n == 0 else rng.sample(records, rng.randint(0, 2))
            for record in chosen:
                ends = {"person": None, kind: record}
                mention_status = "confirmed" if n == 0 else rng.choice(mention_statuses)
                MentionFactory(article=article, status=mention_status, **ends)
        for person in people[:2] if n == 0 else rng.sample(people, rng.randint(0, 2)):
            AuthorshipFactory(article=article, person=person)
        if n < 2 or rng.random() < 0.5:
            IllustrationFactory(article=article)
        if n < 2 or n % 2:  # no draw from rng: the rest of the archive stays as it was
            EmendationFactory(article=article)
    for i, record in enumerate([*people, *organisations, *places]):
        kind = record._meta.model_name
        AliasFactory(name=f"Alias {kind} {i}", **{"person": None, kind: record})
    for n, event in enumerate(events):
        event.places.add(*(places[:2] if n == 0 else rng.sample(places, rng.randint(0, 2))))
        event.articles.add(*(articles[:2] if n == 0 else rng.sample(articles, rng.randint(0, 3))))
        for who in [people[0], people[1], organisations[0]] if n == 0 else rng.sample(people, 2):
            kind = who._meta.model_name
            models.EventParticipant.objects.create(event=event, **{kind: who})


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [11, 12, 13])
def test_public_equals_public_q_and_is_public_on_every_row(seed):
    _random_archive(random.Random(seed))
    for model in PUBLIC_MODELS:
        every = list(model._default_manager.all())
        assert every, model
        public = set(model._default_manager.public().values_list("pk", flat=True))
        by_q = set(model._default_manager.filter(model.public_q()).values_list("pk", flat=True))
        by_instance = {obj.pk for obj in every if obj.is_public()}
        assert public == by_q == by_instance, model.__name__
        assert 0 < len(public) < len(every), f"{model.__name__}: both sides must be tested"


@pytest.mark.django_db
def test_mentions_of_one_kind_and_event_links_agree_with_the_instances():
    _random_archive(random.Random(21))
    mentions = list(models.Mention.objects.all())
    for kind in models.TARGETS:
        public = set(models.Mention.objects.public(target=kind).values_list("pk", flat=True))
        assert public == {m.pk for m in mentions if m.target_type == kind and m.is_public()}
    places = {
        (row.event_id, row.place_id)
        for row in models.Event.places.through.objects.select_related("event", "place")
        if row.event.is_public() and row.place.is_public()
    }
    assert set(models.Event.public_place_links().values_list("event_id", "place_id")) == places
    articles = {
        (row.event_id, row.article_id)
        for row in models.Event.articles.through.objects.select_related("event", "article")
        if row.event.is_public() and row.article.is_public()
    }
    assert (
        set(models.Event.public_article_links().values_list("event_id", "article_id")) == articles
    )
