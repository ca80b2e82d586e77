#!/usr/bin/env python3
"""Audit the locked dependencies for known vulnerabilities (pip-audit), failing on any.

    scripts/audit.py [LOCKFILE ...]        (default: requirements/dev.lock, which includes base)

Exit status:
  0  every locked package was checked and none has a known vulnerability;
  1  a known vulnerability was found (each is listed with its fixed versions), or
     REQUIRE_AUDIT=1 and the vulnerability service could not be reached;
  0  with a loud "NOT AUDITED" line when the service cannot be reached and REQUIRE_AUDIT is
     not set, so an offline machine can still run the test suite. CI with network access
     should set REQUIRE_AUDIT=1.

pip-audit asks PyPI's JSON API (the "pypi" service) or OSV; both need the network. When a
package cannot be looked up, pip-audit itself only *skips* it and exits 0, which would read
as "no vulnerabilities". This wrapper counts the skipped packages and says so instead.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("pypi", "osv")


def run_pip_audit(lockfile: Path, service: str) -> tuple[dict | None, str]:
    """Run pip-audit on a hashed lock file; return its JSON report (None if it crashed)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "audit.json"
        result = subprocess.run(
            [sys.executable, "-m", "pip_audit", "-r", str(lockfile), "--require-hashes",
             "--disable-pip", "--progress-spinner", "off", "--timeout", "20",
             "-s", service, "-f", "json", "-o", str(out)],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        if not out.exists() or not out.read_text().strip():
            last = (result.stderr.strip().splitlines() or ["no output"])[-1]
            return None, last
        return json.loads(out.read_text()), ""


def summarise(report: dict) -> tuple[list[str], list[str], int]:
    """(vulnerability lines, skipped package names, audited count) from a pip-audit report."""
    vulnerable, skipped, audited = [], [], 0
    for dep in report.get("dependencies", []):
        if "skip_reason" in dep:
            skipped.append(dep["name"])
            continue
        audited += 1
        for vuln in dep.get("vulns", []):
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix released"
            aliases = ", ".join(vuln.get("aliases") or [])
            vulnerable.append(
                f"{dep['name']} {dep.get('version', '?')}: {vuln['id']}"
                f"{f' ({aliases})' if aliases else ''}; fixed in {fixes}"
            )
    return vulnerable, skipped, audited


def audit(lockfiles: list[Path], require: bool) -> int:
    for lockfile in lockfiles:
        reasons: list[str] = []
        for service in SERVICES:
            report, error = run_pip_audit(lockfile, service)
            if report is None:
                reasons.append(f"{service}: {error[:120]}")
                continue
            vulnerable, skipped, audited = summarise(report)
            if vulnerable:
                print(f"pip-audit ({service}): {len(vulnerable)} known vulnerabilit"
                      f"{'y' if len(vulnerable) == 1 else 'ies'} in {lockfile.name}:")  # fmt: skip
                for line in vulnerable:
                    print(f"  {line}")
                return 1
            if not skipped:
                print(f"pip-audit ({service}): {audited} packages in {lockfile.name}, "
                      "no known vulnerabilities.")  # fmt: skip
                break
            reasons.append(
                f"{service}: {len(skipped)} of {len(skipped) + audited} packages could not "
                f"be looked up, e.g. {skipped[0]}"
            )
        else:
            message = (
                f"pip-audit: NOT AUDITED {lockfile.name}: no vulnerability service reachable "
                f"({'; '.join(reasons)})."
            )
            if require:
                print(f"{message} REQUIRE_AUDIT=1: failing.", file=sys.stderr)
                return 1
            print(f"{message} Set REQUIRE_AUDIT=1 to make this a failure.", file=sys.stderr)
    return 0


def main(argv: list[str]) -> int:
    lockfiles = [Path(a) for a in argv] or [ROOT / "requirements" / "dev.lock"]
    return audit(lockfiles, require=os.environ.get("REQUIRE_AUDIT", "0") == "1")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
