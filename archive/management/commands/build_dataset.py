"""Build a versioned, checksummed data release of the published archive (see docs/data.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from archive.datasets.releases import BuildError, build_release
from archive.models import BackgroundJob, JobKind
from archive.tasks import enqueue, runs_inline


class Command(BaseCommand):
    help = (
        "Write a data release (CSV + JSON Lines per resource, datapackage.json, README, "
        "CHANGELOG, SHA256SUMS, zip) under DATASET_ROOT, unless nothing changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Build even if no record changed.")
        parser.add_argument(
            "--keep", type=int, metavar="N", help="Afterwards keep only the N newest releases."
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help="Queue the build for the task worker (TASKS_BACKEND=database) and return "
            "at once; its progress is shown in the admin's background jobs.",
        )

    def handle(self, *args, force: bool, keep: int | None, background: bool, **options):
        if keep is not None and keep < 1:
            raise CommandError("--keep must be at least 1 (the newest release is always kept).")
        if background and not runs_inline():
            job = BackgroundJob.objects.create(
                kind=JobKind.RELEASE, name="data release", total=1,
                result={"options": {"force": force, "keep": keep}},
            )  # fmt: skip
            enqueue(job)
            self.stdout.write(
                f"Queued the build as background job #{job.pk}; a task worker "
                "(manage.py db_worker) runs it. Progress: the admin's background jobs."
            )
            return
        try:
            result = build_release(force=force, keep=keep)
        except BuildError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(result.message)
        if result.release and not result.skipped:
            release = result.release
            where = f"object storage: releases/{release.name}/" if release.stored else release.path
            self.stdout.write(str(where))
            self.stdout.write(f"Checksum (SHA-256 of SHA256SUMS): {release.checksum}")
            if release.last_seq is not None:
                self.stdout.write(f"Equals /api/changes/ up to seq {release.last_seq}.")
