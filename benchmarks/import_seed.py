"""Time the text importer's pure stages on the seed pamphlet and print what they find.

Run: .venv/bin/python benchmarks/import_seed.py  (no database needed; entity names come
from fixtures/sources/catalogue.json).
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive.importers.linking import (  # noqa: E402
    NameEntry,
    NameIndex,
    Target,
    find_candidates,
    find_mentions,
    summarise,
)
from archive.importers.repairs import DocumentContext, repair_unit, replay  # noqa: E402
from archive.importers.text import parse_document  # noqa: E402

SOURCES = ROOT / "fixtures" / "sources"


def catalogue_index() -> NameIndex:
    data = json.loads((SOURCES / "catalogue.json").read_text(encoding="utf-8"))
    entries = []
    for key, type_ in (
        ("people", "person"),
        ("organisations", "organisation"),
        ("places", "place"),
    ):
        for n, record in enumerate(data.get(key, []), start=1):
            target = Target(type_, n)
            names = [record["name"], *(a["name"] for a in record.get("aliases", []))]
            if record.get("acronym"):
                names.append(record["acronym"])
            entries += [NameEntry(name, target, record["name"]) for name in names]
    return NameIndex(entries)


def main() -> None:
    text = (SOURCES / "workers-liberty-1989-1991-pamphlet.txt").read_text(encoding="utf-8")
    runs = 3
    timings: dict[str, float] = Counter()
    for _ in range(runs):
        t0 = time.perf_counter()
        document = parse_document(text)
        t1 = time.perf_counter()
        context = DocumentContext(text)
        results = [(unit, repair_unit(unit, context)) for unit in document.units]
        t2 = time.perf_counter()
        index = catalogue_index()
        t3 = time.perf_counter()
        links = [summarise(find_mentions(r.body, index), r.body, index) for _, r in results]
        candidates = Counter()
        for _, r in results:
            candidates.update(dict(find_candidates(r.body, find_mentions(r.body, index))))
        t4 = time.perf_counter()
        timings["parse"] += t1 - t0
        timings["repair"] += t2 - t1
        timings["index"] += t3 - t2
        timings["link"] += t4 - t3
    assert all(replay(r.body, r.repairs) == u.raw_text for u, r in results)
    kinds = Counter((rep.kind, rep.status) for _, r in results for rep in r.repairs)
    print(f"source: {len(text):,} characters, {len(text.splitlines()):,} lines")
    print(f"units: {len(document.units)}")
    for kind, status in sorted(kinds):
        print(f"  repairs {kind:<14} {status:<8} {kinds[(kind, status)]:>5}")
    flagged = sum(1 for summaries in links for s in summaries if s.flagged)
    linked = sum(1 for summaries in links for s in summaries if not s.flagged)
    print(f"names in index: {len(index)}; mentions linked: {linked}, flagged: {flagged}")
    print(f"candidate names: {len(candidates)}")
    for stage, seconds in timings.items():
        print(f"time {stage:<7} {seconds / runs * 1000:8.1f} ms (mean of {runs})")


if __name__ == "__main__":
    main()
