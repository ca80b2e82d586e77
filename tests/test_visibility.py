"""Nothing the public may not see shows on any public surface: one matrix, cases × surfaces.

Each case builds its own small world: a *control* set of public records (a publication, an
issue, an article with its author, mentions, event and illustration), all named with the
case's control word (``ctrl3x``), and the *hidden* records of the case, all named with its
hidden word (``quokka3x``) — a draft issue holding a published article, a draft author of the
public article, a rejected mention, and so on. A hidden article's body carries the control
word too, so a search for it would find the hidden article if it leaked.

For every case and every surface the test asserts that the control shows (so a surface that
shows nothing cannot pass) and that nothing hidden does: neither the hidden word, nor a link
to a hidden record's API resource, nor a hidden OAI identifier, nor (in a data release) a row
of a hidden record or a row referring to one; a hidden record's own page and API resource
must not be served. Stored counts must equal the model layer's count of what is public.

All cases live in one database built once per run of this module (inside a transaction
rolled back at the end); each surface is read once and the result shared by the cases.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.db import transaction
from lxml import etree

from archive import models
from archive.oai import provider
from tests.factories import (
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
from tests.views.sitemaps import local, sitemap_pages

DRAFT, PUBLISHED = models.Status.DRAFT, models.Status.PUBLISHED
OAI = {"o": "http://www.openarchives.org/OAI/2.0/"}

CASES = (
    "article_in_draft_issue",
    "issue_in_draft_publication",
    "draft_author",
    "draft_event_linked_to_article",
    "draft_person_mentioned",
    "draft_organisation_mentioned",
    "draft_place_mentioned",
    "draft_event_mentioned",
    "rejected_mention",
    "illustration_of_draft_article",
)

#: The API resource (and data-release file) of each model.
RESOURCES = {
    models.Publication: "publications", models.Issue: "issues", models.Article: "articles",
    models.Person: "people", models.Organisation: "organisations", models.Place: "places",
    models.Event: "events", models.Mention: "mentions", models.Authorship: "authorships",
    models.Illustration: "illustrations", models.EventParticipant: "event_participants",
    models.Alias: "aliases",
}  # fmt: skip
#: Models with a public page (``get_absolute_url``) and the surface it belongs to.
PAGE_SURFACES = {
    models.Article: "article page", models.Issue: "issue page",
    models.Publication: "publication page", models.Person: "person page",
    models.Organisation: "organisation page", models.Place: "place page",
    models.Event: "event page",
}  # fmt: skip
#: Release columns that refer to a record of another file.
REFERENCES = {
    "publication_id": "publications", "issue_id": "issues", "article_id": "articles",
    "person_id": "people", "organisation_id": "organisations", "place_id": "places",
    "event_id": "events",
}  # fmt: skip
API_REF = re.compile(r"/api/(\w+)/(\d+)/")


@dataclass
class Fetch:
    """What one read of a surface returned: its text and the API records it refers to."""

    label: str
    text: str
    refs: set[tuple[str, int]] = field(default_factory=set)


@dataclass
class World:
    case: str
    control: str  # the control word
    hidden: str  # the hidden word
    publication: models.Publication
    issue: models.Issue
    article: models.Article
    person: models.Person
    organisation: models.Organisation
    place: models.Place
    event: models.Event
    hidden_records: list = field(default_factory=list)
    #: A public record whose only link is hidden (the rejected mention's target): its own
    #: page and API resource may name it, but must not lead to the control article.
    bystander: models.Person | None = None

    @property
    def hidden_refs(self) -> set[tuple[str, int]]:
        return {(RESOURCES[type(r)], r.pk) for r in self.hidden_records}

    @property
    def hidden_articles(self) -> list[models.Article]:
        return [r for r in self.hidden_records if isinstance(r, models.Article)]

    def hidden_urls(self, surface: str) -> list[str]:
        """Own pages of the hidden records that belong to ``surface``."""
        return [
            r.get_absolute_url()
            for r in self.hidden_records
            if PAGE_SURFACES.get(type(r)) == surface
        ]

    def bystander_labels(self) -> set[str]:
        if self.bystander is None:
            return set()
        return {self.bystander.get_absolute_url(), f"/api/people/{self.bystander.pk}/"}


# Building the worlds ------------------------------------------------------------------------


def _control(case: str, i: int) -> World:
    c, h = f"ctrl{i}x", f"quokka{i}x"
    publication = PublicationFactory(title=f"{c} Gazette", slug=f"{c}-gazette")
    issue = IssueFactory(
        publication=publication, slug=f"{c}-issue", title=f"{c} issue", number=f"{i}",
        date="1990-01",
    )  # fmt: skip
    article = ArticleFactory(
        issue=issue, position=1, title=f"{c} article", slug=f"{c}-article", date="1990-01-15",
        body=f"The {c} strike at the Gdańsk shipyard.\n\nWałęsa spoke of {c} again.",
    )  # fmt: skip
    person = PersonFactory(name=f"{c} Person", slug=f"{c}-person")
    organisation = OrganisationFactory(name=f"{c} Organisation", slug=f"{c}-organisation")
    place = PlaceFactory(name=f"{c} Place", slug=f"{c}-place")
    event = EventFactory(title=f"{c} Event", slug=f"{c}-event", date="1989-11-09")
    AuthorshipFactory(article=article, person=person, order=1)
    for target in (person, organisation, place, event):
        _mention(article, target, context=f"about {c}")
    event.places.add(place)
    event.articles.add(article)
    models.EventParticipant.objects.create(event=event, person=person)
    IllustrationFactory(article=article, caption=f"{c} caption", position=1)
    return World(case, c, h, publication, issue, article, person, organisation, place, event)


def _mention(article, target, **kwargs) -> models.Mention:
    ends = {"person": None, target._meta.model_name: target}
    return MentionFactory(article=article, **ends, **kwargs)


def _hidden_article(world: World, issue: models.Issue, status: str = PUBLISHED):
    """An article carrying the hidden word, linked to every control record, so it would show
    on each of their pages, in their counts and in a search for the control word."""
    h = world.hidden
    article = ArticleFactory(
        issue=issue, position=2, title=f"{h} article", slug=f"{h}-article", status=status,
        body=f"The {world.control} strike, as {h} tells it.", date="1990-01-20",
    )  # fmt: skip
    AuthorshipFactory(article=article, person=world.person, order=1)
    for target in (world.person, world.organisation, world.place, world.event):
        _mention(article, target, context=f"{h} context")
    world.event.articles.add(article)
    illustration = IllustrationFactory(article=article, caption=f"{h} caption", position=1)
    return [article, illustration]


def build_world(case: str, i: int) -> World:
    world = _control(case, i)
    h = world.hidden
    hidden = world.hidden_records
    if case == "article_in_draft_issue":
        issue = IssueFactory(
            publication=world.publication, slug=f"{h}-issue", title=f"{h} issue",
            number=f"{i}-draft", status=DRAFT,
        )  # fmt: skip
        hidden += [issue, *_hidden_article(world, issue)]
    elif case == "issue_in_draft_publication":
        publication = PublicationFactory(title=f"{h} Gazette", slug=f"{h}-gazette", status=DRAFT)
        issue = IssueFactory(publication=publication, slug=f"{h}-issue", title=f"{h} issue")
        hidden += [publication, issue, *_hidden_article(world, issue)]
    elif case == "draft_author":
        author = PersonFactory(name=f"{h} Author", slug=f"{h}-author", status=DRAFT)
        hidden += [author, AuthorshipFactory(article=world.article, person=author, order=2)]
    elif case == "draft_event_linked_to_article":
        event = EventFactory(title=f"{h} Event", slug=f"{h}-event", date="1989-11-10", status=DRAFT)
        event.articles.add(world.article)
        event.places.add(world.place)
        models.EventParticipant.objects.create(event=event, person=world.person)
        hidden += [event]
    elif case.startswith("draft_") and case.endswith("_mentioned"):
        kind = case.removeprefix("draft_").removesuffix("_mentioned")
        factory = {
            "person": PersonFactory, "organisation": OrganisationFactory,
            "place": PlaceFactory,
        }.get(kind)  # fmt: skip
        if factory is None:
            target = EventFactory(title=f"{h} Event", slug=f"{h}-event", status=DRAFT)
        else:
            target = factory(name=f"{h} {kind}", slug=f"{h}-{kind}", status=DRAFT)
        hidden += [target, _mention(world.article, target, context=f"{h} context")]
    elif case == "rejected_mention":
        world.bystander = PersonFactory(name=f"{h} Bystander", slug=f"{h}-bystander")
        rejected = _mention(
            world.article, world.bystander, context=f"{h} context",
            status=models.Mention.Status.REJECTED,
        )  # fmt: skip
        hidden += [rejected]
    elif case == "illustration_of_draft_article":
        hidden += _hidden_article(world, world.issue, status=DRAFT)
    else:  # pragma: no cover - a case without records would pass vacuously
        raise AssertionError(f"no records for case {case}")
    assert hidden, case
    return world


@pytest.fixture(scope="module")
def worlds(django_db_setup, django_db_blocker):
    """Every case's world, built once per module inside a transaction rolled back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield {case: build_world(case, i) for i, case in enumerate(CASES)}
        transaction.set_rollback(True)


