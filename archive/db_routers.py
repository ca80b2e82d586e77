"""Public reads from a PostgreSQL streaming replica; everything else on the primary.

Enabled by ``DATABASE_REPLICA_URL`` (config/settings/base.py adds the ``replica`` database,
this router and :class:`ReplicaRoutingMiddleware`). Readers far outnumber curators, and a
reader's request only reads published records, so those requests can be answered by a hot
standby that follows the primary's write-ahead log a few milliseconds behind. What must not
read a replica:

* **writes**, of course, and any read in a request after it wrote (the replica has not seen
  the write yet), and any read inside a transaction on the primary (it must see its own
  snapshot: the changes log, a merge, an import);
* **the admin, login and sessions**: curators edit what they just read, and a lagging read
  could make them save over a newer version; a request carrying a session cookie reads the
  primary throughout, as do the ``auth``, ``sessions``, ``admin`` and ``axes`` tables;
* **a client that has just written** (the lag rule): any request other than ``GET``,
  ``HEAD`` or ``OPTIONS`` (a reader's correction, a curator's save) answers with a
  short-lived cookie, and for ``DATABASE_REPLICA_LAG_SECONDS`` (10 s) that client's reads go
  to the primary too, so it always sees its own change. Keep the setting above the replica's
  usual lag (docs/deployment.md says how to watch it);
* **commands, tasks and the shell**: outside a request nothing is routed to the replica.

The page cache stays correct: it reads the content version from the database the request
reads from (archive/caching.py), so a page rendered from a lagging replica is cached under
the replica's older version and never under a newer one.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.signals import request_finished
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
#: Cookie that sends a client's reads to the primary for a while after it wrote.
READ_PRIMARY_COOKIE = "read_primary"
#: Tables always read on the primary: logins, sessions, lockouts, the admin's log.
PRIMARY_APPS = frozenset({"auth", "sessions", "admin", "axes", "contenttypes"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PRIMARY_PATHS = ("/admin/", "/accounts/")


@dataclass
class _Route:
    """Where this request reads: the replica until it writes."""

    replica: bool
    wrote: bool = False


_route: ContextVar[_Route | None] = ContextVar("archive_db_route", default=None)


def reads_from_replica(request: HttpRequest) -> bool:
    """A reader's public read: safe method, not the admin, no session, no recent write."""
    return (
        request.method in SAFE_METHODS
        and not request.path.startswith(PRIMARY_PATHS)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and READ_PRIMARY_COOKIE not in request.COOKIES
    )


class ReplicaRoutingMiddleware:
    """Decide once per request where it reads, before anything (the page cache) reads.

    The decision lasts until the response is closed, not just until the view returns: an
    export streams its rows after the middleware chain has finished.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _route.set(_Route(replica=reads_from_replica(request)))
        response = self.get_response(request)
        if request.method not in SAFE_METHODS:
            response.set_cookie(
                READ_PRIMARY_COOKIE,
                "1",
                max_age=settings.REPLICA_LAG_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


def _forget_route(**kwargs) -> None:
    # A worker thread serves many requests: the next one decides afresh, and anything run
    # in this thread between requests reads the primary.
    _route.set(None)


request_finished.connect(_forget_route, dispatch_uid="archive.db_routers.forget_route")


class ReplicaRouter:
    """Route reads of a reader's request to the replica, everything else to the primary."""

    def db_for_read(self, model, **hints) -> str:
        route = _route.get()
        if (
            route is None
            or not route.replica
            or route.wrote
            or model._meta.app_label in PRIMARY_APPS
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints) -> str:
        route = _route.get()
        if route is not None:
            route.wrote = True  # later reads in this request must see the write
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary's schema by itself
