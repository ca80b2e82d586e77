"""Corrections from readers: a form on every article and record page that files a
suggestion in the curators' queue; no account, CSRF as usual, a honeypot, a minimum time,
a rate limit from the cache, and nothing public until a curator acts."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client

from archive import corrections, models
from tests.factories import ArticleFactory, IssueFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

MESSAGE = "The date is 1981, not 1991: see the dateline on page 3 of the issue."


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the rate limit counts in the cache
    yield
    cache.clear()


@pytest.fixture
def article(db):
    return ArticleFactory(title="Stalin’s system collapses", slug="stalin")


def form_url(obj) -> str:
    return f"/corrections/new/?on={corrections.target_param(obj)}"


def post(client, obj, *, seconds_ago: float = 30, **fields):
    data = {"message": MESSAGE, "name": "Ada", "email": "ada@example.org", "website": ""}
    data["started"] = corrections.stamp(time.time() - seconds_ago)
    data.update(fields)
    return client.post(form_url(obj), data)


def test_every_record_page_links_to_the_form_and_stays_cacheable(client, article):
    person = PersonFactory(name="Lech Wałęsa", slug="walesa")
    for obj in (article, article.issue, article.issue.publication, person):
        response = client.get(obj.get_absolute_url())
        html = response.content.decode()
        assert f'href="{form_url(obj).replace(":", "%3A")}"' in html, obj
        assert "public" in response["Cache-Control"] and not response.cookies  # no CSRF here


def test_the_form_is_fresh_and_protected(client, article):
    response = client.get(form_url(article))
    assert response.status_code == 200
    html = response.content.decode()
    assert "csrfmiddlewaretoken" in html
    assert 'name="website"' in html and 'name="started"' in html
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert "Stalin’s system collapses" in html
    strict = Client(enforce_csrf_checks=True)
    assert post(strict, article).status_code == 403  # no token, no suggestion
    assert models.Correction.objects.count() == 0


def test_a_suggestion_lands_in_the_queue_and_nowhere_public(client, article):
    response = post(client, article)
    assert response.status_code == 302 and "/corrections/thanks/" in response["Location"]
    assert "Thank you" in client.get(response["Location"]).content.decode()
    correction = models.Correction.objects.get()
    assert correction.target == article and correction.status == models.Correction.Status.NEW
    assert correction.message == MESSAGE and correction.page == article.get_absolute_url()
    assert correction.email == "ada@example.org"
    for url in (article.get_absolute_url(), "/", "/sitemap-articles.xml", "/api/articles/"):
        assert "1981, not 1991" not in client.get(url).content.decode(), url


def test_bots_are_refused_quietly(client, article):
    assert post(client, article, website="http://spam.example").status_code == 400
    too_fast = post(client, article, seconds_ago=0)
    assert too_fast.status_code == 400 and "too quickly" in too_fast.content.decode()
    forged = post(client, article, started="12345:forged")
    assert forged.status_code == 400 and "expired" in forged.content.decode()
    assert post(client, article, message="short").status_code == 400
    assert models.Correction.objects.count() == 0
    # The person told "too quickly" gets a fresh stamp and can send the same form again.
    stamp = re.search(r'name="started" value="([^"]+)"', too_fast.content.decode())[1]
    assert stamp != "12345:forged"


def test_the_rate_limit_counts_per_client(client, article):
    for _ in range(corrections.RATE_LIMIT):
        assert post(client, article).status_code == 302
    limited = post(client, article)
    assert limited.status_code == 429 and "wait a while" in limited.content.decode()
    assert models.Correction.objects.count() == corrections.RATE_LIMIT
    other = Client(REMOTE_ADDR="192.0.2.7")  # another reader is not held up
    assert post(other, article).status_code == 302


def test_only_public_records_take_suggestions(client):
    draft = ArticleFactory(issue=IssueFactory(status=models.Status.DRAFT), title="Hidden")
    assert client.get(form_url(draft)).status_code == 404
    assert client.get("/corrections/new/?on=secret:1").status_code == 404
    assert client.get("/corrections/new/?on=article:x").status_code == 404
    assert client.get("/corrections/new/").status_code == 404


def test_curators_work_through_the_queue(client, article):
    post(client, article)
    curator = UserFactory(username="curator", is_staff=True)
    curator.groups.add(Group.objects.get(name="Curator"))
    contributor = UserFactory(username="contributor", is_staff=True)
    contributor.groups.add(Group.objects.get(name="Contributor"))
    staff = Client()
    staff.force_login(curator)
    queue = staff.get("/admin/archive/correction/")
    assert queue.status_code == 200 and "1981, not 1991" in queue.content.decode()
    correction = models.Correction.objects.get()
    response = staff.post(
        "/admin/archive/correction/",
        {"action": "mark_done", "_selected_action": [correction.pk]},
    )
    assert response.status_code == 302
    correction.refresh_from_db()
    assert correction.status == "done" and correction.handled_by == curator
    assert correction.handled_at is not None
    assert staff.get("/admin/archive/correction/add/").status_code == 403  # readers add them
    reader = Client()
    reader.force_login(contributor)
    assert reader.get(f"/admin/archive/correction/{correction.pk}/change/").status_code == 200
