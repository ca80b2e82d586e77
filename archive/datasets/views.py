"""The downloads page and the release files it links to.

Files are streamed from disk (never read whole into memory) and support single byte-range
requests (``Range: bytes=…``, answered ``206``), so large downloads can be resumed: the
rule lives in :func:`archive.files.file_response`, shared with the kept API downloads.
Only files named in a release's own manifest can be served: the URL's release name must
match the naming rule and the file name must be listed, so no path a client sends is ever
joined onto the file system unchecked.

When releases are kept in object storage (``STORAGE_BUCKET``) the same URLs answer with a
redirect to a signed, expiring URL of the same file in the bucket, which then serves it (with
byte ranges) under the same name and type: the application servers never carry the bytes.
"""

from __future__ import annotations

from pathlib import Path

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from archive import storage
from archive.files import file_response

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
    suffix = path.suffix
    # A release never changes once published, so its files can be cached for a long time.
    return file_response(
        request,
        path,
        etag=f'"{entry["sha256"][:32]}"',
        content_type=CONTENT_TYPES.get(suffix, "text/plain; charset=utf-8"),
        filename=entry["name"],
        as_attachment=suffix in ATTACHMENTS,
        max_age=86400,
    )


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
