"""gunicorn with production settings on a free loopback port, for the benchmarks that time
requests through a real server (``load.py``, ``search.py --http``).

Production settings refuse plain HTTP (``SECURE_SSL_REDIRECT``); a reverse proxy in front
of them says the reader came over HTTPS with ``X-Forwarded-Proto``, so the clients send
:data:`HEADERS`, as the proxy would.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: What a TLS-terminating proxy in front of the server adds to each request.
HEADERS = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}


def production_env(**extra: str) -> dict[str, str]:
    """The environment of a production server on this database (``DATABASE_URL``), with a
    throwaway ``SECRET_KEY`` when none is set and no API rate limit to trip over."""
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL (or run under scripts/with-postgres.sh).")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or os.urandom(32).hex(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "API_ANON_THROTTLE": "1000000/min",
        **extra,
    }


@contextmanager
def gunicorn(options: Sequence[str], env: dict[str, str]) -> Iterator[str]:
    """Run ``gunicorn config.wsgi:application`` with ``options`` on a free loopback port;
    yields its base URL once it accepts connections, and stops it (its whole process
    group) on the way out, whatever happens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [str(Path(sys.executable).with_name("gunicorn")), "config.wsgi:application",
               "--bind", f"127.0.0.1:{port}", *options]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        for _ in range(150):
            if server.poll() is not None:
                sys.exit(f"gunicorn exited with status {server.returncode} before serving.")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
