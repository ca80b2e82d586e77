"""The page and API cache on one Redis shared by two app servers: never stale, either way.

Two gunicorn servers (A and B, the repository's configuration) share one database and one
real ``redis-server``. A page rendered by A is answered from the cache by B; a curator's
publish through B, or a write made outside both (a shell on a third machine), is never
served stale by A: the content version in the key moves with the data.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from config.settings.base import shared_cache
from tests.deploy.conftest import Server, fetch, production_settings, run_django
from tests.factories import PersonFactory

SEED = """
from django.test import Client
from tests.factories import ArticleFactory, PersonFactory, UserFactory
PersonFactory(name="Rosa Luxemburg", slug="rosa-luxemburg")
article = ArticleFactory(title="The mass strike", slug="the-mass-strike")
curator = UserFactory(username="curator", is_superuser=True)
client = Client()
client.force_login(curator)
print(article.pk, article.get_absolute_url(), client.cookies["sessionid"].value)
"""
PAGE = "/people/rosa-luxemburg/"
# The servers share a copy of the test database, which must exist first. The subject is the
# shared Redis and the content version in its keys, bumped by triggers tested on both engines
# in tests/test_caching.py: the test command runs these in its SQLite pass only.
pytestmark = [pytest.mark.django_db, pytest.mark.engine_independent]


@pytest.fixture(scope="module")
def servers(shared_database: str, redis_url: str) -> Iterator[dict]:
    article_pk, article_url, session = run_django(shared_database, SEED).split()
    env = {"DATABASE_URL": shared_database, "CACHE_URL": redis_url}
    with Server(env) as a, Server(env) as b:
        yield {"a": a.url, "b": b.url, "article": article_pk, "article_url": article_url,
               "session": session,
               "database": shared_database, "redis": redis_url, "b_log": b.output}  # fmt: skip


def get(servers: dict, server: str, path: str) -> tuple[int, dict, bytes]:
    """GET through one server under the site's one host name, as behind a load balancer
    (cached pages are keyed on the absolute URL: the servers' own ports would differ)."""
    return fetch(servers[server] + path, headers={"Host": "localhost"})


def redis_keys(redis_url: str, kind: str) -> list[bytes]:
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        return client.keys(f"*archive:{kind}:*")
    finally:
        client.close()


def admin_action(servers: dict, action: str) -> int:
    """Run a changelist action on the article through server B, as a logged-in curator."""
    token = secrets.token_hex(16)  # 32 characters: a valid CSRF secret for cookie and form
    body = (f"action={action}&_selected_action={servers['article']}&index=0"
            f"&csrfmiddlewaretoken={token}").encode()  # fmt: skip
    headers = {
        "Cookie": f"sessionid={servers['session']}; csrftoken={token}",
        "Host": "localhost",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    status, _, _ = fetch(servers["b"] + "/admin/archive/article/", headers=headers, data=body)
    return status


def test_a_page_rendered_by_one_server_is_answered_from_the_cache_by_the_other(servers):
    status, headers, body = get(servers, "a", PAGE)
    assert status == 200
    assert "Rosa Luxemburg" in body.decode()
    assert headers["X-Cache"] in ("miss", "hit")
    # B never rendered this page: its answer comes from the shared Redis.
    status, headers, body = get(servers, "b", PAGE)
    assert (status, headers["X-Cache"]) == (200, "hit")
    assert "Rosa Luxemburg" in body.decode()
    assert redis_keys(servers["redis"], "page")


def test_a_publish_through_one_server_is_never_served_stale_by_the_other(servers):
    get(servers, "a", servers["article_url"])
    status, headers, _ = get(servers, "a", servers["article_url"])
    assert (status, headers["X-Cache"]) == (200, "hit")

    assert admin_action(servers, "send_back_to_review") == 302, servers["b_log"]()[-4000:]
    status, _, body = get(servers, "a", servers["article_url"])
    assert status in (404, 410)  # withdrawn: gone for readers at once
    assert "The mass strike" not in body.decode()

    assert admin_action(servers, "publish") == 302
    status, headers, body = get(servers, "a", servers["article_url"])
    assert (status, headers["X-Cache"]) == (200, "miss")
    assert "The mass strike" in body.decode()
    status, headers, _ = get(servers, "b", servers["article_url"])
    assert (status, headers["X-Cache"]) == (200, "hit")


def test_a_write_made_outside_both_servers_is_never_served_stale(servers):
    api = "/api/people/?name=rosa"
    for server in ("a", "b"):
        get(servers, server, PAGE)
        assert json.loads(get(servers, server, api)[2])["results"][0]["name"] == "Rosa Luxemburg"
    assert redis_keys(servers["redis"], "api")
    # A bulk update from a shell elsewhere: no signal, no app server involved.
    run_django(
        servers["database"],
        "from archive.models import Person\n"
        "Person.objects.filter(slug='rosa-luxemburg').update(name='Róża Luksemburg')",
    )
    for server in ("a", "b"):
        status, _, body = get(servers, server, PAGE)
        assert status == 200
        assert "Róża Luksemburg" in body.decode()
        assert "Rosa Luxemburg" not in body.decode()
        status, _, body = get(servers, server, api)  # same URL, new answer
        assert json.loads(body)["results"][0]["name"] == "Róża Luksemburg"


def test_a_redis_that_does_not_answer_costs_a_miss_never_an_error(client, tmp_path):
    PersonFactory(name="Rosa Luxemburg")
    nowhere = {"default": {
        "BACKEND": "archive.caching.SharedPageCache",
        "LOCATION": f"unix://{tmp_path / 'no-redis.sock'}?db=0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }}  # fmt: skip
    with override_settings(CACHES=nowhere):
        for _ in range(2):
            response = client.get("/people/")
            assert response.status_code == 200
            assert "Rosa Luxemburg" in response.content.decode()
            assert "X-Cache" not in response or response["X-Cache"] == "miss"
        api = client.get("/api/people/")  # the rate limit's cache fails open too
        assert api.status_code == 200
        assert api.json()["results"][0]["name"] == "Rosa Luxemburg"


def test_without_cache_url_production_keeps_each_processs_memory_cache():
    plain = production_settings()["CACHES"]["default"]
    assert plain == {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
    shared = production_settings(CACHE_URL="redis://cache.internal:6379/0")["CACHES"]["default"]
    assert shared["BACKEND"] == "archive.caching.SharedPageCache"
    assert shared["LOCATION"] == "redis://cache.internal:6379/0"


def test_a_cache_url_that_is_not_redis_stops_start_up():
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL='memcached://cache:11211' is not"):
        shared_cache("memcached://cache:11211")
