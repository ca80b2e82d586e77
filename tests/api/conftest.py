"""A small archive for API tests, built with factories and the seed's awkward strings."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from archive import models
from tests import factories as f
from tests.seed import seed_collection

DRAFT = models.Status.DRAFT


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker):
    """Built once per test module inside a transaction that is rolled back afterwards
    (each test still runs in its own savepoint), because EDTF parsing makes saves slow."""
    with django_db_blocker.unblock(), transaction.atomic():
        data = build_archive()
        yield data
        transaction.set_rollback(True)


def build_archive() -> SimpleNamespace:
    """Two publications, three issues, articles with partial and interval dates, mentions."""
    solidarity = f.OrganisationFactory(
        name="Solidarność", slug="solidarnosc", kind=models.Organisation.Kind.UNION,
        country="PL", founded="1980-09-17",
    )  # fmt: skip
    party = f.OrganisationFactory(
        name="Romanian Communist Party", slug="pcr", country="RO", founded="1921",
        dissolved="1989-12-22",
    )  # fmt: skip
    hidden_org = f.OrganisationFactory(name="Draft Org", slug="draft-org", status=DRAFT)
    gdansk = f.PlaceFactory(name="Gdańsk", slug="gdansk", country_code="PL")
    bucharest = f.PlaceFactory(name="Bucharest", slug="bucharest", country_code="RO")
    walesa = f.PersonFactory(
        name="Lech Wałęsa", slug="lech-walesa", sort_name="Wałęsa, Lech", country="PL",
        birth="1943-09-29",
    )  # fmt: skip
    f.AliasFactory(person=walesa, name="Walesa")
    ceausescu = f.PersonFactory(
        name="Nicolae Ceaușescu", slug="nicolae-ceausescu", sort_name="Ceaușescu, Nicolae",
        country="RO", birth="1918-01-26", death="1989-12-25",
    )  # fmt: skip
    trotsky = f.PersonFactory(name="Leon Trotsky", slug="leon-trotsky", sort_name="Trotsky, Leon")
    hidden_person = f.PersonFactory(name="Draft Person", slug="draft-person", status=DRAFT)

    labour = f.PublicationFactory(
        title="Labour Focus on Eastern Europe", slug="labour-focus", kind="journal",
        run="1977/1999", publisher=solidarity, place=gdansk,
    )  # fmt: skip
    bulletin = f.PublicationFactory(
        title="Romanian Bulletin", slug="romanian-bulletin", run="1987/.."
    )
    hidden_pub = f.PublicationFactory(title="Draft Publication", slug="draft-pub", status=DRAFT)
    i1989 = f.IssueFactory(
        publication=labour, volume="11", number="1", slug="v11-n1", date="1989-12"
    )
    i1990 = f.IssueFactory(publication=labour, volume="11", number="2", slug="v11-n2", date="1990")
    i_range = f.IssueFactory(publication=bulletin, number="7", slug="no-7", date="1990/1991")
    f.IssueFactory(publication=labour, number="99", slug="draft-issue", status=DRAFT)

    strike = f.ArticleFactory(
        issue=i1989, position=1, title="The strike at the Gdańsk shipyard", slug="strike",
        date="1989-12-03", kind="article", language="en",
        body="Wałęsa spoke to the workers of Gdańsk about Solidarność.",
    )  # fmt: skip
    fall = f.ArticleFactory(
        issue=i1989, position=2, title="The fall of Ceaușescu", slug="fall", date="",
        kind="editorial", body="Ceaușescu and the party fell in December. " * 20,
    )  # fmt: skip
    heirs = f.ArticleFactory(
        issue=i1990, position=1, title="Trotsky’s heirs", slug="heirs", date="",
        kind="article", language="pl", body="Short text about Trotsky’s heirs.",
    )  # fmt: skip
    later = f.ArticleFactory(
        issue=i_range, position=1, title="=cmd|' /C calc'!A0", slug="formula", date="",
        kind="sidebar", body="A sidebar about Bucharest.",
    )  # fmt: skip
    hidden_article = f.ArticleFactory(
        issue=i1990, position=9, title="Hidden draft article", slug="hidden", status=DRAFT,
        body="",
    )  # fmt: skip

    models.Authorship.objects.create(article=strike, person=walesa, order=1)
    models.Authorship.objects.create(article=heirs, person=trotsky, order=1)
    models.Authorship.objects.create(article=heirs, person=hidden_person, order=2)

    def mention(article, **target):
        return models.Mention.objects.create(
            article=article, status=models.Mention.Status.CONFIRMED, count=2, **target
        )

    mention(strike, person=walesa)
    mention(strike, organisation=solidarity)
    mention(strike, place=gdansk)
    mention(fall, person=ceausescu)
    mention(fall, organisation=party)
    mention(fall, place=bucharest)
    mention(later, person=ceausescu)
    mention(later, place=bucharest)
    mention(heirs, person=trotsky)
    mention(heirs, person=hidden_person)
    mention(heirs, organisation=hidden_org)
    models.Mention.objects.create(
        article=heirs, person=walesa, status=models.Mention.Status.REJECTED
    )
    mention(hidden_article, person=walesa)

    revolution = f.EventFactory(
        title="Romanian Revolution", slug="romanian-revolution", date="1989-12-16/1989-12-27",
        kind="protest",
    )  # fmt: skip
    revolution.places.add(bucharest)
    models.EventParticipant.objects.create(event=revolution, person=ceausescu, role="target")
    august = f.EventFactory(
        title="August strikes", slug="august-strikes", date="1980-08", kind="strike"
    )
    august.places.add(gdansk)
    models.EventParticipant.objects.create(event=august, person=walesa, role="leader")
    models.EventParticipant.objects.create(event=august, organisation=solidarity)
    hidden_event = f.EventFactory(title="Draft event", slug="draft-event", status=DRAFT)
    mention(fall, event=revolution)
    models.Illustration.objects.create(article=strike, caption="Lech Wałęsa at the gate")

    return SimpleNamespace(**{k: v for k, v in locals().items() if not k.startswith("_")})


@pytest.fixture(scope="module")
def seed(django_db_setup, django_db_blocker):
    """The curated seed collection (``manage.py load_collection``), loaded once per module
    inside a transaction rolled back afterwards (tests/seed.py)."""
    with django_db_blocker.unblock(), seed_collection():
        yield
