"""``Article.first_appearance()``: the one rule for "is this a reprint, and of what".

The article page, every citation format and JSON-LD call it; these tests check the rule on
factory data and then that the page and the citation say the same thing for the same record.
"""

from __future__ import annotations

import pytest

from archive.citations import Citation, original_appearance
from archive.models import Status
from tests.factories import ArticleFactory, IssueFactory, PublicationFactory

pytestmark = pytest.mark.django_db


def test_an_article_dated_in_its_issue_is_not_a_reprint():
    article = ArticleFactory(issue=IssueFactory(date="1991-03"), date="1991-03-02")
    assert article.first_appearance() is None
    assert original_appearance(article) is None


def test_a_recorded_first_publication_names_it_and_takes_the_dateline_as_its_date():
    origin = PublicationFactory(title="Socialist Organiser")
    article = ArticleFactory(
        issue=IssueFactory(date="2009~"), date="1990-06", first_published_in_publication=origin
    )
    first = article.first_appearance()
    assert first is not None and first.recorded
    assert first.publication == origin and first.issue is None
    assert first.date == "1990-06"


def test_a_recorded_first_issue_gives_its_publication_and_its_date():
    first_issue = IssueFactory(date="1988-11")
    article = ArticleFactory(
        issue=IssueFactory(date="2001"), date="", first_published_in_issue=first_issue
    )
    first = article.first_appearance()
    assert first.issue == first_issue
    assert first.publication == first_issue.publication
    assert first.date == "1988-11"


def test_a_first_published_date_alone_makes_a_reprint():
    article = ArticleFactory(issue=IssueFactory(date="1995"), date="", first_published_date="1976")
    first = article.first_appearance()
    assert first is not None and first.recorded
    assert (first.issue, first.publication, first.date) == (None, None, "1976")


def test_records_the_reader_may_not_see_are_not_named_but_it_is_still_a_reprint():
    hidden = PublicationFactory(status=Status.DRAFT)
    article = ArticleFactory(
        issue=IssueFactory(date="2009"), date="1990", first_published_in_publication=hidden
    )
    public_view = article.first_appearance()
    assert public_view is not None and public_view.publication is None
    assert public_view.date == "1990"
    preview = article.first_appearance(visible=lambda record: True)
    assert preview.publication == hidden


@pytest.mark.parametrize(
    ("dateline", "issue_date", "is_reprint"),
    [
        ("1981", "2009~", True),  # a piece from 1981 in a c. 2009 pamphlet
        ("1989-12", "1990-01", False),  # a year's grace: last month's piece is new
        ("1988", "1990", True),
        ("1989", "1990", False),
        ("", "1990", False),  # undated: nothing shows it is older
    ],
)
def test_a_dateline_well_before_the_issue_shows_a_reprint_nobody_recorded(
    dateline, issue_date, is_reprint
):
    article = ArticleFactory(issue=IssueFactory(date=issue_date), date=dateline)
    first = article.first_appearance()
    assert (first is not None) is is_reprint
    if is_reprint:
        assert not first.recorded and first.date == dateline
        assert original_appearance(article).how == "dated"


def test_the_page_and_the_citation_name_the_same_first_appearance(client):
    origin = PublicationFactory(title="Workers' Action")
    article = ArticleFactory(
        title="On the general strike",
        issue=IssueFactory(date="2009~"),
        date="",
        first_published_in_publication=origin,
        first_published_date="1979-05",
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert "First published" in html
    assert "Workers&#x27; Action" in html or "Workers' Action" in html
    assert "May 1979" in html
    citation = Citation.for_article(article, url="http://example.org/a/")
    assert "Workers' Action" in citation.as_bibtex()
    assert citation.as_csl()["original-date"] == {"date-parts": [[1979, 5]]}
