"""Bad input is a 400 naming the parameter and the reason; throttling; CORS."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import override_settings

from .helpers import errors

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "params", "parameter", "reason"),
    [
        ("/api/articles/", {"date_after": "1991-13"}, "date_after", "month 13 does not exist"),
        ("/api/articles/", {"date_before": "1991-02-30"}, "date_before", "day 30 does not exist"),
        ("/api/articles/", {"date_after": "spring"}, "date_after", "YYYY, YYYY-MM or YYYY-MM-DD"),
        ("/api/articles/", {"year": "nineteen"}, "year", "whole number"),
        ("/api/articles/", {"decade": "1985"}, "decade", "not a decade"),
        ("/api/articles/", {"person": "abc"}, "person", "No published person"),
        ("/api/articles/", {"person": "draft-person"}, "person", "No published person"),
        ("/api/articles/", {"person": "a b"}, "person", "not an id or a slug"),
        ("/api/articles/", {"issue": "v11-n1"}, "issue", "not a numeric id"),
        ("/api/articles/", {"has_author": "maybe"}, "has_author", "use true or false"),
        ("/api/articles/", {"mentions_mode": "some"}, "mentions_mode", "valid choice"),
        ("/api/articles/", {"kind": "novel"}, "kind", "valid choice"),
        ("/api/articles/", {"word_count_min": "many"}, "word_count_min", "whole number"),
        ("/api/articles/", {"titel": "x"}, "titel", "Unknown parameter 'titel'"),
        ("/api/articles/", {"ordering": "password"}, "ordering", "valid choice"),
        ("/api/people/", {"ordering": "birth_start"}, "ordering", "valid choice"),
        ("/api/people/", {"co_mentioned_with": "lech-walesa"}, "co_mentioned_with", "TYPE:ID"),
        ("/api/mentions/", {"status": "rejected"}, "status", "valid choice"),
        ("/api/articles/", {"page_size": "5000"}, "page_size", "from 1 to 1000"),
        ("/api/articles/", {"page_size": "0"}, "page_size", "from 1 to 1000"),
        ("/api/articles/", {"cursor": "garbage"}, "cursor", "Invalid cursor"),
        ("/api/articles/", {"format": "xml"}, "format", "Unknown format 'xml'"),
        ("/api/articles/", {"format": "csv", "year": "x"}, "year", "whole number"),
    ],
)
def test_bad_values_are_400_naming_the_parameter(api, archive, path, params, parameter, reason):
    response = api.get(path, params)
    assert response.status_code == 400, response
    assert response["Content-Type"] == "application/json"
    messages = errors(response)
    assert parameter in messages, messages
    assert reason in messages[parameter]


def test_known_non_filter_parameters_are_accepted(api, archive):
    assert (
        api.get("/api/articles/", {"format": "json", "page_size": 2, "ordering": "id"}).status_code
        == 200
    )


def test_several_errors_are_reported_together(api, archive):
    messages = errors(api.get("/api/articles/", {"year": "x", "nonsense": "1"}))
    assert set(messages) == {"year", "nonsense"}


def test_detail_rejects_list_filters_and_cite_rejects_unknown_styles(api, archive):
    assert "year" in errors(api.get(f"/api/articles/{archive.strike.pk}/", {"year": "1990"}))
    response = api.get(f"/api/articles/{archive.strike.pk}/cite/", {"style": "mla"})
    assert response.status_code == 400
    assert "Unknown citation style 'mla'" in errors(response)["style"]
    assert api.get("/api/articles/not-a-number/").status_code == 404


def test_not_found_uses_the_error_shape(api, archive):
    response = api.get("/api/people/999999/")
    assert response.status_code == 404
    assert (
        response.json()
        == {
            "status": 404,
            "errors": [
                {
                    "parameter": None,
                    "code": "not_found",
                    "message": "No Person matches the given query.",
                }
            ],
        }
        or errors(response)[None]
    )


def test_anonymous_throttle_answers_429_with_retry_after(api, archive, settings):
    cache.clear()
    rest = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "2/min"}}
    with override_settings(REST_FRAMEWORK=rest):
        assert api.get("/api/places/").status_code == 200
        assert api.get("/api/places/").status_code == 200
        response = api.get("/api/places/")
    cache.clear()
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert errors(response)[None].startswith("Request was throttled")
    assert api.get("/api/places/").status_code == 200  # default test rate is generous


def test_cors_allows_read_only_cross_origin_gets(api, archive):
    response = api.get("/api/people/", HTTP_ORIGIN="https://research.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = api.options(
        "/api/people/", HTTP_ORIGIN="https://research.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )  # fmt: skip
    allowed = preflight["Access-Control-Allow-Methods"]
    assert "GET" in allowed and "POST" not in allowed and "DELETE" not in allowed
    assert (
        "Access-Control-Allow-Origin"
        not in api.get("/admin/login/", HTTP_ORIGIN="https://x").headers
    )


def test_writes_are_refused(api, archive):
    assert api.post("/api/people/", {"name": "x"}).status_code == 405
    assert api.delete(f"/api/people/{archive.walesa.pk}/").status_code == 405
