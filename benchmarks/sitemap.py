"""Benchmark: the sitemap index and its pages on an existing database, read only.

    DATABASE_URL=postgres://… .venv/bin/python benchmarks/sitemap.py [--runs 3]

Times the views themselves (no page cache): ``/sitemap.xml``, then the first and last page
of every record section, and prints the median of ``--runs`` runs, the size of each answer
and its number of URLs. The session is set read only, so it never writes to the database it
measures (point it at a copy with as many articles as you want figures for).

At 1,000,000 articles (20,000 issues, 2,000 people) on PostgreSQL 15, 2 cores shared with
another benchmark: the index 0.17 s (27 pages); a page of 50,000 articles 1.7-1.8 s (6 MB),
the first as the last (pk ranges, no OFFSET); the 20,000 issues 0.55 s. The same page through
Django's ``views.sitemap`` with model instances took 21 s (``reverse()`` per URL, the template
engine), so the single file of every URL that ``/sitemap.xml`` used to be would take about
seven minutes (extrapolated, not run).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


def timed(function, runs: int):
    times, response = [], None
    for _ in range(runs):
        start = time.perf_counter()
        response = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs

    import django

    django.setup()
    from django.db import connection
    from django.test import RequestFactory

    from archive.views.sitemaps import SECTIONS, sitemap_index, sitemap_section

    with connection.cursor() as cursor:
        cursor.execute("SET default_transaction_read_only = on")
    requests = RequestFactory(HTTP_HOST="127.0.0.1")

    def report(label: str, seconds: float, response) -> None:
        urls = response.content.count(b"<loc>")
        size = len(response.content) / 1e6
        print(f"{label:<36} {seconds * 1000:>8.0f} ms {size:>6.2f} MB {urls:>7,} locations")

    seconds, response = timed(lambda: sitemap_index(requests.get("/sitemap.xml")), runs)
    report("/sitemap.xml", seconds, response)
    for section, sitemap_class in SECTIONS.items():
        last = sitemap_class().paginator.num_pages
        for number in sorted({1, last}):
            path = f"/sitemap-{section}.xml?p={number}"
            request = requests.get(f"/sitemap-{section}.xml", {"p": number})
            seconds, response = timed(lambda r=request, s=section: sitemap_section(r, s), runs)
            report(path, seconds, response)


if __name__ == "__main__":
    main()
