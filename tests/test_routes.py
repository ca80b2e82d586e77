"""archive.routes: reverse() done once per route gives reverse()'s URLs and errors."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from archive.routes import path_format, route

CASES = [
    ("archive:article-detail", {"publication": "labour-focus", "issue": "1990-2", "slug": "a-b"}),
    ("archive:issue-detail", {"publication": "so", "slug": "no-430"}),
    ("archive:person-detail", {"slug": "lech-walesa"}),
    ("archive:event-detail", {"slug": "fall_of_the_wall-1989"}),
    ("api:article-detail", {"pk": 1234567}),
    ("api:mention-detail", {"pk": "9"}),
]


@pytest.mark.parametrize(("name", "kwargs"), CASES)
def test_a_route_is_reverse(name, kwargs):
    assert route(name, **kwargs) == reverse(name, kwargs=kwargs)
    assert path_format(name, tuple(kwargs)) is not None


def test_under_a_script_prefix_the_urls_carry_it():
    kwargs = {"slug": "lech-walesa"}
    set_script_prefix("/archive/")
    try:
        assert route("archive:person-detail", **kwargs) == "/archive/people/lech-walesa/"
        assert route("archive:person-detail", **kwargs) == reverse(
            "archive:person-detail", kwargs=kwargs
        )
    finally:
        clear_script_prefix()
    assert route("archive:person-detail", **kwargs) == "/people/lech-walesa/"


@pytest.mark.parametrize("slug", ["wałęsa", "a/b", "", "a b"])
def test_a_value_reverse_would_refuse_or_quote_goes_through_reverse(slug):
    with pytest.raises(NoReverseMatch):
        reverse("archive:person-detail", kwargs={"slug": slug})
    with pytest.raises(NoReverseMatch):
        route("archive:person-detail", slug=slug)


def test_an_unknown_route_raises_as_reverse_does():
    with pytest.raises(NoReverseMatch):
        route("archive:no-such-page", slug="x")
    assert path_format("archive:no-such-page", ("slug",)) is None


def test_another_url_configuration_is_followed(settings):
    from django.urls import clear_url_caches

    assert route("archive:person-detail", slug="x") == "/people/x/"
    settings.ROOT_URLCONF = "tests.urls_prefixed"
    clear_url_caches()
    try:
        assert route("archive:person-detail", slug="x") == reverse(
            "archive:person-detail", kwargs={"slug": "x"}
        )
        assert route("archive:person-detail", slug="x") == "/mirror/people/x/"
    finally:
        clear_url_caches()
