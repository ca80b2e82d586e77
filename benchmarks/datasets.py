"""Benchmark: building a data release against ``pg_dump`` of the same tables.

Run it against a throwaway PostgreSQL server (it fills the database it is given):

    scripts/with-postgres.sh .venv/bin/python benchmarks/datasets.py              # N = 100,000
    scripts/with-postgres.sh .venv/bin/python benchmarks/datasets.py --n 1000000 --runs 1

It migrates the database, fills it with N synthetic published articles (~1 KB of body text
each, in N/20 issues, half of them signed, one mention each; INSERT … SELECT over
generate_series, so filling is fast), then prints, as medians of ``--runs`` runs:

* wall time and peak RSS of ``manage.py build_dataset --force`` (a whole release: CSV and
  JSON Lines per resource, datapackage, checksums, zip), each run a fresh process;
* wall time and peak RSS of ``pg_dump --data-only`` of the same tables (plain SQL format, no
  compression: the database's own fastest dump of the rows);
* the ratio of the two times, and the release's size;
* with ``--restore``, also ``manage.py load_dataset --replace`` of the release built.

Peak RSS is the child process's ``ru_maxrss`` (the PostgreSQL server's own memory is not
counted for either side).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DEBUG", "false")

BATCH = 200_000
BODY = (
    "The risen people of Eastern Europe have shaken the Stalinist states; Wałęsa’s union "
    "and the strikers of Gdańsk demanded free trade unions, an end to censorship and "
    "bread at a price workers could pay. "
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="articles (default 100,000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--restore", action="store_true", help="also time load_dataset")
    args = parser.parse_args()
    if args.n < 20 or args.runs < 1:
        parser.error("--n must be at least 20 and --runs positive")
    return args


def fill(n: int) -> None:
    from django.db import connection

    from archive import models
    from benchmarks.synthetic import insert_people_and_authorships

    if models.Article.objects.count() >= n:
        print("Database already filled.")
        return
    started = time.perf_counter()
    publication = models.Publication.objects.create(
        title="Synthetic Weekly", slug="synthetic-weekly", status=models.Status.PUBLISHED,
        run="1970/1999",
    )  # fmt: skip
    issues = n // 20
    body = BODY * 5
    with connection.cursor() as cursor:
        # Benchmark data only: skip triggers (search index) and FK checks while filling.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            "INSERT INTO archive_issue (created, updated, status, published_at, curator_notes,"
            " publication_id, slug, volume, number, title, date, date_start, date_end,"
            " date_display, pages, source_document_id, notes)"
            " SELECT now(), now(), 'published', now(), '', %s, 'no-' || g, '', g::text, '',"
            " to_char(DATE '1970-01-01' + (g %% 10950), 'YYYY-MM'),"
            " date_trunc('month', DATE '1970-01-01' + (g %% 10950))::date,"
            " (date_trunc('month', DATE '1970-01-01' + (g %% 10950))"
            "  + interval '1 month - 1 day')::date, '', 8, NULL, ''"
            " FROM generate_series(1, %s) AS g",
            [publication.pk, issues],
        )
        cursor.execute("SELECT min(id) FROM archive_issue")
        first_issue = cursor.fetchone()[0]
        for start in range(0, n, BATCH):
            count = min(BATCH, n - start)
            cursor.execute(
                "INSERT INTO archive_article (created, updated, status, published_at,"
                " curator_notes, issue_id, position, slug, label, kind, title, subtitle, date,"
                " date_start, date_end, date_display, first_published_in_issue_id,"
                " first_published_in_publication_id, first_published_date,"
                " first_published_date_start, first_published_date_end, pages, body,"
                " raw_text, language, word_count, curator_edited_fields, effective_date,"
                " date_source)"
                " SELECT now(), now(), 'published', now(), '', %s + (g / 20), g %% 20 + 1,"
                " 'a-' || g, (g %% 20 + 1)::text, 'article',"
                " CASE g %% 3 WHEN 0 THEN 'Strikes, \"quoted\" and commas ' || g"
                " WHEN 1 THEN '=SUM(A' || g || ')' ELSE 'Wałęsa and Ceaușescu ' || g END,"
                " '', '', NULL, NULL, '', NULL, NULL, '', NULL, NULL, '',"
                " 'No. ' || g || E'.\\n\\n' || %s, '', 'en', 180, '[]'::jsonb,"
                " '', 'undated'"  # no dateline, no first publication: undated by the rule
                " FROM generate_series(%s, %s) AS g",
                [first_issue, body, start, start + count - 1],
            )
            print(f"  … {start + count:,} articles", flush=True)
        insert_people_and_authorships(cursor)
        cursor.execute(
            "INSERT INTO archive_mention (created, updated, article_id, person_id, count,"
            " first_offset, context, status) SELECT now(), now(), a.id,"
            " p.min_id + (a.id * 7) % 2000, 1 + a.id % 4, 10, 'Wałęsa’s union', 'confirmed'"
            " FROM archive_article a, (SELECT min(id) AS min_id FROM archive_person) p"
        )
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("ANALYZE")
    print(f"Filled {n:,} articles in {time.perf_counter() - started:.1f} s.")


def run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process run to the end.

    RSS comes from GNU time (``%M``): measured in the child after ``exec``, so the memory
    of this (Django-loaded) parent process is not counted for either side.
    """
    with tempfile.NamedTemporaryFile("r") as report:
        started = time.perf_counter()
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report.name, *command],
                       env=env, cwd=ROOT, stdout=subprocess.DEVNULL, check=True)  # fmt: skip
        elapsed = time.perf_counter() - started
        peak_kb = int(report.read().split()[-1])
    return elapsed, peak_kb / 1024


