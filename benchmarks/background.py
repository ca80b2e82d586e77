"""Benchmark: what a curator waits for, inline and with the task queue; releases on disk and
in an S3 bucket.

    .venv/bin/python benchmarks/background.py [--runs 3]

On a throwaway SQLite database (migrated, the seed collection loaded) and a local S3 API
server (moto in server mode, as the tests use), it prints medians of ``--runs`` runs of:

* the admin upload of the seed pamphlet's text (181 KB): the response time inline (the dry
  run inside the request, as on one machine) and queued (``TASKS_BACKEND=database``: the file
  stored in the bucket and the job queued; the worker does the dry run afterwards);
* building the seed collection's release into ``DATASET_ROOT`` and into the bucket;
* answering ``/downloads/<release>/articles.csv``: streamed from disk, or a redirect to a
  signed URL (the bucket then sends the bytes).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="archive-bench-background-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"
os.environ["AWS_ACCESS_KEY_ID"] = "bench"
os.environ["AWS_SECRET_ACCESS_KEY"] = "bench"  # noqa: S105 (a throwaway local server)
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
PAMPHLET = ROOT / "fixtures" / "sources" / "workers-liberty-1989-1991-pamphlet.txt"


def timed(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs

    import django

    django.setup()
    import logging

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client, override_settings
    from moto.server import ThreadedMotoServer

    from archive.datasets.releases import build_release
    from archive.models import BackgroundJob, Publication

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        import boto3

        endpoint = f"http://127.0.0.1:{port}"
        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket="bench")
        options = {"bucket_name": "bench", "endpoint_url": endpoint, "region_name": "us-east-1",
                   "signature_version": "s3v4", "file_overwrite": True}  # fmt: skip
        bucket = {
            "releases": {"BACKEND": "storages.backends.s3.S3Storage",
                         "OPTIONS": {**options, "location": "releases"}},
            "uploads": {"BACKEND": "storages.backends.s3.S3Storage",
                        "OPTIONS": {**options, "location": "uploads"}},
        }  # fmt: skip
        from django.conf import settings

        call_command("migrate", verbosity=0)
        call_command("load_collection", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.create_superuser("bench", "bench@example.org", "x")
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        publication = Publication.objects.order_by("pk").first()
        data = PAMPHLET.read_bytes()

        counter = iter(range(1_000_000))

        def upload() -> None:
            # A line of its own per run: the seed already holds the pamphlet (same SHA-256,
            # which the importer would skip), and each upload must be new work.
            unique = data + f"\nUpload {next(counter)}.\n".encode()
            response = client.post("/admin/archive/sourcedocument/import/", {
                "action": "preview", "publication": publication.pk,
                "file": [SimpleUploadedFile("pamphlet.txt", unique, content_type="text/plain")],
            })  # fmt: skip
            assert response.status_code in (200, 302), response.content.decode()[-3000:]

        inline = timed(upload, runs)
        queued_tasks = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        with override_settings(TASKS=queued_tasks, STORAGES={**settings.STORAGES, **bucket}):
            queued = timed(upload, runs)
        assert BackgroundJob.objects.count() == runs

        local_root, bucket_root = WORK / "local", WORK / "bucket-work"

        def build_local() -> None:
            with override_settings(DATASET_ROOT=local_root):
                shutil.rmtree(local_root, ignore_errors=True)
                build_release(force=True)

        def build_bucket() -> None:
            with override_settings(DATASET_ROOT=bucket_root,
                                   STORAGES={**settings.STORAGES, **bucket}):  # fmt: skip
                build_release(force=True, keep=1)

        built_local = timed(build_local, runs)
        built_bucket = timed(build_bucket, runs)

        with override_settings(DATASET_ROOT=local_root):
            from archive.datasets.releases import list_releases

            name = list_releases()[0].name
            url = f"/downloads/{name}/articles.csv"
            size = (local_root / name / "articles.csv").stat().st_size

            def stream() -> None:
                response = client.get(url)
                assert response.status_code == 200
                b"".join(response.streaming_content)

            streamed = timed(stream, max(runs, 10))
        with override_settings(DATASET_ROOT=bucket_root, STORAGES={**settings.STORAGES, **bucket}):
            name = list_releases()[0].name

            def redirect() -> None:
                response = client.get(f"/downloads/{name}/articles.csv")
                assert response.status_code == 302

            redirected = timed(redirect, max(runs, 10))
    finally:
        server.stop()
        shutil.rmtree(WORK, ignore_errors=True)

    print(f"Medians of {runs} runs (downloads: {max(runs, 10)}), SQLite, moto S3 on localhost.")
    print(f"Admin upload of the seed pamphlet ({len(data) / 1024:.0f} KB), response time:")
    print(f"  inline (dry run in the request)   {inline * 1000:8.0f} ms")
    print(f"  queued (stored, job queued)       {queued * 1000:8.0f} ms")
    print("Release of the seed collection:")
    print(f"  built into DATASET_ROOT           {built_local * 1000:8.0f} ms")
    print(f"  built and uploaded to the bucket  {built_bucket * 1000:8.0f} ms")
    print(f"/downloads/…/articles.csv ({size / 1024:.0f} KB), application server's time:")
    print(f"  streamed from disk                {streamed * 1000:8.1f} ms")
    print(f"  redirect to a signed URL          {redirected * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
