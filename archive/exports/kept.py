"""Large API downloads kept as files until the archive changes.

A CSV or JSON Lines download is a pure function of the published records and the request's
filters, like a page. A small one costs milliseconds; a decade or a whole publication at a
million articles is hundreds of thousands of rows, seconds to tens of seconds of database
and server time, and researchers ask for the same slices again and again (a decade, a
year, a newspaper). So a download the planner expects to have at least
``EXPORT_KEEP_ROWS`` rows is written to a file while it streams to its first reader, and
every later reader of the same download at the same content version is sent that file:
read from disk by the operating system (``sendfile``), or, with object storage, from the
bucket through a signed, expiring redirect, as ``/downloads/`` serves release files.

What makes it safe is the same rule as the page cache (:mod:`archive.caching`): a kept
file's name holds the content version, read before the export's snapshot from the database
the export reads, so the file is never older than its version, and any write to the
archive moves the version on, after which the file is never asked for again. Keeping a new
version's first file deletes the files of every other version, so the storage holds at
most one version's downloads.

Nothing half-written is ever served: the file is written to a temporary name and moved
into place (or uploaded, which an object store makes visible only when complete) after the
last byte, and a download the reader abandons, or that fails, leaves nothing.

One reader builds a file at a time (:class:`BuildLock`: a file lock beside the files on one
machine, released by the kernel if its process dies; a lock in the shared cache, which the
builder renews as it writes, with a bucket). Readers who ask for the same download
meanwhile wait for it, up to ``FOLLOW_SECONDS``, and are sent the finished file; if it is
not finished by then (or its builder gave up), they get their own stream, as without
keeping. So ten readers of a new decade's download cost one export, not ten.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.cache import patch_cache_control
from storages.utils import clean_name

from archive.caching import content_version, page_cache, versioned_key
from archive.files import file_response
from archive.models.base import planner_rows
from archive.storage import read_chunks

logger = logging.getLogger(__name__)

#: Query parameters that do not change a download's rows or bytes.
IGNORED_PARAMETERS = frozenset({"format", "page_size", "cursor"})
#: The shared lock's life: a builder renews it at least every third of it while it writes,
#: so a builder that died is replaced within this many seconds.
BUILD_LOCK_SECONDS = 30
#: How long a reader waits for a download another reader is building before streaming its
#: own (below the server's stall bound and a client's read timeout: the wait sends nothing).
FOLLOW_SECONDS = 20
#: How often a waiting reader looks again.
FOLLOW_POLL = 0.25


def export_storage() -> Storage:
    """Where kept downloads live: ``var/exports`` on one machine, the bucket with one."""
    return storages["exports"]


def keeping_on() -> bool:
    """Whether downloads are kept at all (``EXPORT_KEEP_ROWS`` 0 keeps none)."""
    return settings.EXPORT_KEEP_ROWS > 0


def worth_keeping(queryset: models.QuerySet) -> bool:
    """Whether a download of ``queryset`` is large enough to keep: the planner expects at
    least ``EXPORT_KEEP_ROWS`` rows (SQLite, with no estimate, counts them)."""
    if not keeping_on():
        return False
    threshold = settings.EXPORT_KEEP_ROWS
    unordered = queryset.order_by()
    expected = planner_rows(unordered)
    if expected is None:
        expected = unordered.count()
    return expected >= threshold


@dataclass(frozen=True)
class KeptExport:
    """One download (a resource, a format, its filters) at one content version."""

    name: str
    version: int
    storage: Storage

    @classmethod
    def of(
        cls,
        resource: str,
        extension: str,
        parameters: Mapping[str, Sequence[str]],
        variant: str = "",
        using: str | None = None,
    ) -> KeptExport:
        """The kept file for these filters (``parameters``, a request's query as lists; the
        ones that change nothing left out, the order of the rest irrelevant) and ``variant``
        (what else changes the bytes, e.g. full text), at the current content version."""
        version = content_version(using)
        query = sorted(
            (name, sorted(values))
            for name, values in parameters.items()
            if name not in IGNORED_PARAMETERS
        )
        digest = hashlib.sha256(repr((resource, extension, variant, query)).encode()).hexdigest()
        name = f"{version}/{resource}-{digest[:32]}.{extension}"
        return cls(name=name, version=version, storage=export_storage())

    @property
    def etag(self) -> str:
        return f'"{self.name.replace("/", "-").rsplit(".", 1)[0]}"'

    # -- serving ---------------------------------------------------------------------------

    def response(
        self, request: HttpRequest, content_type: str, filename: str
    ) -> HttpResponse | None:
        """The kept file as the answer to ``request``, or ``None`` when there is none (yet,
        or any more: a newer version's first download has just removed it)."""
        if isinstance(self.storage, FileSystemStorage):
            path = Path(self.storage.path(self.name))
            if not path.is_file():
                return None
            try:
                return file_response(
                    request,
                    path,
                    etag=self.etag,
                    content_type=content_type,
                    filename=filename,
                    as_attachment=True,
                    max_age=0,  # until the archive changes: revalidate with the ETag
                )
            except FileNotFoundError:  # removed just now by a newer version's first file
                return None
        if not self.storage.exists(self.name):
            return None
        disposition = f'attachment; filename="{filename}"'
        parameters = {
            "ResponseContentType": content_type,
            "ResponseContentDisposition": disposition,
        }
        response = HttpResponseRedirect(self.storage.url(self.name, parameters=parameters))
        response["ETag"] = self.etag
        # The signed URL expires: the redirect itself must not be kept by any cache.
        patch_cache_control(response, private=True, no_store=True)
        return response

    # -- keeping ---------------------------------------------------------------------------

    def build_lock(self) -> BuildLock:
        return BuildLock(self)

    def stream(self, queryset: models.QuerySet, chunks: Iterator[bytes]) -> Iterator[bytes]:
        """What a reader with no kept file to be sent gets: ``chunks`` (the export of
        ``queryset``) kept on the way when the download is large enough and there is room,
        the file another reader is building when one is, or ``chunks`` alone."""
        if not (worth_keeping(queryset) and self.has_room()):
            return chunks
        lock = self.build_lock()
        if lock.acquire():
            return self.keeping(chunks, lock)
        return self.following(lock, chunks)

    def has_room(self) -> bool:
        """Whether this version's kept downloads are below ``EXPORT_KEEP_MAX_BYTES``: every
        distinct large download is kept, so a reader asking for many of them must not be
        able to fill the disk or the bucket; past the bound, downloads are streamed as
        without keeping until the archive changes (and the next version starts empty)."""
        return self.kept_bytes() < settings.EXPORT_KEEP_MAX_BYTES

    def kept_bytes(self) -> int:
        """The size of this version's kept downloads (finished files only)."""
        folder = str(self.version)
        if isinstance(self.storage, FileSystemStorage):
            path = Path(self.storage.path(folder))
            if not path.is_dir():
                return 0
            return sum(
                entry.stat().st_size
                for entry in os.scandir(path)
                if entry.is_file() and not entry.name.startswith(".")
            )
        bucket = getattr(self.storage, "bucket", None)
        if bucket is None or not hasattr(self.storage, "_normalize_name"):
            _folders, files = self.storage.listdir(f"{folder}/")
            return sum(self.storage.size(f"{folder}/{name}") for name in files)
        prefix = self.storage._normalize_name(clean_name(folder)) + "/"
        return sum(item.size for item in bucket.objects.filter(Prefix=prefix))

    def keeping(self, chunks: Iterable[bytes], lock: BuildLock) -> Iterator[bytes]:
        """``chunks`` passed on unchanged, and written to the kept file when the last one has
        gone; ``lock`` (acquired) is held until then. A stream closed early (the reader
        left) or that fails keeps nothing."""
        folder = self._working_folder()
        handle = tempfile.NamedTemporaryFile(prefix=".partial-", dir=folder, delete=False)  # noqa: SIM115
        chunks = iter(chunks)
        complete = False
        try:
            for chunk in chunks:
                handle.write(chunk)
                lock.renew()
                yield chunk
            complete = True
        finally:
            # A reader who leaves closes this generator: close the export's too, now rather
            # than whenever it is collected, so its COPY and transaction end at once.
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
            handle.close()
            try:
                if complete:
                    self._store(Path(handle.name))
            except Exception:  # the reader has every byte; only the keeping failed
                logger.exception("Could not keep the download %s", self.name)
            finally:
                Path(handle.name).unlink(missing_ok=True)
                lock.release()

    def following(self, lock: BuildLock, own: Iterator[bytes]) -> Iterator[bytes]:
        """The file another reader is building, once it is finished: wait for it (up to
        ``FOLLOW_SECONDS``), then send it; or ``own``, this reader's own stream, when it is
        not there by then. While waiting, empty chunks (nothing is sent) tell the server
        the request is alive."""
        deadline = time.monotonic() + FOLLOW_SECONDS
        while lock.held_elsewhere() and time.monotonic() < deadline:
            yield b""
            time.sleep(FOLLOW_POLL)
        kept = read_chunks(self.storage, self.name)
        if kept is None:
            yield from own
            return
        close = getattr(own, "close", None)
        if close is not None:
            close()  # never started: no query was run
        yield from kept

    def _working_folder(self) -> str | None:
        """Local storage: the version's own folder, so the finished file is renamed into
        place (atomic, same file system). Object storage: the system's temporary folder."""
        if isinstance(self.storage, FileSystemStorage):
            folder = Path(self.storage.path(self.name)).parent
            folder.mkdir(parents=True, exist_ok=True)
            return str(folder)
        return None

    def _store(self, written: Path) -> None:
        if isinstance(self.storage, FileSystemStorage):
            written.chmod(0o644)  # as a saved file is (a temporary file is the owner's only)
            os.replace(written, self.storage.path(self.name))
        else:
            with open(written, "rb") as handle:
                self.storage.save(self.name, File(handle, name=Path(self.name).name))
        self.remove_other_versions()

    def remove_other_versions(self) -> None:
        """Delete every kept download of another content version: none will be asked for
        again (a reader of the older version that is still downloading keeps its open file
        on disk; the bucket finishes a transfer it has begun)."""
        folders, _files = self.storage.listdir("")
        for folder in folders:
            folder = folder.strip("/")
            if folder == str(self.version):
                continue
            if isinstance(self.storage, FileSystemStorage):
                shutil.rmtree(self.storage.path(folder), ignore_errors=True)
                continue
            _subfolders, files = self.storage.listdir(f"{folder}/")
            for file in files:
                self.storage.delete(f"{folder}/{file}")


class BuildLock:
    """Who is writing one kept download, across every process that shares its storage.

    On local disk, an exclusive ``flock`` on a lock file beside the version's files: every
    worker process on the machine sees it, and the kernel lets go when the builder's process
    dies. With object storage (several machines), a key in the shared cache that the
    builder renews as it writes (``BUILD_LOCK_SECONDS``), so a builder that died is
    replaced once its key expires. With a per-process cache and a bucket, each process
    builds on its own: the bytes are the same, only the work is repeated.
    """

    def __init__(self, kept: KeptExport) -> None:
        self.kept = kept
        self.key = versioned_key("export-build", kept.version, kept.name)
        self.fd: int | None = None
        self.renewed = 0.0
        self.local = isinstance(kept.storage, FileSystemStorage)

    @property
    def path(self) -> Path:
        target = Path(self.kept.storage.path(self.kept.name))
        return target.with_name(f".lock-{target.name}")

    def acquire(self) -> bool:
        """Take the lock if no one holds it; whether it was taken."""
        if not self.local:
            self.renewed = time.monotonic()
            return page_cache().add(self.key, 1, BUILD_LOCK_SECONDS)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self.fd = fd
        return True

    def renew(self) -> None:
        """Tell the shared cache the builder is alive (every third of the key's life)."""
        if not self.local and time.monotonic() - self.renewed > BUILD_LOCK_SECONDS / 3:
            page_cache().touch(self.key, BUILD_LOCK_SECONDS)
            self.renewed = time.monotonic()

    def release(self) -> None:
        if not self.local:
            page_cache().delete(self.key)
        elif self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None

    def held_elsewhere(self) -> bool:
        """Whether another reader is building the file now."""
        if not self.local:
            return page_cache().get(self.key) is not None
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # also lets go of a shared lock just taken
        return False
