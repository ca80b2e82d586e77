#!/usr/bin/env python3
"""Kill an import or a dataset build with SIGKILL at random moments; prove nothing changed.

    .venv/bin/python scripts/faults/sigkill.py [--runs 20] [--seed N] [--json FILE]
                                               [--scenario import|build|both]

Sets up a scratch archive in a temporary folder (SQLite database + downloads folder):
migrate, load the seed collection, build a first data release. Then for each scenario:

1. time one complete run (then restore the scratch archive to its starting state);
2. ``--runs`` times: fork a child that runs the command (``import_text`` of the seed
   pamphlet into a new issue, or ``build_dataset --force``), SIGKILL it after a random delay
   drawn uniformly from [0, duration of a complete run], and compare the database (every
   table, every row) and the downloads folder (every visible file's SHA-256) with the
   starting state. A kill that lands after the commit (or the release folder's rename into
   place) but before the process exits leaves the *complete* change: that is accepted and
   counted separately when the row counts and file names equal those of a complete run and
   every release folder matches its SHA256SUMS. Anything else (a partial change) fails.
   Kills that land after the child exited are counted as "exited before the kill", the state
   is restored, and they do not count towards ``--runs``;
3. one final complete run, to show that a killed run leaves nothing in the way (no stale
   lock, no half-written release that blocks the next build).

Hidden ``.tmp-*`` folders a killed build leaves beside the releases are never listed or
served; they are reported, and the final complete build must remove them.
Children are forked from an already set-up Django so each run costs only its own work.
Exit status 0 when every killed run left the state exactly as it was.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "fixtures" / "sources" / "workers-liberty-1989-1991-pamphlet.txt"


def setup_django(workdir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'archive.sqlite3'}"
    os.environ["DATASET_ROOT"] = str(workdir / "downloads")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def database_digest() -> dict[str, str]:
    """SHA-256 of every table's rows in primary-key order (a logical dump, table by table)."""
    from django.db import connection

    digests = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(include_views=False)):
            cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')
            digest = hashlib.sha256()
            for row in cursor.fetchall():
                digest.update(repr(row).encode())
            digests[table] = digest.hexdigest()
    connection.close()
    return digests


def downloads_digest(root: Path) -> tuple[dict[str, str], list[str]]:
    """(visible file -> SHA-256, hidden leftovers) of the downloads folder."""
    files, hidden = {}, []
    if not root.exists():
        return files, hidden
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            if len(rel.parts) == 1 and rel.name != ".build.lock":
                hidden.append(rel.name)
            continue
        files[str(rel)] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "/"
    return files, hidden


def table_counts() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        counts = {}
        for table in sorted(connection.introspection.table_names(include_views=False)):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    connection.close()
    return counts


def releases_verify(root: Path) -> bool:
    """Every release folder's files match its SHA256SUMS (a release is whole or absent)."""
    for sums in root.glob("*/SHA256SUMS"):
        for line in sums.read_text().splitlines():
            digest, name = line.split(maxsplit=1)
            path = sums.parent / name.lstrip("*")
            if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
                return False
    return True


class Scratch:
    """The scratch archive's state: snapshot, compare, restore."""

    def __init__(self, workdir: Path) -> None:
        self.db = workdir / "archive.sqlite3"
        self.downloads = workdir / "downloads"
        self.saved = workdir / "saved"

    def save(self) -> None:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(self.saved, ignore_errors=True)
        self.saved.mkdir()
        shutil.copy2(self.db, self.saved / "archive.sqlite3")
        shutil.copytree(self.downloads, self.saved / "downloads")
        self.baseline = self.state()

    def restore(self) -> None:
        from django.db import connections

        connections.close_all()
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{self.db}{suffix}").unlink(missing_ok=True)
        shutil.copy2(self.saved / "archive.sqlite3", self.db)
        shutil.rmtree(self.downloads)
        shutil.copytree(self.saved / "downloads", self.downloads)

    def state(self) -> dict:
        files, _hidden = downloads_digest(self.downloads)
        return {"database": database_digest(), "downloads": files}

    def shape(self) -> dict:
        """Row counts and file names: equal for two complete runs, unlike timestamps."""
        files, _hidden = downloads_digest(self.downloads)
        return {"rows": table_counts(), "files": sorted(files)}

    def differences(self) -> list[str]:
        now = self.state()
        diffs = [f"table {t}" for t in sorted(set(now["database"]) | set(self.baseline["database"]))
                 if now["database"].get(t) != self.baseline["database"].get(t)]  # fmt: skip
        files = set(now["downloads"]) | set(self.baseline["downloads"])
        diffs += [f"file {f}" for f in sorted(files)
                  if now["downloads"].get(f) != self.baseline["downloads"].get(f)]  # fmt: skip
        return diffs


def run_in_child(work: Callable[[], None], kill_after: float | None) -> tuple[str, float]:
    """Fork; the child runs ``work``. Return ("killed"|"completed"|"failed", seconds)."""
    from django.db import connections

    connections.close_all()  # the child must open its own connection
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # child
        code = 0
        try:
            sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115
            work()
        except BaseException:
            code = 1
        os._exit(code)
    deadline = None if kill_after is None else started + kill_after
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            outcome = "completed" if os.waitstatus_to_exitcode(status) == 0 else "failed"
            return outcome, time.monotonic() - started
        if deadline is not None and time.monotonic() >= deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "killed", time.monotonic() - started
        time.sleep(0.002)


