"""Benchmark: the API's CSV and JSON Lines downloads against a raw PostgreSQL COPY.

Run it against a throwaway PostgreSQL server (it fills the database it is given):

    scripts/with-postgres.sh .venv/bin/python benchmarks/exports.py            # N = 1,000,000
    scripts/with-postgres.sh .venv/bin/python benchmarks/exports.py --n 100000

or against a database that is already filled and migrated (the search benchmark's, for
instance), measuring only what is asked:

    DATABASE_URL=postgres://… DJANGO_SETTINGS_MODULE=config.settings.test \
        .venv/bin/python benchmarks/exports.py --existing --skip full --runs 7

It migrates the database, fills it with N synthetic published articles (INSERT … SELECT over
generate_series, so filling is fast), starts the app under gunicorn on 127.0.0.1 (one sync
worker), then prints in one table, as medians of ``--runs`` runs:

* rows/s of ``GET /api/articles/?format=csv`` and ``?format=jsonl`` downloaded over HTTP by
  curl (one more untimed download checks that every row arrives);
* rows/s of a raw psycopg ``COPY (…) TO STDOUT`` of the same rows (the same SQL the exporter
  builds from the list's filtered queryset), and of ``COPY archive_article`` for reference;
* the ratios export time / COPY time (targets: CSV ≤ 1.5×, JSON Lines ≤ 2.5×);
* the CSV with full text (``full_text=true``) against a raw ``COPY archive_article`` (the
  whole table, bodies included; target ≤ 1.3×);
* the export SQL with a subquery per row for the many-valued columns (author ids and names)
  against the pre-aggregated joins the exporter runs (issue #14), as raw COPYs;
* the peak RSS (VmHWM) of the gunicorn worker during each kind of download (target < 150 MB);
* time to the first byte of filtered exports (one person, organisation, place, year,
  decade, two months, one publication; CSV, JSON Lines and CSV with full text; target
  < 100 ms), medians of ``--runs`` (at least 7) over HTTP, the rows each keeps, and how
  PostgreSQL finds them (``EXPLAIN`` of the filtered ids: index scans on the mention
  targets and the effective date range, or a sequential scan of the article table).

``--existing`` uses the database as it is (no migration, no fill; it must be migrated);
``--skip full`` leaves out the whole-table downloads (minutes at 1,000,000 rows),
``--skip filtered`` the first bytes, ``--skip correlated`` the per-row subquery COPY.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("API_ANON_THROTTLE", "100000/min")

BATCH = 200_000
#: Organisations the synthetic articles mention (every fourth article mentions one).
ORGANISATIONS = 50
#: A realistic body: ~2,500 characters of prose, with the seed's awkward characters.
BODY = (
    "Wałęsa spoke to the workers of Gdańsk about Solidarność; the shipyard committee "
    "answered that “the strike goes on”, and Trotsky’s heirs argued over what followed. "
) * 15
#: The effective date and dateline of synthetic article ``{i}``: a day in 1970–1999.
_DAY = "(DATE '1970-01-01' + (({i}) * 7919 %% 10950))"
DATED = {
    "date": f"to_char({_DAY}, 'YYYY-MM-DD')",
    "date_start": _DAY,
    "date_end": _DAY,
    "effective_date": f"to_char({_DAY}, 'YYYY-MM-DD')",
    "effective_date_start": _DAY,
    "effective_date_end": _DAY,
    "date_source": "'dateline'",
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="articles (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: free)")
    parser.add_argument(
        "--existing", action="store_true",
        help="use the database as it is: no migration, no fill (it must be migrated)",
    )  # fmt: skip
    parser.add_argument(
        "--skip", action="append", default=[], choices=("full", "filtered", "correlated"),
        help="leave out whole-table downloads, filtered first bytes or the per-row COPY",
    )  # fmt: skip
    args = parser.parse_args()
    if args.n < 1 or args.runs < 1:
        parser.error("--n and --runs must be positive")
    return args


# -- filling the database ------------------------------------------------------------------------


def fill(n: int) -> None:
    """N published articles in N/20 issues, ~half signed by one of 2,000 people."""
    from django.db import connection

    from archive import models
    from benchmarks.synthetic import insert_people_and_authorships

    existing = models.Article.objects.public().count()
    if existing >= n:
        print(f"Database already holds {existing:,} published articles.")
        return
    started = time.perf_counter()
    publication = models.Publication.objects.create(
        title="Synthetic Weekly", slug="synthetic-weekly", status=models.Status.PUBLISHED,
        run="1970/1999",
    )  # fmt: skip
    template_issue = models.Issue.objects.create(
        publication=publication, number="0", slug="no-0", date="1980-01",
        status=models.Status.PUBLISHED,
    )  # fmt: skip
    template_article = models.Article.objects.create(
        issue=template_issue, position=1, slug="template", title="Template",
        body=BODY, date="1980-01-15", status=models.Status.PUBLISHED,
    )  # fmt: skip
    organisations = [
        models.Organisation.objects.create(
            name=f"Organisation {i}", slug=f"organisation-{i}", status=models.Status.PUBLISHED
        )
        for i in range(ORGANISATIONS)
    ]
    issues = max(1, n // 20)
    with connection.cursor() as cursor:
        # Benchmark data only: skip triggers (search index) and FK checks while filling.
        cursor.execute("SET session_replication_role = replica")
        copy_rows(
            cursor, models.Issue, template_issue.pk, issues,
            {
                "number": "(g + 1)::text",
                "slug": "'no-' || (g + 1)",
                "date": "to_char(DATE '1970-01-01' + (g %% 10950), 'YYYY-MM')",
                "date_start": "date_trunc('month', DATE '1970-01-01' + (g %% 10950))::date",
                "date_end": "(date_trunc('month', DATE '1970-01-01' + (g %% 10950))"
                " + interval '1 month - 1 day')::date",
            },
        )  # fmt: skip
        first_issue = models.Issue.objects.exclude(pk=template_issue.pk).order_by("pk").first().pk
        titles = (
            "CASE {i} %% 5 WHEN 0 THEN 'Strikes, \"quoted\" and commas ' || {i} "
            "WHEN 1 THEN '=SUM(A' || {i} || ')' WHEN 2 THEN 'Wałęsa and Ceaușescu ' || {i} "
            "ELSE 'Article number ' || {i} END"
        )
        for start in range(0, n, BATCH):
            count = min(BATCH, n - start)
            copy_rows(
                cursor, models.Article, template_article.pk, count,
                {
                    "issue_id": f"{first_issue} + ((g + {start}) / 20) %% {issues}",
                    "position": f"(g + {start}) %% 20 + 1",
                    "slug": f"'a-' || (g + {start})",
                    "title": titles.format(i=f"(g + {start})"),
                    # A dateline spread over 30 years, not in id order (as a real archive
                    # gathered out of order), so date filters cannot ride the id order.
                    **{
                        column: day.format(i=f"(g + {start})")
                        for column, day in DATED.items()
                    },
                    "word_count": f"100 + (g + {start}) %% 900",
                },
            )  # fmt: skip
            print(f"  … {start + count:,} articles", flush=True)
        insert_people_and_authorships(cursor)
        # Every article mentions one of the people; every fourth one organisation.
        cursor.execute(
            "INSERT INTO archive_mention (created, updated, article_id, person_id, count,"
            " first_offset, context, status) SELECT now(), now(), a.id,"
            " p.min_id + a.id %% %s, 1, 0, '', 'confirmed' FROM archive_article a,"
            " (SELECT min(id) AS min_id FROM archive_person) p",
            [2000],
        )
        cursor.execute(
            "INSERT INTO archive_mention (created, updated, article_id, organisation_id,"
            " count, first_offset, context, status) SELECT now(), now(), a.id, %s + a.id %% %s,"
            " 1, 0, '', 'confirmed' FROM archive_article a WHERE a.id %% 4 = 0",
            [organisations[0].pk, ORGANISATIONS],
        )
        # The templates themselves are not part of the N rows.
        cursor.execute("DELETE FROM archive_article WHERE id = %s", [template_article.pk])
        cursor.execute("DELETE FROM archive_issue WHERE id = %s", [template_issue.pk])
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("ANALYZE")
    print(f"Filled {n:,} articles in {time.perf_counter() - started:.1f} s.")


def copy_rows(cursor, model, template_pk: int, count: int, overrides: dict[str, str]) -> None:
    """INSERT … SELECT ``count`` copies of a template row, overriding some columns."""
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    select = [overrides.get(c, f't."{c}"') for c in columns]
    names = ", ".join(f'"{c}"' for c in columns)
    cursor.execute(
        f"INSERT INTO {model._meta.db_table} ({names}) "
        f"SELECT {', '.join(select)} FROM {model._meta.db_table} t, "
        f"generate_series(0, {count - 1}) AS g WHERE t.id = %s",
        [template_pk],
    )


# -- measuring ------------------------------------------------------------------------------------


def export_sql(correlated: bool = True) -> dict[str, tuple[str, tuple]]:
    """The COPY statements of an unfiltered article download, each as one statement (the
    API runs the same SQL one span of ids at a time)."""
    from django.http import QueryDict

    from archive.api.filters import ArticleFilterSet
    from archive.api.views import ArticleViewSet
    from archive.exports import ArticleExporter

    queryset = ArticleFilterSet(data=QueryDict(), queryset=ArticleViewSet().get_queryset()).qs

    def copy_sql(build: str, **options) -> tuple[str, tuple]:
        exporter = ArticleExporter(**options)
        values = exporter.values_queryset(queryset, grouped_as_null=exporter.pre_aggregate)
        inner, params = exporter._inner_sql(values)
        joins, join_params = exporter._grouped_joins(values, queryset)
        return getattr(exporter, build)(inner, joins), (*params, *join_params)

    statements = {
        "csv": copy_sql("_copy_csv_sql"),
        "jsonl": copy_sql("_copy_jsonl_sql"),
        "table": ("COPY archive_article TO STDOUT WITH (FORMAT csv)", ()),
        "csv_correlated": copy_sql("_copy_csv_sql", pre_aggregate=False),
        "csv_full": copy_sql("_copy_csv_sql", full_text=True),
    }
    if not correlated:
        del statements["csv_correlated"]
    return statements


def time_copy(sql: str, params: tuple) -> tuple[float, int, int]:
    """Seconds, bytes and lines of a raw psycopg COPY read to the end."""
    import psycopg
    from django.db import connection

    settings = connection.settings_dict
    conninfo = psycopg.conninfo.make_conninfo(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"],
        port=settings["PORT"] or None, password=settings["PASSWORD"] or None,
    )  # fmt: skip
    size = lines = 0
    with psycopg.connect(conninfo) as conn, conn.cursor() as cursor:
        cursor.execute("SET jit = off")  # as the exporter does: same SQL, same settings
        started = time.perf_counter()
        with cursor.copy(sql, params or None) as copy:
            for data in copy:
                size += len(data)
                lines += 1
        elapsed = time.perf_counter() - started
    return elapsed, size, lines


def time_curl(port: int, path: str) -> tuple[float, int, int]:
    """Seconds and bytes of a GET downloaded by curl to /dev/null, as a researcher would.

    curl reads at C speed, so the figure is the server's, not a Python client's."""
    started = time.perf_counter()
    result = subprocess.run(
        ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
         f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    status, size = result.stdout.split()
    if status != "200":
        raise SystemExit(f"GET {path} answered {status}")
    return elapsed, int(size), -1


def time_http(port: int, path: str) -> tuple[float, int, int]:
    """Seconds, bytes and lines of a GET read to the end (Python client; counts lines)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
    size = lines = 0
    started = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    if response.status != 200:
        raise SystemExit(f"GET {path} answered {response.status}: {response.read()[:500]!r}")
    while chunk := response.read(1 << 20):
        size += len(chunk)
        lines += chunk.count(b"\n")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed, size, lines