# Reading the surfaces -----------------------------------------------------------------------

_READ: dict[str, list[Fetch]] = {}


def _refs(text: str) -> set[tuple[str, int]]:
    return {(resource, int(pk)) for resource, pk in API_REF.findall(text)}


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8")
    return response.content.decode("utf-8")


def read(client, url: str) -> Fetch:
    """A public URL (the control's): it must answer 200."""
    if url not in _READ:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        text = _body(response)
        _READ[url] = [Fetch(url, text, _refs(text))]
    return _READ[url][0]


def read_hidden(client, url: str) -> Fetch:
    """A hidden record's own URL: not served. Anything else is reported with the URL (which
    carries the hidden word or id, so the check below names it)."""
    if url not in _READ:
        response = client.get(url)
        if response.status_code in (404, 410):
            _READ[url] = [Fetch(url, "")]
        else:
            text = f"{_body(response)}\n[{url} answered {response.status_code}]"
            _READ[url] = [Fetch(url, text, _refs(text))]
    return _READ[url][0]


def read_api_list(client, path: str, params: dict | None = None) -> Fetch:
    """Every page of an API list (JSON, following ``next``)."""
    url = f"{path}?{urlencode({**(params or {}), 'page_size': 1000})}"
    if url not in _READ:
        texts, following = [], url
        while following:
            response = client.get(following)
            assert response.status_code == 200, (following, response.status_code)
            texts.append(_body(response))
            following = response.json().get("next")
        text = "\n".join(texts)
        _READ[url] = [Fetch(url, text, _refs(text))]
    return _READ[url][0]


