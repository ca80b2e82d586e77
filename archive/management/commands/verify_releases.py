"""Check every stored data release against its checksums (see docs/preservation.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from archive.datasets.fixity import (
    stored_release_folders,
    verify_all,
    verify_release,
    verify_stored,
)
from archive.datasets.releases import RELEASE_NAME, dataset_root
from archive.storage import release_storage


class Command(BaseCommand):
    help = (
        "Verify every release under DATASET_ROOT against its SHA256SUMS, datapackage.json "
        "and release.json (or every release in the object storage bucket, when "
        "STORAGE_BUCKET is set); exit non-zero, naming each file, on any mismatch. Meant "
        "for a daily schedule."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "release", nargs="*", help="Release names to check (default: every release)."
        )

    def handle(self, *args, release: list[str], **options):
        if release and release_storage() is not None:
            stored = set(stored_release_folders())
            for name in release:
                if name not in stored:
                    raise CommandError(f"No release called {name} in the object storage bucket.")
            results = {name: verify_stored(name) for name in release}
        elif release:
            for name in release:
                if not RELEASE_NAME.match(name) or not (dataset_root() / name).is_dir():
                    raise CommandError(f"No release called {name} under {dataset_root()}.")
            results = {name: verify_release(dataset_root() / name) for name in release}
        else:
            results = verify_all()
        problems = [p for found in results.values() for p in found]
        for name, found in results.items():
            if not found:
                self.stdout.write(f"{name}: OK")
        if problems:
            for problem in problems:
                self.stderr.write(f"FAILED {problem}")
            raise CommandError(
                f"{len(problems)} problem(s) in {len({p.release for p in problems})} of "
                f"{len(results)} release(s); first: {problems[0]}"
            )
        self.stdout.write(f"{len(results)} release(s) verified.")
