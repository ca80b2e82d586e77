"""Imports, release builds and the search vocabulary as background tasks (django-tasks,
Django's task framework).

``TASKS_BACKEND=immediate`` (the default) keeps one machine's behaviour: the admin imports
inside the request and ``build_dataset`` builds in the command, as before, and nothing here
is queued. ``TASKS_BACKEND=database`` puts each job in a queue table in the database;
``manage.py db_worker`` (one or more, on any machine) takes them. Then the request that
starts an import returns at once with a progress page, and the task records its progress in
a :class:`~archive.models.BackgroundJob` row, file by file, for that page to show.

Every task takes only the job's id: what to do (the files' storage names and the import
options) is in the row, and the files' bytes are in the uploads storage
(:mod:`archive.storage`), which the worker reads wherever it runs.

Each file is imported in its own transaction by the one importer
(:class:`~archive.importers.service.TextImporter`): a file that fails writes nothing, its
entry says why in one line, the other files still import, and the task itself ends as
failed, so the task backend's result agrees with the page.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks import task, task_backends
from django_tasks.backends.immediate import ImmediateBackend

from archive import storage
from archive.models import BackgroundJob, JobKind, JobStatus


class JobFailed(Exception):
    """A job ended with at least one failure; the message is the job's one-line reason."""


def runs_inline() -> bool:
    """True when tasks run inside the request or command that starts them (the default)."""
    return isinstance(task_backends["default"], ImmediateBackend)


def one_line(exc: BaseException) -> str:
    """An exception as one readable line for a curator ("date: … is not a valid date")."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        text = "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
        )
    elif isinstance(exc, ValidationError):
        text = " ".join(exc.messages)
    else:
        text = str(exc)
    return " ".join(text.split()) or type(exc).__name__


def enqueue(job: BackgroundJob) -> BackgroundJob:
    """Queue the task that runs ``job`` once the job's row is committed (the worker must see
    it), and keep the task's id on the row."""
    runner = {JobKind.CHECK: check_import, JobKind.IMPORT: run_import, JobKind.RELEASE: build}[
        JobKind(job.kind)
    ]

    def send() -> None:
        result = runner.enqueue(job.pk)
        BackgroundJob.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id))

    transaction.on_commit(send)
    return job


# -- progress


@contextmanager
def _as_curator(job: BackgroundJob) -> Iterator[None]:
    """Record the curator who queued the job as the author of the history entries written
    on the worker, as the request's user is inline (simple_history reads it from here)."""
    from simple_history.models import HistoricalRecords

    if job.created_by is None:
        yield
        return
    previous = getattr(HistoricalRecords.context, "request", None)
    HistoricalRecords.context.request = SimpleNamespace(user=job.created_by)
    try:
        yield
    finally:
        if previous is None:
            del HistoricalRecords.context.request
        else:
            HistoricalRecords.context.request = previous


@contextmanager
def _running(job_id: int) -> Iterator[BackgroundJob]:
    """The job, marked running; anything unexpected marks it failed, in one line, and is
    raised again so the task backend records the traceback."""
    job = BackgroundJob.objects.get(pk=job_id)
    job.status = JobStatus.RUNNING
    job.started = timezone.now()
    job.done = 0
    job.save(update_fields=["status", "started", "done"])
    try:
        with _as_curator(job):
            yield job
    except JobFailed:
        raise
    except BaseException as exc:
        BackgroundJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, message=one_line(exc), current="", finished=timezone.now()
        )
        raise


def _step(job: BackgroundJob, current: str) -> None:
    job.current = current
    job.save(update_fields=["current", "done", "items"])


def _finish(job: BackgroundJob, failures: list[str]) -> dict[str, Any]:
    job.current = ""
    job.finished = timezone.now()
    job.status = JobStatus.FAILED if failures else JobStatus.DONE
    job.message = "; ".join(failures)
    # Not task_id: the request that queued the job may write it after the worker loaded it.
    job.save(update_fields=["current", "finished", "status", "message", "done", "items", "result"])
    if failures:
        raise JobFailed(job.message)
    return job.result


# -- the tasks


def _importer(options: dict):
    from archive.importers.service import TextImporter
    from archive.models import Publication

    publication = Publication.objects.get(pk=options["publication"])
    return TextImporter(**{**options, "publication": publication})


@task()
def check_import(job_id: int) -> dict[str, Any]:
    """The guided import's first step, on the worker: a dry run of every uploaded file
    (nothing written); the reports wait in the job for the curator's decisions."""
    from archive.importers.service import ImportRefused

    with _running(job_id) as job:
        failures: list[str] = []
        for entry in job.items:
            _step(job, entry["name"])
            try:
                data = storage.read_upload(entry["upload"])
                report = _importer(entry["options"]).run(data, dry_run=True, name=entry["name"])
            except (ImportRefused, OSError) as exc:
                entry["status"] = "failed"
                entry["message"] = one_line(exc)
                failures.append(f"{entry['name']}: {entry['message']}")
            else:
                entry["status"] = "checked"
                entry["sha256"] = report.sha256
                entry["report"] = report.as_dict()
            job.done += 1
        return _finish(job, failures)


@task()
def run_import(job_id: int) -> dict[str, Any]:
    """Import each waiting file for real, each in its own transaction; keep the names the
    curator set aside; remove the uploaded bytes once imported."""
    from archive.admin.import_flow import keep_dismissed

    with _running(job_id) as job:
        failures: list[str] = []
        dismissed = job.result.get("dismissed", [])
        for entry in job.items:
            _step(job, entry["name"])
            try:
                data = storage.read_upload(entry["upload"])
                report = _importer(entry["options"]).run(data, name=entry["name"])
            except Exception as exc:  # that file's transaction rolled back: say why
                entry["status"] = "failed"
                entry["message"] = one_line(exc)
                failures.append(f"Nothing was imported from {entry['name']}: {entry['message']}")
            else:
                keep_dismissed(report.source_document_id, dismissed)
                entry["status"] = report.status
                entry["report"] = report.as_dict()
                storage.delete_upload(entry["upload"])
            job.done += 1
        return _finish(job, failures)


@task()
def build(job_id: int) -> dict[str, Any]:
    """Build a data release on the worker (``build_dataset --background``)."""
    from archive.datasets.releases import BuildError, build_release

    with _running(job_id) as job:
        options = job.result.get("options", {})
        _step(job, "building the release")
        try:
            outcome = build_release(force=bool(options.get("force")), keep=options.get("keep"))
        except BuildError as exc:
            return _finish(job, [one_line(exc)])
        job.done = 1
        job.result = {
            **job.result,
            "message": outcome.message,
            "release": outcome.release.name if outcome.release else None,
            "skipped": outcome.skipped,
            "checksum": outcome.release.checksum if outcome.release else None,
        }
        return _finish(job, [])


@task()
def refresh_search_vocabulary() -> bool:
    """Rebuild the search's "did you mean" vocabulary on the worker, queued by the first
    search that finds it stale (:func:`archive.search.suggest.vocabulary`), so no reader's
    request reads the 5,000 articles it is built from. True if this task built it; False if
    another process was building it already."""
    from archive.search.suggest import build_vocabulary

    return build_vocabulary(wait=False) is not None