def _oai(client, **params) -> etree._Element:
    response = client.get("/oai/", params)
    assert response.status_code == 200
    return etree.fromstring(response.content)


def read_oai_list(client, verb: str) -> Fetch:
    """Every page of an OAI-PMH list, following resumption tokens."""
    label = f"/oai/?verb={verb}"
    if label not in _READ:
        params = (
            {"verb": verb} if verb == "ListSets" else {"verb": verb, "metadataPrefix": "oai_dc"}
        )
        texts = []
        while True:
            tree = _oai(client, **params)
            errors = tree.findall("o:error", OAI)
            assert not errors or errors[0].get("code") == "noRecordsMatch", verb
            texts.append(etree.tostring(tree, encoding="unicode"))
            token = tree.find(".//o:resumptionToken", OAI)
            if token is None or not (token.text or "").strip():
                break
            params = {"verb": verb, "resumptionToken": token.text}
        _READ[label] = [Fetch(label, "\n".join(texts))]
    return _READ[label][0]


def read_oai_record(client, article: models.Article) -> Fetch:
    identifier = provider.oai_identifier(article.pk)
    label = f"/oai/?verb=GetRecord&identifier={identifier}"
    if label not in _READ:
        tree = _oai(client, verb="GetRecord", metadataPrefix="oai_dc", identifier=identifier)
        errors = [e.get("code") for e in tree.findall("o:error", OAI)]
        # The request element echoes the identifier asked for: only a record counts.
        records = tree.findall(".//o:record", OAI)
        text = "\n".join(etree.tostring(r, encoding="unicode") for r in records)
        if errors and errors != ["idDoesNotExist"]:
            text += f"\n[unexpected OAI errors {errors}]"
        _READ[label] = [Fetch(label, text)]
    return _READ[label][0]


