"""Files sent whole or by byte range: release files (``/downloads/``) and kept API
downloads (:mod:`archive.exports.kept`) answer the same way.

``FileResponse`` streams from disk (``sendfile`` under gunicorn), never reading a file whole
into memory; a single ``Range: bytes=…`` is answered ``206`` so a large download can be
resumed (``If-Range`` with the ETag makes sure the rest belongs to the same file); an
``If-None-Match`` with the current ETag is answered ``304``; ``HEAD`` gets a ``GET``'s
headers and no body.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
BLOCK_SIZE = 64 * 1024


def file_response(
    request: HttpRequest,
    path: Path,
    *,
    etag: str,
    content_type: str,
    filename: str,
    as_attachment: bool,
    max_age: int,
) -> HttpResponse:
    """The file at ``path`` as the answer to ``request`` (whole, a range, 304 or 416),
    public for ``max_age`` seconds (0: revalidate every time, with the ETag)."""
    conditional = get_conditional_response(request, etag=etag)
    if conditional is not None:
        return conditional
    handle = open(path, "rb")  # noqa: SIM115 (FileResponse closes it)
    size = path.stat().st_size
    options = {"content_type": content_type, "as_attachment": as_attachment, "filename": filename}
    span = None
    header = request.headers.get("Range")
    if_range = request.headers.get("If-Range")
    if header and (if_range is None or if_range == etag):
        try:
            span = parse_range(header, size)
        except ValueError:
            handle.close()
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
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
    if max_age:
        patch_cache_control(response, public=True, max_age=max_age)
    else:
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    if request.method == "HEAD":  # the headers a GET would send, and no body
        head = HttpResponse(status=response.status_code)
        for name, value in response.items():
            head[name] = value
        response.close()
        return head
    return response


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
