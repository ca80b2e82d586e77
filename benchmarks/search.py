"""Search and page-render benchmark on N synthetic articles (PostgreSQL).

    scripts/with-postgres.sh .venv/bin/python benchmarks/search.py            # 1,000,000
    scripts/with-postgres.sh .venv/bin/python benchmarks/search.py --n 100000

Fills the database with N published articles whose words follow a Zipf distribution over a
30,000-word vocabulary, plus a few planted words with known document frequencies:

- rare: in about 0.01 % of articles;
- common: in about 5 %;
- very common: in about 60 % (more than half of all articles, where ranking every match
  with ts_rank would read hundreds of thousands of vectors).

Names ("Lech Wałęsa", "Leon Trotsky": the first two people, written with diacritics in
the text), phrases planted as adjacent words ("martial law", "workers state") among the
same words apart, and one undated article in fifty.

Then prints p50/p95 latency of the search page's engine (``archive.search.search``: count,
ranked candidates, facets, one page of hits with ts_headline snippets, entity names) per
query class; p50/p95 of every query class of :data:`REQUESTS` (rare, common and very common
words, two words, a phrase, names, date orders, and a query with each list filter) through
the search page and ``/api/articles/`` alike, page cache off (``--plans`` adds
``EXPLAIN (ANALYZE, BUFFERS)`` of each class's slowest statement); and the render time of
each page type through Django's test client. Requests and pages keep their database
connection between requests, as production's workers do (``DATABASE_CONN_MAX_AGE``,
``config.env.PRODUCTION_CONN_MAX_AGE``); ``--conn-max-age 0`` measures a new connection per
request, the development and test default. Not a test: figures go to docs/benchmarks.md.

    scripts/with-postgres.sh .venv/bin/python benchmarks/search.py --only requests --plans

``--http`` times the same classes through a real server instead, as a reader's browser
meets them: gunicorn with the repository's configuration (``config/gunicorn.conf.py``) and
production settings, one request at a time over loopback, each carrying a session cookie
(so the page cache is skipped, as for a signed-in curator). Every run starts by timing a
fixed piece of Python and of PostgreSQL work ("machine speed"), so figures taken on
different days or machines can be compared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from archive import models, search  # noqa: E402
from archive.counts import refresh_counts  # noqa: E402
from archive.search.backends import get_backend  # noqa: E402
from archive.text import fold  # noqa: E402
from benchmarks.serve import HEADERS, gunicorn, production_env  # noqa: E402
from config.env import PRODUCTION_CONN_MAX_AGE  # noqa: E402

PLANTED = {
    "rare": (0.0001, ["perestroika", "nomenklatura", "samizdat"]),
    "common": (0.05, ["strike", "congress", "bureaucracy"]),
    "very common": (0.6, ["workers", "socialism"]),
    # Two words in about a quarter of the articles each (both in ~6 %), standing together as
    # a phrase in ~0.03 %: the phrase query must not re-check every article with both words.
    "phrase words": (0.25, ["martial", "law"]),
    # Names as articles write them, with diacritics, and as readers type them.
    "names": (0.001, ["Wałęsa", "Trotsky"]),
}
# Planted as adjacent words, in this share of the articles.
PHRASES = {"martial law": 0.0003, "workers state": 0.0003}
# Articles with no known date (Article.effective_date_rule: undated), one in this many.
UNDATED_EVERY = 50
# The first people: named, so that name searches ("walesa", "trotksy") find someone.
NAMED_PEOPLE = ["Lech Wałęsa", "Leon Trotsky"]
QUERIES = {
    "rare": ["perestroika", "nomenklatura", '"samizdat"'],
    "common": ["strike", "congress", "bureaucracy"],
    "very common": ["workers", "socialism", "workers socialism"],
}
ARTICLES_PER_ISSUE = 50
WORDS_PER_BODY = (150, 450)


def vocabulary(rng: random.Random, size: int = 30_000) -> list[str]:
    syllables = [c + v for c in "bcdfghjklmnprstvz" for v in "aeiou"] + ["tra", "ski", "ovn"]
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def cumulative_zipf(n: int, s: float = 1.07) -> list[float]:
    total, out = 0.0, []
    for rank in range(1, n + 1):
        total += 1 / rank**s
        out.append(total)
    return out


def copy_rows(table: str, columns: list[str], rows) -> None:
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def fill(n: int, seed: int = 1989) -> None:
    rng = random.Random(seed)
    words = vocabulary(rng)
    cum = cumulative_zipf(len(words))
    now = dt.datetime.now(dt.UTC)
    print(f"Creating {n:,} articles…", flush=True)
    t0 = time.perf_counter()
    pubs = models.Publication.objects.bulk_create(
        models.Publication(title=f"Bulletin {i}", slug=f"bulletin-{i}", status="published")
        for i in range(10)
    )
    people = models.Person.objects.bulk_create(
        models.Person(
            name=NAMED_PEOPLE[i]
            if i < len(NAMED_PEOPLE)
            else f"{rng.choice(words).title()} {rng.choice(words).title()}",
            slug=f"person-{i}",
            status="published",
        )
        for i in range(2000)
    )
    for p in people:
        p.name_folded = fold(p.name)
        p.sort_name = p.sort_name_folded = fold(p.name)
    models.Person.objects.bulk_update(people, ["name_folded", "sort_name", "sort_name_folded"])
    places = models.Place.objects.bulk_create(
        models.Place(name=rng.choice(words).title(), name_folded="", slug=f"place-{i}",
                     status="published")
        for i in range(500)
    )  # fmt: skip
    for p in places:
        p.name_folded = p.name.lower()
    models.Place.objects.bulk_update(places, ["name_folded"])
    orgs = models.Organisation.objects.bulk_create(
        models.Organisation(name=f"{rng.choice(words).title()} Party", slug=f"org-{i}",
                            status="published")
        for i in range(500)
    )  # fmt: skip
    for o in orgs:
        o.name_folded = o.name.lower()
    models.Organisation.objects.bulk_update(orgs, ["name_folded"])
    # Dates are set in SQL: parsing EDTF per row would dominate the set-up time.
    issue_count = -(-n // ARTICLES_PER_ISSUE)
    issues = models.Issue.objects.bulk_create(
        (
            models.Issue(
                publication=pubs[i % len(pubs)],
                slug=f"issue-{i}",
                number=str(i),
                status="published",
            )
            for i in range(issue_count)
        ),
        batch_size=5000,
    )
    events = models.Event.objects.bulk_create(
        models.Event(title=f"Event {i}", slug=f"event-{i}", date="1960", status="published")
        for i in range(2000)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE archive_issue SET date = to_char(d, 'YYYY-MM'), date_start = d, "
            "date_end = (d + interval '1 month - 1 day')::date FROM (SELECT id AS iid, "
            "make_date(1960 + (row_number() OVER (ORDER BY id) - 1)::int * 40 / %s, "
            "1 + (id %% 12)::int, 1) AS d FROM archive_issue) x WHERE id = x.iid",
            [issue_count],
        )
        cursor.execute(
            "UPDATE archive_event SET date = to_char(d, 'YYYY-MM'), date_start = d, "
            "date_end = (d + interval '1 month - 1 day')::date FROM (SELECT id AS eid, "
            "make_date(1960 + (id %% 40)::int, 1 + (id %% 12)::int, 1) AS d "
            "FROM archive_event) x WHERE id = x.eid",
            [],
        )
    issues = list(models.Issue.objects.order_by("pk"))
    del events
    art_fields = [f for f in models.Article._meta.concrete_fields if f.column != "id"]
    columns = [f.column for f in art_fields]

    def body_words(k: int) -> list[str]:
        out = rng.choices(words, cum_weights=cum, k=k)
        for _cls, (p, planted) in PLANTED.items():
            for w in planted:
                if rng.random() < p:
                    out[rng.randrange(k)] = w
        for phrase, p in PHRASES.items():
            if rng.random() < p:
                at = rng.randrange(k - 1)
                out[at : at + 2] = phrase.split()
        return out

    def articles():
        for i in range(n):
            issue = issues[i // ARTICLES_PER_ISSUE]
            k = rng.randint(*WORDS_PER_BODY)
            body = body_words(k)
            paragraphs = [" ".join(body[j : j + 60]) + "." for j in range(0, k, 60)]
            if i % 3 == 0:
                paragraphs.insert(1, "## " + " ".join(body_words(3)).title())
            title = " ".join(body_words(rng.randint(3, 8))).capitalize()
            dated = i % UNDATED_EVERY != UNDATED_EVERY - 1
            values = {
                "created": now, "updated": now, "status": "published", "published_at": now,
                "curator_notes": "", "issue_id": issue.pk,
                "position": i % ARTICLES_PER_ISSUE + 1, "slug": f"article-{i}",
                "label": str(i % ARTICLES_PER_ISSUE + 1),
                "kind": "editorial" if i % 10 == 0 else "article", "title": title,
                "subtitle": "", "date": issue.date if dated else "",
                "date_start": issue.date_start if dated else None,
                "date_end": issue.date_end if dated else None, "date_display": "",
                # The stored effective date (Article.effective_date_rule): the dateline, or
                # undated (an article, not an editorial, with no dateline).
                "effective_date": issue.date if dated else "",
                "effective_date_start": issue.date_start if dated else None,
                "effective_date_end": issue.date_end if dated else None,
                "date_source": "dateline" if dated else "undated",
                "first_published_in_issue_id": None, "first_published_in_publication_id": None,
                "first_published_date": "", "first_published_date_start": None,
                "first_published_date_end": None, "pages": "", "body": "\n\n".join(paragraphs),
                "raw_text": "", "language": "en", "word_count": k,
                "curator_edited_fields": "[]",
            }  # fmt: skip
            yield [values[c] for c in columns]

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE archive_article DISABLE TRIGGER USER")
        cursor.execute("DROP INDEX IF EXISTS archive_search_article_document")
        cursor.execute("DROP INDEX IF EXISTS archive_search_article_head")
        cursor.execute("DROP INDEX IF EXISTS archive_search_pair_pairs")
    copy_rows("archive_article", columns, articles())
    print(f"  articles copied in {time.perf_counter() - t0:.0f} s", flush=True)
    t1 = time.perf_counter()
    first_id = models.Article.objects.order_by("pk").values_list("pk", flat=True).first()

    def mentions():
        for i in range(n):
            aid = first_id + i
            yield [now, now, aid, rng.choice(people).pk, None, None, None, 1, 0, "", "confirmed"]
            yield [now, now, aid, None, None, rng.choice(places).pk, None, 1, 0, "", "confirmed"]
            if i % 4 == 0:
                yield [now, now, aid, None, rng.choice(orgs).pk, None, None, 2, 0, "", "auto"]

    copy_rows(
        "archive_mention",
        ["created", "updated", "article_id", "person_id", "organisation_id", "place_id",
         "event_id", "count", "first_offset", "context", "status"],
        mentions(),
    )  # fmt: skip
    print(f"  mentions copied in {time.perf_counter() - t1:.0f} s", flush=True)
    t2 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("ALTER TABLE archive_article ENABLE TRIGGER USER")
    get_backend().index(None)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE INDEX archive_search_article_document ON archive_search_article "
            "USING gin (document)"
        )
        cursor.execute(
            "CREATE INDEX archive_search_article_head ON archive_search_article USING gin (head)"
        )
        cursor.execute(
            "CREATE INDEX archive_search_pair_pairs ON archive_search_pair USING gin (pairs)"
        )
    # The article COPY ran with triggers off: recount what the stored-count triggers keep.
    refresh_counts()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"  search vectors and indexes built in {time.perf_counter() - t2:.0f} s", flush=True)


def document_frequency(word: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM archive_search_article "
            "WHERE document @@ to_tsquery('archive_search', %s)",
            [word],
        )
        return cursor.fetchone()[0]


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def time_search(query: str, repeat: int, **options) -> list[float]:
    for _ in range(2):
        search.search({"q": query, **options})
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        results = search.search({"q": query, **options})
        assert all(h.snippet_html for h in results.hits), "hits come with snippets"
        out.append((time.perf_counter() - t) * 1000)
    return out


#: Every query class of the one search path, timed through the search page and the API:
#: (class, query parameters). Entity slugs are the fill's (person-0 is Lech Wałęsa).
REQUESTS = [
    ("rare word", {"q": "perestroika"}),
    ("word in ~10 %", {"q": "strike"}),
    ("word in > 50 %", {"q": "workers"}),
    ("two words", {"q": "strike congress"}),
    ("two words, > 50 %", {"q": "workers socialism"}),
    ("words standing together", {"q": "workers state"}),
    ("quoted phrase", {"q": '"martial law"'}),
    ("name without diacritics", {"q": "walesa"}),
    ("misspelt name", {"q": "trotksy"}),
    ("word + decade", {"q": "strike", "decade": "1980"}),
    ("word by date", {"q": "strike", "ordering": "date"}),
    ("word by -date", {"q": "strike", "ordering": "-date"}),
    ("> 50 % by date", {"q": "workers", "ordering": "date"}),
    ("> 50 % by -date", {"q": "workers", "ordering": "-date"}),
    ("word + date range", {"q": "strike", "date_after": "1985-01", "date_before": "1986-12"}),
    ("word + publication", {"q": "strike", "publication": "bulletin-3"}),
    ("word + person", {"q": "strike", "person": "person-7"}),
    ("word + organisation", {"q": "strike", "organisation": "org-7"}),
    ("word + place", {"q": "strike", "place": "place-9"}),
    ("word + kind", {"q": "strike", "kind": "editorial"}),
    ("> 50 % + decade", {"q": "workers", "decade": "1970"}),
    ("> 50 % + date range", {"q": "workers", "date_after": "1985-01", "date_before": "1986-12"}),
    ("> 50 % + publication", {"q": "workers", "publication": "bulletin-3"}),
    ("> 50 % + person", {"q": "workers", "person": "person-7"}),
    ("> 50 % + organisation", {"q": "workers", "organisation": "org-7"}),
    ("> 50 % + place", {"q": "workers", "place": "place-9"}),
    ("> 50 % + kind", {"q": "workers", "kind": "editorial"}),
    ("rare word + decade", {"q": "perestroika", "decade": "1990"}),
    ("rare word by date", {"q": "perestroika", "ordering": "date"}),
    ("word + decade by date", {"q": "strike", "decade": "1980", "ordering": "date"}),
    ("> 50 % + decade by -date", {"q": "workers", "decade": "1980", "ordering": "-date"}),
]


def time_request(client: Client, url: str, repeat: int) -> tuple[list[float], int]:
    """Milliseconds of ``repeat`` GETs of ``url`` (after two untimed ones), and the size of
    the last answer. Uncached: the page cache is off (``PAGE_CACHE_SECONDS = 0``)."""
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        out.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    return out, len(response.content)


def slowest_statement(params: dict) -> tuple[float, str]:
    """The slowest SQL statement of the search page's engine for ``params`` (ms, SQL)."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        search.search(params)
    timed = [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
    timed = [t for t in timed if not t[1].startswith(("SAVEPOINT", "RELEASE", "SELECT set_config"))]
    return max(timed)


def explain(sql: str) -> str:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of ``sql`` under the search transaction's settings: the
    engine's own, and its join settings for the statements that read the search index."""
    from django.db import transaction

    from archive.search import backends

    with transaction.atomic(), connection.cursor() as cursor:
        backends.apply_settings(cursor, backends.STATEMENT_SETTINGS)
        if backends.TABLE in sql and not sql.startswith("EXPLAIN"):
            backends.apply_settings(cursor, backends.JOIN_SETTINGS)
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def time_http(base: str, path: str, repeat: int) -> tuple[list[float], int]:
    """Milliseconds of ``repeat`` GETs of ``path`` from the server at ``base`` (after two
    untimed ones), each on a new connection with a session cookie, body read to the end."""
    import http.client
    from urllib.parse import urlsplit

    where = urlsplit(base)
    headers = {**HEADERS, "Cookie": f"{settings.SESSION_COOKIE_NAME}=benchmark"}
    out = []
    for run in range(repeat + 2):
        start = time.perf_counter()
        conn = http.client.HTTPConnection(where.hostname, where.port, timeout=60)
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
        if run >= 2:
            out.append((time.perf_counter() - start) * 1000)
        assert response.status == 200, (path, response.status, body[:300])
        assert response.getheader("X-Cache") != "hit", path
    return out, len(body)


def machine_speed(repeat: int = 5) -> str:
    """Medians of a fixed piece of work in Python and in PostgreSQL, in ms: how fast this
    machine is today (the same classes moved by 20-40 % between runs and about 2x between
    machines of the same size), to read the figures below against."""

    def python_work() -> None:
        total = 0
        for i in range(2_000_000):
            total += i * i % 7

    def sql_work() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT sum(g * g % 7) FROM generate_series(1::bigint, 2000000) AS g")

    figures = []
    for work in (python_work, sql_work):
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            work()
            samples.append((time.perf_counter() - start) * 1000)
        figures.append(statistics.median(samples))
    return f"machine speed: Python loop {figures[0]:.0f} ms, PostgreSQL series {figures[1]:.0f} ms"


def measure_requests(
    n: int, repeat: int, show_plans: bool, only: str | None, http: bool = False
) -> None:
    """p50/p95 of every class of :data:`REQUESTS` through ``/search/`` and ``/api/articles/``:
    Django's test client in this process (middleware, view, template or serializer), or with
    ``http``, a gunicorn server with production settings (:func:`time_http`)."""

    print(f"\n{machine_speed()}")
    if http:
        env = production_env(WEB_CONCURRENCY=os.environ.get("WEB_CONCURRENCY", "2"))
        # Production settings serve static files from their manifest: collected first.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
        with gunicorn(
            ["-c", "config/gunicorn.conf.py", "--access-logfile", os.devnull], env
        ) as url:
            print(
                f"\nSearch requests, {n:,} articles, {repeat} runs each, through gunicorn "
                f"(production settings, {env['WEB_CONCURRENCY']} workers), a session cookie "
                "on each request (ms)"
            )
            request_table(repeat, show_plans, only, lambda path: time_http(url, path, repeat))
        return
    settings.PAGE_CACHE_SECONDS = 0
    client = Client()
    print(
        f"\nSearch requests, {n:,} articles, {repeat} runs each, page cache off, "
        f"connection kept {connection.settings_dict['CONN_MAX_AGE']} s (ms)"
    )
    request_table(repeat, show_plans, only, lambda path: time_request(client, path, repeat))


def request_table(repeat: int, show_plans: bool, only: str | None, timed) -> None:
    """The table of :func:`measure_requests`, each path timed by ``timed(path)``."""
    from urllib.parse import urlencode

    print(f"{'class':<26} {'hits':>8} {'page p50':>9} {'p95':>7} {'API p50':>9} {'p95':>7}")
    over = []
    for cls, params in REQUESTS:
        if only and only not in cls:
            continue
        query = urlencode(params)
        page, _ = timed(f"/search/?{query}")
        api, _ = timed(f"/api/articles/?{query}&page_size=20")
        found = search.search(params)
        print(
            f"{cls:<26} {found.total_label:>8} {percentile(page, 0.5):>9.1f} "
            f"{percentile(page, 0.95):>7.1f} {percentile(api, 0.5):>9.1f} "
            f"{percentile(api, 0.95):>7.1f}",
            flush=True,
        )
        if max(percentile(page, 0.95), percentile(api, 0.95)) >= 100:
            over.append(cls)
        if show_plans:
            ms, sql = slowest_statement(params)
            print(f"--- slowest statement of {cls!r} ({ms:.1f} ms) ---\n{sql}\n{explain(sql)}\n")
    print(f"\nOver 100 ms p95: {', '.join(over) or 'none'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="articles (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per query")
    parser.add_argument(
        "--only",
        choices=("search", "requests", "pages"),
        help="measure only the engine, only the page and API requests, or only page renders",
    )
    parser.add_argument("--match", help="requests: only the classes whose name contains this")
    parser.add_argument(
        "--plans", action="store_true", help="requests: EXPLAIN (ANALYZE, BUFFERS) each class"
    )
    parser.add_argument(
        "--http",
        action="store_true",
        help="requests: through gunicorn with production settings, not in this process",
    )
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=PRODUCTION_CONN_MAX_AGE,
        help="seconds the connection is kept between requests (default: production's)",
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run under scripts/with-postgres.sh: the benchmark measures PostgreSQL.")
    settings.ALLOWED_HOSTS = ["*"]
    connection.settings_dict["CONN_MAX_AGE"] = args.conn_max_age
    call_command("migrate", verbosity=0)
    if models.Article.objects.count() < args.n:
        fill(args.n)
    n = models.Article.objects.count()
    if args.only in (None, "search"):
        measure_search(n, args.repeat)
    if args.only in (None, "requests"):
        measure_requests(n, args.repeat, args.plans, args.match, args.http)
    if args.only in (None, "pages"):
        measure_pages(n, args.repeat)


def measure_search(n: int, repeat: int) -> None:
    print(f"\nSearch latency, {n:,} articles, {repeat} runs per query (ms)")
    print(f"{'class':<12} {'query':<22} {'matches':>9} {'share':>7} {'p50':>7} {'p95':>7}")
    for cls, queries in QUERIES.items():
        samples = []
        for q in queries:
            matches = document_frequency(q.replace('"', "").replace(" ", " & "))
            t = time_search(q, repeat)
            samples += t
            print(
                f"{cls:<12} {q:<22} {matches:>9,} {matches / n:>7.2%} "
                f"{percentile(t, 0.5):>7.1f} {percentile(t, 0.95):>7.1f}"
            )
        print(
            f"{cls:<12} {'(all)':<22} {'':>9} {'':>7} "
            f"{percentile(samples, 0.5):>7.1f} {percentile(samples, 0.95):>7.1f}"
        )
    samples = []
    for q in ("workers", "socialism", "strike"):
        t = time_search(q, repeat, ordering="-date")
        samples += t
        print(f"{'by date':<12} {q:<22} {'':>9} {'':>7} "
              f"{percentile(t, 0.5):>7.1f} {percentile(t, 0.95):>7.1f}")  # fmt: skip
    print(f"{'by date':<12} {'(all)':<22} {'':>9} {'':>7} "
          f"{percentile(samples, 0.5):>7.1f} {percentile(samples, 0.95):>7.1f}")  # fmt: skip


def measure_pages(n: int, repeat: int) -> None:
    # Rendering is what is measured: the public page cache would answer repeats from memory.
    settings.PAGE_CACHE_SECONDS = 0
    client = Client()
    article = models.Article.objects.select_related("issue__publication").get(
        slug="article-0", issue__slug="issue-0"
    )
    busiest = models.Person.objects.filter(slug="person-0").first() or models.Person.objects.first()
    pages = {
        "home": "/",
        "publications": "/publications/",
        "publication": article.issue.publication.get_absolute_url(),
        "issue": article.issue.get_absolute_url(),
        "article": article.get_absolute_url(),
        "people": "/people/",
        "person": busiest.get_absolute_url(),
        "organisations": "/organisations/",
        "places": "/places/",
        "place": models.Place.objects.first().get_absolute_url(),
        "timeline": "/timeline/",
        "event": models.Event.objects.first().get_absolute_url(),
        "search (rare)": "/search/?q=perestroika",
        "search (v. common)": "/search/?q=workers",
        # The API's lists in each order (each reads its first page from an index).
        "API articles": "/api/articles/",
        "API by -date": "/api/articles/?ordering=-date",
        "API by title": "/api/articles/?ordering=title",
        "API by -word_count": "/api/articles/?ordering=-word_count",
        "sitemap.xml": None,
    }
    print(f"\nPage render through Django, {n:,} articles ({repeat // 3} runs each, ms)")
    print(f"{'page':<20} {'p50':>7} {'p95':>7}")
    for name, url in pages.items():
        if url is None:
            continue
        for _ in range(2):
            assert client.get(url).status_code == 200, url
        t = []
        for _ in range(max(5, repeat // 3)):
            start = time.perf_counter()
            client.get(url)
            t.append((time.perf_counter() - start) * 1000)
        print(f"{name:<20} {statistics.median(t):>7.1f} {percentile(t, 0.95):>7.1f}")


if __name__ == "__main__":
    main()