def read_release(settings, tmp_path_factory, monkeypatch) -> list[Fetch]:
    """A data release built with the release builder into a throwaway folder: each file."""
    if "release" not in _READ:
        from archive.datasets import releases

        monkeypatch.setattr(releases, "_sync", lambda fd: None)
        settings.DATASET_ROOT = tmp_path_factory.mktemp("datasets")
        release = releases.build_release().release
        fetches = []
        for path in sorted(release.path.iterdir()):
            if path.suffix not in (".jsonl", ".csv", ".json", ".md"):
                continue
            text = path.read_text(encoding="utf-8")
            refs: set[tuple[str, int]] = set()
            if path.suffix == ".jsonl":
                for line in text.splitlines():
                    row = json.loads(line)
                    refs.add((path.stem, row["id"]))
                    refs |= {
                        (REFERENCES[k], v)
                        for k, v in row.items()
                        if k in REFERENCES and isinstance(v, int)
                    }
            fetches.append(Fetch(f"release/{path.name}", text, refs))
        assert any(f.label == "release/articles.jsonl" for f in fetches)
        _READ["release"] = fetches
    return _READ["release"]


def _pages(client, world: World, surface: str, control) -> list[Fetch]:
    fetches = [read(client, control.get_absolute_url())]
    fetches += [read_hidden(client, url) for url in world.hidden_urls(surface)]
    if surface == "person page" and world.bystander:
        fetches.append(read(client, world.bystander.get_absolute_url()))
    return fetches


def _api_details(client, world: World) -> list[Fetch]:
    controls = [world.publication, world.issue, world.person, world.organisation]
    controls += [world.place, world.event]
    if world.bystander:
        controls.append(world.bystander)
    fetches = [read(client, f"/api/{RESOURCES[type(r)]}/{r.pk}/") for r in controls]
    for record in world.hidden_records:
        resource = RESOURCES[type(record)]
        if resource in ("publications", "issues", "people", "organisations", "places", "events"):
            fetches.append(read_hidden(client, f"/api/{resource}/{record.pk}/"))
        if resource == "mentions":
            fetches.append(read_hidden(client, f"/api/mentions/{record.pk}/"))
    return fetches


def _article_api(client, world: World, suffix: str) -> list[Fetch]:
    return [
        read(client, f"/api/articles/{world.article.pk}/{suffix}"),
        *(read_hidden(client, f"/api/articles/{a.pk}/{suffix}") for a in world.hidden_articles),
    ]


SURFACES = {
    "article page": lambda c, w, **_: _pages(c, w, "article page", w.article),
    "issue page": lambda c, w, **_: _pages(c, w, "issue page", w.issue),
    "publication page": lambda c, w, **_: _pages(c, w, "publication page", w.publication),
    "person page": lambda c, w, **_: _pages(c, w, "person page", w.person),
    "organisation page": lambda c, w, **_: _pages(c, w, "organisation page", w.organisation),
    "place page": lambda c, w, **_: _pages(c, w, "place page", w.place),
    "event page": lambda c, w, **_: _pages(c, w, "event page", w.event),
    "home": lambda c, w, **_: [read(c, "/")],
    "timeline": lambda c, w, **_: [read(c, "/timeline/")],
    "sitemap.xml": lambda c, w, **_: [
        read(c, "/sitemap.xml"),
        *(read(c, local(page)) for page in sitemap_pages(c)),
    ],
    "search page": lambda c, w, **_: [read(c, f"/search/?q={w.control}")],
    "api articles JSON": lambda c, w, **_: [read_api_list(c, "/api/articles/")],
    "api articles CSV": lambda c, w, **_: [read(c, "/api/articles/?format=csv")],
    "api articles JSON Lines": lambda c, w, **_: [read(c, "/api/articles/?format=jsonl")],
    "api article detail": lambda c, w, **_: _article_api(c, w, ""),
    "api cite": lambda c, w, **_: [
        *_article_api(c, w, "cite/"),
        *_article_api(c, w, "cite/?style=csl-json"),
        *_article_api(c, w, "cite/?style=text"),
    ],
    "api jsonld": lambda c, w, **_: _article_api(c, w, "jsonld/"),
    "api mentions": lambda c, w, **_: [read_api_list(c, "/api/mentions/")],
    "api record details": lambda c, w, **_: _api_details(c, w),
    "search api": lambda c, w, **_: [read_api_list(c, "/api/articles/", {"q": w.control})],
    "OAI ListRecords": lambda c, w, **_: [read_oai_list(c, "ListRecords")],
    "OAI ListIdentifiers": lambda c, w, **_: [read_oai_list(c, "ListIdentifiers")],
    "OAI GetRecord": lambda c, w, **_: [
        read_oai_record(c, a) for a in [w.article, *w.hidden_articles]
    ],
    "OAI ListSets": lambda c, w, **_: [read_oai_list(c, "ListSets")],
    "data release": lambda c, w, **kw: read_release(**kw),
}
COUNTS = "stored counts"


