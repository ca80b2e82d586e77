"""Where data releases and the admin's uploaded files live: local disk or object storage.

On one machine releases are folders under ``DATASET_ROOT`` and nothing here is used for
them. With ``STORAGE_BUCKET`` set, several application servers and task workers share one
S3-compatible bucket (django-storages, the ``releases`` and ``uploads`` entries of
``STORAGES``):

* ``releases/<name>/<file>``: every file of a release, exactly the bytes the builder wrote
  on local disk (same names, same checksums). ``release.json`` is uploaded *last*, so, as on
  disk, a prefix without it is not a release: a build that dies half-way is never listed.
  Removal deletes ``release.json`` first, so a reader never sees a half-deleted release.
* ``uploads/<sha256>.txt``: the text files uploaded in the admin, kept until imported, so
  the task worker that imports them (on another machine, maybe) reads the same bytes.

``DATASET_ROOT`` stays in use as a local working folder: the builder writes a release there
before uploading it, and the previous release is fetched there to count what changed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import (
    FileSystemStorage,
    InvalidStorageError,
    Storage,
    storages,
)
from storages.utils import clean_name

#: The index card; uploaded last and deleted first (see the module docstring).
MANIFEST = "release.json"
CHUNK = 1 << 20


def release_storage() -> Storage | None:
    """The object storage holding releases, or ``None`` when they live on local disk."""
    try:
        return storages["releases"]
    except InvalidStorageError:
        return None


def upload_storage() -> Storage:
    """Where uploaded import files wait for the import (local disk or the bucket)."""
    return storages["uploads"]


# -- releases in object storage


def stored_release_names(storage: Storage) -> list[str]:
    """The names of the folders in the bucket (complete or not; callers read the manifest)."""
    folders, _files = storage.listdir("")
    return sorted(name.strip("/") for name in folders)


def stored_manifest(storage: Storage, name: str) -> dict[str, Any] | None:
    """A release's ``release.json`` from the bucket, or ``None`` if it has none (yet)."""
    key = f"{name}/{MANIFEST}"
    try:
        with storage.open(key, "rb") as handle:
            value = json.loads(handle.read().decode("utf-8"))
    except (OSError, ValueError):
        return None
    except Exception as exc:  # botocore's ClientError for a missing key
        if _is_missing(exc):
            return None
        raise
    return value if isinstance(value, dict) else None


def stored_files(storage: Storage, name: str) -> list[str]:
    """Every file name under the release's prefix."""
    _folders, files = storage.listdir(f"{name}/")
    return sorted(files)


def publish_release(folder: Path, storage: Storage) -> None:
    """Upload a complete local release folder; ``release.json`` last (it makes it listed)."""
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name != MANIFEST)
    for path in [*files, folder / MANIFEST]:
        with open(path, "rb") as handle:
            storage.save(f"{folder.name}/{path.name}", File(handle, name=path.name))


def fetch_release(storage: Storage, name: str, root: Path) -> Path:
    """Download every file of release ``name`` into ``root/name``; return that folder.

    Written into a hidden temporary folder and renamed into place when complete, like a
    build, so an interrupted download never looks like a release. A complete local copy
    with the same manifest is reused as it is.
    """
    target = root / name
    manifest = stored_manifest(storage, name)
    if manifest is not None and (target / MANIFEST).is_file():
        try:
            local = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
        except ValueError:
            local = None
        if local == manifest:
            return target
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-fetch-{name}-", dir=root))
    try:
        for file in stored_files(storage, name):
            with open(tmp / file, "wb") as out:
                _download(storage, f"{name}/{file}", out)
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def remove_stored_release(storage: Storage, name: str) -> None:
    """Delete a release from the bucket: its manifest first, so it is never half listed."""
    storage.delete(f"{name}/{MANIFEST}")
    for file in stored_files(storage, name):
        storage.delete(f"{name}/{file}")


def signed_url(
    storage: Storage, name: str, filename: str, *, content_type: str, disposition: str
) -> str:
    """A URL of one release file that the bucket serves itself, signed and expiring
    (``STORAGE_URL_SECONDS``), answered with the type and download name the site would send."""
    parameters = {"ResponseContentType": content_type, "ResponseContentDisposition": disposition}
    return storage.url(f"{name}/{filename}", parameters=parameters)


def _download(storage: Storage, name: str, out) -> None:
    """Copy one object into an open file in chunks: a release file may be gigabytes, and
    django-storages' ``open()`` would hold it in memory."""
    bucket = getattr(storage, "bucket", None)
    if bucket is not None and hasattr(storage, "_normalize_name"):
        bucket.download_fileobj(storage._normalize_name(clean_name(name)), out)
        return
    with storage.open(name, "rb") as source:
        shutil.copyfileobj(source, out, CHUNK)


def read_chunks(storage: Storage, name: str) -> Iterator[bytes] | None:
    """The file ``name`` as 1 MB chunks, opened now (so ``None`` when it does not exist)
    and closed when read to the end or abandoned; never whole in memory (django-storages'
    ``open()`` of an object would be)."""
    bucket = getattr(storage, "bucket", None)
    if bucket is not None and hasattr(storage, "_normalize_name"):
        try:
            body = bucket.Object(storage._normalize_name(clean_name(name))).get()["Body"]
        except Exception as exc:  # botocore's ClientError for a missing key
            if _is_missing(exc):
                return None
            raise
        return _closing(body.iter_chunks(CHUNK), body.close)
    try:
        handle = storage.open(name, "rb")
    except FileNotFoundError:
        return None
    return _closing(iter(lambda: handle.read(CHUNK), b""), handle.close)


def _closing(chunks: Iterator[bytes], close) -> Iterator[bytes]:
    try:
        yield from chunks
    finally:
        close()


# -- uploads


def uploads_shared() -> bool:
    """True when uploads go to object storage (several machines), not the local disk."""
    return not isinstance(upload_storage(), FileSystemStorage)


def save_upload(data: bytes) -> str:
    """Keep an uploaded file's bytes under its SHA-256; return the storage name."""
    name = f"{hashlib.sha256(data).hexdigest()}.txt"
    storage = upload_storage()
    if not storage.exists(name):
        storage.save(name, ContentFile(data, name=name))
    return name


def read_upload(name: str) -> bytes:
    """The bytes of an upload kept by :func:`save_upload`."""
    with upload_storage().open(name, "rb") as handle:
        return handle.read()


def delete_upload(name: str) -> None:
    upload_storage().delete(name)


def _is_missing(exc: BaseException) -> bool:
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return False
    code = str(response.get("Error", {}).get("Code", ""))
    return code in {"404", "NoSuchKey", "NotFound"}
