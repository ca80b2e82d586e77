"""A database outage is a clean 503 with Retry-After: HTML for readers, JSON for the API."""

from __future__ import annotations

import json

import pytest
from django.db import OperationalError
from django.test import Client, RequestFactory

from archive.middleware import RETRY_AFTER_SECONDS, server_error

# The page cache reads the content version before the view runs, so the database is open;
# the views under test raise the outage error themselves.
pytestmark = [pytest.mark.urls("tests.reliability.outage_urls"), pytest.mark.django_db]


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


def test_outage_on_a_page_is_a_503_html_page_with_retry_after(client):
    response = client.get("/outage/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Content-Type"].startswith("text/html")
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "temporarily unavailable" in page
    assert "Traceback" not in page and "/tmp/" not in page  # no internals leak
    assert "<script" not in page


def test_outage_on_the_api_is_a_503_json_error(client):
    response = client.get("/api/outage/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    body = json.loads(response.content)
    assert body["status"] == 503
    assert body["errors"][0]["code"] == "service_unavailable"
    assert body["errors"][0]["parameter"] is None
    assert "socket" not in response.content.decode()


def test_other_database_errors_stay_server_errors(client):
    """Only "cannot reach the database" is a 503; a real bug must not hide behind it."""
    response = client.get("/bug/")
    assert response.status_code == 500
    assert "Retry-After" not in response


@pytest.mark.parametrize(("path", "kind"), [("/some/page/", "text/html"),
                                            ("/api/x/", "application/json")])  # fmt: skip
def test_handler500_turns_an_outage_outside_views_into_a_503(path, kind):
    """E.g. the session middleware failing to save: Django calls handler500 directly."""
    request = RequestFactory().get(path)
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert response["Content-Type"].startswith(kind)


def test_handler500_without_an_outage_is_still_a_500():
    request = RequestFactory().get("/api/x/")
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500
    assert json.loads(response.content)["status"] == 500
