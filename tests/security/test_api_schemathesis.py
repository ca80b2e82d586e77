"""Property-based API testing: schemathesis, every check, against the published schema.

The schemathesis command line runs against a live server over the test database, as an API
client would: it reads /api/schema/, then for every operation sends requests the schema
allows (which must be accepted: 2xx, or 404 for an id or record that does not exist) and
requests it forbids (which must be refused with a 4xx), and checks every response: never a
server error; status code, content type, headers and body as the schema documents them.

``--checks all`` with nothing excluded. The schema is served live, so what it says about
data (the languages present) is said about this test's data. Cross-parameter rules that
OpenAPI cannot express are taught to the generator in :mod:`.schemathesis_hooks`.
Generation is deterministic (the same cases on every run), bounded per operation to keep the
run to a couple of minutes.

It runs on PostgreSQL, the production engine, only: the schema and the generated cases are the
same on both engines, every API behaviour that differs by engine is tested on both elsewhere
(tests/api/), and two full property runs would cost the test command over two minutes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.servers.basehttp import WSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler, _StaticFilesHandler

from tests.factories import (
    AliasFactory,
    ArticleFactory,
    AuthorshipFactory,
    EventFactory,
    IllustrationFactory,
    MentionFactory,
    OrganisationFactory,
    PlaceFactory,
)

EXAMPLES = 10
#: At least: 8 lists, 8 details and an article's text, JSON-LD and citation.
MINIMUM_OPERATIONS = 19
TIMEOUT_SECONDS = 900


@pytest.fixture
def published_records(transactional_db):
    """A little of everything, published, so list and detail responses carry bodies."""
    article = ArticleFactory(title="Wałęsa at the gate", body="Solidarity. Ceaușescu falls.")
    AuthorshipFactory(article=article)
    IllustrationFactory(article=article)
    mention = MentionFactory(article=article)
    AliasFactory(person=mention.person, name="Walesa")
    organisation, place, event = OrganisationFactory(), PlaceFactory(), EventFactory()
    event.places.add(place)
    event.articles.add(article)
    MentionFactory(article=article, person=None, organisation=organisation)
    return article


class OneConnectionServer(LiveServerThread):
    """The site served from one thread on one database connection, kept open for the run.

    pytest-django's ``live_server`` answers each request in a new thread, which opens a new
    database connection (about 15 ms on PostgreSQL) for each of the run's ~2,500 requests,
    plus a new thread: measured, the run took twice as long. Schemathesis sends one request at
    a time (``--workers 1``), so one thread answering them in turn changes nothing else; the
    data is committed (``transactional_db``), so this connection sees it as the live server's
    would. Production workers keep their connection too (``DATABASE_CONN_MAX_AGE``), so a
    request that left it unusable would show here as it would there.
    """

    def _create_server(self, connections_override=None) -> WSGIServer:
        return WSGIServer(
            (self.host, self.port), QuietWSGIRequestHandler, allow_reuse_address=False
        )

    def run(self) -> None:
        connection = connections["default"]  # this thread's own; closed when the thread ends
        connection.settings_dict = {**connection.settings_dict, "CONN_MAX_AGE": None}
        super().run()


@pytest.fixture
def api_server(transactional_db) -> Iterator[str]:
    server = OneConnectionServer("localhost", _StaticFilesHandler)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    yield f"http://localhost:{server.port}"
    server.terminate()


@pytest.mark.requires_postgres
def test_api_conforms_to_its_schema(api_server, published_records, client):
    published = client.get("/api/schema/", {"format": "json"}).json()
    operations = sum(len(methods) for methods in published["paths"].values())
    assert operations >= MINIMUM_OPERATIONS
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{api_server}/api/schema/",
        "--checks", "all",
        "--max-examples", str(EXAMPLES),
        "--generation-deterministic",
        "--workers", "1",  # the server answers one request at a time
        "--continue-on-failure",
        "--output-truncate", "false",
    ]  # fmt: skip
    environment = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.security.schemathesis_hooks",
        "NO_COLOR": "1",
    }
    result = subprocess.run(
        command, cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True,
        timeout=TIMEOUT_SECONDS, check=False,
    )  # fmt: skip
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-40000:]
    # It did test every operation, with both kinds of data, and found nothing.
    assert re.search(rf"Selected: {operations}/{operations}\s+Tested: {operations}\b", report), (
        report[-5000:]
    )
    assert "Coverage" in report and "Fuzzing" in report, report[-5000:]
