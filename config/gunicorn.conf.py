"""Production server: ``gunicorn -c config/gunicorn.conf.py config.wsgi``.

A full export streams for as long as it takes; a request that stops making progress is
still cut off.

Gunicorn's default *sync* worker serves one request per process, and its heartbeat is sent
between requests: a response still streaming after ``timeout`` (30 s) has its worker killed
mid-body, with status 200 already sent, so a large export never finishes. Here:

* **gthread workers**: the worker's main thread sends the heartbeat every second while
  request threads stream, so ``GUNICORN_TIMEOUT`` only kills a worker whose whole process
  hangs, never a long response;
* **a bound on progress, not on length** (:class:`ProgressWatchdog`): each request's
  response is watched, and every chunk produced and sent counts as progress. A request that
  sends nothing for ``GUNICORN_STALL_TIMEOUT`` seconds (a query stuck on a lock, code that
  never returns, a client that stopped reading) is stuck: the worker stops taking new
  connections, lets its other requests finish for ``graceful_timeout`` seconds, and exits;
  the arbiter starts a fresh one. A Python thread cannot be killed from outside, so leaving
  the process is the only way to free the stuck one, as the sync worker's timeout does.

Where the server listens is gunicorn's own choice: ``--bind`` (or ``PORT``), default
``127.0.0.1:8000``. Variables: docs/configuration.md; the whole picture: docs/deployment.md.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config.env import env_int

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

worker_class = "gthread"
workers = env_int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1, minimum=1)
threads = env_int("GUNICORN_THREADS", 4, minimum=1)
timeout = env_int("GUNICORN_TIMEOUT", 30, minimum=1)
stall_timeout = env_int("GUNICORN_STALL_TIMEOUT", 30, minimum=1)
graceful_timeout = min(30, stall_timeout)
keepalive = 5  # behind a load balancer that reuses connections
# A worker's memory grows with its page cache and the odd large request: recycle it now
# and then, at different moments across workers.
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
# No control socket (gunicorn 25+ opens one in the home folder): servers are managed by
# their supervisor and signals, and two servers on one machine would share its path.
control_socket_disable = True


class ProgressWatchdog:
    """WSGI wrapper noting, per request in flight, when it last made progress.

    Progress is the app returning (the response starts) and each chunk of the body being
    handed over and then sent: gunicorn asks for the next chunk only after the previous one
    is written to the client, so a client that stops reading stalls the request too. Files
    sent with ``sendfile`` (``wsgi.file_wrapper``) are left to the kernel and not watched.
    """

    def __init__(self, app, stall_seconds: float) -> None:
        self.app = app
        self.stall_seconds = stall_seconds
        self.lock = threading.Lock()
        self.in_flight: dict[int, tuple[float, str]] = {}

    def __call__(self, environ, start_response):
        token = id(environ)
        path = environ.get("PATH_INFO", "")
        self._touch(token, path)
        try:
            result = self.app(environ, start_response)
        except BaseException:
            self._forget(token)
            raise
        if isinstance(result, environ.get("wsgi.file_wrapper", ())):
            self._forget(token)
            return result
        return self._watch(token, path, result)

    def _watch(self, token: int, path: str, result):
        try:
            self._touch(token, path)
            for chunk in result:
                self._touch(token, path)
                yield chunk
                self._touch(token, path)
        finally:
            self._forget(token)
            close = getattr(result, "close", None)
            if close is not None:
                close()

    def _touch(self, token: int, path: str) -> None:
        with self.lock:
            self.in_flight[token] = (time.monotonic(), path)

    def _forget(self, token: int) -> None:
        with self.lock:
            self.in_flight.pop(token, None)

    def stalled(self) -> list[tuple[float, str]]:
        """(seconds without progress, path) of each request past the bound."""
        now = time.monotonic()
        with self.lock:
            entries = list(self.in_flight.values())
        return [(now - last, path) for last, path in entries if now - last > self.stall_seconds]


def _watch_worker(worker, watchdog: ProgressWatchdog) -> None:
    while worker.alive:
        time.sleep(min(1.0, watchdog.stall_seconds / 4))
        stalled = watchdog.stalled()
        if not stalled:
            continue
        for seconds, path in stalled:
            worker.log.error("Request to %s made no progress for %.0f s: cut off", path, seconds)
        # Stop accepting and let the other requests finish (gthread's graceful shutdown),
        # then leave: the stuck thread would otherwise keep the process alive forever.
        worker.alive = False
        time.sleep(worker.cfg.graceful_timeout + 1)
        os._exit(1)


def post_worker_init(worker) -> None:
    """Wrap the application in the watchdog and start its thread, once per worker."""
    watchdog = ProgressWatchdog(worker.wsgi, stall_timeout)
    worker.wsgi = watchdog
    threading.Thread(
        target=_watch_worker, args=(worker, watchdog), name="progress-watchdog", daemon=True
    ).start()
