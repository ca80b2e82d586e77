"""Public reads from a streaming replica, everything else from the primary (archive/db_routers.py).

The router's decisions are checked on both engines; then, in the PostgreSQL pass, against a
real hot standby made with ``pg_basebackup -R`` from the suite's throwaway server. Its replay
is paused while the primary takes a write, so which database answered shows in the answer:
readers still see the old title (replica), the admin and a client that has just written see
the new one (primary), and once replay resumes readers see it too, the page cache included.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.signals import request_finished
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory

from archive.db_routers import READ_PRIMARY_COOKIE, ReplicaRouter, ReplicaRoutingMiddleware
from archive.models import Article, Status
from tests.deploy.conftest import Server, database_url_for, fetch, production_settings
from tests.factories import ArticleFactory, UserFactory

router = ReplicaRouter()
# The end of a request (request_finished) closes old database connections.
pytestmark = pytest.mark.django_db


def routed_request(path: str = "/articles/", method: str = "get", **cookies: str):
    """Run ``path`` through the routing middleware; return the route's reads inside it."""
    request = getattr(RequestFactory(), method)(path)
    request.COOKIES.update(cookies)
    seen = {}

    def view(request):
        seen["article"] = router.db_for_read(Article)
        seen["session"] = router.db_for_read(Session)
        router.db_for_write(Article)
        seen["after write"] = router.db_for_read(Article)
        return HttpResponse("ok")

    response = ReplicaRoutingMiddleware(view)(request)
    request_finished.send(sender=None)
    return seen, response


@pytest.mark.django_db(transaction=True)  # outside a transaction, as a request runs
def test_a_readers_public_read_goes_to_the_replica_until_the_request_writes():
    seen, response = routed_request("/articles/")
    assert seen == {"article": "replica", "session": "default", "after write": "default"}
    assert READ_PRIMARY_COOKIE not in response.cookies
    # Outside a request (commands, tasks, the shell) nothing reads the replica.
    assert router.db_for_read(Article) == "default"


@pytest.mark.parametrize(
    ("path", "method", "cookies"),
    [
        ("/admin/archive/article/", "get", {}),
        ("/accounts/login/", "get", {}),
        ("/articles/", "get", {"sessionid": "a-curator"}),
        ("/articles/", "get", {READ_PRIMARY_COOKIE: "1"}),
        ("/articles/1/correction/", "post", {}),
    ],
    ids=["admin", "login", "session", "wrote-recently", "post"],
)
def test_the_admin_sessions_writes_and_recent_writers_read_the_primary(path, method, cookies):
    seen, _ = routed_request(path, method, **cookies)
    assert seen["article"] == "default"


def test_a_write_sends_the_clients_reads_to_the_primary_for_the_lag_window(settings):
    settings.REPLICA_LAG_SECONDS = 7
    _, response = routed_request("/articles/1/correction/", "post")
    cookie = response.cookies[READ_PRIMARY_COOKIE]
    assert cookie["max-age"] == 7
    assert cookie["httponly"]


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_on_the_primary_stay_on_the_primary():
    request = RequestFactory().get("/articles/")
    seen = []

    def view(request):
        with transaction.atomic():
            seen.append(router.db_for_read(Article))
        seen.append(router.db_for_read(Article))
        return HttpResponse("ok")

    ReplicaRoutingMiddleware(view)(request)
    request_finished.send(sender=None)
    assert seen == ["default", "replica"]


def test_the_router_and_replica_exist_only_when_a_replica_is_configured():
    one = production_settings(DATABASE_URL="postgres://archive@db/archive")
    assert set(one["DATABASES"]) == {"default"}
    assert one["DATABASE_ROUTERS"] == []
    assert "archive.db_routers.ReplicaRoutingMiddleware" not in one["MIDDLEWARE"]
    two = production_settings(
        DATABASE_URL="postgres://archive@db/archive",
        DATABASE_REPLICA_URL="postgres://archive@replica/archive",
    )
    assert two["DATABASES"]["replica"]["HOST"] == "replica"
    # Like the primary.
    assert (
        two["DATABASES"]["replica"]["CONN_MAX_AGE"] == two["DATABASES"]["default"]["CONN_MAX_AGE"]
    )
    assert two["DATABASE_ROUTERS"] == ["archive.db_routers.ReplicaRouter"]
    # Routed before the page cache reads the content version.
    middleware = two["MIDDLEWARE"]
    assert middleware.index("archive.db_routers.ReplicaRoutingMiddleware") < middleware.index(
        "archive.caching.PublicPageCacheMiddleware"
    )


# -- A real streaming replica (PostgreSQL pass) ---------------------------------------------