def first_byte(port: int, path: str) -> float:
    """Seconds from sending a GET to reading the first byte of its body (then hang up)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    response.read(1)
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise SystemExit(f"GET {path} answered {response.status}")
    connection.close()
    return elapsed


#: The downloads whose first byte is timed for each filter.
FILTERED_FORMATS = {"CSV": "format=csv", "JSONL": "format=jsonl", "CSV+text": "format=csv&full_text=true"}  # fmt: skip  # noqa: E501


def filtered_filters() -> dict[str, str]:
    """One person, organisation, place, year, decade, two months and publication, as the
    query string of ``/api/articles/`` (records picked by id order, as the fills make them)."""
    from archive.models import Organisation, Person, Place, Publication

    def slug(model, n: int) -> str | None:
        slugs = list(model.objects.public().order_by("pk").values_list("slug", flat=True)[: n + 1])
        return slugs[min(n, len(slugs) - 1)] if slugs else None

    filters = {
        f"person ({slug(Person, 7)})": f"person={slug(Person, 7)}",
        f"organisation ({slug(Organisation, 3)})": f"organisation={slug(Organisation, 3)}",
        f"place ({slug(Place, 3)})": f"place={slug(Place, 3)}",
        "year 1989": "year=1989",
        "decade 1980s": "decade=1980s",
        "1989-11 to 1989-12": "date_after=1989-11&date_before=1989-12",
        f"publication ({slug(Publication, 0)})": f"publication={slug(Publication, 0)}",
    }
    return {label: query for label, query in filters.items() if "=None" not in query}


def filtered_queryset(query: str):
    """The filtered article list the API builds from ``query`` (no format parameters)."""
    from urllib.parse import parse_qs

    from django.http import QueryDict

    from archive.api.filters import ArticleFilterSet
    from archive.api.views import ArticleViewSet

    data = QueryDict(mutable=True)
    for key, values in parse_qs(query).items():
        data.setlist(key, values)
    return ArticleFilterSet(data=data, queryset=ArticleViewSet().get_queryset()).qs


def plan_summary(query: str) -> str:
    """How PostgreSQL finds the rows of the filtered list ``query`` (``EXPLAIN`` of their
    ids): the index scans, and whether the article table is read whole (a sequential scan).
    The export runs the same conditions one span of ids at a time."""
    import json

    from django.db import connection

    keys = filtered_queryset(query).order_by("pk").values("pk")
    sql, params = keys.query.get_compiler(using=keys.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    scans: list[str] = []

    def walk(node: dict) -> None:
        kind = node.get("Node Type", "")
        if "Scan" in kind and node.get("Relation Name"):
            index = node.get("Index Name")
            scans.append(f"{kind} {node['Relation Name']}" + (f" ({index})" if index else ""))
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    whole = any(s.startswith("Seq Scan archive_article") for s in scans)
    article_scans = sorted(
        {s for s in scans if s.split(" (")[0].endswith(("archive_article", "archive_mention"))}
    )
    return ("SEQ SCAN of articles: " if whole else "indexed: ") + ", ".join(article_scans)


def filtered_rows(query: str) -> int:
    return filtered_queryset(query).count()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def worker_pid(master: int) -> int:
    for _ in range(100):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise SystemExit("gunicorn started no worker")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_server(port: int) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", "1", "--worker-class", "sync",
        "--timeout", "3600", "--log-level", "warning", "--chdir", str(ROOT),
    ]  # fmt: skip
    server = subprocess.Popen(command, env={**os.environ})
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


def median(results: list[tuple[float, int, int]]) -> tuple[float, int, int]:
    return statistics.median(r[0] for r in results), results[0][1], results[0][2]


def check_migrated() -> None:
    """``--existing``: refuse a database with migrations still to apply (one clear line)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in pending)
        raise SystemExit(f"--existing: the database needs migrating first ({names}).")


