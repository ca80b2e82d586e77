"""Malformed input is a 400 naming the parameter and the reason, a reference to nothing a 404,
every error under /api/ is JSON in one shape; throttling; CORS."""

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
        ("/api/articles/", {"date_before": "1990-02-29"}, "date_before", "day 29 does not exist"),
        ("/api/articles/", {"date_after": "spring"}, "date_after", "YYYY, YYYY-MM or YYYY-MM-DD"),
        ("/api/articles/", {"date_after": "0000"}, "date_after", "Year 0 does not exist"),
        ("/api/articles/", {"date_after": " 1991"}, "date_after", "YYYY, YYYY-MM or YYYY-MM-DD"),
        ("/api/articles/", {"year": "nineteen"}, "year", "whole number from 1 to 9999"),
        ("/api/articles/", {"year": "0"}, "year", "whole number from 1 to 9999"),
        ("/api/articles/", {"year": "1991.0"}, "year", "whole number from 1 to 9999"),
        ("/api/articles/", {"decade": "1985"}, "decade", "not a decade"),
        ("/api/articles/", {"decade": "0000"}, "decade", "first decade starts in year 10"),
        ("/api/articles/", {"person": "a b"}, "person", "not an id or a slug"),
        ("/api/articles/", {"issue": "v11-n1"}, "issue", "not a numeric id"),
        ("/api/articles/", {"has_author": "maybe"}, "has_author", "use true or false"),
        ("/api/articles/", {"mentions_mode": "some"}, "mentions_mode", "valid choice"),
        ("/api/articles/", {"kind": "novel"}, "kind", "valid choice"),
        ("/api/articles/", {"word_count_min": "many"}, "word_count_min", "whole number"),
        ("/api/articles/", {"word_count_min": "9" * 20}, "word_count_min", "whole number"),
        ("/api/articles/", {"titel": "x"}, "titel", "Unknown parameter 'titel'"),
        ("/api/articles/", {"ordering": "password"}, "ordering", "valid choice"),
        ("/api/people/", {"ordering": "birth_start"}, "ordering", "valid choice"),
        ("/api/people/", {"co_mentioned_with": "lech-walesa"}, "co_mentioned_with", "TYPE:ID"),
        ("/api/mentions/", {"status": "rejected"}, "status", "valid choice"),
        ("/api/articles/", {"page_size": "5000"}, "page_size", "from 1 to 1000"),
        ("/api/articles/", {"page_size": "0"}, "page_size", "from 1 to 1000"),
        ("/api/articles/", {"page_size": "²"}, "page_size", "from 1 to 1000"),
        ("/api/articles/", {"format": "xml"}, "format", "Unknown format 'xml'"),
        ("/api/articles/", {"format": "csv", "year": "x"}, "year", "whole number"),
    ],
)
def test_malformed_values_are_400_naming_the_parameter(
    api, archive, path, params, parameter, reason
):
    response = api.get(path, params)
    assert response.status_code == 400, response
    assert response["Content-Type"] == "application/json"
    messages = errors(response)
    assert parameter in messages, messages
    assert reason in messages[parameter]


@pytest.mark.parametrize(
    ("path", "params", "parameter", "reason"),
    [
        ("/api/articles/", {"person": "abc"}, "person", "No published person with id or slug"),
        ("/api/articles/", {"person": "draft-person"}, "person", "'draft-person'"),
        ("/api/articles/", {"publication": "draft-pub"}, "publication", "No published"),
        ("/api/articles/", {"person": "lech-walesa,nobody"}, "person", "'nobody'"),
        ("/api/articles/", {"format": "csv", "issue": "999999"}, "issue", "No published issue"),
        ("/api/people/", {"co_mentioned_with": "person:nobody"}, "co_mentioned_with", "nobody"),
        ("/api/mentions/", {"target": "event:draft-event"}, "target", "No published event"),
        ("/api/articles/", {"cursor": "garbage"}, "cursor", "Invalid cursor"),
        # Well-formed base64 of a position that is no date ("p=abc"), for date orderings.
        ("/api/articles/", {"cursor": "cD1hYmM=", "ordering": "date"}, "cursor", "Invalid"),
        ("/api/events/", {"cursor": "cD1hYmM="}, "cursor", "Invalid cursor"),
    ],
)
def test_well_formed_values_naming_nothing_are_404_naming_the_parameter(
    api, archive, path, params, parameter, reason
):
    """The schema can say what an id or a cursor looks like, not which ones exist: a
    well-formed reference to nothing is a 404, like an unknown id in the path."""
    response = api.get(path, params)
    assert response.status_code == 404, response
    assert response["Content-Type"] == "application/json"
    messages = errors(response)
    assert list(messages) == [parameter]
    assert reason in messages[parameter]
    assert response.json()["errors"][0]["code"] == "not_found"


def test_a_malformed_value_beside_an_unknown_record_is_400_listing_both(api, archive):
    response = api.get("/api/articles/", {"person": "nobody", "year": "x"})
    assert response.status_code == 400
    assert set(errors(response)) == {"person", "year"}


def test_known_non_filter_parameters_are_accepted(api, archive):
    response = api.get("/api/articles/", {"format": "json", "page_size": 2, "ordering": "id"})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 2


