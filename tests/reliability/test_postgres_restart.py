"""PostgreSQL restarted under a running gunicorn: clean 503s during, normal service after.

Needs the throwaway server of scripts/with-postgres.sh (PG_BINDIR, PGHOST, PGPORT): the test
stops that server with pg_ctl, checks what readers and API clients get, starts it again and
checks that the same gunicorn (never restarted) serves normally.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from archive.models import Status
from tests.factories import ArticleFactory, UserFactory
from tests.reliability.server import Gunicorn, fetch

pytestmark = [pytest.mark.requires_postgres, pytest.mark.slow]


def pg_ctl(*args: str) -> None:
    command = [str(Path(os.environ["PG_BINDIR"]) / "pg_ctl"), *args]
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root; with-postgres.sh uses `postgres`
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, capture_output=True, timeout=60)


@pytest.fixture
def data_dir() -> str:
    if not os.environ.get("PG_BINDIR") or not os.environ.get("PGHOST"):
        pytest.skip("needs the throwaway server of scripts/with-postgres.sh")
    with connection.cursor() as cursor:
        cursor.execute("SHOW data_directory")
        return cursor.fetchone()[0]


def server_options() -> str:
    return (f"-c listen_addresses='' -k {os.environ['PGHOST']} -p {os.environ['PGPORT']} "
            "-c fsync=off -c max_connections=200")  # fmt: skip


def session_cookie(client_user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(client_user)
    return f"sessionid={client.cookies['sessionid'].value}"


@pytest.mark.django_db(transaction=True)
def test_requests_during_a_restart_get_503_and_service_resumes_without_app_restart(data_dir):
    ArticleFactory(status=Status.PUBLISHED, title="Wałęsa and the shipyard")
    staff = UserFactory(username="ada", is_superuser=True)
    cookie = session_cookie(staff)
    settings = connection.settings_dict
    database_url = (f"postgres://{settings['USER']}@{quote(settings['HOST'], safe='')}:"
                    f"{settings['PORT']}/{settings['NAME']}")  # fmt: skip
    # Database-backed URLs: a page (the admin list, via the session), OAI-PMH and the API.
    probes = {
        "page": ("/admin/archive/article/", {"Cookie": cookie}),
        "oai": ("/oai/?verb=ListRecords&metadataPrefix=oai_dc", {}),
        "api": ("/api/articles/", {}),
        "public page": ("/people/", {}),
    }
    # As in production, each worker keeps its connection between requests: the connection
    # that the restart kills must be noticed (health check) and replaced, not reused.
    with Gunicorn(database_url, extra_env={"DATABASE_CONN_MAX_AGE": "60"}) as server:
        for name, (path, headers) in probes.items():
            status, _, body = fetch(server.url + path, headers=headers)
            assert status == 200, (name, body[:500])

        connection.close()  # our own connection would die with the server anyway
        pg_ctl("stop", "-D", data_dir, "-m", "fast", "-w")
        try:
            outage = {name: fetch(server.url + path, headers=headers)
                      for name, (path, headers) in probes.items()}  # fmt: skip
        finally:
            pg_ctl("start", "-D", data_dir, "-w", "-t", "60", "-o", server_options(),
                   "-l", str(Path(data_dir).parent / "restart.log"))  # fmt: skip

        for name, (status, headers, body) in outage.items():
            assert status == 503, (name, status, body[:300])
            assert headers["Retry-After"] == "30"
            assert b"Traceback" not in body
        for name in ("page", "public page"):
            assert outage[name][1]["Content-Type"].startswith("text/html")
            assert b"temporarily unavailable" in outage[name][2]
        api = json.loads(outage["api"][2])
        assert outage["api"][1]["Content-Type"] == "application/json"
        assert api["status"] == 503
        assert api["errors"][0]["code"] == "service_unavailable"

        # Service resumes in the same gunicorn processes: give the server a moment to accept.
        deadline = time.monotonic() + 20
        results: dict = {}
        while time.monotonic() < deadline:
            results = {name: fetch(server.url + path, headers=headers)[0]
                       for name, (path, headers) in probes.items()}  # fmt: skip
            if all(status == 200 for status in results.values()):
                break
            time.sleep(0.25)
        assert results == dict.fromkeys(probes, 200)
        body = fetch(server.url + probes["page"][0], headers={"Cookie": cookie})[2]
        assert "Wałęsa and the shipyard" in body.decode()
