"""Restore a data release into the database: ``manage.py load_dataset RELEASE``.

The restore is the release builder run backwards, and the round trip is exact: building a
release from the restored database gives byte-identical data files (tests prove it on the
seed collection). To get there the loader

1. verifies every file against ``SHA256SUMS`` before touching the database, so a corrupted or
   truncated download is refused with nothing written;
2. inserts rows *raw* (as ``loaddata`` does): ids, timestamps and publication times are kept
   as released, ``save()`` hooks and history signals do not run;
3. recomputes what the models derive with ``derive_fields()``, the one function ``save()``
   uses (EDTF bounds, folded names, word counts, an article's effective date), and reports
   any row whose released derived columns disagree with it (the rule's value is stored);
4. does all of it in one transaction, resets the PostgreSQL id sequences, and sends
   ``collection_loaded`` so derived data such as search indexes is rebuilt.

A release named (not given as a folder) is read from object storage when it is configured
(:mod:`archive.storage`): its files are downloaded into a temporary folder, verified and
loaded the same way, and the folder is removed afterwards.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.color import no_style
from django.db import IntegrityError, connection, models, transaction

from archive import models as archive_models
from archive import storage
from archive.exports.release import NOT_RELEASED, release_exporters, restored_fields
from archive.models.base import PublishableModel, Status, derive_fields
from archive.signals import collection_loaded

from .releases import DATAPACKAGE, RELEASE_NAME, SUMS, dataset_root

BATCH = 1000
_SUM_LINE = re.compile(r"^([0-9a-f]{64})  ([A-Za-z0-9._-]+)$")


class ReleaseError(Exception):
    """The release cannot be loaded; the message says why in one line. Nothing was written."""


def resolve(release: str) -> Path:
    """A release folder given as a path, or as a name under ``DATASET_ROOT``."""
    path = Path(release)
    if not path.is_dir():
        path = dataset_root() / release
    if not path.is_dir():
        raise ReleaseError(f"No release folder at {release}.")
    return path


@contextmanager
def local_release(release: str) -> Iterator[Path]:
    """The release's folder: a local one, or a temporary download of a release kept in
    object storage (removed on leaving)."""
    bucket = storage.release_storage()
    if bucket is None or Path(release).is_dir() or not RELEASE_NAME.match(release):
        yield resolve(release)
        return
    if storage.stored_manifest(bucket, release) is None:
        raise ReleaseError(f"No release called {release} in the object storage bucket.")
    tmp = Path(tempfile.mkdtemp(prefix="release-"))
    try:
        yield storage.fetch_release(bucket, release, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def verify(path: Path) -> list[str]:
    """Check every file in ``SHA256SUMS``; return the file names. Raise on any mismatch."""
    sums = path / SUMS
    if not sums.is_file():
        raise ReleaseError(f"Release {path.name} has no {SUMS} file: it is incomplete.")
    names = []
    for number, line in enumerate(sums.read_text(encoding="utf-8").splitlines(), start=1):
        match = _SUM_LINE.match(line)
        if not match:
            raise ReleaseError(f"Release {path.name}: line {number} of {SUMS} is malformed.")
        digest, name = match.groups()
        file = path / name
        if not file.is_file():
            raise ReleaseError(f"Release {path.name} is incomplete: {name} is missing.")
        if _sha256(file) != digest:
            raise ReleaseError(
                f"Release {path.name} is corrupted: {name} does not match its SHA-256 in "
                f"{SUMS} (truncated or altered download?). Nothing was loaded."
            )
        names.append(name)
    needed = {DATAPACKAGE, *(f"{r}.jsonl" for r in release_exporters())}
    missing = sorted(needed - set(names))
    if missing:
        raise ReleaseError(f"Release {path.name} is incomplete: {missing[0]} is not in {SUMS}.")
    _check_columns(path)
    return names


def _check_columns(path: Path) -> None:
    """The release's files have the columns this version of the archive loads.

    Every column a restore reads must be there; columns this version only adds for readers
    (a name beside an id, such as ``issue_label``) may be missing, so a release made before
    they were added still restores. Any column this version does not know is refused."""
    try:
        package = json.loads((path / DATAPACKAGE).read_text(encoding="utf-8"))
        schemas = {r["name"]: r["schema"] for r in package["resources"]}
    except (ValueError, KeyError, TypeError):
        raise ReleaseError(f"Release {path.name}: {DATAPACKAGE} is not readable.") from None
    for resource, exporter in release_exporters().items():
        expected = [c.name for c in exporter(full_text=True).fields]
        found = [f.get("name") for f in schemas.get(resource, {}).get("fields", [])]
        read = set(restored_fields(exporter).values())
        if not read <= set(found) or found != [c for c in expected if c in found]:
            raise ReleaseError(
                f"Release {path.name} was made by another version of the archive: the "
                f"columns of {resource} differ from what this version loads."
            )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def content_models() -> list[type[models.Model]]:
    return [exporter.model for exporter in release_exporters().values()]


def database_is_empty() -> bool:
    return not any(model._base_manager.exists() for model in content_models())


def clear_content() -> None:
    """Delete the archive's records (for ``--replace``), link rows before what they link.

    Plain SQL ``DELETE``s, not ``Model.delete()``: a replace is not a curator's deletion to
    record in history record by record, and it must stay fast at a million rows. Foreign
    keys are checked at commit, so if anything else still points at a deleted record the
    whole load is rolled back. Import repair logs stay with their source files, unlinked.
    """
    Event = archive_models.Event
    archive_models.TextRepair.objects.filter(article__isnull=False).update(article=None)
    ordered = [
        archive_models.Mention,
        archive_models.Authorship,
        archive_models.Illustration,
        archive_models.EventParticipant,
        Event.places.through,
        Event.articles.through,
        archive_models.Alias,
        archive_models.Article,
        archive_models.Issue,
        Event,
        archive_models.Publication,
        archive_models.Person,
        archive_models.Organisation,
        archive_models.Place,
        archive_models.PastSlug,
    ]
    with connection.cursor() as cursor:
        for model in ordered:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def load_release(
    release: str, *, replace: bool = False, notes: list[str] | None = None
) -> dict[str, int]:
    """Verify, then load every resource of ``release``; return rows loaded per resource.

    ``notes`` receives one line per resource whose derived columns the archive's rules
    recomputed differently (see :class:`_Plan`).
    """
    with local_release(release) as path:
        verify(path)
        if notes is None:
            notes = []
        try:
            with transaction.atomic():
                counts = _load(path, replace, notes)
        except IntegrityError as exc:
            raise ReleaseError(
                f"Release {path.name} could not be loaded, nothing was written: {exc}".strip()
            ) from exc
    return counts


def _load(path: Path, replace: bool, notes: list[str]) -> dict[str, int]:
    if not database_is_empty():
        if not replace:
            raise ReleaseError(
                "The database already holds archive records; load into an empty database "
                "or pass --replace to replace them."
            )
        clear_content()
    counts = {
        resource: _load_resource(exporter, path / f"{resource}.jsonl", notes)
        for resource, exporter in release_exporters().items()
    }
    _reset_sequences()
    collection_loaded.send(sender=load_release)
    return counts


class _Plan:
    """How each stored field of a model is filled from a release row.

    A field a curator can edit comes from the release column that holds it
    (:func:`~archive.exports.release.restored_fields`) or is one a release leaves out on
    purpose (``NOT_RELEASED``); anything else is an error, so a new model field cannot be
    forgotten by the releases. A field curators cannot edit is kept by the archive itself:
    timestamps come from their columns, stored counts from the database's triggers, and
    derived values from ``derive_fields()``, the one function ``save()`` uses. Where a
    release also carries a derived value (an article's effective date and word count), the
    recomputed value is compared with it. The rule's value is stored either way (a restore
    must not fail over a stale count in the database the release came from), and each
    disagreement is counted for the report, so a hand-edited release or one made by another
    rule does not pass unnoticed.
    """

    def __init__(self, exporter) -> None:
        self.model = exporter.model
        meta = self.model._meta
        restored = restored_fields(exporter)
        self.fields = list(meta.concrete_fields)
        self.sources: dict[str, str] = {}  # attname -> column
        self.defaults: dict[str, Any] = {}
        #: Fields filled from a column that derive_fields() also computes: checked after it.
        self.checked: list[models.Field] = []
        for f in self.fields:
            column = restored.get(f.attname)
            if column is not None:
                self.sources[f.attname] = column
                if not f.editable:
                    self.checked.append(f)
            elif f.attname == "status" and issubclass(self.model, PublishableModel):
                self.defaults[f.attname] = Status.PUBLISHED  # a release holds public records
            elif f.attname in NOT_RELEASED or f.has_default() or f.null or not f.editable:
                self.defaults[f.attname] = f.get_default()
            else:
                raise ReleaseError(f"{meta.label}.{f.attname} has no column in the release.")
        #: An article may take its issue's date (Article.effective_date_rule): issues are
        #: loaded before articles, and read once, not once per article.
        self.issues: dict[int, archive_models.Issue] | None = None
        #: Field name -> rows whose released value the rule disagreed with; the first one.
        self.disagreed: Counter[str] = Counter()
        self.first_disagreement = ""

    def instance(self, row: dict[str, Any]) -> models.Model:
        values = dict(self.defaults)
        for f in self.fields:
            column = self.sources.get(f.attname)
            if column is not None:
                value = row.get(column)
                if value is None and f.empty_strings_allowed and not f.null:
                    value = ""  # a missing text is null in JSON Lines (docs/api.md)
                values[f.attname] = f.to_python(value)
        obj = self.model(**values)
        if isinstance(obj, archive_models.Article):
            if self.issues is None:
                self.issues = archive_models.Issue._base_manager.only("date").in_bulk()
            issue = self.issues.get(obj.issue_id)
            if issue is not None:
                obj.issue = issue
        released = [(f, getattr(obj, f.attname)) for f in self.checked]
        derive_fields(obj)
        for f, value in released:
            derived = getattr(obj, f.attname)
            if derived != value:
                self.disagreed[f.name] += 1
                if not self.first_disagreement:
                    self.first_disagreement = (
                        f"id {obj.pk}: the release says {f.name} is {_shown(value)}, the "
                        f"archive's rule gives {_shown(derived)}"
                    )
        return obj

    def report(self, resource: str) -> str | None:
        """One line on the disagreements, or ``None`` when the release agreed throughout."""
        if not self.disagreed:
            return None
        counts = ", ".join(f"{name} in {n} rows" for name, n in sorted(self.disagreed.items()))
        return (
            f"{resource}: derived values differed from the archive's own rules ({counts}); "
            f"the rules' values were stored. First: {self.first_disagreement}."
        )


def _shown(value: Any) -> str:
    """A value as a reader of the report would write it: 'undated', '1990-01-01', None."""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, dt.date):
        value = value.isoformat()
    return repr(value)


def _load_resource(exporter, path: Path, notes: list[str]) -> int:
    plan = _Plan(exporter)
    manager = plan.model._base_manager
    fields = list(plan.fields)
    size = max(1, min(BATCH, connection.ops.bulk_batch_size(fields, [None] * BATCH)))
    batch: list[models.Model] = []
    count = 0
    with open(path, "rb") as handle:
        for line in handle:
            if not line.strip():
                continue
            batch.append(plan.instance(json.loads(line, parse_float=Decimal)))
            if len(batch) >= size:
                manager._insert(batch, fields=fields, raw=True)
                count += len(batch)
                batch = []
    if batch:
        manager._insert(batch, fields=fields, raw=True)
        count += len(batch)
    note = plan.report(exporter.resource)
    if note:
        notes.append(note)
    return count


def _reset_sequences() -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), content_models())
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
