"""Versioned, checksummed bulk data releases: build, list and prune them.

A release is a folder under ``DATASET_ROOT`` named ``YYYY-MM-DD-vN`` (date built, release
number) holding, per resource, a CSV and a JSON Lines file written by the one exporter
(:mod:`archive.exports.release`, whose rows are the model layer's ``public()`` rows), plus
``datapackage.json`` (Frictionless), ``README.md``, ``CHANGELOG.md``, ``removed-ids.csv``,
``merged-ids.csv``, ``SHA256SUMS`` and a zip of all of them.
``release.json`` is the site's index card for the downloads page (counts, sizes, hashes).

A release is a version you can cite: its name is its stable id, it names its ``parent`` (the
release before it), its ``checksum`` (the SHA-256 of its ``SHA256SUMS``, one value that pins
every file) and the ``/api/changes/`` sequence number it equals (``changes.last_seq``), and
says what changed since its parent from the changes log: counts by kind of row and kind of
change, and the id-change table of merges (``merged-ids.csv``).

Guarantees, and how they are kept:

* **Atomic.** Files are written into a hidden ``.tmp-*`` folder beside the releases and the
  folder is renamed into place only when everything (zip included) is written and synced.
  A build that dies leaves at most a hidden folder, removed by the next build. Listing only
  shows folders with a release name and a ``release.json``.
* **Consistent.** On PostgreSQL every file is read in one REPEATABLE READ transaction, so the
  files agree with each other even while curators edit.
* **Flat memory.** Rows stream from the exporter to disk; the change count is a merge of the
  previous and new JSON Lines files by id (both sorted), never a set of ids in memory.
* **Not rebuilt when nothing changed.** A fingerprint of every resource (row count, sum of
  ids, latest ``updated``) is kept in ``release.json``; an equal fingerprint skips the build.

With object storage configured (``STORAGE_BUCKET``, :mod:`archive.storage`) the release is
built exactly the same way in ``DATASET_ROOT``, used as a local working folder, then uploaded
file by file with ``release.json`` last; the list of releases is read from the bucket, and the
previous release is fetched from it to count what changed. The files and checksums are the
same bytes either way.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Sum
from django.template.loader import render_to_string
from django.utils import timezone

from archive import changes, storage
from archive.exports.release import NOT_RELEASED, release_exporters

from .mirror import build_sqlite, datasette_metadata

#: Bump when the files' layout or columns change; part of the fingerprint.
#: 2: articles gained effective_date, effective_date_start, effective_date_end, date_source.
FORMAT_VERSION = 2
RELEASE_NAME = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})-v(?P<version>[1-9]\d{0,8})$")
MANIFEST = "release.json"
SUMS = "SHA256SUMS"
DATAPACKAGE = "datapackage.json"
REMOVED = "removed-ids.csv"
MERGED = "merged-ids.csv"
TITLES = {
    "publications": "Publications",
    "issues": "Issues",
    "articles": "Articles (with full text)",
    "people": "People",
    "organisations": "Organisations",
    "places": "Places",
    "events": "Events",
    "mentions": "Mentions",
    "authorships": "Authorships",
    "aliases": "Variant names",
    "illustrations": "Illustrations",
    "event_participants": "Event participants",
    "event_places": "Event places",
    "event_articles": "Event articles",
}
_ID = re.compile(rb'^\{"id":(\d+)[,}]')
logger = logging.getLogger(__name__)


class BuildError(Exception):
    """A build cannot start (e.g. another one is running); nothing was written."""


@dataclass(frozen=True)
class Release:
    """A complete release on disk and its index card."""

    path: Path
    manifest: dict[str, Any]
    #: Kept in object storage; ``path`` is then where a local copy goes (it may not exist).
    stored: bool = False

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def version(self) -> int:
        return int(self.manifest["version"])

    @property
    def parent(self) -> str | None:
        """The release this one follows (its changes are counted against it)."""
        return self.manifest.get("parent", self.manifest.get("previous"))

    @property
    def checksum(self) -> str | None:
        """SHA-256 of the release's ``SHA256SUMS``: one value that pins every file."""
        return self.manifest.get("checksum")

    @property
    def last_seq(self) -> int | None:
        """The ``/api/changes/`` sequence number this release corresponds to."""
        return (self.manifest.get("changes") or {}).get("last_seq")

    def file(self, name: str) -> dict[str, Any] | None:
        """The manifest entry of one of the release's files, or ``None``."""
        return next((f for f in self.manifest["files"] if f["name"] == name), None)


