"""SIGKILL at random points of an import and a dataset build leaves everything as it was.

Runs scripts/faults/sigkill.py (its own scratch SQLite archive and downloads folder in a
temporary folder), so it runs once, in the SQLite pass of the suite.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
RUNS = 10  # killed runs per scenario: 20 kills in all with the build (more by hand)


@pytest.mark.slow
def test_sigkilled_import_and_build_leave_database_and_downloads_unchanged(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("runs once, in the SQLite pass (the script uses its own scratch database)")
    report_file = tmp_path / "faults.json"
    result = subprocess.run(
        [sys.executable, "scripts/faults/sigkill.py", "--runs", str(RUNS), "--json",
         str(report_file)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert report_file.exists(), result.stdout + result.stderr
    report = json.loads(report_file.read_text())
    assert result.returncode == 0, json.dumps(report, indent=2)
    scenarios = {s["scenario"]: s for s in report["scenarios"]}
    assert set(scenarios) == {"import", "build"}
    for name, scenario in scenarios.items():
        assert scenario["killed"] >= RUNS, name
        assert scenario["changed_after_kill"] == [], name  # nothing partial, ever
        # Most kills land mid-run and leave the state exactly as before.
        assert scenario["unchanged_after_kill"] >= scenario["killed"] // 2, name
        assert scenario["complete_run_changes"] > 0, name  # a full run does change things
        assert scenario["final_run"] == "completed", name
        assert scenario["hidden_after_final_run"] == [], name
