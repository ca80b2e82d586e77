"""The API is read-only for the public and never answers hostile parameters with a 500."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.test import Client

from tests.factories import ArticleFactory, EventFactory, MentionFactory
from tests.security.hostile import EVERYTHING, XSS_SHORT

HUGE_ID = "9" * 30
SUPERSCRIPT = "²"

pytestmark = pytest.mark.django_db

RESOURCES = ["publications", "issues", "articles", "people", "organisations", "places",
             "events", "mentions"]  # fmt: skip


@pytest.fixture
def records(db):
    article = ArticleFactory(title=f"{XSS_SHORT} Wałęsa")
    mention = MentionFactory(article=article)
    event = EventFactory()
    return {"articles": article, "issues": article.issue,
            "publications": article.issue.publication, "people": mention.person,
            "mentions": mention, "events": event}  # fmt: skip


def api_paths(records) -> list[str]:
    paths = ["/api/", "/api/schema/"]
    for resource in RESOURCES:
        paths.append(f"/api/{resource}/")
        if resource in records:
            paths.append(f"/api/{resource}/{records[resource].pk}/")
    article = records["articles"].pk
    paths += [f"/api/articles/{article}/{action}/" for action in ("cite", "text", "jsonld")]
    return paths


def row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_every_api_endpoint_refuses_writes(records, method):
    client = Client(enforce_csrf_checks=True)
    before = row_counts()
    for path in api_paths(records):
        response = getattr(client, method)(path, data=json.dumps({"title": "x"}),
                                           content_type="application/json")  # fmt: skip
        assert response.status_code in (403, 405), (method, path, response.status_code)
    assert row_counts() == before


def test_writes_are_refused_even_for_a_logged_in_superuser(records, admin_client):
    before = row_counts()
    for path in api_paths(records):
        assert admin_client.post(path, {"title": "x"}).status_code in (403, 405), path
        assert admin_client.delete(path).status_code in (403, 405), path
    assert row_counts() == before


def test_reads_work(records, client):
    """The other side: GET answers 200 on the same paths."""
    for path in api_paths(records):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("resource", RESOURCES)
def test_hostile_values_in_api_parameters_are_never_server_errors(records, client, resource):
    names = ["q", "page_size", "cursor", "ordering", "date_after", "decade", "year", "person",
             "word_count_min", "format", "no_such_parameter"]  # fmt: skip
    for name in names:
        for value in EVERYTHING:
            response = client.get(f"/api/{resource}/", {name: value})
            assert response.status_code in (200, 400, 404), (name, value[:40], response)
            if response.status_code != 200:
                # Refused (malformed) or naming nothing: JSON naming the parameter at fault.
                assert response["Content-Type"] == "application/json"
                body = json.loads(response.content)
                assert body["status"] == response.status_code
                assert any(e["parameter"] for e in body["errors"]), body


def test_nul_and_huge_page_sizes_on_the_api_are_400_json(records, client):
    response = client.get("/api/articles/", {"q": "Wałęsa\x00"})
    assert response.status_code == 400
    assert json.loads(response.content)["errors"][0]["parameter"] == "q"
    for size in ("1000000", "-1", "0", "1e3", "9" * 30):
        response = client.get("/api/articles/", {"page_size": size})
        assert response.status_code == 400, size
        assert json.loads(response.content)["errors"][0]["parameter"] == "page_size"
    for value in (SUPERSCRIPT, "١٢"):  # non-ASCII digits are not ids
        response = client.get("/api/articles/", {"person": value})
        assert response.status_code == 400, value
        assert json.loads(response.content)["errors"][0]["parameter"] == "person"
    # Beyond 64 bits: a well-formed id that names no record (never reaches the database).
    response = client.get("/api/articles/", {"person": HUGE_ID})
    assert response.status_code == 404
    assert json.loads(response.content)["errors"][0]["parameter"] == "person"
    response = client.get("/api/articles/", {"unknown_filter": "1"})
    assert response.status_code == 400
    for path in ("/api/articles/not-a-number/", f"/api/articles/{HUGE_ID}/",
                 f"/api/articles/{SUPERSCRIPT}/", f"/api/articles/{HUGE_ID}/cite/"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json", path
