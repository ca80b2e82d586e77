"""Benchmark: the API's CSV and JSON Lines downloads against a raw PostgreSQL COPY.

Run it against a throwaway PostgreSQL server (it fills the database it is given):

    scripts/with-postgres.sh .venv/bin/python benchmarks/exports.py            # N = 1,000,000
    scripts/with-postgres.sh .venv/bin/python benchmarks/exports.py --n 100000

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
* time to the first byte of filtered exports (one person, one organisation, one year, one
  decade; target < 100 ms), medians over HTTP, and whether each plan is served by indexes
  (``EXPLAIN`` of the export's query: index scans on the mention targets and the effective
  date bounds, no sequential scan of the article table).
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


def export_sql() -> dict[str, tuple[str, tuple]]:
    """The COPY statements the API runs for an unfiltered article download."""
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

    return {
        "csv": copy_sql("_copy_csv_sql"),
        "jsonl": copy_sql("_copy_jsonl_sql"),
        "table": ("COPY archive_article TO STDOUT WITH (FORMAT csv)", ()),
        "csv_correlated": copy_sql("_copy_csv_sql", pre_aggregate=False),
        "csv_full": copy_sql("_copy_csv_sql", full_text=True),
    }


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


def filtered_paths() -> dict[str, str]:
    """A person's, an organisation's, a year's and a decade's articles as CSV."""
    from archive.models import Organisation, Person

    person = Person.objects.public().order_by("pk").values_list("slug", flat=True)[7]
    organisation = Organisation.objects.public().order_by("pk").values_list("slug", flat=True)[3]
    return {
        f"one person ({person})": f"/api/articles/?format=csv&person={person}",
        f"one organisation ({organisation})": (
            f"/api/articles/?format=csv&organisation={organisation}"
        ),
        "one year (1989)": "/api/articles/?format=csv&year=1989",
        "one decade (1980s)": "/api/articles/?format=csv&decade=1980s",
    }


def plan_summary(path: str) -> str:
    """How PostgreSQL runs the export behind ``path``: the index scans, and whether the
    article table is read whole (a sequential scan)."""
    import json
    from urllib.parse import parse_qs, urlsplit

    from django.db import connection
    from django.http import QueryDict

    from archive.api.filters import ArticleFilterSet
    from archive.api.views import ArticleViewSet
    from archive.exports import ArticleExporter

    query = {k: v for k, v in parse_qs(urlsplit(path).query).items() if k != "format"}
    data = QueryDict(mutable=True)
    for key, values in query.items():
        data.setlist(key, values)
    queryset = ArticleFilterSet(data=data, queryset=ArticleViewSet().get_queryset()).qs
    exporter = ArticleExporter()
    values = exporter.values_queryset(queryset, grouped_as_null=True)
    inner, params = exporter._inner_sql(values)
    joins, join_params = exporter._grouped_joins(values, queryset)
    sql = f"SELECT * FROM ({inner}) AS export{joins}"
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", (*params, *join_params))
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
    article_scans = sorted({s for s in scans if "archive_article " in s or "mention" in s})
    return ("SEQ SCAN of articles; " if whole else "indexed; ") + ", ".join(article_scans)


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


def main() -> None:
    args = parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Run under scripts/with-postgres.sh: this benchmark needs PostgreSQL.")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    fill(args.n)
    from archive.models import Article

    rows = Article.objects.public().count()
    statements = export_sql()
    port = args.port or free_port()
    server = start_server(port)
    try:
        worker = worker_pid(server.pid)
        time_http(port, "/api/articles/?page_size=1")  # warm the worker
        measured: dict[str, tuple[float, int, int]] = {}
        peaks: dict[str, float] = {}
        lines: dict[str, int] = {}
        timed = time_curl if shutil.which("curl") else time_http
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
        filtered = {
            label: (statistics.median(first_byte(port, path) for _ in range(max(args.runs, 5))),
                    plan_summary(path))
            for label, path in filtered_paths().items()
        }  # fmt: skip
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    base = measured["copy_csv"][0]
    print()
    print(f"Export benchmark: {rows:,} published articles, median of {args.runs} runs")
    print(f"PostgreSQL via psycopg, gunicorn 1 sync worker on 127.0.0.1, "
          f"Python {platform.python_version()}, {os.cpu_count()} CPUs")  # fmt: skip
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
    grouped_ratio = measured["copy_csv"][0] / measured["copy_csv_correlated"][0]
    print(f"Full-text CSV / COPY table: {full_ratio:.2f}×  (target ≤ 1.3×)")
    print(f"Pre-aggregated / per row:   {grouped_ratio:.2f}×  (the export SQL, raw COPY)")
    print(f"Server peak RSS:            {max(peaks.values()):.0f} MB  (target < 150 MB)")
    print()
    print(f"{'filtered export (CSV)':<44}{'first byte':>11}  plan")
    for label, (seconds, plan) in filtered.items():
        print(f"{label:<44}{seconds * 1000:>8.0f} ms  {plan}")
    print(f"HTTP client:                {timed.__name__.removeprefix('time_')}")
    if lines["csv"] - 1 != rows or lines["jsonl"] != rows:
        print(f"WARNING: downloads had {lines['csv'] - 1:,} CSV / {lines['jsonl']:,} JSON "
              f"Lines rows for {rows:,} articles")  # fmt: skip


if __name__ == "__main__":
    main()
