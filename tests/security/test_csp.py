"""The Content-Security-Policy holds on real pages: no inline script, style or handler.

The policy (config/settings/base.py) allows scripts and styles only from this site, plus a
per-response nonce. So every <script> must have a src or carry that response's nonce (the
JSON-LD data block does), and no element may carry an inline event handler or style.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from tests.factories import (
    ArticleFactory,
    EventFactory,
    IllustrationFactory,
    MentionFactory,
    OrganisationFactory,
    PlaceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTR = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
STYLE_TAG = re.compile(r"<style\b", re.I)


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def assert_policy_holds(response, where: str) -> None:
    directives = policy(response)
    assert "'unsafe-inline'" not in directives["script-src"], where
    assert "'unsafe-inline'" not in directives["style-src"], where
    nonce = re.search(r"'nonce-([^']+)'", directives["script-src"])
    html = response.content.decode()
    for attrs in SCRIPT.findall(html):
        if "src=" in attrs:
            continue
        assert nonce and f'nonce="{nonce.group(1)}"' in attrs, f"{where}: inline <script{attrs}>"
        assert re.search(r'type="application/(ld\+)?json"', attrs), f"{where}: {attrs}"
    assert not HANDLER.search(html), f"{where}: inline event handler"
    assert not STYLE_ATTR.search(html), f"{where}: inline style attribute"
    assert not STYLE_TAG.search(html), f"{where}: inline <style> element"


@pytest.fixture
def records(db):
    article = ArticleFactory(title="Wałęsa at the gate")
    IllustrationFactory(article=article)
    mention = MentionFactory(article=article)
    organisation, place, event = OrganisationFactory(), PlaceFactory(), EventFactory()
    event.articles.add(article)
    event.places.add(place)
    return [article, article.issue, article.issue.publication, mention.person, organisation,
            place, event]  # fmt: skip


def test_public_pages_have_no_inline_script_style_or_handler(client, records):
    urls = [r.get_absolute_url() for r in records]
    urls += ["/", "/publications/", "/people/", "/organisations/", "/places/", "/timeline/",
             "/search/", "/search/?q=walesa", "/data/"]  # fmt: skip
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_policy_holds(response, url)
    # The JSON-LD data block is allowed only because it carries this response's nonce.
    article = client.get(records[0].get_absolute_url())
    nonce = re.search(r"'nonce-([^']+)'", policy(article)["script-src"]).group(1)
    assert f'<script type="application/ld+json" nonce="{nonce}">' in article.content.decode()
    assert nonce not in client.get(records[0].get_absolute_url()).content.decode()  # fresh


def test_admin_pages_have_no_inline_script_or_handler(records):
    user = UserFactory(username="cur")
    user.groups.add(Group.objects.get(name="Curator"))
    client = Client()
    client.force_login(user)
    for obj in records:
        name = obj._meta.model_name
        for url in (reverse(f"admin:archive_{name}_changelist"),
                    reverse(f"admin:archive_{name}_change", args=[obj.pk]),
                    reverse(f"admin:archive_{name}_add")):  # fmt: skip
            response = client.get(url)
            assert response.status_code == 200, url
            assert_policy_holds(response, url)


def test_api_docs_pages_run_no_inline_script(client):
    """Swagger UI's start-up script is served as a file; only the doc pages relax style-src."""
    for url in ("/api/docs/",):
        response = client.get(url)
        assert response.status_code == 200, url
        directives = policy(response)
        assert directives["script-src"] == "'self'"
        for attrs in SCRIPT.findall(response.content.decode()):
            assert "src=" in attrs, f"{url}: inline <script{attrs}>"
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert "'unsafe-inline'" not in policy(client.get("/"))["style-src"]  # only the docs
