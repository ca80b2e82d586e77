"""Fixity: check that every stored release is still exactly what was published.

A release is cited by its name and the checksum of its ``SHA256SUMS``; mirrors copy it; the
loader restores from it. A flipped bit on disk, a truncated copy or a hand edit must be
found before anyone relies on it, not when a restore fails. :func:`verify_release` checks
one release folder against everything it says about itself:

* ``SHA256SUMS``: every line well formed, every file listed present and with its SHA-256;
  no other file in the folder but ``release.json`` and the zip (which hold the sums);
* ``datapackage.json``: every resource's file present, with the ``bytes`` and ``hash`` the
  package states;
* ``release.json`` (the index card the downloads page shows): every file's size and SHA-256,
  the zip included, and the release ``checksum`` (the SHA-256 of ``SHA256SUMS``).

Each problem names the release and the file. ``manage.py verify_releases`` runs it over
every release (meant for a daily schedule) and exits non-zero when anything is wrong.

With object storage configured (``STORAGE_BUCKET``) the releases checked are the bucket's:
each is downloaded, one at a time, into a temporary folder and checked there by the same
function, so the bucket is held to exactly the same rules as a disk.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from archive import storage

from .releases import DATAPACKAGE, MANIFEST, RELEASE_NAME, SUMS, dataset_root

_SUM_LINE = re.compile(r"^([0-9a-f]{64})  ([A-Za-z0-9._-]+)$")


@dataclass(frozen=True)
class Problem:
    release: str
    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.release}/{self.file}: {self.message}"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def release_folders(root: Path | None = None) -> list[Path]:
    """Every folder named like a release, complete or not (a release whose ``release.json``
    was lost is a problem to report, not a folder to skip)."""
    root = root or dataset_root()
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and RELEASE_NAME.match(p.name))


def verify_release(path: Path) -> list[Problem]:
    """Every way the release at ``path`` differs from what it states; empty when intact."""
    problems: list[Problem] = []
    name = path.name
    hashes: dict[str, str] = {}

    def digest(file: str) -> str | None:
        if file not in hashes:
            target = path / file
            hashes[file] = sha256(target) if target.is_file() else ""
        return hashes[file] or None

    def problem(file: str, message: str) -> None:
        problems.append(Problem(name, file, message))

    listed: set[str] = set()
    sums = path / SUMS
    if not sums.is_file():
        problem(SUMS, "missing")
    else:
        for number, line in enumerate(sums.read_text(encoding="utf-8").splitlines(), 1):
            match = _SUM_LINE.match(line)
            if not match:
                problem(SUMS, f"line {number} is malformed")
                continue
            expected, file = match.groups()
            listed.add(file)
            found = digest(file)
            if found is None:
                problem(file, "missing (listed in SHA256SUMS)")
            elif found != expected:
                problem(file, f"SHA-256 is {found}, SHA256SUMS says {expected}")

    manifest = _read_json(path / MANIFEST)
    if manifest is None:
        problem(MANIFEST, "missing or not readable JSON")
    else:
        for entry in manifest.get("files", []):
            file = entry.get("name", "")
            found = digest(file)
            if found is None:
                problem(file, "missing (listed in release.json)")
                continue
            if found != entry.get("sha256"):
                problem(file, f"SHA-256 is {found}, release.json says {entry.get('sha256')}")
            size = (path / file).stat().st_size
            if size != entry.get("bytes"):
                problem(file, f"size is {size} bytes, release.json says {entry.get('bytes')}")
        checksum = manifest.get("checksum")
        if checksum is not None and sums.is_file() and digest(SUMS) != checksum:
            problem(SUMS, f"SHA-256 is {digest(SUMS)}, the release's checksum is {checksum}")

    package = _read_json(path / DATAPACKAGE)
    if package is None:
        if DATAPACKAGE not in {p.file for p in problems}:
            problem(DATAPACKAGE, "missing or not readable JSON")
    else:
        for resource in package.get("resources", []):
            file = resource.get("path", "")
            found = digest(file)
            if found is None:
                problem(file, "missing (listed in datapackage.json)")
                continue
            if f"sha256:{found}" != resource.get("hash"):
                problem(file, f"SHA-256 is {found}, datapackage.json says {resource.get('hash')}")
            size = (path / file).stat().st_size
            if size != resource.get("bytes"):
                problem(file, f"size is {size} bytes, datapackage.json says {resource['bytes']}")

    known = listed | {MANIFEST, SUMS}
    if manifest is not None:
        known |= {entry.get("name") for entry in manifest.get("files", [])}
    for extra in sorted(p.name for p in path.iterdir() if p.name not in known):
        problem(extra, "not listed in SHA256SUMS or release.json")
    return problems


def verify_all(root: Path | None = None) -> dict[str, list[Problem]]:
    """Release name → its problems, for every release folder under ``root`` (by default
    ``DATASET_ROOT``, or the bucket when releases are kept in object storage)."""
    bucket = storage.release_storage() if root is None else None
    if bucket is not None:
        return {name: verify_stored(name) for name in stored_release_folders()}
    return {path.name: verify_release(path) for path in release_folders(root)}


def stored_release_folders() -> list[str]:
    """Every prefix in the bucket named like a release, complete or not."""
    bucket = storage.release_storage()
    if bucket is None:
        return []
    return [n for n in storage.stored_release_names(bucket) if RELEASE_NAME.match(n)]


def verify_stored(name: str) -> list[Problem]:
    """Check one release kept in object storage: a temporary download checked as on disk."""
    bucket = storage.release_storage()
    if bucket is None:
        return [Problem(name, MANIFEST, "object storage is not configured")]
    tmp = Path(tempfile.mkdtemp(prefix="verify-"))
    try:
        return verify_release(storage.fetch_release(bucket, name, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _read_json(path: Path) -> dict | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None
