"""Load test: many concurrent readers against gunicorn on loopback, with figures per class.

Run by hand (never by the test suite), e.g. on a throwaway PostgreSQL:

    scripts/with-postgres.sh .venv/bin/python benchmarks/load.py --serve

``--serve`` migrates the database in DATABASE_URL, loads the seed collection, adds
synthetic records (``--synthetic N`` articles), collects static files, starts gunicorn with
production settings on a free loopback port, runs the load, prints the figures and stops
gunicorn. Without ``--serve``, ``--url http://127.0.0.1:PORT`` points at a running server.

The load: ``--clients`` (32) closed-loop clients for ``--duration`` (60) seconds. Each
client picks a request class by weight (pages 50%, searches 20%, API lists 20%, exports
10%), then a URL of that class, sends it, reads the whole body, and waits a random think
time (``--think``, default 0.2-1.0 s, like a locust ``between`` wait) before the next one.
``--warmup`` (20) seconds of the same load run first and are not counted: the figures
describe the steady state after workers have started and PostgreSQL has read its tables.
The clients arrive spread over a think time and run through the warm-up into the counted
minute without a pause (a request counts if it starts after the warm-up), so the counted
part holds no burst of every client starting at once.
``--think 0`` gives a saturation run (no pauses): the server's capacity.
``--mix`` changes the weights (``export=0`` leaves the exports out: what the readers'
classes need of the machine when the slices of a million-article table, tens of seconds of
CPU each, are served elsewhere).

Safety: the target must be a loopback address; every client stops at the deadline; each
request has a timeout. Any status >= 400 or network error counts as an error.
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.serve import HEADERS, gunicorn, production_env  # noqa: E402

WEIGHTS = {"page": 50, "search": 20, "api_list": 20, "export": 10}
SEARCHES = ["solidarity", "walesa", "Wałęsa", "trotsky", "strike", "gdansk shipyard",
            '"martial law"', "ceausescu", "workers OR union", "revolution -stalinism",
            "bureaucra*", "democracy"]  # fmt: skip
LIST_PAGES = ["/", "/publications/", "/people/", "/organisations/", "/places/", "/timeline/",
              "/people/?letter=w", "/data/"]  # fmt: skip
# The benchmark fill's planted words (benchmarks/search.py), searched too: at the seed's
# size they find nothing (the suggestions path), at a million articles every frequency class.
SEARCHES += ["perestroika", "strike", "workers", "strike congress", "workers state"]
#: How many of the slowest requests the report lists.
SLOWEST = 12
#: Pages sampled from a sitemap index (a large archive lists a million).
SITEMAP_SAMPLE = 3000
#: Above this many articles the load exports slices of the article table, not all of it.
FULL_EXPORT_MAX = 100_000
API_RESOURCES = ["articles", "people", "organisations", "places", "publications", "issues",
                 "events"]  # fmt: skip


@dataclass
class Result:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    #: Every answered request as (seconds, class, path): what the tail is made of.
    timed: list[tuple[float, str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, error: str | None, path: str = "") -> None:
        with self.lock:
            if error:
                self.errors[kind].append(error)
            else:
                self.latencies[kind].append(seconds)
                self.timed.append((seconds, kind, path))


def require_loopback(host: str) -> None:
    """Refuse any target that is not this machine's loopback."""
    address = socket.gethostbyname(host)
    if not ipaddress.ip_address(address).is_loopback:
        sys.exit(f"Refusing to load-test {host} ({address}): loopback addresses only.")