@dataclass(frozen=True)
class BuildResult:
    release: Release | None
    skipped: bool
    message: str


def dataset_root() -> Path:
    return Path(settings.DATASET_ROOT)


def list_releases(root: Path | None = None) -> list[Release]:
    """Complete releases, newest first. Half-written or foreign folders are never listed.

    Without a ``root`` they are read from object storage when it is configured.
    """
    if root is None:
        bucket = storage.release_storage()
        if bucket is not None:
            return _stored_releases(bucket)
    root = root or dataset_root()
    releases = []
    if not root.is_dir():
        return []
    for path in root.iterdir():
        if not (path.is_dir() and RELEASE_NAME.match(path.name)):
            continue
        try:
            manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        releases.append(Release(path=path, manifest=manifest))
    return sorted(releases, key=lambda r: r.version, reverse=True)


#: Manifests read from object storage, by bucket, prefix and release name. A release never
#: changes once uploaded, so each manifest is fetched once per process.
_MANIFESTS: dict[tuple[str, str, str], dict[str, Any]] = {}
#: The bucket's list of release names, by bucket and prefix: (read at, names). Pages that
#: cite a release read the list, so it is listed at most once per LIST_SECONDS per process;
#: a build or removal in this process forgets it at once.
_LISTED: dict[tuple[str, str], tuple[float, list[str]]] = {}
LIST_SECONDS = 10.0


def _stored_releases(bucket, *, fresh: bool = False) -> list[Release]:
    """The bucket's releases. ``fresh`` (the builder): listed now, and an unreachable bucket
    is an error, never an empty list (the next number must not be reused)."""
    releases = []
    where = (str(getattr(bucket, "bucket_name", "")), str(getattr(bucket, "location", "")))
    if fresh:
        _LISTED[where] = (time.monotonic(), storage.stored_release_names(bucket))
    listed = _LISTED.get(where)
    if listed is None or time.monotonic() - listed[0] > LIST_SECONDS:
        try:
            listed = (time.monotonic(), storage.stored_release_names(bucket))
        except Exception as exc:  # the bucket is unreachable: pages citing a release must
            # still render, so the last list this process saw is used (or none), and logged.
            logger.warning("Cannot list the releases in object storage: %s", exc)
            listed = (time.monotonic(), listed[1] if listed else [])
        _LISTED[where] = listed
    for name in listed[1]:
        if not RELEASE_NAME.match(name):
            continue
        manifest = _MANIFESTS.get((*where, name))
        if manifest is None:
            try:
                manifest = storage.stored_manifest(bucket, name)
            except Exception as exc:
                if fresh:
                    raise
                logger.warning("Cannot read %s/%s from object storage: %s", name, MANIFEST, exc)
                continue
            if manifest is None:  # still uploading, or half removed: not a release
                continue
            _MANIFESTS[(*where, name)] = manifest
        releases.append(Release(path=dataset_root() / name, manifest=manifest, stored=True))
    return sorted(releases, key=lambda r: r.version, reverse=True)


def local_copy(release: Release) -> Release:
    """The release with its files on local disk (fetched from object storage if need be)."""
    if not release.stored:
        return release
    bucket = storage.release_storage()
    if bucket is None:
        raise BuildError(f"Release {release.name} is in object storage, which is not configured.")
    path = storage.fetch_release(bucket, release.name, dataset_root())
    return Release(path=path, manifest=release.manifest, stored=True)


def get_release(name: str, root: Path | None = None) -> Release | None:
    """The release called ``name`` (validated against the naming rule), or ``None``."""
    if not RELEASE_NAME.match(name):
        return None
    return next((r for r in list_releases(root) if r.name == name), None)


def fingerprint() -> str:
    """What the next release would contain, cheaply: per resource count, id sum, last change."""
    parts: dict[str, Any] = {"format": FORMAT_VERSION}
    for resource, exporter in release_exporters().items():
        aggregates = {"n": Count("id"), "ids": Sum("id")}
        if any(f.name == "updated" for f in exporter.model._meta.concrete_fields):
            aggregates["updated"] = Max("updated")
        rows = exporter(full_text=True).get_queryset()
        values = rows.order_by().aggregate(**aggregates)
        parts[resource] = [values["n"], int(values["ids"] or 0), str(values.get("updated"))]
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


#: PostgreSQL advisory lock key of release builds (any fixed number the archive owns).
BUILD_LOCK_KEY = 0x41524348  # "ARCH"