def as_postgres(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; scripts/with-postgres.sh runs it as `postgres`.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="module")
def replica(django_db_setup, django_db_blocker) -> Iterator[dict]:
    """A hot standby of the test server, on its own socket; one for the module."""
    if not os.environ.get("PG_BINDIR") or not os.environ.get("PGHOST"):
        pytest.skip("needs the throwaway server of scripts/with-postgres.sh")
    bindir = Path(os.environ["PG_BINDIR"])
    folder = Path(tempfile.mkdtemp(prefix="archive-replica-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data = folder / "data"
    port = os.environ.get("PGPORT", "5432")
    subprocess.run(
        as_postgres([str(bindir / "pg_basebackup"), "-h", os.environ["PGHOST"], "-p", port,
                     "-U", "postgres", "-D", str(data), "-R", "-X", "stream", "-c", "fast"]),
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    options = (f"-c listen_addresses='' -k {folder} -p {port} -c hot_standby=on "
               "-c max_connections=200 -c shared_buffers=32MB -c fsync=off")  # fmt: skip
    subprocess.run(
        as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"),
                     "-w", "-t", "60", "start", "-o", options]),
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    try:
        yield {"host": str(folder), "port": port}
    finally:
        subprocess.run(
            as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True, timeout=60,
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


def on_replica(replica: dict, sql: str, params: tuple = ()) -> tuple:
    import psycopg

    name = connection.settings_dict["NAME"]
    with psycopg.connect(
        host=replica["host"], port=replica["port"], user="postgres", dbname=name, autocommit=True
    ) as conn:
        return conn.execute(sql, params).fetchone()


def wait_for_replay(replica: dict) -> None:
    with connection.cursor() as cursor:
        # The insert position, not the write position: the test server commits with
        # synchronous_commit=off, so a commit can be inserted but not yet written.
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + 30
    while not on_replica(replica, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,))[0]:
        assert time.monotonic() < deadline, "the replica did not catch up within 30 s"
        time.sleep(0.05)


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_public_reads_come_from_the_replica_while_the_primary_takes_writes(replica):
    article = ArticleFactory(title="The mass strike", slug="the-mass-strike")
    curator = UserFactory(username="curator", is_superuser=True)
    staff = Client()
    staff.force_login(curator)
    session = f"sessionid={staff.cookies['sessionid'].value}"
    primary_url = database_url_for(connection.settings_dict)
    replica_url = database_url_for(
        {**connection.settings_dict, "HOST": replica["host"], "PORT": replica["port"]}
    )
    wait_for_replay(replica)
    assert on_replica(replica, "SELECT pg_is_in_recovery()")[0] is True

    env = {"DATABASE_URL": primary_url, "DATABASE_REPLICA_URL": replica_url}
    page = article.get_absolute_url()
    api = "/api/articles/?format=csv"
    change = f"/admin/archive/article/{article.pk}/change/"
    oai = "/oai/?verb=ListRecords&metadataPrefix=oai_dc"
    with Server(env) as server:
        assert "The mass strike" in fetch(server.url + page)[2].decode()
        # OAI-PMH first brings the changes log up to date when the content moved on: that
        # request writes, so it reads the primary. Once the log is current (and replayed),
        # OAI-PMH reads the replica like every public read.
        assert "The mass strike" in fetch(server.url + oai)[2].decode()
        wait_for_replay(replica)
        on_replica(replica, "SELECT pg_wal_replay_pause()")
        try:
            Article.objects.filter(pk=article.pk).update(title="The general strike")
            # Readers: the replica, which has not replayed the write (page cache included:
            # its version is read from the replica too).
            # Search reads the replica too: its index there still holds the old title's words.
            search = "/api/articles/?q=mass&format=csv"
            for path in (page, api, oai, search):
                status, _, body = fetch(server.url + path)
                assert status == 200, path
                assert "The mass strike" in body.decode(), path
                assert "The general strike" not in body.decode(), path
            # The admin: the primary.
            body = fetch(server.url + change, headers={"Cookie": session})[2].decode()
            assert "The general strike" in body
            # A client that has just written reads the primary for the lag window.
            _, headers, _ = fetch(server.url + page, data=b"")
            assert f"{READ_PRIMARY_COOKIE}=1" in headers["Set-Cookie"]
            body = fetch(server.url + page, headers={"Cookie": f"{READ_PRIMARY_COOKIE}=1"})[2]
            assert "The general strike" in body.decode()
        finally:
            on_replica(replica, "SELECT pg_wal_replay_resume()")
        wait_for_replay(replica)
        for path in (page, api, "/api/articles/?q=general&format=csv"):
            body = fetch(server.url + path)[2].decode()
            assert "The general strike" in body, path
            assert "The mass strike" not in body, path

        # A curator's write through the app lands on the primary (the standby is read-only).
        token = secrets.token_hex(16)
        status, _, _ = fetch(
            server.url + "/admin/archive/article/",
            data=(f"action=send_back_to_review&_selected_action={article.pk}&index=0"
                  f"&csrfmiddlewaretoken={token}").encode(),
            headers={"Cookie": f"{session}; csrftoken={token}",
                     "Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
        assert status == 302
        assert Article.objects.get(pk=article.pk).status == Status.REVIEW
        wait_for_replay(replica)
        status, headers, body = fetch(server.url + page)
        assert status in (404, 410), (status, headers, body[:300])
