"""Full backups of the archive database, and restoring one into an empty database.

A data release is the *public* archive; it leaves out drafts, records in review, curators'
notes, edit history, import logs and users, because the public must not see them. A backup
is for the archive's keepers and holds everything, so that a lost server costs nothing:

* **PostgreSQL**: ``pg_dump --format=custom`` (compressed, every table, sequence, index,
  trigger and function; restorable selectively with ``pg_restore``), run against the
  configured database. ``pg_restore --single-transaction --exit-on-error`` brings it back:
  any error leaves the target database as it was.
* **SQLite**: the database's online backup API (``sqlite3.Connection.backup``): a consistent
  copy taken page by page while the site keeps running, itself an SQLite file.

The PostgreSQL client programs are found the way ``scripts/with-postgres.sh`` finds the server:
``PG_BINDIR`` if set, else the newest ``/usr/lib/postgresql/*/bin``, else ``PATH``.

Every backup is written to a temporary name and renamed when complete, with a ``.sha256``
file beside it (``sha256sum -c`` format): a restore checks it first and refuses a backup that
changed since it was written. A restore refuses a database that already has tables unless
told to replace them.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

SUFFIXES = {"postgresql": ".dump", "sqlite": ".sqlite3"}


class BackupError(Exception):
    """The backup or restore could not be done; the message says why in one line."""


@dataclass(frozen=True)
class Backup:
    path: Path
    bytes: int
    sha256: str


def pg_program(name: str) -> str:
    """The path of a PostgreSQL client program (``pg_dump``, ``pg_restore``)."""
    bindir = os.environ.get("PG_BINDIR")
    candidates = [Path(bindir)] if bindir else []

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(p) for p in re.findall(r"\d+", path.parent.name)) or (0,)

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    for folder in candidates:
        program = folder / name
        if program.is_file() and os.access(program, os.X_OK):
            return str(program)
    found = shutil.which(name)
    if found:
        return found
    raise BackupError(f"{name} not found: install the PostgreSQL client or set PG_BINDIR.")


def _pg_environment(using: str) -> dict[str, str]:
    """libpq's environment for the Django database ``using`` (no password on a command line)."""
    params = connections[using].settings_dict
    env = dict(os.environ)
    mapping = {
        "PGHOST": params.get("HOST"),
        "PGPORT": params.get("PORT"),
        "PGUSER": params.get("USER"),
        "PGPASSWORD": params.get("PASSWORD"),
        "PGDATABASE": params.get("NAME"),
    }
    for key, value in mapping.items():
        if value:
            env[key] = str(value)
        else:
            env.pop(key, None)  # never a value left over from the caller's environment
    return env


def default_path(using: str = "default") -> Path:
    vendor = connections[using].vendor
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.VAR_DIR) / "backups" / f"archive-{stamp}{SUFFIXES.get(vendor, '')}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(path: Path | None = None, *, using: str = "default") -> Backup:
    """Write a full backup of database ``using`` to ``path``; return its size and SHA-256."""
    connection = connections[using]
    path = Path(path or default_path(using))
    if connection.vendor not in SUFFIXES:
        raise BackupError(f"Cannot back up a {connection.vendor} database.")
    if path.exists():
        raise BackupError(f"{path} exists already; choose another file.")
    if connection.vendor == "sqlite" and connection.in_atomic_block:
        # SQLite's backup of a connection holding uncommitted writes waits for them forever.
        raise BackupError("Back up outside a transaction: it copies committed data only.")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        if connection.vendor == "postgresql":
            _run(
                [pg_program("pg_dump"), "--format=custom", "--no-password", f"--file={partial}"],
                _pg_environment(using),
            )
        else:
            connection.ensure_connection()
            target = sqlite3.connect(partial)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        os.rename(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    digest = _sha256(path)
    path.with_name(path.name + ".sha256").write_text(f"{digest}  {path.name}\n")
    return Backup(path=path, bytes=path.stat().st_size, sha256=digest)


def check(path: Path) -> str:
    """The backup's SHA-256, after checking it against the ``.sha256`` file beside it."""
    if not path.is_file():
        raise BackupError(f"No backup file at {path}.")
    digest = _sha256(path)
    sidecar = path.with_name(path.name + ".sha256")
    if sidecar.is_file():
        words = sidecar.read_text().split()
        if not words or words[0] != digest:
            raise BackupError(
                f"{path.name} does not match {sidecar.name} (altered or truncated); "
                "nothing was restored."
            )
    return digest


def restore(path: Path, *, using: str = "default", replace: bool = False) -> None:
    """Restore the backup at ``path`` into database ``using``, which must have no tables
    (``replace`` drops what the backup holds first)."""
    path = Path(path)
    check(path)
    connection = connections[using]
    tables = connection.introspection.table_names()
    if tables and not replace:
        raise BackupError(
            f"The database already has {len(tables)} tables; restore into an empty database "
            "(create one, no migrate) or pass --replace."
        )
    if connection.vendor == "postgresql":
        command = [
            pg_program("pg_restore"), "--no-password", "--no-owner", "--no-privileges",
            "--exit-on-error", "--single-transaction",
            f"--dbname={connection.settings_dict['NAME']}",
        ]  # fmt: skip
        if replace:
            command += ["--clean", "--if-exists"]
        connection.close()
        _run([*command, str(path)], _pg_environment(using))
    elif connection.vendor == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
        connection.close()
    else:
        raise BackupError(f"Cannot restore into a {connection.vendor} database.")


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(
            f"{Path(command[0]).name} failed: {message[-1] if message else result.returncode}"
        )