def main() -> None:
    args = parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Run under scripts/with-postgres.sh: this benchmark needs PostgreSQL.")
    import django

    django.setup()
    from django.core.management import call_command

    if args.existing:
        check_migrated()
    else:
        call_command("migrate", verbosity=0)
        fill(args.n)
    from archive.models import Article

    load_before = os.getloadavg()
    rows = Article.objects.public().count()
    full = "full" not in args.skip
    statements = export_sql(correlated="correlated" not in args.skip) if full else {}
    filters = filtered_filters() if "filtered" not in args.skip else {}
    port = args.port or free_port()
    server = start_server(port)
    measured: dict[str, tuple[float, int, int]] = {}
    peaks: dict[str, float] = {}
    lines: dict[str, int] = {}
    first_bytes: dict[tuple[str, str], float] = {}
    timed = time_curl if shutil.which("curl") else time_http
    try:
        worker = worker_pid(server.pid)
        time_http(port, "/api/articles/?page_size=1")  # warm the worker
        if full:
            for fmt in ("csv", "jsonl"):
                # One untimed download per format checks that every row arrives.
                lines[fmt] = time_http(port, f"/api/articles/?format={fmt}")[2]
            # Rounds interleave the exports with their baselines, so a busy neighbour on a
            # shared machine slows both sides of a ratio rather than one.
            results: dict[str, list[tuple[float, int, int]]] = {}
            for _ in range(args.runs):
                for name, (sql, params) in statements.items():
                    results.setdefault(f"copy_{name}", []).append(time_copy(sql, params))
                    if name in ("csv", "jsonl"):
                        path = f"/api/articles/?format={name}"
                        results.setdefault(f"http_{name}", []).append(timed(port, path))
                        peaks[name] = max(peaks.get(name, 0.0), peak_rss_mb(worker))
                path = "/api/articles/?format=csv&full_text=true"
                results.setdefault("http_full", []).append(timed(port, path))
                peaks["full"] = max(peaks.get("full", 0.0), peak_rss_mb(worker))
            measured = {key: median(values) for key, values in results.items()}
        # First bytes: rounds again interleave every filter and format.
        samples: dict[tuple[str, str], list[float]] = {}
        for _ in range(max(args.runs, 7) if filters else 0):
            for label, query in filters.items():
                for fmt, fmt_query in FILTERED_FORMATS.items():
                    path = f"/api/articles/?{fmt_query}&{query}"
                    samples.setdefault((label, fmt), []).append(first_byte(port, path))
        first_bytes = {key: statistics.median(values) for key, values in samples.items()}
        if filters:
            peaks["filtered"] = peak_rss_mb(worker)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    load_after = os.getloadavg()

    print()
    print(f"Export benchmark: {rows:,} published articles, median of {args.runs} runs")
    print(f"PostgreSQL via psycopg, gunicorn 1 sync worker on 127.0.0.1, "
          f"Python {platform.python_version()}, {os.cpu_count()} CPUs")  # fmt: skip
    print(f"Load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
          f"(1 minute; {load_after[1]:.2f} over 5 minutes)")  # fmt: skip
    if full:
        print_full(rows, measured, peaks, lines, timed)
    if filters:
        print_filtered(filters, first_bytes, max(args.runs, 7), peaks)


