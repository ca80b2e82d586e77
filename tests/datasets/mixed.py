"""A collection where every kind of hidden record sits beside a public control record.

Shared by the release and OAI-PMH tests, so both bulk surfaces are held to the same list.
Each hidden record is *published itself* wherever it can be: it is hidden only by a parent or
by the other end of a link, which is what a surface with its own copy of the rule forgets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from archive import models
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

DRAFT = models.Status.DRAFT


@dataclass
class Mixed:
    """Ids per release resource: what must be released, and what must never be."""

    public: dict[str, set[int]] = field(default_factory=dict)
    hidden: dict[str, set[int]] = field(default_factory=dict)
    records: dict[str, models.Model] = field(default_factory=dict)

    def add(self, which: str, resource: str, *objs: models.Model) -> None:
        getattr(self, which).setdefault(resource, set()).update(o.pk for o in objs)


def mixed_collection() -> Mixed:
    mixed = Mixed()
    author = PersonFactory(name="Lech Wałęsa", sort_name="Wałęsa, Lech")
    draft_author = PersonFactory(name="Draft Author", sort_name="Author, Draft", status=DRAFT)
    rejected_target = PersonFactory(name="Nicolae Ceaușescu", sort_name="Ceaușescu, Nicolae")
    union = OrganisationFactory(name="Solidarność")
    gdansk = PlaceFactory(name="Gdańsk")
    mixed.add("public", "people", author, rejected_target)
    mixed.add("hidden", "people", draft_author)
    mixed.add("public", "organisations", union)
    mixed.add("public", "places", gdansk)
    mixed.add("public", "aliases", AliasFactory(person=author, name="Walesa"))
    mixed.add("hidden", "aliases", AliasFactory(person=draft_author, name="Hidden alias"))

    # The public control chain: publication, issue, article, and everything hanging from it.
    liberty = PublicationFactory(title="Workers’ Liberty", slug="workers-liberty")
    issue = IssueFactory(publication=liberty, slug="pamphlet-1990", date="2009~")
    article = ArticleFactory(
        issue=issue, position=1, title="The risen people", date="1990-01", kind="article"
    )
    mixed.add("public", "publications", liberty)
    mixed.add("public", "issues", issue)
    mixed.add("public", "articles", article)
    mixed.add("public", "authorships", AuthorshipFactory(article=article, person=author))
    mixed.add("public", "mentions", MentionFactory(article=article, person=author, count=3))
    mixed.add(
        "public", "mentions", MentionFactory(article=article, person=None, organisation=union)
    )
    mixed.add("public", "illustrations", IllustrationFactory(article=article, caption="Shipyard"))
    event = EventFactory(title="August coup", slug="august-coup", date="1991-08-19")
    event.places.add(gdansk)
    event.articles.add(article)
    mixed.add("public", "events", event)
    mixed.add("public", "event_places", *event.places.through.objects.filter(event=event))
    mixed.add("public", "event_articles", *event.articles.through.objects.filter(event=event))
    mixed.add(
        "public",
        "event_participants",
        models.EventParticipant.objects.create(event=event, person=author, role="leader"),
    )
    mixed.add("public", "mentions", MentionFactory(article=article, person=None, event=event))

    # An undated reprint: no dateline, no first-publication date, not written for the issue.
    undated = ArticleFactory(issue=issue, position=2, title="Lies answered", date="")
    mixed.add("public", "articles", undated)

    # A draft author of the public article: the authorship, alias and role are hidden.
    mixed.add("hidden", "authorships", AuthorshipFactory(article=article, person=draft_author))
    mixed.add(
        "hidden",
        "event_participants",
        models.EventParticipant.objects.create(event=event, person=draft_author),
    )
    # A rejected mention in the public article.
    mixed.add(
        "hidden",
        "mentions",
        MentionFactory(
            article=article, person=rejected_target, status=models.Mention.Status.REJECTED
        ),
    )
    # A draft event linked to the public article, at a public place, with a public leader.
    draft_event = EventFactory(title="Draft event", slug="draft-event", status=DRAFT)
    draft_event.places.add(gdansk)
    draft_event.articles.add(article)
    mixed.add("hidden", "events", draft_event)
    mixed.add(
        "hidden", "event_places", *draft_event.places.through.objects.filter(event=draft_event)
    )
    mixed.add(
        "hidden",
        "event_articles",
        *draft_event.articles.through.objects.filter(event=draft_event),
    )
    mixed.add(
        "hidden",
        "event_participants",
        models.EventParticipant.objects.create(event=draft_event, person=author),
    )
    mixed.add("hidden", "mentions", MentionFactory(article=article, person=None, event=draft_event))

    # A draft article in the public issue, with an illustration and a mention.
    draft_article = ArticleFactory(issue=issue, position=3, title="Draft article", status=DRAFT)
    mixed.add("hidden", "articles", draft_article)
    mixed.add("hidden", "illustrations", IllustrationFactory(article=draft_article))
    mixed.add("hidden", "mentions", MentionFactory(article=draft_article, person=author))

    # A published article in a draft issue of the public publication.
    draft_issue = IssueFactory(publication=liberty, slug="draft-issue", status=DRAFT)
    in_draft_issue = ArticleFactory(issue=draft_issue, title="In a draft issue")
    mixed.add("hidden", "issues", draft_issue)
    mixed.add("hidden", "articles", in_draft_issue)
    _hang_everything_from(mixed, in_draft_issue, author, union, gdansk, event)

    # A published issue, with a published article, in a draft publication.
    draft_publication = PublicationFactory(title="Draft paper", slug="draft-paper", status=DRAFT)
    orphan_issue = IssueFactory(publication=draft_publication, slug="orphan-issue")
    in_draft_publication = ArticleFactory(issue=orphan_issue, title="In a draft publication")
    mixed.add("hidden", "publications", draft_publication)
    mixed.add("hidden", "issues", orphan_issue)
    mixed.add("hidden", "articles", in_draft_publication)
    _hang_everything_from(mixed, in_draft_publication, author, union, gdansk, event)

    # Reprint references: to a public issue kept, to hidden records emptied.
    article.first_published_in_issue = issue
    article.save()
    undated.first_published_in_issue = draft_issue
    undated.first_published_in_publication = draft_publication
    undated.save()

    mixed.records.update(
        article=article,
        undated=undated,
        issue=issue,
        publication=liberty,
        draft_author=draft_author,
        draft_event=draft_event,
        rejected_target=rejected_target,
        draft_article=draft_article,
        in_draft_issue=in_draft_issue,
        in_draft_publication=in_draft_publication,
        draft_issue=draft_issue,
        orphan_issue=orphan_issue,
    )
    return mixed


def _hang_everything_from(mixed: Mixed, article, author, union, place, event) -> None:
    """Links from a published article that is hidden by a parent: all hidden with it."""
    mixed.add("hidden", "authorships", AuthorshipFactory(article=article, person=author))
    mixed.add(
        "hidden", "mentions", MentionFactory(article=article, person=None, organisation=union)
    )
    mixed.add("hidden", "mentions", MentionFactory(article=article, person=None, place=place))
    mixed.add("hidden", "illustrations", IllustrationFactory(article=article))
    event.articles.add(article)
    mixed.add(
        "hidden",
        "event_articles",
        *event.articles.through.objects.filter(event=event, article=article),
    )
