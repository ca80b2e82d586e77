"""Snippets on person, place and organisation pages read as prose: one ellipsis where the
quote is cut, no Markdown, the name highlighted (as printed, "Walesa", for "Wałęsa")."""

from __future__ import annotations

import re

import pytest

from archive import models
from archive.views.reader import snippet
from tests.seed import seed_collection

pytestmark = pytest.mark.django_db


def test_one_ellipsis_no_markdown_and_the_name_marked():
    text = snippet(
        "…the Vietnam war”. ## WHAT HAPPENED IN POLAND Mass workers’ movement, Solidarnosc, "
        "erupts; Walesa leads…",
        ["Lech Wałęsa", "Walesa", "Solidarność", "Solidarnosc"],
    )
    assert text == (
        "…the Vietnam war”. WHAT HAPPENED IN POLAND Mass workers’ movement, "
        "<mark>Solidarnosc</mark>, erupts; <mark>Walesa</mark> leads…"
    )
    assert snippet("## 1979 December: USSR invades Afghanistan.", []) == (
        "1979 December: USSR invades Afghanistan."  # whole sentences: no ellipsis at all
    )
    assert snippet("... Trotsky’s heirs ...", ["Trotsky"]) == "…<mark>Trotsky</mark>’s heirs…"
    assert snippet("<b>bold</b> & Co", []) == "&lt;b&gt;bold&lt;/b&gt; &amp; Co…"  # escaped
    assert snippet("", ["x"]) == ""


@pytest.fixture(scope="module")
def seed(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), seed_collection():
        yield


def test_seed_entity_pages_quote_as_prose(client, seed):
    pages = [
        obj.get_absolute_url()
        for model in (models.Person, models.Organisation, models.Place)
        for obj in model.objects.public().filter(mention_count__gt=0)
    ]
    quoted = marked = 0
    for url in pages:
        html = client.get(url).content.decode()
        for quote in re.findall(r'<blockquote class="snippet">(.*?)</blockquote>', html, re.S):
            quoted += 1
            marked += "<mark>" in quote
            assert "##" not in quote, url
            # one ellipsis at a cut end, never two (the source's own "..." may stand inside)
            assert not re.search(r"…\s*…|^\s*(…\s*)?\.\.\.|\.\.\.\s*(…\s*)?$", quote), (url, quote)
    assert quoted > 300
    assert marked / quoted > 0.9  # the name (or a variant of it) is in nearly every quote
