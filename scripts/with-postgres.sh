#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server, stopped afterwards whatever happens.
#
#   scripts/with-postgres.sh COMMAND [ARGS...]
#
# Starts a private server from the PostgreSQL server binaries (initdb/pg_ctl), listening only
# on a Unix socket in a temporary folder (no TCP port to collide with), exports DATABASE_URL
# for COMMAND, and removes the server and its data on exit. PostgreSQL refuses to run as
# root, so as root the server runs as the `postgres` user.
#
# Exit status: COMMAND's; 3 when no server binaries exist (one clear line on stderr).
set -euo pipefail

find_bindir() {
  if [ -n "${PG_BINDIR:-}" ] && [ -x "$PG_BINDIR/pg_ctl" ]; then echo "$PG_BINDIR"; return 0; fi
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/pg_ctl" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
  done
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"; return 0
  fi
  return 1
}

if ! BINDIR=$(find_bindir); then
  echo "PostgreSQL server binaries (initdb, pg_ctl) not found: cannot start a test server." >&2
  exit 3
fi

RUNDIR=$(mktemp -d "${TMPDIR:-/tmp}/archive-pg.XXXXXX")
PORT=${PG_PORT:-5432}
as_pg() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" = "0" ]; then chown postgres "$RUNDIR"; fi
chmod 700 "$RUNDIR"

cleanup() {
  as_pg "$BINDIR/pg_ctl" -D "$RUNDIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$RUNDIR"
}
trap cleanup EXIT INT TERM

as_pg "$BINDIR/initdb" -D "$RUNDIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
  >"$RUNDIR/initdb.log" 2>&1 || { cat "$RUNDIR/initdb.log" >&2; exit 1; }
as_pg "$BINDIR/pg_ctl" -D "$RUNDIR/data" -l "$RUNDIR/server.log" -w -t 60 start \
  -o "-c listen_addresses='' -k $RUNDIR -p $PORT -c fsync=off -c synchronous_commit=off \
      -c full_page_writes=off -c max_connections=200 -c shared_buffers=256MB" >/dev/null \
  || { cat "$RUNDIR/server.log" >&2; exit 1; }

ENC_DIR=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$RUNDIR")
export DATABASE_URL="postgres://postgres@${ENC_DIR}:${PORT}/postgres"
export PGHOST="$RUNDIR" PGPORT="$PORT" PGUSER=postgres PG_BINDIR="$BINDIR" PGDATA="$RUNDIR/data"
echo "PostgreSQL $("$BINDIR/postgres" --version | awk '{print $3}') running on a private socket." >&2
"$@"