def main() -> None:
    args = parse_args()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from archive.exports.release import release_exporters

    if connection.vendor != "postgresql":
        raise SystemExit("Run under scripts/with-postgres.sh: this compares with pg_dump.")
    call_command("migrate", verbosity=0)
    fill(args.n)
    connection.close()

    root = Path(tempfile.mkdtemp(prefix="archive-bench-datasets-"))
    env = {**os.environ, "DATASET_ROOT": str(root)}
    python = sys.executable
    tables = [exporter.model._meta.db_table for exporter in release_exporters().values()]
    pg_dump = shutil.which("pg_dump", path=os.environ.get("PG_BINDIR", "") + os.pathsep
                           + os.environ.get("PATH", ""))  # fmt: skip
    if not pg_dump:
        raise SystemExit("pg_dump not found (set PG_BINDIR).")
    dump_file = root / "dump.sql"
    dump = [pg_dump, "--data-only", "--no-owner", "-f", str(dump_file),
            *[f"--table={t}" for t in tables], connection.settings_dict["NAME"]]  # fmt: skip
    build = [python, "manage.py", "build_dataset", "--force", "--keep", "1"]

    builds, dumps = [], []
    for _ in range(args.runs):
        builds.append(run(build, env))
        dumps.append(run(dump, env))
    release_dir = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))[-1]
    size = sum(p.stat().st_size for p in release_dir.iterdir())
    zip_size = sum(p.stat().st_size for p in release_dir.glob("*.zip"))

    build_time = statistics.median(t for t, _ in builds)
    build_rss = statistics.median(m for _, m in builds)
    dump_time = statistics.median(t for t, _ in dumps)
    dump_rss = statistics.median(m for _, m in dumps)
    print()
    print(f"N = {args.n:,} articles, {args.runs} run(s), medians; "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")  # fmt: skip
    print(f"{'':28} {'time':>9} {'peak RSS':>10}")
    print(f"{'build_dataset (release)':28} {build_time:8.2f}s {build_rss:8.1f}MB")
    print(f"{'pg_dump --data-only':28} {dump_time:8.2f}s {dump_rss:8.1f}MB")
    print(f"ratio build / pg_dump: {build_time / dump_time:.2f}×")
    print(f"release: {size / 1e6:.1f} MB on disk (zip {zip_size / 1e6:.1f} MB); "
          f"pg_dump: {dump_file.stat().st_size / 1e6:.1f} MB")  # fmt: skip
    if args.restore:
        load = [python, "manage.py", "load_dataset", str(release_dir), "--replace"]
        loads = [run(load, env) for _ in range(args.runs)]
        print(f"{'load_dataset --replace':28} {statistics.median(t for t, _ in loads):8.2f}s "
              f"{statistics.median(m for _, m in loads):8.1f}MB")  # fmt: skip
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