def scenario_import(workdir: Path) -> Callable[[], None]:
    from django.core.management import call_command

    from archive.models import Publication

    slug = Publication.objects.order_by("pk").values_list("slug", flat=True).first()
    # The seed pamphlet itself is already in the collection (same SHA-256: "unchanged"), so
    # import a reprint of its opening (the timeline and the first article, up to where the
    # second unit starts), as a new issue: a realistic import that takes seconds, not tens.
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    cut = next(i for i, line in enumerate(lines) if line.startswith("2. "))
    source = workdir / "reprint.txt"
    source.write_text("\n".join(lines[:cut]) + "\n\nReprinted 1992.\n", "utf-8")

    def work() -> None:
        call_command("import_text", str(source), "--publication", slug,
                     "--issue-slug", "fault-injection-reprint")  # fmt: skip

    return work


def scenario_build(workdir: Path) -> Callable[[], None]:
    from django.core.management import call_command

    def work() -> None:
        call_command("build_dataset", "--force")

    return work


def run_scenario(name: str, work: Callable[[], None], scratch: Scratch, runs: int,
                 rng: random.Random) -> dict:  # fmt: skip
    outcome, full = run_in_child(work, None)
    if outcome != "completed":
        raise SystemExit(f"{name}: a complete run failed; cannot test kills.")
    changed = scratch.differences()
    if not changed:
        raise SystemExit(f"{name}: a complete run changed nothing; the test would prove nothing.")
    complete_shape = scratch.shape()
    scratch.restore()
    report = {"scenario": name, "complete_run_seconds": round(full, 3),
              "complete_run_changes": len(changed), "killed": 0, "completed_before_kill": 0,
              "failed": 0, "changed_after_kill": [], "kill_times": [],
              "committed_before_kill": 0,
              "hidden_leftovers_seen": 0}  # fmt: skip
    attempts = 0
    while report["killed"] < runs and attempts < runs * 3:
        attempts += 1
        delay = rng.uniform(0, full)
        outcome, _ = run_in_child(work, delay)
        if outcome == "completed":
            report["completed_before_kill"] += 1
            scratch.restore()
            continue
        if outcome == "failed":
            report["failed"] += 1
            scratch.restore()
            continue
        report["killed"] += 1
        report["kill_times"].append(round(delay, 3))
        diffs = scratch.differences()
        if diffs and scratch.shape() == complete_shape and releases_verify(scratch.downloads):
            # Killed after the commit / the rename into place, before the process exited: the
            # whole change is there, exactly as after a complete run. All, not nothing: fine.
            report["committed_before_kill"] += 1
            scratch.restore()
        elif diffs:
            report["changed_after_kill"].append({"delay": round(delay, 3), "changes": diffs})
            scratch.restore()
        _, hidden = downloads_digest(scratch.downloads)
        report["hidden_leftovers_seen"] += bool(hidden)
    # Nothing left in the way: a complete run still succeeds after all those kills.
    outcome, _ = run_in_child(work, None)
    report["final_run"] = outcome
    _, hidden = downloads_digest(scratch.downloads)
    report["hidden_after_final_run"] = hidden
    scratch.restore()
    report["ok"] = (report["killed"] >= runs and not report["changed_after_kill"]
                    and outcome == "completed" and not hidden)  # fmt: skip
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="killed runs per scenario")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--scenario", choices=["import", "build", "both"], default="both")
    parser.add_argument("--json", help="write the report to this file")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    rng = random.Random(seed)
    started = time.monotonic()
    # tmpfs when there is one: the scratch database's fsyncs then cost nothing.
    shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None  # noqa: S108
    with tempfile.TemporaryDirectory(prefix="archive-faults-", dir=shm) as tmp:
        workdir = Path(tmp)
        setup_django(workdir)
        from django.core.management import call_command, get_commands

        call_command("migrate", verbosity=0)
        with contextlib.redirect_stdout(io.StringIO()):
            call_command("load_collection", verbosity=0)
        (workdir / "downloads").mkdir(exist_ok=True)
        scenarios = {"import": scenario_import, "build": scenario_build}
        chosen = list(scenarios) if args.scenario == "both" else [args.scenario]
        if "build_dataset" in get_commands():
            call_command("build_dataset", verbosity=0)  # the downloads hold a release
        elif "build" in chosen:
            chosen.remove("build")
            print("build_dataset does not exist (yet): build scenario skipped.")
        scratch = Scratch(workdir)
        scratch.save()
        setup_seconds = round(time.monotonic() - started, 1)
        reports = [run_scenario(name, scenarios[name](workdir), scratch, args.runs, rng)
                   for name in chosen]  # fmt: skip
    summary = {"seed": seed, "seconds": round(time.monotonic() - started, 1),
               "setup_seconds": setup_seconds,
               "scenarios": reports}  # fmt: skip
    for r in reports:
        r["unchanged_after_kill"] = (
            r["killed"] - r["committed_before_kill"] - len(r["changed_after_kill"])
        )
        print(f"{r['scenario']}: complete run {r['complete_run_seconds']} s changes "
              f"{r['complete_run_changes']} tables/files; killed {r['killed']} times at random "
              f"points: left exactly as before {r['unchanged_after_kill']}, "
              f"complete (killed after commit) {r['committed_before_kill']}, partial "
              f"{len(r['changed_after_kill'])}; exited before the kill "
              f"{r['completed_before_kill']}; hidden temp folders seen "
              f"{r['hidden_leftovers_seen']}, left after the final run "
              f"{len(r['hidden_after_final_run'])}; final run {r['final_run']}")  # fmt: skip
    print(f"seed {seed}, {summary['seconds']} s in all, of which setup "
          f"{summary['setup_seconds']} s")  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2) + "\n")
    return 0 if all(r["ok"] for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