class Target:
    """Where to send requests, and the headers a TLS-terminating proxy would add."""

    def __init__(self, url: str) -> None:
        parsed = urllib.parse.urlsplit(url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 80
        require_loopback(self.host)
        self.headers = {**HEADERS, "User-Agent": "archive-load-test"}

    @contextmanager
    def _response(self, path: str, timeout: float) -> Iterator[http.client.HTTPResponse]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request("GET", path, headers=self.headers)
            yield conn.getresponse()
        finally:
            conn.close()

    def get(self, path: str, timeout: float = 30.0) -> tuple[int, bytes]:
        with self._response(path, timeout) as response:
            return response.status, response.read()

    def drain(self, path: str, timeout: float = 30.0) -> tuple[int, int]:
        """GET ``path`` and read its whole body, as a reader's download does, into one
        reused 1 MB buffer: the status and the body's size. The clients run on the
        server's machine, so a 140 MB download read into one bytes object would take the
        server's CPU for the client's memory copies."""
        with self._response(path, timeout) as response:
            view, size = memoryview(bytearray(1 << 20)), 0
            while read := response.readinto(view):
                size += read
            return response.status, size


def sitemap_pages(target: Target, limit: int = SITEMAP_SAMPLE) -> list[str]:
    """Public page paths from the sitemap: its own URLs, or, when it is a sitemap index (a
    large archive), those of each of its sitemaps in turn, at most ``limit`` (sampled evenly
    from each sitemap, so every section is visited)."""
    status, body = target.get("/sitemap.xml", timeout=120)
    if status != 200:
        return []
    text = body.decode()
    locs = [urllib.parse.urlsplit(loc) for loc in re.findall(r"<loc>([^<]+)</loc>", text)]
    if "<sitemapindex" not in text:
        return [loc.path for loc in locs]
    paths: list[str] = []
    each = max(1, limit // max(1, len(locs)))
    for loc in locs:
        path = loc.path + (f"?{loc.query}" if loc.query else "")
        status, body = target.get(path, timeout=120)
        if status == 200:
            found = re.findall(r"<loc>([^<]+)</loc>", body.decode())
            step = max(1, len(found) // each)
            paths += [urllib.parse.urlsplit(url).path for url in found[::step][:each]]
    return paths[:limit]


def discover(target: Target) -> dict[str, list[str]]:
    """The URLs of each class: pages from the sitemap, API lists if the API answers.

    Exports of the article table are whole-archive downloads at the seed's size; in a large
    archive (more than ``FULL_EXPORT_MAX`` articles) a reader exports a slice of it instead
    (a year, a decade, one publication), as the whole table is the bulk download's job."""
    pages = list(LIST_PAGES) + sitemap_pages(target)
    api = [f"/api/{r}/" for r in API_RESOURCES if target.get(f"/api/{r}/")[0] == 200]
    api += [f"/api/{r}/?page_size=100" for r in API_RESOURCES if f"/api/{r}/" in api]
    articles = 0
    if "/api/articles/" in api:
        articles = json.loads(target.get("/api/articles/?page_size=1")[1]).get("count", 0)
    small = [r for r in API_RESOURCES if r != "articles" or articles <= FULL_EXPORT_MAX]
    exports = [f"/api/{r}/?format=csv" for r in small if f"/api/{r}/" in api]
    exports += [f"/api/{r}/?format=jsonl" for r in ("people", "places") if f"/api/{r}/" in api]
    if articles > FULL_EXPORT_MAX:
        slices = ["year=1985", "decade=1970"]
        for resource, param in (("people", "person"), ("organisations", "organisation"),
                                ("publications", "publication")):  # fmt: skip
            found = json.loads(target.get(f"/api/{resource}/?page_size=1")[1]).get("results")
            if found:
                slices.append(f"{param}={found[0]['slug']}")
        exports += [f"/api/articles/?format={f}&{q}" for f in ("csv", "jsonl") for q in slices]
    searches = [f"/search/?{urllib.parse.urlencode({'q': q})}" for q in SEARCHES]
    searches += [f"/api/articles/?{urllib.parse.urlencode({'q': q})}" for q in SEARCHES[:4]
                 if "/api/articles/" in api]  # fmt: skip
    urls = {"page": pages, "search": searches, "api_list": api, "export": exports}
    return {kind: found for kind, found in urls.items() if found}


def client_loop(target: Target, urls: dict[str, list[str]], counted_from: float,
                deadline: float, think: tuple[float, float], result: Result, warm: Result,
                seed: int, mix: dict[str, int]) -> None:  # fmt: skip
    """One reader until ``deadline``: requests it starts before ``counted_from`` (the
    warm-up) go to ``warm``, the others to ``result``. It first waits a think time, as
    readers arrive at different moments: started together, the clients sent their first
    requests at the same instant, a burst no real audience makes."""
    rng = random.Random(seed)
    kinds = list(urls)
    weights = [mix[k] for k in kinds]
    time.sleep(rng.uniform(*think))
    while time.monotonic() < deadline:
        kind = rng.choices(kinds, weights)[0]
        path = rng.choice(urls[kind])
        into = result if time.monotonic() >= counted_from else warm
        start = time.perf_counter()
        error = None
        try:
            status, _ = target.drain(path)
            if status >= 400:
                error = f"HTTP {status} {path}"
        except (OSError, http.client.HTTPException) as exc:
            error = f"{type(exc).__name__} {path}"
        into.record(kind, time.perf_counter() - start, error, path)
        pause = rng.uniform(*think)
        if pause:
            time.sleep(min(pause, max(deadline - time.monotonic(), 0)))


def percentile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 1000) - 1]


def report(result: Result, elapsed: float) -> dict:
    rows = {}
    for kind in [*WEIGHTS, *sorted(set(result.latencies) - set(WEIGHTS))]:
        values, errors = result.latencies.get(kind, []), result.errors.get(kind, [])
        if not values and not errors:
            continue
        rows[kind] = {
            "requests": len(values) + len(errors),
            "errors": len(errors),
            "rps": round((len(values) + len(errors)) / elapsed, 1),
            "p50_ms": round(percentile(values, 0.50) * 1000, 1) if values else None,
            "p90_ms": round(percentile(values, 0.90) * 1000, 1) if values else None,
            "p99_ms": round(percentile(values, 0.99) * 1000, 1) if values else None,
            "max_ms": round(max(values) * 1000, 1) if values else None,
        }
    total = sum(r["requests"] for r in rows.values())
    rows["all"] = {"requests": total, "errors": sum(r["errors"] for r in rows.values()),
                   "rps": round(total / elapsed, 1)}  # fmt: skip
    print(f"\n{'class':<10}{'requests':>10}{'errors':>8}{'req/s':>8}"
          f"{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}")  # fmt: skip
    for kind, row in rows.items():
        cells = [row.get(k) for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms")]
        cells_text = "".join(f"{c:>9}" if c is not None else f"{'':>9}" for c in cells)
        print(f"{kind:<10}{row['requests']:>10}{row['errors']:>8}{row['rps']:>8}{cells_text}")
    for kind, errors in result.errors.items():
        print(f"  {kind} errors, first few: {errors[:5]}")
    slowest = sorted(result.timed, reverse=True)[:SLOWEST]
    if slowest:
        print(f"\nSlowest {len(slowest)} requests (what the tail is made of):")
        for seconds, kind, path in slowest:
            print(f"  {seconds * 1000:8.1f} ms  {kind:<9} {path}")
    return rows


def drive(target: Target, urls: dict[str, list[str]], clients: int, duration: float,
          think: tuple[float, float], seed: int = 0, mix: dict[str, int] = WEIGHTS,
          warmup: float = 0.0) -> tuple[Result, Result]:  # fmt: skip
    """``clients`` closed-loop clients for ``warmup`` + ``duration`` seconds, each picking a
    class of ``urls`` by its weight in ``mix``: the latencies of the requests started after
    the warm-up, and of those during it. One load throughout, so the counted part is the
    steady state of the same readers, not a new start."""
    result, warm = Result(), Result()
    counted_from = time.monotonic() + warmup
    deadline = counted_from + duration
    threads = [threading.Thread(target=client_loop, daemon=True,
                                args=(target, urls, counted_from, deadline, think, result,
                                      warm, seed + i, mix))
               for i in range(clients)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=warmup + duration + 60)
    return result, warm


def run_load(url: str, clients: int, duration: float, think: tuple[float, float],
             warmup: float = 0.0, mix: dict[str, int] = WEIGHTS) -> dict:  # fmt: skip
    target = Target(url)
    urls = {kind: found for kind, found in discover(target).items() if mix.get(kind, 0) > 0}
    print("Request classes: " + ", ".join(f"{k} ({len(v)} URLs)" for k, v in urls.items()))
    # The first ``warmup`` seconds of the load are not counted: workers import and compile
    # templates on their first requests and PostgreSQL reads the tables into memory. The
    # figures describe the steady state that follows (the page cache is not warmed beyond
    # what the warm-up visits).
    started = time.monotonic()
    result, warm = drive(target, urls, clients, duration, think, mix=mix, warmup=warmup)
    elapsed = time.monotonic() - started - warmup
    if warmup:
        count = sum(len(v) for v in warm.latencies.values())
        print(f"Warm-up: {warmup:.0f} s, {count} requests (not counted)")
    print(f"{clients} clients, {duration:.0f} s, think time {think[0]}-{think[1]} s, "
          f"elapsed {elapsed:.1f} s")  # fmt: skip
    return report(result, elapsed)


def manage(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def serve_and_load(args: argparse.Namespace) -> dict:
    """Prepare the database, start gunicorn with production settings, load it, stop it."""
    env = production_env()
    if not args.skip_setup:
        manage("migrate", "--noinput", "-v", "0", env=env)
        manage("load_collection", env=env)
    if args.synthetic and not args.skip_setup:
        code = ("import django, json; django.setup(); "
                "from benchmarks.synthetic import add_synthetic; "
                f"print(json.dumps(add_synthetic(articles={args.synthetic})))")  # fmt: skip
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
    if not args.skip_setup:
        manage("collectstatic", "--noinput", "-v", "0", env=env)
        # What a deployment does after a bulk load: fresh planner statistics, and no
        # autovacuum of the new rows competing with the measured run.
        code = ("import django; django.setup(); from django.db import connection; "
                "connection.vendor == 'postgresql' and "
                "connection.cursor().execute('VACUUM ANALYZE')")  # fmt: skip
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
    # Start cold, as after a deployment.
    manage("clear_page_cache", env=env)
    # The repository's server configuration (config/gunicorn.conf.py: gthread workers, the
    # stall watchdog), as deployed; --workers and --threads override its sizes.
    options = ["-c", "config/gunicorn.conf.py", "--access-logfile", os.devnull,
               "--log-level", "warning"]  # fmt: skip
    if args.workers:
        options += ["--workers", str(args.workers)]
    if args.threads:
        options += ["--threads", str(args.threads)]
    with gunicorn(options, env) as url:
        workers = args.workers or os.environ.get("WEB_CONCURRENCY") or f"{os.cpu_count()} x 2 + 1"
        threads = args.threads or os.environ.get("GUNICORN_THREADS") or 4
        print(f"gunicorn: {workers} workers x {threads} threads at {url}")
        return run_load(url, args.clients, args.duration, args.think, args.warmup, args.mix)


def parse_mix(text: str) -> dict[str, int]:
    """``page=50,export=0`` as weights; an unknown class or a weight that is not a whole
    number is refused (argparse reports the reason)."""
    mix = {}
    for part in text.split(","):
        kind, _, weight = part.partition("=")
        if kind.strip() not in WEIGHTS or not weight.strip().isdigit():
            raise argparse.ArgumentTypeError(
                f"{part!r}: expected CLASS=WEIGHT with CLASS one of {', '.join(WEIGHTS)}"
            )
        mix[kind.strip()] = int(weight)
    if not any(mix.values()):
        raise argparse.ArgumentTypeError("every weight is 0: nothing would be sent")
    return mix


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running server on loopback, e.g. http://127.0.0.1:8000")
    parser.add_argument("--serve", action="store_true", help="set up and run gunicorn first")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(0.2, 1.0),
        metavar=("MIN", "MAX"),
        help="seconds between a client's requests",
    )
    parser.add_argument("--warmup", type=float, default=20.0,
                        help="seconds of uncounted load first (0: none)")  # fmt: skip
    parser.add_argument("--workers", type=int, help="default: config/gunicorn.conf.py's")
    parser.add_argument("--threads", type=int, help="default: config/gunicorn.conf.py's")
    parser.add_argument("--synthetic", type=int, default=5000, help="synthetic articles to add")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--skip-setup",
        action="store_true",
        help="with --serve: the database is already set up by an earlier run",
    )
    parser.add_argument(
        "--mix",
        type=parse_mix,
        default=WEIGHTS,
        help="weights of the request classes, e.g. page=50,search=20,api_list=20,export=0 "
        "(a class left out or at 0 is not sent; default: %(default)s)",
    )
    args = parser.parse_args()
    args.think = tuple(args.think)
    if args.duration > 600 or args.warmup > 600 or args.clients > 256:
        sys.exit("Bounded by design: at most 600 s and 256 clients.")
    if args.serve:
        rows = serve_and_load(args)
    elif args.url:
        rows = run_load(args.url, args.clients, args.duration, args.think, args.warmup, args.mix)
    else:
        parser.error("give --url or --serve")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")
    if rows["all"]["errors"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