@contextmanager
def _build_lock(root: Path, *, shared: bool = False) -> Iterator[None]:
    """One build at a time: a lock file on this machine and, when the releases are shared
    through object storage (``shared``), a PostgreSQL advisory lock, so two workers on two
    machines cannot both upload a release under the same next number."""
    with open(root / ".build.lock", "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError("Another dataset build is running; try again when it ends.") from None
        try:
            with _database_lock(shared and connection.vendor == "postgresql"):
                yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _database_lock(take: bool) -> Iterator[None]:
    if not take:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [BUILD_LOCK_KEY])
        if not cursor.fetchone()[0]:
            raise BuildError(
                "Another dataset build is running on another machine; try again when it ends."
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [BUILD_LOCK_KEY])


@contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent, read-only view of the database for the whole build.

    Inside a caller's transaction (tests, a shell) that transaction's view is used as it is.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Compiling each export query costs more than it saves (~1 s per query).
                cursor.execute("SET LOCAL jit = off")
        yield


@contextmanager
def _snapshot_of_changes(attempts: int = 3) -> Iterator[int | None]:
    """A :func:`_snapshot` in which the changes log is exactly up to date, and the sequence
    number of its last change: the release then holds what a client following
    ``/api/changes/`` up to that number holds (tests/changes prove it byte for byte).

    The log is brought up to date just before the snapshot; a write committed in between
    moves the content version on, and the attempt is repeated. An archive too busy to catch
    still gets its release, marked with no sequence number (``None``).
    """
    for attempt in range(attempts):
        changes.ensure_current()
        with _snapshot():
            if changes.is_current() or attempt == attempts - 1:
                yield changes.last_seq() if changes.is_current() else None
                return


def build_release(
    *, force: bool = False, keep: int | None = None, today: dt.date | None = None
) -> BuildResult:
    """Build a new release unless nothing changed since the latest; then prune to ``keep``."""
    if keep is not None and keep < 1:
        raise BuildError("--keep must be at least 1 (the newest release is always kept).")
    root = dataset_root()
    root.mkdir(parents=True, exist_ok=True)
    bucket = storage.release_storage()
    with _build_lock(root, shared=bucket is not None):
        for stale in root.glob(".tmp-*"):  # left by a build that was killed
            shutil.rmtree(stale, ignore_errors=True)
        releases = _stored_releases(bucket, fresh=True) if bucket else list_releases(root)
        if bucket is not None:  # left by a build that died while uploading (no release.json)
            complete = {r.name for r in releases}
            for name in storage.stored_release_names(bucket):
                if RELEASE_NAME.match(name) and name not in complete:
                    storage.remove_stored_release(bucket, name)
        previous = releases[0] if releases else None
        with _snapshot_of_changes() as changes_seq:
            current = fingerprint()
            if previous and not force and previous.manifest.get("fingerprint") == current:
                result = BuildResult(
                    release=previous,
                    skipped=True,
                    message=f"No records changed since release {previous.name}; not rebuilt "
                    "(use --force to build anyway).",
                )
            else:
                version = max((r.version for r in releases), default=0) + 1
                name = f"{(today or timezone.localdate()).isoformat()}-v{version}"
                if previous is not None and previous.stored:
                    previous = local_copy(previous)  # its files are compared with the new
                if bucket is not None:
                    _remove_local(root / name)  # left by an upload that did not finish
                tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=root))
                try:
                    manifest = _write_release(tmp, name, version, current, previous, changes_seq)
                    os.rename(tmp, root / name)
                except BaseException:
                    shutil.rmtree(tmp, ignore_errors=True)
                    raise
                _fsync_dir(root)
                release = Release(path=root / name, manifest=manifest, stored=bucket is not None)
                if bucket is not None:
                    storage.publish_release(root / name, bucket)
                    _LISTED.clear()
                    if previous is not None:  # the new one is the local copy to compare with
                        _remove_local(previous.path)
                result = BuildResult(release=release, skipped=False, message=_summary(release))
        if keep is not None:
            kept = _stored_releases(bucket, fresh=True) if bucket else list_releases(root)
            for old in kept[keep:]:
                _remove_release(old)
    return result


def _summary(release: Release) -> str:
    rows = sum(r["rows"] for r in release.manifest["resources"])
    count = len(release.manifest["resources"])
    return f"Built release {release.name}: {rows} rows in {count} resources."