def test_several_errors_are_reported_together(api, archive):
    messages = errors(api.get("/api/articles/", {"year": "x", "nonsense": "1"}))
    assert set(messages) == {"year", "nonsense"}


@pytest.mark.parametrize(
    ("path", "low", "high"),
    [
        ("/api/articles/", ("date_after", "1991"), ("date_before", "1990-12-31")),
        ("/api/events/", ("date_after", "1990-02"), ("date_before", "1990-01")),
        ("/api/people/", ("mentioned_after", "1990"), ("mentioned_before", "1989")),
        ("/api/articles/", ("word_count_min", "10"), ("word_count_max", "5")),
    ],
)
def test_a_reversed_range_is_400_naming_both_ends(api, archive, path, low, high):
    response = api.get(path, dict([low, high]))
    assert response.status_code == 400
    messages = errors(response)
    assert set(messages) == {low[0], high[0]}
    assert "reversed" in messages[low[0]]
    # The other side: the same values in order are accepted, and so is an equal span.
    assert api.get(path, {low[0]: high[1], high[0]: low[1]}).status_code == 200
    assert api.get(path, {low[0]: low[1], high[0]: low[1]}).status_code == 200


def test_an_unknown_language_is_400_listing_the_languages_present(api, archive):
    response = api.get("/api/articles/", {"language": "en-UK"})
    assert response.status_code == 400
    message = errors(response)["language"]
    assert "'en-UK'" in message and "en, pl" in message
    assert api.get("/api/articles/", {"language": "PL"}).status_code == 200  # any case


def test_an_unknown_choice_is_400_listing_the_allowed_values(api, archive):
    message = errors(api.get("/api/articles/", {"kind": "novel"}))["kind"]
    assert all(kind in message for kind in ("article", "introduction", "interview"))
    message = errors(api.get("/api/mentions/", {"status": "rejected"}))["status"]
    assert "auto, confirmed, flagged" in message


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/articles/", {"page_size": "", "cursor": "", "format": "", "date_after": ""}),
        ("/api/articles/", {"person": "", "kind": ",", "has_author": "", "language": ""}),
        ("/api/people/", {"co_mentioned_with": "", "decade": ""}),
    ],
)
def test_an_empty_value_means_not_given(api, archive, path, params):
    response = api.get(path, params)
    assert response.status_code == 200
    assert response.json()["results"] == api.get(path).json()["results"]


def test_detail_rejects_list_filters_and_cite_rejects_unknown_styles(api, archive):
    assert "year" in errors(api.get(f"/api/articles/{archive.strike.pk}/", {"year": "1990"}))
    response = api.get(f"/api/articles/{archive.strike.pk}/cite/", {"style": "mla"})
    assert response.status_code == 400
    assert "Unknown citation style 'mla'" in errors(response)["style"]
    # The per-article formats take no format parameter (and the schema offers none).
    for action in ("cite", "jsonld", "text"):
        response = api.get(f"/api/articles/{archive.strike.pk}/{action}/", {"format": "json"})
        assert response.status_code == 400
        assert "format" in errors(response)
    empty = api.get(f"/api/articles/{archive.strike.pk}/cite/", {"style": ""})
    assert empty.status_code == 200 and empty["Content-Type"].startswith("application/x-bibtex")


@pytest.mark.parametrize(
    "path",
    [
        "/api/no-such-resource/",
        "/api/no-such-resource",
        "/api/articles/0.5/",
        "/api/articles/not-a-number/",
        "/api/articles/1/no-such-format/",
        "/api/people/999999/",
        "/api/articles/99999999999999999999/",
    ],
)
def test_every_unknown_path_under_the_api_is_a_json_404(client, archive, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == 404
    assert [(e["parameter"], e["code"]) for e in body["errors"]] == [(None, "not_found")]


def test_not_found_uses_the_error_shape(api, archive):
    response = api.get("/api/people/999999/")
    assert response.status_code == 404
    assert response.json() == {
        "status": 404,
        "errors": [
            {
                "parameter": None,
                "code": "not_found",
                "message": "No Person matches the given query.",
            }
        ],
    }


def test_methods_and_formats_the_api_does_not_offer_are_json_errors(api, archive):
    for path in ("/api/articles/", f"/api/articles/{archive.strike.pk}/cite/", "/api/schema/"):
        response = api.post(path, {"title": "x"})
        assert response.status_code == 405, path
        assert response["Content-Type"] == "application/json", path
        assert response.json()["errors"][0]["code"] == "method_not_allowed"
    response = api.get("/api/articles/", HTTP_ACCEPT="application/xml")
    assert response.status_code == 406
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["code"] == "not_acceptable"


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


@pytest.mark.parametrize("path", ["/api/no-such-resource/", "/api/articles/0.5/"])
def test_unknown_api_paths_are_json_even_in_development(client, archive, settings, path):
    """With DEBUG on (make run), Django would answer an unmatched URL with its HTML debug
    page; the API's own catch-all keeps the documented JSON error."""
    settings.DEBUG = True
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["code"] == "not_found"


def test_an_api_path_without_its_slash_still_redirects_to_it(client, archive):
    response = client.get("/api/articles?format=jsonl")
    assert response.status_code == 301
    assert response["Location"] == "/api/articles/?format=jsonl"
