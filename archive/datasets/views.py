"""The downloads page and the release files it links to.

Files are streamed from disk with ``FileResponse`` (never read whole into memory) and support
single byte-range requests (``Range: bytes=…``, answered ``206``), so large downloads can be
resumed. Only files named in a release's own manifest can be served: the URL's release name
must match the naming rule and the file name must be listed, so no path a client sends is
ever joined onto the file system unchecked.

When releases are kept in object storage (``STORAGE_BUCKET``) the same URLs answer with a
redirect to a signed, expiring URL of the same file in the bucket, which then serves it (with
byte ranges) under the same name and type: the application servers never carry the bytes.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.http import require_safe

from archive import storage

from .releases import Release, get_release, list_releases

CONTENT_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".jsonl": "application/jsonl; charset=utf-8",
    ".json": "application/json",
    ".md": "text/markdown; charset=utf-8",
    ".zip": "application/zip",
    ".sqlite3": "application/vnd.sqlite3",
}
ATTACHMENTS = {".csv", ".jsonl", ".zip", ".sqlite3"}
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
BLOCK_SIZE = 64 * 1024


@require_safe
def downloads(request: HttpRequest) -> HttpResponse:
    """Every release, newest first, with its counts, changes, files and checksums."""
    releases = list_releases()
    return render(
        request,
        "archive/downloads.html",
        {"releases": [_describe(r) for r in releases], "latest": releases[0] if releases else None},
    )


def _describe(release: Release) -> dict:
    manifest = release.manifest
    files = manifest["files"]
    by_resource: dict[str, dict] = {}
    for f in files:
        if f.get("resource"):
            by_resource.setdefault(f["resource"], {})[f["kind"]] = f
    return {
        "name": release.name,
        "manifest": manifest,
        "rows": sum(r["rows"] for r in manifest["resources"]),
        "resources": [
            {**r, "files": by_resource.get(r["name"], {})} for r in manifest["resources"]
        ],
        "zip": release.file(manifest["zip"]),
        "meta_files": [f for f in files if f["kind"] in ("meta", "mirror")],
        "changes": {
            key: sum(r[key] for r in manifest["resources"])
            for key in ("added", "changed", "removed")
        },
    }


class _RangeReader:
    """Reads ``length`` bytes of an open file from where it stands, then stops."""

    def __init__(self, handle, length: int) -> None:
        self.handle = handle
        self.remaining = length

    def read(self, size: int = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        size = self.remaining if size < 0 else min(size, self.remaining)
        data = self.handle.read(size)
        self.remaining -= len(data)
        return data

    def close(self) -> None:
        self.handle.close()


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """``(first, last)`` byte of a single satisfiable range; ``None`` to send the whole file.

    Raises ``ValueError`` when the range cannot be satisfied (answered 416). Several ranges
    or a malformed header are ignored, as RFC 9110 allows, and the whole file is sent.
    """
    match = _RANGE.match(header.strip())
    if not match or size == 0:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the final N bytes
        length = int(last)
        if length == 0:
            raise ValueError("empty suffix range")
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if last and int(last) < start:
        return None
    if start >= size:
        raise ValueError("range starts after the end of the file")
    return start, end


@require_safe
def release_file(request: HttpRequest, release: str, filename: str) -> HttpResponse:
    """One file of a release, whole or by byte range."""
    found = get_release(release)
    entry = found.file(filename) if found else None
    if entry is None:
        raise Http404("No such release file.")
    if found.stored:
        return _redirect_to_bucket(found, entry)
    path: Path = found.path / entry["name"]
    if not path.is_file() or path.resolve().parent != found.path.resolve():
        raise Http404("No such release file.")
    etag = f'"{entry["sha256"][:32]}"'
    conditional = get_conditional_response(request, etag=etag)
    if conditional is not None:
        return conditional
    size = path.stat().st_size
    suffix = path.suffix
    options = {
        "content_type": CONTENT_TYPES.get(suffix, "text/plain; charset=utf-8"),
        "as_attachment": suffix in ATTACHMENTS,
        "filename": entry["name"],
    }
    span = None
    header = request.headers.get("Range")
    if_range = request.headers.get("If-Range")
    if header and (if_range is None or if_range == etag):
        try:
            span = parse_range(header, size)
        except ValueError:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
    handle = open(path, "rb")  # noqa: SIM115 (FileResponse closes it)
    if span is None:
        response = FileResponse(handle, **options)
    else:
        first, last = span
        handle.seek(first)
        response = FileResponse(_RangeReader(handle, last - first + 1), status=206, **options)
        response["Content-Length"] = str(last - first + 1)
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response.block_size = BLOCK_SIZE
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    # A release never changes once published, so its files can be cached for a long time.
    patch_cache_control(response, public=True, max_age=86400)
    if request.method == "HEAD":  # the headers a GET would send, and no body
        head = HttpResponse(status=response.status_code)
        for name, value in response.items():
            head[name] = value
        response.close()
        return head
    return response


def _redirect_to_bucket(release: Release, entry: dict) -> HttpResponse:
    """A redirect to the file in object storage: signed, expiring, same name and type."""
    bucket = storage.release_storage()
    if bucket is None:  # listed from a bucket that is no longer configured
        raise Http404("No such release file.")
    name = entry["name"]
    suffix = Path(name).suffix
    disposition = "attachment" if suffix in ATTACHMENTS else "inline"
    url = storage.signed_url(
        bucket,
        release.name,
        name,
        content_type=CONTENT_TYPES.get(suffix, "text/plain; charset=utf-8"),
        disposition=f'{disposition}; filename="{name}"',
    )
    response = HttpResponseRedirect(url)
    response["ETag"] = f'"{entry["sha256"][:32]}"'
    # The signed URL expires: the redirect itself must not be kept by any cache.
    patch_cache_control(response, private=True, no_store=True)
    return response
