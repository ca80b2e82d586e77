"""A real S3 API server for the tests: moto in server mode, one per test session.

The archive talks to it over HTTP through django-storages and boto3 exactly as it would talk
to AWS, MinIO or Ceph (signed requests, listings, signed download URLs); nothing is mocked
inside the process. Each test gets its own prefixes in the one bucket, so tests never see
each other's files.
"""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

BUCKET = "archive-test"
REGION = "us-east-1"


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    bucket: str

    def options(self, location: str) -> dict:
        """django-storages options for one prefix of the bucket (as base.py builds them)."""
        return {
            "bucket_name": self.bucket,
            "endpoint_url": self.endpoint,
            "region_name": REGION,
            "location": location,
            "querystring_expire": 600,
            "signature_version": "s3v4",
            "file_overwrite": True,
        }

    def client(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION)

    def keys(self, prefix: str) -> list[str]:
        pages = (
            self.client()
            .get_paginator("list_objects_v2")
            .paginate(Bucket=self.bucket, Prefix=prefix)
        )
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """moto's S3 server on a free local port, with one empty bucket; stopped at the end."""
    from moto.server import ThreadedMotoServer

    patch = pytest.MonkeyPatch()
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        patch.setenv(name, value)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    s3 = S3Server(endpoint=f"http://127.0.0.1:{port}", bucket=BUCKET)
    s3.client().create_bucket(Bucket=BUCKET)
    try:
        yield s3
    finally:
        server.stop()
        patch.undo()


@pytest.fixture
def object_storage(s3_server, settings, tmp_path, monkeypatch):
    """Releases and uploads in the bucket (fresh prefixes per test), as with STORAGE_BUCKET;
    DATASET_ROOT is the builder's local working folder."""
    from archive.datasets import releases

    monkeypatch.setattr(releases, "_sync", lambda fd: None)  # throwaway files
    run = uuid.uuid4().hex[:12]
    settings.STORAGES = {
        **settings.STORAGES,
        "releases": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": s3_server.options(f"{run}/releases"),
        },
        "uploads": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": s3_server.options(f"{run}/uploads"),
        },
    }
    settings.DATASET_ROOT = tmp_path / "work"
    return run