def _remove_release(release: Release) -> None:
    """Hide first (one rename, or the manifest in object storage), then delete: a reader never
    sees a half-deleted release."""
    if release.stored:
        bucket = storage.release_storage()
        if bucket is not None:
            storage.remove_stored_release(bucket, release.name)
            _LISTED.clear()
        _remove_local(release.path)
        return
    _remove_local(release.path)


def _remove_local(path: Path) -> None:
    if not path.is_dir():
        return
    trash = path.with_name(f".tmp-removed-{path.name}")
    os.rename(path, trash)
    shutil.rmtree(trash, ignore_errors=True)


def _sync(fd: int) -> None:
    """Force written data to disk, so a renamed release never holds empty files after a crash."""
    os.fsync(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        _sync(fd)
    finally:
        os.close(fd)


class _HashingFile:
    """A binary file that counts bytes and lines and hashes what is written to it."""

    def __init__(self, handle) -> None:
        self.handle = handle
        self.sha256 = hashlib.sha256()
        self.bytes = 0
        self.lines = 0

    def write(self, data: bytes) -> int:
        self.handle.write(data)
        self.sha256.update(data)
        self.bytes += len(data)
        self.lines += data.count(b"\n")
        return len(data)


def _write_file(path: Path, chunks) -> dict[str, Any]:
    with open(path, "wb") as handle:
        out = _HashingFile(handle)
        for chunk in chunks:
            out.write(chunk)
        handle.flush()
        _sync(handle.fileno())
    return {
        "name": path.name,
        "bytes": out.bytes,
        "sha256": out.sha256.hexdigest(),
        "lines": out.lines,
    }


def _write_release(
    tmp: Path,
    name: str,
    version: int,
    current: str,
    previous: Release | None,
    changes_seq: int | None = None,
) -> dict[str, Any]:
    exporters = release_exporters()
    files: list[dict[str, Any]] = []
    resources: list[dict[str, Any]] = []
    removed_file = tmp / REMOVED
    with open(removed_file, "wb") as removed_handle:
        removed_handle.write(b"resource,id\n")
        for resource, exporter_class in exporters.items():
            exporter = exporter_class(full_text=True)
            queryset = exporter.get_queryset()
            csv_file = _write_file(tmp / f"{resource}.csv", exporter.iter_csv(queryset))
            jsonl_file = _write_file(tmp / f"{resource}.jsonl", exporter.iter_jsonl(queryset))
            old = previous.path / f"{resource}.jsonl" if previous else None
            changes = _compare(old, tmp / jsonl_file["name"], resource, removed_handle)
            files += [
                {**csv_file, "kind": "csv", "resource": resource},
                {**jsonl_file, "kind": "jsonl", "resource": resource},
            ]
            resources.append(
                {
                    "name": resource,
                    "title": TITLES.get(resource, resource),
                    "description": exporter.description,
                    "rows": jsonl_file["lines"],
                    **changes,
                }
            )
    files.append({**_file_entry(removed_file), "kind": "meta"})
    log = _changes_since(previous, changes_seq)
    _write_text(
        tmp / MERGED,
        "resource,old_id,new_id\n" + "".join(f"{r},{o},{n}\n" for r, o, n in log["merges"]),
    )
    files.append({**_file_entry(tmp / MERGED), "kind": "meta"})
    built = timezone.now().replace(microsecond=0)
    context = {
        "name": name,
        "version": version,
        "built": built,
        "site_url": settings.SITE_URL,
        "licence": dataset_licence(),
        "resources": resources,
        "previous": previous.name if previous else None,
        "files": files,
        "not_released": NOT_RELEASED,
        "log": log,
        "last_seq": changes_seq,
    }
    _write_text(
        tmp / DATAPACKAGE,
        json.dumps(_datapackage(context, exporters), indent=2, ensure_ascii=False) + "\n",
    )
    files.append({**_file_entry(tmp / DATAPACKAGE), "kind": "meta"})
    _write_text(tmp / "CHANGELOG.md", _changelog(context, previous))
    files.append({**_file_entry(tmp / "CHANGELOG.md"), "kind": "meta"})
    _write_text(tmp / "README.md", render_to_string("archive/datasets/README.md", context))
    files.append({**_file_entry(tmp / "README.md"), "kind": "meta"})
    files += _write_mirror(tmp, context, exporters)
    sums = "".join(f"{f['sha256']}  {f['name']}\n" for f in files)
    _write_text(tmp / SUMS, sums)
    files.append({**_file_entry(tmp / SUMS), "kind": "meta"})
    checksum = files[-1]["sha256"]
    zip_name = f"archive-data-{name}.zip"
    with zipfile.ZipFile(tmp / zip_name, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for f in files:
            archive.write(tmp / f["name"], arcname=f"{name}/{f['name']}")
    files.append({**_file_entry(tmp / zip_name), "kind": "zip"})
    manifest = {
        "id": name,
        "name": name,
        "version": version,
        "date": name[:10],
        "built": built.isoformat(),
        "format_version": FORMAT_VERSION,
        "fingerprint": current,
        "previous": previous.name if previous else None,
        "parent": previous.name if previous else None,
        "checksum": checksum,
        "changes": {
            "last_seq": changes_seq,
            "parent_seq": log["parent_seq"],
            "counts": log["counts"],
            "merged": len(log["merges"]),
        },
        "resources": resources,
        "files": [{k: v for k, v in f.items() if k != "lines"} for f in files],
        "zip": zip_name,
    }
    # Written last: a folder without it is not a release (see list_releases).
    _write_text(tmp / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest


def mirror_names(name: str) -> tuple[str, str]:
    """The release's SQLite mirror and its Datasette metadata file."""
    return f"archive-{name}.sqlite3", f"archive-{name}.metadata.json"


def _write_mirror(tmp: Path, context: dict[str, Any], exporters) -> list[dict[str, Any]]:
    """The mirror kit: one SQLite file of the release, and Datasette's metadata for it."""
    database, metadata_file = mirror_names(context["name"])
    schemas = {r: cls(full_text=True).table_schema() for r, cls in exporters.items()}
    url = f"{context['site_url']}/downloads/{context['name']}/"
    metadata = {
        "title": f"Archive of political publications: data release {context['name']}",
        "description": "Every published record of the archive, as one SQLite database: "
        "the release's files as tables, full-text search, views for common joins.",
        "release": context["name"],
        "version": str(context["version"]),
        "built": context["built"].isoformat(),
        "licence": context["licence"].get("title") or context["licence"].get("name", ""),
        "licence_url": context["licence"].get("path", ""),
        "source": "Archive of political publications",
        "source_url": context["site_url"] + "/",
        "release_url": url,
        "citation": f"Archive of political publications. Data release {context['name']}. {url}",
        "changes_last_seq": str(context.get("last_seq") or ""),
    }
    build_sqlite(tmp, tmp / database, schemas, metadata)
    with open(tmp / database, "rb") as handle:
        _sync(handle.fileno())
    descriptions = {r: cls.description for r, cls in exporters.items()}
    stem = database.removesuffix(".sqlite3")
    _write_text(
        tmp / metadata_file,
        json.dumps(
            datasette_metadata(stem, schemas, metadata, descriptions), indent=2, ensure_ascii=False
        )
        + "\n",
    )
    return [
        {**_file_entry(tmp / database), "kind": "mirror"},
        {**_file_entry(tmp / metadata_file), "kind": "mirror"},
    ]


def _changes_since(previous: Release | None, upto: int | None) -> dict[str, Any]:
    """What the changes log says changed since the parent release: counts by kind of row and
    kind of change, and the merges (old id → surviving id). Empty when either end has no
    sequence number (a release built before the log existed, or while the archive was too
    busy to pin one)."""
    after = previous.last_seq if previous else 0
    if upto is None or after is None:
        return {"parent_seq": after, "counts": None, "merges": []}
    return {
        "parent_seq": after,
        "counts": changes.counts_between(after, upto),
        "merges": changes.merges_between(after, upto),
    }


def _write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
        handle.flush()
        _sync(handle.fileno())


def _file_entry(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"name": path.name, "bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def _ids_and_lines(path: Path | None) -> Iterator[tuple[int, bytes]]:
    if path is None or not path.is_file():
        return
    with open(path, "rb") as handle:
        for line in handle:
            match = _ID.match(line)
            if match:
                yield int(match.group(1)), line


def _compare(old: Path | None, new: Path, resource: str, removed_out) -> dict[str, int]:
    """Added / changed / removed rows between two id-sorted JSON Lines files (a merge join)."""
    added = changed = removed = 0
    old_rows, new_rows = _ids_and_lines(old), _ids_and_lines(new)
    old_row, new_row = next(old_rows, None), next(new_rows, None)
    while old_row is not None or new_row is not None:
        if new_row is None or (old_row is not None and old_row[0] < new_row[0]):
            removed += 1
            removed_out.write(f"{resource},{old_row[0]}\n".encode())
            old_row = next(old_rows, None)
        elif old_row is None or new_row[0] < old_row[0]:
            added += 1
            new_row = next(new_rows, None)
        else:
            changed += old_row[1] != new_row[1]
            old_row, new_row = next(old_rows, None), next(new_rows, None)
    return {"added": added, "changed": changed, "removed": removed}


def dataset_licence() -> dict[str, str]:
    return dict(settings.DATASET_LICENSE)


def _datapackage(context: dict[str, Any], exporters) -> dict[str, Any]:
    """A Frictionless Data Package: one tabular resource per CSV and per JSON Lines file."""
    by_name = {f["name"]: f for f in context["files"]}
    resources = []
    for resource in context["resources"]:
        exporter = exporters[resource["name"]](full_text=True)
        schema = exporter.table_schema()
        for kind, mediatype in (("csv", "text/csv"), ("jsonl", "application/jsonl")):
            if kind == "jsonl" and resource["rows"] == 0:
                # An empty JSON Lines file has no rows to read a table from (Frictionless
                # refuses it); the CSV, with its header, describes the empty resource.
                continue
            entry = by_name[f"{resource['name']}.{kind}"]
            descriptor = {
                "name": resource["name"] if kind == "csv" else f"{resource['name']}-jsonl",
                "title": resource["title"] + (" (JSON Lines)" if kind == "jsonl" else ""),
                "description": resource["description"],
                "profile": "tabular-data-resource",
                "path": entry["name"],
                "format": kind,
                "mediatype": mediatype,
                "encoding": "utf-8",
                "bytes": entry["bytes"],
                "hash": f"sha256:{entry['sha256']}",
                # Foreign keys point at the CSV resources; the JSON Lines twin holds the same
                # rows, so its keys are declared once, on the CSV.
                "schema": schema
                if kind == "csv"
                else {k: v for k, v in schema.items() if k != "foreignKeys"},
            }
            if kind == "csv":
                descriptor["dialect"] = {"delimiter": ",", "quoteChar": '"', "header": True}
            resources.append(descriptor)
    return {
        "profile": "tabular-data-package",
        "id": f"{context['site_url']}/downloads/{context['name']}/",
        "name": "archive-of-political-publications",
        "title": "Archive of political publications: data release " + context["name"],
        "version": f"{context['version']}.0.0",
        "created": context["built"].strftime("%Y-%m-%dT%H:%M:%SZ"),
        "homepage": f"{context['site_url']}/downloads/",
        "licenses": [context["licence"]],
        "sources": [{"title": "Archive of political publications", "path": context["site_url"]}],
        "resources": resources,
    }


def _changelog(context: dict[str, Any], previous: Release | None) -> str:
    lines = [
        "# Changelog",
        "",
        f"## {context['name']} ({context['built'].date().isoformat()})",
        "",
        f"Compared with release {previous.name}." if previous else "First release.",
        "",
        "| Resource | Rows | Added | Changed | Removed |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for r in context["resources"]:
        lines.append(
            f"| {r['name']} | {r['rows']} | {r['added']} | {r['changed']} | {r['removed']} |"
        )
    lines += ["", f"Ids of removed rows are listed in `{REMOVED}`."]
    counts = context["log"]["counts"]
    if counts:
        kinds = ("created", "published", "updated", "withdrawn", "merged", "deleted")
        lines += [
            "",
            "Changes recorded in the public changes log (`/api/changes/`, after "
            f"`{context['log']['parent_seq']}`), by kind of row and kind of change:",
            "",
            "| Resource | " + " | ".join(kinds) + " |",
            "| --- |" + " ---: |" * len(kinds),
        ]
        for resource, by_change in counts.items():
            lines.append(
                f"| {resource} | " + " | ".join(str(by_change.get(k, 0)) for k in kinds) + " |"
            )
    merges = context["log"]["merges"]
    lines += [
        "",
        f"{len(merges)} records were merged into others; `{MERGED}` maps each old id to the "
        "id of the record that survived.",
        "",
    ]
    text = "\n".join(lines)
    if previous and (previous.path / "CHANGELOG.md").is_file():
        earlier = (previous.path / "CHANGELOG.md").read_text(encoding="utf-8")
        text += "\n" + earlier.removeprefix("# Changelog\n").lstrip("\n")
    return text
