"""The dependency audit fails on a known vulnerability and never passes silently offline."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("audit", ROOT / "scripts" / "audit.py")
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)

CLEAN = {"dependencies": [{"name": "django", "version": "5.2.19", "vulns": []}], "fixes": []}
VULNERABLE = {
    "dependencies": [
        {"name": "django", "version": "5.2.19", "vulns": []},
        {"name": "sqlparse", "version": "0.4.3", "vulns": [
            {"id": "PYSEC-2023-100", "fix_versions": ["0.4.4"], "aliases": ["CVE-2023-30608"]},
        ]},
    ],
    "fixes": [],
}  # fmt: skip
OFFLINE = {
    "dependencies": [
        {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited"}
    ],
    "fixes": [],
}


def fake_service(reports: dict):
    def run(lockfile, service):
        report = reports.get(service)
        return (report, "") if report is not None else (None, "ConnectionError: unreachable")

    return run


def test_a_known_vulnerability_fails_the_audit(monkeypatch, capsys):
    monkeypatch.setattr(audit, "run_pip_audit", fake_service({"pypi": VULNERABLE}))
    assert audit.audit([Path("dev.lock")], require=False) == 1
    out = capsys.readouterr().out
    assert "sqlparse 0.4.3: PYSEC-2023-100 (CVE-2023-30608); fixed in 0.4.4" in out


def test_a_clean_report_passes(monkeypatch, capsys):
    monkeypatch.setattr(audit, "run_pip_audit", fake_service({"pypi": CLEAN}))
    assert audit.audit([Path("dev.lock")], require=True) == 0
    assert "no known vulnerabilities" in capsys.readouterr().out


def test_falls_back_to_osv_when_pypi_cannot_answer(monkeypatch):
    monkeypatch.setattr(audit, "run_pip_audit", fake_service({"pypi": OFFLINE, "osv": VULNERABLE}))
    assert audit.audit([Path("dev.lock")], require=False) == 1


@pytest.mark.parametrize(("require", "status"), [(True, 1), (False, 0)])
def test_an_unreachable_service_is_reported_never_read_as_clean(monkeypatch, capsys, require,
                                                                status):  # fmt: skip
    monkeypatch.setattr(audit, "run_pip_audit", fake_service({"pypi": OFFLINE}))
    assert audit.audit([Path("dev.lock")], require=require) == status
    err = capsys.readouterr().err
    assert "NOT AUDITED dev.lock" in err
    assert "no known vulnerabilities" not in err
