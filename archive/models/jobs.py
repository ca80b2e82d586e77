"""Background jobs: imports and release builds run by the task worker, and their progress.

When ``TASKS_BACKEND`` queues tasks (archive/tasks.py), the request that starts an import or
a build returns at once; the task does the work on the worker and writes its progress here,
file by file, where the admin's progress page reads it (queued, running n of N, done with
each file's summary, or failed with one line saying why). Inline (the default) the same rows
are not needed and none are written for imports.

Not content: a job's progress must not bump the content version that keys cached pages
(``CONTENT_VERSION_TRIGGER = False``, archive/caching.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class JobKind(models.TextChoices):
    CHECK = "check", "check uploaded files (dry run)"
    IMPORT = "import", "import"
    RELEASE = "release", "build a data release"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "queued"
    RUNNING = "running", "running"
    DONE = "done", "done"
    FAILED = "failed", "failed"


class BackgroundJob(models.Model):
    """One import (of one or several files) or one release build, and how far it got."""

    CONTENT_VERSION_TRIGGER = False

    kind = models.CharField(max_length=16, choices=JobKind.choices)
    status = models.CharField(
        max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    name = models.CharField(max_length=255, blank=True, help_text="The files' names.")
    task_id = models.CharField(
        max_length=64, blank=True, help_text="The task's id in the task backend."
    )
    total = models.PositiveIntegerField(default=0, help_text="Files (or steps) to do.")
    done = models.PositiveIntegerField(default=0, help_text="Files (or steps) finished.")
    current = models.CharField(max_length=255, blank=True, help_text="What runs now.")
    items = models.JSONField(
        default=list,
        blank=True,
        help_text="One entry per file: its name, where its bytes are kept, the import "
        "options, and once run its status, report or one-line error.",
    )
    result = models.JSONField(default=dict, blank=True, help_text="What the job produced.")
    message = models.TextField(blank=True, help_text="Why it failed, in one line.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created = models.DateTimeField(default=timezone.now, editable=False)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}: {self.status}"

    @property
    def finished_ok(self) -> bool:
        return self.status == JobStatus.DONE

    @property
    def in_progress(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)

    def progress_text(self) -> str:
        """ "queued", "running 2/5: name", "done", "failed: why" — as the admin shows it."""
        if self.status == JobStatus.RUNNING:
            step = min(self.done + 1, self.total) if self.total else self.done
            where = f": {self.current}" if self.current else ""
            return f"running {step}/{self.total}{where}"
        if self.status == JobStatus.FAILED:
            return f"failed: {self.message}" if self.message else "failed"
        return str(self.status)
