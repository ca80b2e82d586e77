"""The public changes feed: record every change of the public archive, and read it back.

A harvester asks "what changed since my last visit"; a mirror applies each change to its own
copy and must end up holding exactly the public release. Both need the changes of the
*public* archive, which is not the same as the history of the records: publishing an issue
makes its articles, their mentions and authorships public without touching them; renaming a
person changes the author names printed in their articles' rows; a draft's edits change
nothing the public sees. So the log is derived from what the public sees, by the one rule:

* :func:`record_changes` exports every release resource (``archive.exports.release``, whose
  rows are the model layer's ``public()`` rows, the very lines a data release writes),
  compares each line with the digest of the line it saw last time (:class:`PublicRow`), and
  appends one :class:`Change` per row that appeared, changed or vanished;
* why a row vanished comes from the history the archive keeps: the record still exists
  (``withdrawn``: it, or a record it hangs from, left the public archive), it was merged
  (``merged``: its slug is a :class:`PastSlug` of the survivor, written by
  ``entity_merge``), or it was deleted (``deleted``); the reason is the history entry's
  change reason, when a curator gave one;
* each recording runs under one lock and in one snapshot (PostgreSQL: a session advisory
  lock, then a REPEATABLE READ transaction; SQLite: the database's write lock, taken first),
  so the sequence numbers (``Change.id``) only ever grow in the order the changes are
  committed, and a client resuming "after N" misses nothing and repeats nothing.

Within one recording, rows that appear or change come parents first (publications before
their issues, articles before their mentions) and rows that vanish come children first, so
a client with foreign keys can apply them in order. Recording happens whenever someone asks
(the feed, OAI-PMH, a tombstone, a release build: :func:`ensure_current` costs two primary
key reads when nothing changed) and on the ``record_changes`` schedule.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone

from archive.caching import content_version
from archive.exports.base import utc_timestamp
from archive.exports.release import release_exporters
from archive.models import Change, ChangeKind, ChangeLogState, PastSlug, PublicRow

#: Rows written per INSERT.
BATCH = 500
#: Ids per ``IN (…)`` list (below SQLite's variable limit).
ID_CHUNK = 500
#: Key of the PostgreSQL advisory lock that serialises recordings ("changes" in ASCII).
LOCK_KEY = 0x6368616E676573
_ID = re.compile(rb'^\{"id":(\d+)[,}]')
_CREATED = re.compile(rb'"created":"([^"]+)"')
#: The reason services write when a curator gave none ("status → draft"): says nothing.
_AUTOMATIC_REASON = re.compile(r"^status → \w+$")


def resources() -> list[str]:
    """Every kind of row the feed reports, in the order a release writes them."""
    return list(release_exporters())


# --------------------------------------------------------------------------------------------
# Recording
# --------------------------------------------------------------------------------------------


def ensure_current(*, wait: bool = True) -> int:
    """Record the changes made since the last recording, if any; return how many.

    With ``wait=False`` (a reader's request) a recording already running elsewhere is not
    waited for: the log is read as it stands, and that recording brings it up to date.
    """
    return 0 if is_current() else record_changes(wait=wait)


def is_current() -> bool:
    """Whether the log has recorded every change up to the present content version."""
    recorded = ChangeLogState.objects.filter(pk=1).values_list("content_version", flat=True)
    return recorded.first() == content_version()


@contextmanager
def _exclusive(wait: bool) -> Iterator[bool]:
    """One recording at a time, across processes and hosts (PostgreSQL: advisory lock).

    Yields whether this process holds the turn (always, when ``wait``)."""
    if connection.vendor != "postgresql":
        yield True  # SQLite: the transaction takes the database's write lock first (below)
        return
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
            held = True
        else:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
            held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


def record_changes(*, force: bool = False, wait: bool = True) -> int:
    """Append the changes of the public archive since the last recording; return how many.

    Nothing is appended when the content version has not moved since (unless ``force``),
    nor when ``wait`` is false and another recording is running.
    """
    outermost = not connection.in_atomic_block
    with _exclusive(wait) as held:
        if not held:
            return 0
        return _record(outermost, force)


def _record(outermost: bool, force: bool) -> int:
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                if outermost:
                    # Every resource read from one snapshot, taken after the lock is held.
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SET LOCAL jit = off")
                cursor.execute(
                    "INSERT INTO archive_changelogstate (id) VALUES (1) ON CONFLICT DO NOTHING"
                )
            else:
                # A write first: SQLite takes its write lock now, before anything is read.
                cursor.execute("INSERT OR IGNORE INTO archive_changelogstate (id) VALUES (1)")
        state = ChangeLogState.objects.select_for_update().get(pk=1)
        version = content_version()
        if state.content_version == version and not force:
            return 0
        now = timezone.now()
        if state.recorded_at is not None and now < state.recorded_at:
            now = state.recorded_at  # the clock went back: times never decrease
        count = _Recording(now=now, previous=state.recorded_at).run()
        state.content_version = version
        state.recorded_at = now
        state.save()
    return count


@dataclass
class _Row:
    record_id: int
    offset: int
    length: int
    digest: str
    new: bool


@dataclass
class _Recording:
    """One pass over every resource: compare, then append the changes in order."""

    now: dt.datetime
    previous: dt.datetime | None
    count: int = 0
    vanished: list[tuple[str, type[models.Model], list[int]]] = field(default_factory=list)

    def run(self) -> int:
        for resource, exporter_class in release_exporters().items():
            exporter = exporter_class(full_text=True)
            with tempfile.TemporaryFile() as spool:
                # The export finishes before anything else is read: on PostgreSQL it is a
                # COPY, and the connection can run nothing else until it ends.
                for chunk in exporter.iter_jsonl():
                    spool.write(chunk)
                spool.seek(0)
                present, gone = self._compare(resource, spool)
                self._append_present(resource, present, spool)
            self._forget(resource, [r.record_id for r in present if not r.new] + gone)
            PublicRow.objects.bulk_create(
                (PublicRow(resource=resource, record_id=r.record_id, digest=r.digest)
                 for r in present),
                batch_size=BATCH,
            )  # fmt: skip
            if gone:
                self.vanished.append((resource, exporter.model, gone))
        for resource, model, ids in reversed(self.vanished):
            self._append_gone(resource, model, ids)
        return self.count

    def _compare(self, resource: str, spool: IO[bytes]) -> tuple[list[_Row], list[int]]:
        """A merge join of the new lines (by id) and the digests seen last time (by id)."""
        present: list[_Row] = []
        gone: list[int] = []
        old = iter(
            PublicRow.objects.filter(resource=resource)
            .order_by("record_id")
            .values_list("record_id", "digest")
            .iterator(chunk_size=5000)
        )
        old_row = next(old, None)
        offset = 0
        for line in spool:
            match = _ID.match(line)
            length = len(line)
            if match is None:
                offset += length
                continue
            record_id = int(match.group(1))
            digest = hashlib.sha256(line.rstrip(b"\n")).hexdigest()[:32]
            while old_row is not None and old_row[0] < record_id:
                gone.append(old_row[0])
                old_row = next(old, None)
            if old_row is not None and old_row[0] == record_id:
                if old_row[1] != digest:
                    present.append(_Row(record_id, offset, length, digest, new=False))
                old_row = next(old, None)
            else:
                present.append(_Row(record_id, offset, length, digest, new=True))
            offset += length
        while old_row is not None:
            gone.append(old_row[0])
            old_row = next(old, None)
        return present, gone

    def _append_present(self, resource: str, rows: list[_Row], spool: IO[bytes]) -> None:
        batch: list[Change] = []
        for row in rows:
            spool.seek(row.offset)
            line = spool.read(row.length).rstrip(b"\n")
            kind = self._appeared(line) if row.new else ChangeKind.UPDATED
            batch.append(
                Change(
                    time=self.now,
                    resource=resource,
                    record_id=row.record_id,
                    change=kind,
                    record=line.decode("utf-8"),
                )
            )
            if len(batch) >= BATCH:
                self._write(batch)
                batch = []
        self._write(batch)

    def _appeared(self, line: bytes) -> str:
        """``created`` for a row whose record was made since the last recording (or at the
        first recording), else ``published``: it existed, and it or a record it hangs from
        was published (again)."""
        if self.previous is None:
            return ChangeKind.CREATED
        match = _CREATED.search(line)
        if match is None:  # a link row with no timestamps of its own
            return ChangeKind.PUBLISHED
        created = dt.datetime.fromisoformat(match.group(1).decode().replace("Z", "+00:00"))
        return ChangeKind.CREATED if created > self.previous else ChangeKind.PUBLISHED

    def _append_gone(self, resource: str, model: type[models.Model], ids: list[int]) -> None:
        existing: set[int] = set()
        for chunk in _chunks(ids):
            existing.update(model._base_manager.filter(pk__in=chunk).values_list("pk", flat=True))
        deleted = [i for i in ids if i not in existing]
        survivors = merge_survivors(model, deleted)
        reasons = self._reasons(model, ids)
        batch = []
        for record_id in ids:
            if record_id in existing:
                kind, into = ChangeKind.WITHDRAWN, None
            elif record_id in survivors:
                kind, into = ChangeKind.MERGED, survivors[record_id]
            else:
                kind, into = ChangeKind.DELETED, None
            batch.append(
                Change(
                    time=self.now,
                    resource=resource,
                    record_id=record_id,
                    change=kind,
                    merged_into=into,
                    reason=reasons.get(record_id, ""),
                )
            )
            if len(batch) >= BATCH:
                self._write(batch)
                batch = []
        self._write(batch)

    def _reasons(self, model: type[models.Model], ids: list[int]) -> dict[int, str]:
        """The change reason of each record's latest history entry since the last
        recording, when a curator gave one."""
        history = _history_model(model)
        if history is None:
            return {}
        reasons: dict[int, str] = {}
        for chunk in _chunks(ids):
            entries = history.objects.filter(id__in=chunk)
            if self.previous is not None:
                entries = entries.filter(history_date__gt=self.previous)
            for record_id, reason in entries.order_by("history_date", "history_id").values_list(
                "id", "history_change_reason"
            ):
                reasons[record_id] = reason or ""
        return {k: v for k, v in reasons.items() if v and not _AUTOMATIC_REASON.match(v)}

    def _forget(self, resource: str, ids: list[int]) -> None:
        for chunk in _chunks(ids):
            PublicRow.objects.filter(resource=resource, record_id__in=chunk).delete()

    def _write(self, batch: list[Change]) -> None:
        if batch:
            Change.objects.bulk_create(batch)
            self.count += len(batch)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), ID_CHUNK):
        yield ids[start : start + ID_CHUNK]


def _history_model(model: type[models.Model]) -> type[models.Model] | None:
    history = getattr(model, "history", None)
    return getattr(history, "model", None)


def merge_survivors(model: type[models.Model], ids: Iterable[int]) -> dict[int, int]:
    """Deleted record id → the record it was merged into, from the history the archive keeps.

    ``entity_merge`` deletes each duplicate and keeps its slug as a :class:`PastSlug` of the
    survivor (so its URL redirects): a deleted record whose last slug is now a past slug of
    another record of its kind was merged into that record. Kinds whose slug is not unique
    on its own (issues, articles) cannot be merged this way and are never reported merged.
    """
    ids = list(ids)
    history = _history_model(model)
    slug_field = next((f for f in model._meta.concrete_fields if f.name == "slug"), None)
    if not ids or history is None or slug_field is None or not slug_field.unique:
        return {}
    last_slug: dict[int, str] = {}
    for chunk in _chunks(ids):
        rows = (
            history.objects.filter(id__in=chunk)
            .order_by("history_date", "history_id")
            .values_list("id", "slug")
        )
        for record_id, slug in rows:
            last_slug[record_id] = slug
    if not last_slug:
        return {}
    content_type = ContentType.objects.get_for_model(model)
    targets = dict(
        PastSlug.objects.filter(
            content_type=content_type, slug__in=set(last_slug.values())
        ).values_list("slug", "object_id")
    )
    return {
        record_id: targets[slug]
        for record_id, slug in last_slug.items()
        if slug in targets and targets[slug] != record_id
    }


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def changes(
    *,
    after: int = 0,
    kinds: Iterable[str] | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> models.QuerySet[Change]:
    """Recorded changes after sequence number ``after``, in order, optionally only of some
    resources (``kinds``) and recorded in ``[since, until)``."""
    selected = Change.objects.filter(id__gt=after)
    if kinds:
        selected = selected.filter(resource__in=list(kinds))
    if since is not None:
        selected = selected.filter(time__gte=since)
    if until is not None:
        selected = selected.filter(time__lt=until)
    return selected.order_by("id")


def last_seq() -> int:
    """The newest sequence number (0 before anything was recorded)."""
    return Change.objects.aggregate(last=models.Max("id"))["last"] or 0


def entry_json(change: Change) -> str:
    """One change as the feed prints it: a JSON object whose ``record`` is the row's release
    line verbatim (so numbers keep their printed form, ``54.35200``, byte for byte)."""
    head = {
        "seq": change.pk,
        "time": utc_timestamp(change.time),
        "kind": change.resource,
        "id": change.record_id,
        "change": change.change,
        "merged_into": change.merged_into,
        "reason": change.reason or None,
    }
    text = json.dumps(head, ensure_ascii=False, separators=(",", ":"))
    return f'{text[:-1]},"record":{change.record or "null"}}}'


def latest(resource: str, record_ids: Iterable[int]) -> dict[int, Change]:
    """The newest change of each of the rows ``record_ids`` of ``resource`` that has one."""
    found: dict[int, Change] = {}
    for chunk in _chunks(list(record_ids)):
        newest = (
            Change.objects.filter(resource=resource, record_id__in=chunk)
            .values("record_id")
            .annotate(last=models.Max("id"))
            .values_list("last", flat=True)
        )
        for change in Change.objects.filter(id__in=list(newest)):
            found[change.record_id] = change
    return found


def final_survivor(resource: str, record_id: int, *, limit: int = 20) -> tuple[int, Change | None]:
    """Follow merges from ``record_id`` to the record that finally survived, and its newest
    change (``None`` if it never was public)."""
    current = latest(resource, [record_id]).get(record_id)
    seen = {record_id}
    while current is not None and current.change == ChangeKind.MERGED and limit > 0:
        record_id = current.merged_into
        if record_id in seen:
            break
        seen.add(record_id)
        current = latest(resource, [record_id]).get(record_id)
        limit -= 1
    return record_id, current


def parse_record(change: Change) -> dict[str, Any] | None:
    """The record of a change as Python values (``None`` when the row left)."""
    if not change.record:
        return None
    from decimal import Decimal

    return json.loads(change.record, parse_float=Decimal)


def counts_between(after: int, upto: int) -> dict[str, dict[str, int]]:
    """Changes recorded in ``(after, upto]``, counted by kind of row and kind of change."""
    counts: dict[str, dict[str, int]] = {}
    rows = (
        Change.objects.filter(id__gt=after, id__lte=upto)
        .values_list("resource", "change")
        .annotate(n=models.Count("id"))
        .order_by("resource", "change")
    )
    for resource, change, n in rows:
        counts.setdefault(resource, {})[change] = n
    return {r: counts[r] for r in resources() if r in counts}


def merges_between(after: int, upto: int) -> list[tuple[str, int, int]]:
    """``(resource, old id, new id)`` of every merge recorded in ``(after, upto]``; the new id
    is the record that survived as of ``upto`` (a merge into a record merged in turn is
    followed to the end)."""
    merged = Change.objects.filter(change=ChangeKind.MERGED, id__lte=upto).order_by("id")
    into: dict[tuple[str, int], int] = {}
    for change in merged.values("resource", "record_id", "merged_into"):
        into[(change["resource"], change["record_id"])] = change["merged_into"]
    found = []
    for change in merged.filter(id__gt=after).values("resource", "record_id"):
        resource, record_id = change["resource"], change["record_id"]
        target, seen = into[(resource, record_id)], {record_id}
        while (resource, target) in into and target not in seen:
            seen.add(target)
            target = into[(resource, target)]
        found.append((resource, record_id, target))
    order = {name: i for i, name in enumerate(resources())}
    return sorted(found, key=lambda m: (order.get(m[0], len(order)), m[1]))
