#!/usr/bin/env bash
# The whole test command (`make test`): lint, then the suite on SQLite, then on PostgreSQL.
#
# REQUIRE_POSTGRES=1 makes missing PostgreSQL server binaries a failure instead of a skip.
# REQUIRE_AUDIT=1 makes an unreachable vulnerability service a failure instead of a loud
# "NOT AUDITED" line (see scripts/audit.py and docs/reliability.md).
# Extra arguments are passed to pytest (e.g. scripts/test.sh -k mentions).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
mkdir -p artifacts

echo "== Lint (ruff) =="
$PY -m ruff check . || exit 1
$PY -m ruff format --check . || exit 1
echo "== Migrations are in step with the models =="
DATABASE_URL=sqlite:///:memory: $PY manage.py makemigrations --check --dry-run >/dev/null \
  || { echo "Model changes without a migration: run manage.py makemigrations." >&2; exit 1; }

echo "== Dependencies audited for known vulnerabilities (pip-audit) =="
$PY scripts/audit.py requirements/dev.lock 2>&1 | tee artifacts/pip-audit.txt
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "pip-audit failed: see the list above." >&2; exit 1; }
summary_audit=$(tail -n 1 artifacts/pip-audit.txt)

echo "== Test suite on SQLite =="
DATABASE_URL="sqlite:///$(pwd)/var/test.sqlite3" $PY -m pytest -p no:cacheprovider \
  --junitxml=artifacts/junit-sqlite.xml "$@"
sqlite_rc=$?
summary_sqlite=$(python3 scripts/junit_summary.py artifacts/junit-sqlite.xml)

echo "== Test suite on PostgreSQL =="
scripts/with-postgres.sh $PY -m pytest -p no:cacheprovider \
  --junitxml=artifacts/junit-postgres.xml "$@"
pg_rc=$?
if [ $pg_rc -eq 3 ]; then
  if [ "${REQUIRE_POSTGRES:-0}" = "1" ]; then
    echo "REQUIRE_POSTGRES=1 and no PostgreSQL server: failing." >&2
    exit 1
  fi
  summary_pg="skipped: no PostgreSQL server binaries"
  pg_rc=0
else
  summary_pg=$(python3 scripts/junit_summary.py artifacts/junit-postgres.xml)
fi

echo
echo "SQLite:     $summary_sqlite"
echo "PostgreSQL: $summary_pg"
echo "Audit:      $summary_audit"
[ $sqlite_rc -eq 0 ] && [ $pg_rc -eq 0 ]
