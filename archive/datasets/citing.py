"""Version-pinned citations: the data release that holds a record, with its checksum.

A citation of a page quotes the archive as it is today; a reader checking it next year may
find the record changed. Every data release is a fixed version with a stable name and a
checksum (the SHA-256 of its ``SHA256SUMS``, which pins every file), and each release names
the ``/api/changes/`` sequence number it equals. So the public changes log says whether a
release holds a record: the record's newest change up to that number left it public. The
article's "Cite this" (``archive.citations.Citation``) adds the newest such release.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from archive.models import Change, ChangeKind

from .releases import list_releases


@dataclass(frozen=True)
class ReleaseCitation:
    """A record as held by one data release."""

    release: str
    checksum: str
    url: str
    resource: str
    record_id: int

    def note(self) -> str:
        """One sentence to add to a citation."""
        return (
            f"Archive of political publications, data release {self.release}, "
            f"{self.resource} id {self.record_id} (SHA-256 of SHA256SUMS: {self.checksum}), "
            f"{self.url}."
        )


def release_for(resource: str, record_id: int) -> ReleaseCitation | None:
    """The newest release that holds row ``record_id`` of ``resource``, or ``None``.

    Reads the releases' index cards (no query when there is no release), then one indexed
    query per release until one holds the record (usually the newest).
    """
    for release in list_releases():
        seq, checksum = release.last_seq, release.checksum
        if seq is None or checksum is None:
            continue  # built before the changes log, or not pinned to it
        newest = (
            Change.objects.filter(resource=resource, record_id=record_id, id__lte=seq)
            .order_by("-id")
            .values_list("change", flat=True)
            .first()
        )
        if newest in ChangeKind.present():
            return ReleaseCitation(
                release=release.name,
                checksum=checksum,
                url=f"{settings.SITE_URL}/downloads/{release.name}/",
                resource=resource,
                record_id=record_id,
            )
    return None
