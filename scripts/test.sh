#!/usr/bin/env bash
# The whole test command (`make test`): lint, then the suite on SQLite and on PostgreSQL.
#
# REQUIRE_POSTGRES=1 makes missing PostgreSQL server binaries a failure instead of a skip.
# REQUIRE_REDIS=1 makes a missing redis-server (the shared page cache tests, tests/deploy/) a
# failure instead of a skip; each pass starts its own on a private socket.
# REQUIRE_AUDIT=1 makes an unreachable vulnerability service a failure instead of a loud
# "NOT AUDITED" line (see scripts/audit.py and docs/reliability.md).
# Extra arguments are passed to pytest (e.g. scripts/test.sh -k mentions).
#
# Tests marked `engine_independent` (real-browser tests, tests that start external servers:
# their subject is not the database engine) run in the SQLite pass only; the PostgreSQL pass
# deselects them. A marker expression of your own (`-m EXPR`) applies to both passes: the
# PostgreSQL pass runs `-m "(EXPR) and not engine_independent"`. So `scripts/test.sh -m browser`
# runs the browser tests once, on SQLite, and nothing on PostgreSQL (which is then no failure).
# Running pytest yourself (on either database) deselects nothing.
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

# The PostgreSQL pass: the same arguments, with every -m folded into one expression that also
# leaves out the engine-independent tests (pytest keeps only the last -m it is given).
args=("$@")
pg_args=()
pg_marks="not engine_independent"
i=0
while ((i < ${#args[@]})); do
  case "${args[i]}" in
    -m) pg_marks="(${args[i + 1]:-}) and not engine_independent"; i=$((i + 1)) ;;
    -m?*) pg_marks="(${args[i]#-m}) and not engine_independent" ;;
    *) pg_args+=("${args[i]}") ;;
  esac
  i=$((i + 1))
done

# The two passes run side by side (each is mostly single-threaded Python; CI machines have two
# cores), each into its own log, printed whole when both have finished. TEST_PASS keeps their
# artefacts (screenshots, junit reports) apart.
echo "== Test suite on SQLite and on PostgreSQL, side by side =="
start=$(date +%s)
( TEST_PASS=sqlite DATABASE_URL="sqlite:///$(pwd)/var/test.sqlite3" $PY -m pytest \
    -p no:cacheprovider --junitxml=artifacts/junit-sqlite.xml "$@" \
    >artifacts/pytest-sqlite.log 2>&1; echo $? >artifacts/pytest-sqlite.rc ) &
sqlite_job=$!
( TEST_PASS=postgres scripts/with-postgres.sh $PY -m pytest -p no:cacheprovider \
    --junitxml=artifacts/junit-postgres.xml -m "$pg_marks" ${pg_args[@]+"${pg_args[@]}"} \
    >artifacts/pytest-postgres.log 2>&1; echo $? >artifacts/pytest-postgres.rc ) &
pg_job=$!
# A line a minute, so a long CI log shows the run is alive.
ticks=0
while kill -0 $sqlite_job 2>/dev/null || kill -0 $pg_job 2>/dev/null; do
  sleep 5
  ticks=$((ticks + 1))
  [ $((ticks % 12)) -eq 0 ] || continue
  echo "  … $(( ($(date +%s) - start) / 60 )) min: SQLite $(tail -c 300 artifacts/pytest-sqlite.log \
    | grep -o '\[ *[0-9]*%\]' | tail -n 1), PostgreSQL $(tail -c 300 artifacts/pytest-postgres.log \
    | grep -o '\[ *[0-9]*%\]' | tail -n 1)"
done
wait $sqlite_job $pg_job
echo "== Test suite on SQLite =="
cat artifacts/pytest-sqlite.log
echo "== Test suite on PostgreSQL =="
cat artifacts/pytest-postgres.log
echo "Both passes took $(( ($(date +%s) - start) / 60 )) min $(( ($(date +%s) - start) % 60 )) s."
sqlite_rc=$(cat artifacts/pytest-sqlite.rc)
summary_sqlite=$(python3 scripts/junit_summary.py artifacts/junit-sqlite.xml)
pg_rc=$(cat artifacts/pytest-postgres.rc)
if [ "$pg_rc" -eq 3 ]; then
  if [ "${REQUIRE_POSTGRES:-0}" = "1" ]; then
    echo "REQUIRE_POSTGRES=1 and no PostgreSQL server: failing." >&2
    exit 1
  fi
  summary_pg="skipped: no PostgreSQL server binaries"
  pg_rc=0
elif [ "$pg_rc" -eq 5 ]; then
  # pytest's "no tests selected": arguments that pick only engine-independent tests (say
  # `-m browser` or tests/browser/) leave the PostgreSQL pass nothing to do. If they picked
  # nothing at all, the SQLite pass says so and fails.
  summary_pg="nothing selected (engine-independent tests run in the SQLite pass only)"
  pg_rc=0
else
  summary_pg=$(python3 scripts/junit_summary.py artifacts/junit-postgres.xml)
fi

echo
echo "SQLite:     $summary_sqlite"
echo "PostgreSQL: $summary_pg"
echo "Audit:      $summary_audit"
[ $sqlite_rc -eq 0 ] && [ $pg_rc -eq 0 ]