def print_full(rows: int, measured: dict, peaks: dict, lines: dict, timed) -> None:
    base = measured["copy_csv"][0]
    print()
    header = (
        f"{'measurement':<44}{'seconds':>9}{'rows/s':>12}{'MB':>9}{'× COPY':>9}{'peak RSS':>11}"
    )
    print(header)
    print("-" * len(header))
    labels = {
        "copy_csv": "raw COPY, same rows, CSV (baseline)",
        "copy_jsonl": "raw COPY, same rows, JSON Lines",
        "copy_table": "raw COPY archive_article (all columns)",
        "http_csv": "API GET ?format=csv over HTTP",
        "http_jsonl": "API GET ?format=jsonl over HTTP",
        "copy_csv_correlated": "raw COPY, CSV, a subquery per row (before)",
        "copy_csv_full": "raw COPY, CSV with full text",
        "http_full": "API GET ?format=csv&full_text=true",
    }
    for key, label in labels.items():
        if key not in measured:
            continue
        seconds, size, _lines = measured[key]
        fmt = key.split("_")[1]
        rss = f"{peaks[fmt]:.0f} MB" if key.startswith("http") else ""
        print(f"{label:<44}{seconds:>9.2f}{rows / seconds:>12,.0f}{size / 1e6:>9.1f}"
              f"{seconds / base:>8.2f}×{rss:>11}")  # fmt: skip
    csv_ratio = measured["http_csv"][0] / base
    jsonl_ratio = measured["http_jsonl"][0] / base
    jsonl_own = measured["http_jsonl"][0] / measured["copy_jsonl"][0]
    print()
    print(f"CSV export / COPY:          {csv_ratio:.2f}×  (target ≤ 1.5×)")
    print(f"JSON Lines export / COPY:   {jsonl_ratio:.2f}×  (target ≤ 2.5×; "
          f"{jsonl_own:.2f}× its own JSON COPY)")  # fmt: skip
    full_ratio = measured["http_full"][0] / measured["copy_table"][0]
    print(f"Full-text CSV / COPY table: {full_ratio:.2f}×  (target ≤ 1.3×)")
    if "copy_csv_correlated" in measured:
        grouped_ratio = measured["copy_csv"][0] / measured["copy_csv_correlated"][0]
        print(f"Pre-aggregated / per row:   {grouped_ratio:.2f}×  (the export SQL, raw COPY)")
    print(f"Server peak RSS:            {max(peaks.values()):.0f} MB  (target < 150 MB)")
    print(f"HTTP client:                {timed.__name__.removeprefix('time_')}")
    if lines["csv"] - 1 != rows or lines["jsonl"] != rows:
        print(f"WARNING: downloads had {lines['csv'] - 1:,} CSV / {lines['jsonl']:,} JSON "
              f"Lines rows for {rows:,} articles")  # fmt: skip


def print_filtered(filters: dict, first_bytes: dict, runs: int, peaks: dict) -> None:
    print()
    print(f"Time to the first byte of filtered exports over HTTP, median of {runs} "
          f"(target < 100 ms); worker peak RSS {peaks['filtered']:.0f} MB")  # fmt: skip
    formats = list(FILTERED_FORMATS)
    header = f"{'filter':<36}{'rows':>9}" + "".join(f"{f:>10}" for f in formats) + "  plan"
    print(header)
    print("-" * len(header))
    for label, query in filters.items():
        cells = "".join(f"{first_bytes[(label, f)] * 1000:>7.0f} ms" for f in formats)
        print(f"{label:<36}{filtered_rows(query):>9,}{cells}  {plan_summary(query)}")


if __name__ == "__main__":
    main()
