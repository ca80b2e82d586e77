"""The production server (config/gunicorn.conf.py) lets a stream run for as long as it takes
and still cuts off a request that stops making progress.

The server runs with its timeouts shortened to 2 s (environment), and an export is handed out
slowly on purpose (tests/deploy/streaming_urls.py) so that it streams for several times the
timeout. Under gunicorn's default sync worker the same stream is cut off mid-body, which is
what the configuration is for.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
from collections.abc import Iterator

import pytest

from tests.deploy.conftest import Server, fetch, run_django

TIMEOUT = 2
#: What a client sees when the server drops its connection mid-request or mid-body.
CUT_OFF = (http.client.HTTPException, ConnectionError, urllib.error.URLError)
EXPORT = "/api/articles/?format=csv"
SEED = """
from tests.factories import ArticleFactory, IssueFactory
issue = IssueFactory()
for n in range(40):
    ArticleFactory(issue=issue, title=f"Wałęsa and the shipyard, part {n}",
                   body="Solidarność " * 40)
"""
# The servers share a copy of the test database, which must exist first. The subject is the
# server's configuration (gunicorn's worker and timeouts), not the database engine: the test
# command runs these in its SQLite pass only (the export's engine-specific writers are tested
# on both engines in tests/exports/ and tests/api/).
pytestmark = [pytest.mark.django_db, pytest.mark.engine_independent]


def server_env(database_url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "tests.deploy.streaming_settings",
        "GUNICORN_TIMEOUT": str(TIMEOUT),
        "GUNICORN_STALL_TIMEOUT": str(TIMEOUT),
        "PAGE_CACHE_SECONDS": "0",
    }


@pytest.fixture(scope="module")
def database(shared_database: str) -> str:
    run_django(shared_database, SEED)
    return shared_database


@pytest.fixture(scope="module")
def server(database: str) -> Iterator[Server]:
    with Server(server_env(database)) as server:
        yield server


def slow_get(url: str, path: str, delay: float) -> tuple[float, int, bytes]:
    """(seconds taken, status, body) of a GET of ``path`` handed out slowly."""
    started = time.monotonic()
    status, _, body = fetch(f"{url}/_test/slow/{delay}{path}", timeout=60)
    return time.monotonic() - started, status, body


def test_an_export_streaming_for_longer_than_the_timeout_finishes_complete(server):
    status, _, expected = fetch(server.url + EXPORT)
    assert status == 200
    assert expected.count(b"\n") == 41  # header and 40 articles
    assert "Wałęsa and the shipyard, part 39".encode() in expected
    delay = 3 * TIMEOUT / (len(expected) / 512)  # about three timeouts in all
    seconds, status, body = slow_get(server.url, EXPORT, delay)
    assert seconds > 2 * TIMEOUT, "the stream must outlast the timeout for the test to mean it"
    assert status == 200
    assert body == expected
    assert "WORKER TIMEOUT" not in server.output()


def test_a_stuck_request_is_cut_off_and_the_server_carries_on(server):
    started = time.monotonic()
    with pytest.raises(CUT_OFF):
        fetch(server.url + "/_test/stuck/", timeout=60)
    # Cut off after the stall bound plus the other requests' grace, not after an hour.
    assert time.monotonic() - started < 30
    assert "/_test/stuck/ made no progress" in server.output()
    # A fresh worker answers the next request.
    deadline = time.monotonic() + 30
    status = None
    while time.monotonic() < deadline and status != 200:
        try:
            status = fetch(server.url + "/people/", timeout=10)[0]
        except CUT_OFF:
            time.sleep(0.2)
    assert status == 200


def test_under_gunicorns_default_sync_worker_the_same_stream_is_cut_off(database):
    """What the configuration prevents: the sync worker's timeout kills a live stream."""
    env = server_env(database)
    with Server(env, config=None, extra_args=["--timeout", str(TIMEOUT)]) as plain:
        status, _, expected = fetch(plain.url + EXPORT)
        assert status == 200
        delay = 3 * TIMEOUT / (len(expected) / 512)
        with pytest.raises(CUT_OFF):
            slow_get(plain.url, EXPORT, delay)
        assert "WORKER TIMEOUT" in plain.output()
