"""Every curl example in docs/api.md and the README works against the seed collection."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests.seed import seed_collection

pytestmark = pytest.mark.django_db

DOCS = [Path(settings.BASE_DIR) / "docs" / "api.md", Path(settings.BASE_DIR) / "README.md"]
CURL = re.compile(
    r"^curl -s(?: -L)?(?: -OJ)?(?: -H '(?P<header>[^']+)')? '(?P<url>http://127\.0\.0\.1:8000[^']+)'"
    r"(?:\s+# → (?P<status>\d{3}))?$"
)


def examples() -> list[tuple[str, str | None, int]]:
    found = []
    for doc in DOCS:
        for line in doc.read_text().splitlines():
            if line.startswith("curl "):
                match = CURL.match(line.strip())
                assert match, f"{doc.name}: cannot read the example {line!r}"
                found.append((match["url"], match["header"], int(match["status"] or 200)))
    return found


@pytest.fixture(scope="module")
def collection(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), seed_collection():
        yield


def test_the_docs_have_examples_for_every_resource():
    urls = " ".join(url for url, _, _ in examples())
    for resource in ("articles", "people", "places", "organisations", "events", "mentions"):
        assert f"/api/{resource}/" in urls


@pytest.mark.parametrize(("url", "header", "status"), examples())
def test_curl_example(client, collection, url, header, status):
    parts = urlsplit(url)
    extra = {}
    if header:
        name, value = header.split(": ", 1)
        extra["HTTP_" + name.upper().replace("-", "_")] = value
    response = client.get(f"{parts.path}?{parts.query}" if parts.query else parts.path, **extra)
    assert response.status_code == status, (url, response.content[:300])
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content
    if status == 200 and response["Content-Type"] == "application/json":
        data = response.json()
        if "results" in data:
            assert data["results"], f"{url} returned no records from the seed collection"