def _oai_id(article: models.Article) -> str:
    """The article's OAI identifier as it ends in XML (so ``…:1`` is not found in ``…:12``)."""
    return f"{provider.oai_identifier(article.pk)}<".lower()


def _control_markers(world: World) -> tuple[set[str], set[tuple[str, int]]]:
    return {world.control, _oai_id(world.article)}, {("articles", world.article.pk)}


def _hidden_markers(world: World, fetch: Fetch) -> tuple[set[str], set[tuple[str, int]]]:
    """What must not show in ``fetch``: the hidden word, hidden records' ids and OAI ids.

    The rejected mention's target is public: its own page and API resource may name it but
    must not lead to the control article, and the sitemap (which lists it, and has no place
    for a mention) has nothing to hide in that case.
    """
    if fetch.label in world.bystander_labels():
        return {f"{world.control} article", f"{world.control}-article"}, {
            ("articles", world.article.pk)
        }
    if world.bystander and fetch.label.startswith("/sitemap"):
        return set(), set()
    words = {world.hidden} | {_oai_id(a) for a in world.hidden_articles}
    refs = set(world.hidden_refs)
    if world.bystander and fetch.label.startswith("release/"):
        # The bystander's own rows are public; the rejected mention (an id) is not.
        words = set()
    return words, refs


def _leaks(world: World, fetches: list[Fetch]) -> list[str]:
    leaks = []
    for fetch in fetches:
        words, refs = _hidden_markers(world, fetch)
        text = fetch.text.lower()
        leaks += [f"{fetch.label}: shows {w!r}" for w in sorted(words) if w.lower() in text]
        leaks += [f"{fetch.label}: refers to {r}" for r in sorted(refs & fetch.refs)]
    return leaks


def _count_problems(world: World) -> list[str]:
    """Stored figures of the world's public records against the model layer's counts."""
    problems = []
    entities = [world.person, world.organisation, world.place]
    entities += [world.bystander] if world.bystander else []
    for record in entities:
        record.refresh_from_db()
        kind = record._meta.model_name
        public = models.Mention.objects.public(target=kind).filter(**{kind: record}).count()
        if record.mention_count != public:
            problems.append(f"{kind} {record.slug}: stored {record.mention_count}, public {public}")
    publication = world.publication
    publication.refresh_from_db()
    issues = models.Issue.objects.public().filter(publication=publication).count()
    articles = models.Article.objects.public().filter(issue__publication=publication).count()
    if (publication.issue_count, publication.article_count) != (issues, articles):
        problems.append(
            f"publication {publication.slug}: stored {publication.issue_count} issues, "
            f"{publication.article_count} articles; public {issues}, {articles}"
        )
    if min(world.person.mention_count, publication.article_count) < 1:
        problems.append("the control records are not counted at all")
    return problems


@pytest.mark.django_db
@pytest.mark.parametrize("surface", [*SURFACES, COUNTS])
@pytest.mark.parametrize("case", CASES)
def test_hidden_records_show_on_no_public_surface(
    worlds, case, surface, client, settings, tmp_path_factory, monkeypatch
):
    world = worlds[case]
    if surface == COUNTS:
        assert _count_problems(world) == []
        return
    fetches = SURFACES[surface](
        client, world, settings=settings, tmp_path_factory=tmp_path_factory,
        monkeypatch=monkeypatch,
    )  # fmt: skip
    words, refs = _control_markers(world)
    shown = " ".join(f.text for f in fetches).lower()
    all_refs = set().union(*(f.refs for f in fetches))
    assert any(w in shown for w in words) or refs & all_refs, (
        f"{surface}: the public control record of {case} does not show, so the test would "
        "prove nothing"
    )
    assert _leaks(world, fetches) == []
