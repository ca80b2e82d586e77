"""Imports and release builds on the task queue, run by a real ``manage.py db_worker``.

One worker process per module, on the test database itself (so it needs a database other
processes can open: the PostgreSQL pass; SQLite's test database lives in memory). The
uploads are kept in the S3 server's bucket, as on several machines. The worker is paused
(SIGSTOP) around each admin POST, so the test can show that the response came back while
the records did not exist yet; resumed, it runs the task and the progress page shows done.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from archive import storage
from archive.admin.importing import SESSION_KEY
from archive.datasets.releases import list_releases
from archive.models import Article, BackgroundJob, Issue, JobKind, JobStatus, SourceDocument
from archive.tasks import enqueue
from tests.deploy import services_s3
from tests.factories import PublicationFactory, UserFactory

#: The worker process reads what the test commits: on a database it can open (PostgreSQL).
committed = pytest.mark.django_db(transaction=True)
s3_server = services_s3.s3_server
ROOT = Path(__file__).resolve().parents[2]
IMPORT_URL = "/admin/archive/sourcedocument/import/"
ISSUE = (
    "1. Kuron in Gdansk\n\nJanuary 1990\n\n"
    "Jacek Kuron said to the workers of Gdańsk, the strike goes on.\n\n"
    "2. Another piece\n\nMarch 1990\n\nAdam Michnik wrote from Warszawa.\n"
).encode()
DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def database_url() -> str:
    s = connection.settings_dict
    password = f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else ""
    host = quote(s.get("HOST") or "", safe="")
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{s['USER']}{password}@{host}{port}/{s['NAME']}"


class Worker:
    """``manage.py db_worker`` in its own process, pausable; stopped at the end."""

    def __init__(self, env: dict[str, str]) -> None:
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", "0.1",
             "--no-startup-delay"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    @contextmanager
    def paused(self) -> Iterator[None]:
        self.process.send_signal(signal.SIGSTOP)
        try:
            yield
        finally:
            self.process.send_signal(signal.SIGCONT)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-3000:]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGCONT)
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, s3_server) -> Iterator[Worker]:
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database it can open (PostgreSQL pass)")
    with django_db_blocker.unblock():
        url = database_url()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": url,
        "TASKS_BACKEND": "database",
        "STORAGE_BUCKET": s3_server.bucket,
        "STORAGE_ENDPOINT_URL": s3_server.endpoint,
        "STORAGE_REGION": services_s3.REGION,
        "DATASET_ROOT": tempfile.mkdtemp(prefix="archive-worker-datasets-"),
    }
    running = Worker(env)
    try:
        yield running
    finally:
        running.stop()
        shutil.rmtree(env["DATASET_ROOT"], ignore_errors=True)


@pytest.fixture
def queued(settings, s3_server, worker):
    """This process queues tasks in the database and keeps uploads in the bucket, as the
    worker reads them."""
    settings.TASKS = DATABASE_BACKEND
    settings.STORAGES = {
        **settings.STORAGES,
        "uploads": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": s3_server.options("uploads"),
        },
    }
    return worker


def wait_for(job: BackgroundJob, worker: Worker, seconds: float = 90) -> BackgroundJob:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.in_progress:
            return job
        assert worker.process.poll() is None, worker.output()
        time.sleep(0.1)
    raise AssertionError(f"job still {job.status} after {seconds} s:\n{worker.output()}")


def job_from(response) -> BackgroundJob:
    assert response.status_code == 302, response.content[:2000]
    prefix = IMPORT_URL + "jobs/"
    assert response["Location"].startswith(prefix)
    return BackgroundJob.objects.get(pk=int(response["Location"][len(prefix) :].strip("/")))


@pytest.mark.requires_postgres
@committed
def test_admin_import_returns_at_once_and_the_worker_imports(queued, client):
    publication = PublicationFactory(title="Workers’ Liberty", slug="workers-liberty")
    curator = UserFactory(username="root", is_superuser=True)
    client.force_login(curator)

    with queued.paused():
        response = client.post(IMPORT_URL, {
            "action": "preview", "publication": publication.pk,
            "file": [SimpleUploadedFile("wl-1990.txt", ISSUE, content_type="text/plain")],
        })  # fmt: skip
        check = job_from(response)
        assert (check.kind, check.status) == (JobKind.CHECK, JobStatus.QUEUED)
        page = client.get(response["Location"])
        assert "queued" in page.content.decode()
        assert 'http-equiv="refresh"' in page.content.decode()
    wait_for(check, queued)
    assert check.status == JobStatus.DONE, check.message
    assert not SourceDocument.objects.exists()  # a dry run writes nothing
    report = client.get(f"{IMPORT_URL}jobs/{check.pk}/")
    assert report.status_code == 302 and report["Location"].endswith("/import/report/")
    page = client.get(report["Location"]).content.decode()
    assert "Kuron in Gdansk" in page and "Accept and import 2 draft articles" in page
    token = client.session[SESSION_KEY]["token"]

    with queued.paused():
        response = client.post(IMPORT_URL, {"action": "accept", "token": token})
        job = job_from(response)
        # The response is back; the worker has not run: nothing is in the archive yet.
        assert (job.kind, job.status) == (JobKind.IMPORT, JobStatus.QUEUED)
        assert not Article.objects.exists() and not SourceDocument.objects.exists()
    wait_for(job, queued)
    assert job.status == JobStatus.DONE, job.message
    assert (job.done, job.total) == (1, 1)
    assert list(Article.objects.order_by("position").values_list("title", "status")) == [
        ("Kuron in Gdansk", "draft"),
        ("Another piece", "draft"),
    ]
    issue = Issue.objects.get()
    # History names the curator who queued the import, as it does for an inline one.
    assert issue.history.earliest().history_user_id == curator.pk
    page = client.get(f"{IMPORT_URL}jobs/{job.pk}/").content.decode()
    assert 'data-status="done"' in page and "http-equiv" not in page
    assert reverse("admin:archive_issue_review", args=[issue.pk]) in page
    assert DBTaskResult.objects.get(id=job.task_id).status == "SUCCESSFUL"
    # The dry runs' page now leads to the import, never to a second acceptance.
    assert client.get(f"{IMPORT_URL}jobs/{check.pk}/")["Location"].endswith(f"/jobs/{job.pk}/")
    assert storage.upload_storage().listdir("")[1] == []  # imported: its upload is gone


@pytest.mark.requires_postgres
@committed
def test_failing_import_marks_the_task_failed_and_writes_nothing(queued, client):
    publication = PublicationFactory(title="Workers’ Liberty", slug="workers-liberty")
    good, bad = ISSUE, b"1. A piece\n\n1990\n\nText of the piece.\n"
    options = {"publication": publication.pk, "issue_slug": "", "issue_title": "",
               "issue_volume": "", "issue_number": ""}  # fmt: skip
    items = [
        {"name": "good.txt", "upload": storage.save_upload(good),
         "options": {**options, "issue_date": ""}},
        # The date is checked by the form; a job made before a rule changed can still hold
        # one the model refuses, after the source document was written in the transaction.
        {"name": "bad.txt", "upload": storage.save_upload(bad),
         "options": {**options, "issue_date": "1990-13-45"}},
    ]  # fmt: skip
    with queued.paused():
        job = enqueue(BackgroundJob.objects.create(kind=JobKind.IMPORT, name="two files",
                                                   total=2, items=items))  # fmt: skip
    wait_for(job, queued)
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("Nothing was imported from bad.txt: date:")
    assert "\n" not in job.message
    assert [i["status"] for i in job.items] == ["created", "failed"]
    # The bad file's transaction rolled back: its source document and issue do not exist.
    assert list(SourceDocument.objects.values_list("name", flat=True)) == ["good.txt"]
    assert Issue.objects.count() == 1
    result = DBTaskResult.objects.get(id=job.task_id)
    assert result.status == "FAILED" and "JobFailed" in result.exception_class_path
    client.force_login(UserFactory(username="root", is_superuser=True))
    page = client.get(f"{IMPORT_URL}jobs/{job.pk}/").content.decode()
    assert 'data-status="failed"' in page and "bad.txt" in page


@pytest.mark.requires_postgres
@committed
def test_release_build_in_the_background(queued, s3_server, settings, tmp_path):
    PublicationFactory(title="Solidarność")
    settings.STORAGES = {
        **settings.STORAGES,
        "releases": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": s3_server.options("releases"),
        },
    }
    out = io.StringIO()
    with queued.paused():
        call_command("build_dataset", "--background", stdout=out)
        job = BackgroundJob.objects.get(kind=JobKind.RELEASE)
        assert job.status == JobStatus.QUEUED and f"#{job.pk}" in out.getvalue()
    wait_for(job, queued)
    assert job.status == JobStatus.DONE, job.message
    name = job.result["release"]
    assert name and job.result["checksum"]
    assert [r.name for r in list_releases()] == [name]  # in the bucket the site reads


@pytest.mark.django_db
def test_inline_by_default_and_every_job_is_shown_in_the_admin(client, settings, tmp_path):
    """Without TASKS_BACKEND nothing is queued: --background builds at once, as before. Jobs
    the worker wrote are listed in the admin with their progress."""
    settings.DATASET_ROOT = tmp_path / "datasets"
    PublicationFactory(title="Solidarność")
    out = io.StringIO()
    call_command("build_dataset", "--background", stdout=out)
    assert "Built release" in out.getvalue() and not BackgroundJob.objects.exists()

    running = BackgroundJob.objects.create(
        kind=JobKind.IMPORT, name="a.txt, b.txt", status=JobStatus.RUNNING, total=2, done=1,
        current="b.txt", items=[{"name": "a.txt", "status": "created"}, {"name": "b.txt"}],
    )  # fmt: skip
    failed = BackgroundJob.objects.create(
        kind=JobKind.RELEASE, status=JobStatus.FAILED, total=1,
        message="Another dataset build is running; try again when it ends.",
    )  # fmt: skip
    assert running.progress_text() == "running 2/2: b.txt"
    client.force_login(UserFactory(is_superuser=True))
    listing = client.get(reverse("admin:archive_backgroundjob_changelist")).content.decode()
    assert "running 2/2: b.txt" in listing and "failed: Another dataset build" in listing
    page = client.get(reverse("admin:archive_backgroundjob_change", args=[failed.pk]))
    assert page.status_code == 200
    progress = client.get(f"{IMPORT_URL}jobs/{running.pk}/").content.decode()
    assert 'data-status="running"' in progress and 'http-equiv="refresh"' in progress
    assert 'class="import-file-created"' in progress  # a.txt done
    assert 'class="import-file-running"' in progress  # b.txt now
    assert client.get(f"{IMPORT_URL}jobs/{failed.pk}/").status_code == 404  # not an import


@pytest.mark.requires_postgres
@committed
def test_a_stale_search_vocabulary_is_rebuilt_by_the_worker(queued, monkeypatch):
    """The search finding it stale answers from the stored vocabulary at once and queues the
    rebuild; the worker rebuilds it, and the next search has the new word."""
    from archive.caching import content_version
    from archive.models import SearchVocabulary
    from archive.search import suggest
    from tests.factories import ArticleFactory

    cache.clear()  # no "queued already" mark left by another test
    ArticleFactory(title="Shipyards", body="The shipyard kolkhoz met again.")
    with queued.paused():
        first = suggest.vocabulary()  # nothing stored: built here, once
        assert "kolkhoz" in first
        ArticleFactory(title="Nomenklatura", body="The nomenklatura feared the kolkhoz.")
        monkeypatch.setattr(suggest, "VOCABULARY_MAX_AGE", 0)  # stale at once
        assert suggest.vocabulary() == first  # the stored one, the rebuild queued
        assert suggest.vocabulary() == first  # queued once, not at every search
        rebuilds = DBTaskResult.objects.filter(task_path__endswith="refresh_search_vocabulary")
        assert rebuilds.count() == 1
    deadline = time.monotonic() + 60
    while SearchVocabulary.objects.get().content_version != content_version():
        assert time.monotonic() < deadline, queued.output()
        assert queued.process.poll() is None, queued.output()
        time.sleep(0.1)
    assert "nomenklatura" in suggest.vocabulary()
    assert rebuilds.get().status == "SUCCESSFUL", queued.output()
