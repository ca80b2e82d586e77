"""Real shared components for the deployment tests: Redis, gunicorn, a copy of the database.

* ``redis_url``: one ``redis-server`` per session on a Unix socket in a temporary folder,
  stopped afterwards. Without Debian's ``redis-server`` the tests skip with one line, unless
  ``REQUIRE_REDIS=1`` (CI), when that is a failure.
* ``shared_database``: the migrated test database copied into a database of its own (SQLite:
  a file, through SQLite's backup API; PostgreSQL: ``CREATE DATABASE … TEMPLATE``), so app
  server processes can share it with each other while the rest of the suite never sees
  what they write. Dropped at the end of the module.
* :class:`Server`: gunicorn started with the repository's ``config/gunicorn.conf.py``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
GUNICORN_CONF = ROOT / "config" / "gunicorn.conf.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(
    url: str, *, headers: dict | None = None, data: bytes | None = None, timeout: float = 20
) -> tuple[int, dict, bytes]:
    """GET (or POST ``data``); (status, headers, body) for any HTTP status, never raising.
    Redirects are not followed, so a ``Set-Cookie`` on a 302 is seen."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers=headers or {}, data=data)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def run_django(database_url: str, code: str, **extra_env: str) -> str:
    """Run ``code`` in a separate Django process on ``database_url``; return its stdout.

    Writes made here come from outside the test process and outside any app server, as a
    management command or a shell on another machine would make them."""
    env = {**os.environ, "DATABASE_URL": database_url,
           "DJANGO_SETTINGS_MODULE": "config.settings.test", **extra_env}  # fmt: skip
    prologue = "import django\ndjango.setup()\n"
    result = subprocess.run(
        [sys.executable, "-c", prologue + code], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    if result.returncode != 0:
        raise AssertionError(f"Django process failed:\n{result.stderr[-3000:]}")
    return result.stdout


def production_settings(**env: str) -> dict:
    """The production settings a server would start with under ``env``: the cache, the
    databases, the routers and the middleware, read in a fresh process."""
    environ = {k: v for k, v in os.environ.items()
               if k not in ("CACHE_URL", "DATABASE_REPLICA_URL", "DATABASE_URL")}  # fmt: skip
    environ.update({"DJANGO_SETTINGS_MODULE": "config.settings.production",
                    "SECRET_KEY": "not-secret-" * 5, **env})  # fmt: skip
    code = (
        "import json\nfrom django.conf import settings\n"
        "print(json.dumps({'CACHES': settings.CACHES, 'DATABASES': settings.DATABASES,"
        " 'DATABASE_ROUTERS': settings.DATABASE_ROUTERS, 'MIDDLEWARE': settings.MIDDLEWARE},"
        " default=str))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environ,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    if result.returncode != 0:
        raise AssertionError(result.stderr[-2000:])
    return json.loads(result.stdout)


def database_url_for(settings: dict) -> str:
    if settings["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings['NAME']}"
    return (
        f"postgres://{settings['USER']}@{quote(settings['HOST'], safe='')}:"
        f"{settings['PORT']}/{settings['NAME']}"
    )


class Server:
    """``with Server(env) as server: fetch(server.url + "/")``: gunicorn with the repository's
    configuration (``config=None``: gunicorn's defaults) on a free loopback port, stopped on
    exit."""

    def __init__(
        self,
        env: dict[str, str],
        *,
        config: Path | None = GUNICORN_CONF,
        extra_args: list[str] | None = None,
    ) -> None:
        self.config = config
        self.extra_args = extra_args or []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test",
                    "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "4", **env}  # fmt: skip
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in __exit__)
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        config = ["-c", str(self.config)] if self.config else ["--no-control-socket"]
        self.process = subprocess.Popen(
            [str(gunicorn), *config, "--bind", f"127.0.0.1:{self.port}",
             "--access-logfile", "-", *self.extra_args, "config.wsgi:application"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("gunicorn did not start within 60 s")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# -- Redis ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    binary = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server") else None
    )
    if binary is None:
        reason = "no redis-server found (install Debian's redis-server package)"
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"REQUIRE_REDIS=1 but {reason}", pytrace=False)
        pytest.skip(f"Redis tests skipped: {reason}")
    folder = Path(tempfile.mkdtemp(prefix="archive-redis-"))
    sock = folder / "redis.sock"
    process = subprocess.Popen(
        [binary, "--port", "0", "--unixsocket", str(sock), "--unixsocketperm", "700",
         "--save", "", "--appendonly", "no", "--dir", str(folder), "--loglevel", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while not sock.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start: {process.stderr.read()!r}")
            time.sleep(0.05)
        yield f"unix://{sock}?db=0"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


# -- A database the app servers share --------------------------------------------------------


def _copy_database(settings: dict, source: str, target: str) -> None:
    """Copy PostgreSQL database ``source`` (schema, functions, triggers, rows) into ``target``."""
    env = {
        **os.environ,
        "PGHOST": str(settings.get("HOST") or ""),
        "PGPORT": str(settings.get("PORT") or ""),
        "PGUSER": settings.get("USER") or "postgres",
    }
    folder = os.environ.get("PG_BINDIR", "")
    pg_dump = shutil.which("pg_dump", path=folder or None) or "pg_dump"
    psql = shutil.which("psql", path=folder or None) or "psql"
    dump = subprocess.run([pg_dump, "--no-owner", "--no-privileges", "-d", source],
                          env=env, capture_output=True, check=True)  # fmt: skip
    subprocess.run([psql, "-q", "-X", "-v", "ON_ERROR_STOP=1", "-d", target], input=dump.stdout,
                   env=env, capture_output=True, check=True)  # fmt: skip


@pytest.fixture(scope="module")
def shared_database(django_db_setup, django_db_blocker) -> Iterator[str]:
    """DATABASE_URL of a fresh copy of the migrated, empty test database.

    pytest-django creates the test database only for a run that holds a ``django_db`` test,
    so the modules using this fixture mark their tests ``django_db``."""
    with django_db_blocker.unblock():
        settings = dict(connection.settings_dict)
        if connection.vendor == "sqlite":
            folder = Path(tempfile.mkdtemp(prefix="archive-deploy-"))
            path = folder / "shared.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(path)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
            try:
                yield f"sqlite:///{path}"
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            return
        name = f"{settings['NAME']}_deploy_{os.getpid()}"
        if not re.fullmatch(r"\w+", name):
            raise RuntimeError(f"unexpected database name {name!r}")
        # A copy by pg_dump, not CREATE DATABASE … TEMPLATE: a template must have no other
        # session, and earlier tests of the run (a live server's threads) may still hold one.
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        _copy_database(settings, settings["NAME"], name)
        try:
            yield database_url_for({**settings, "NAME": name})
        finally:
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
