"""The OpenAPI schema builds without warnings, documents every filter with an example, and
states exactly what each parameter accepts and what each answer looks like."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from openapi_schema_validator import OAS30Validator

from archive import models
from archive.api import fields
from archive.search.query import MAX_QUERY_LENGTH

pytestmark = pytest.mark.django_db


def test_schema_builds_without_warnings_or_errors(tmp_path):
    # --fail-on-warn turns any warning or error into a failure.
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "s.yml"))
    assert (tmp_path / "s.yml").read_text().startswith("openapi: 3")


def test_every_reference_in_the_schema_resolves():
    """A ``$ref`` to a missing component passes --validate but stops documentation tools
    (Redoc failed on "Invalid reference token: Mentioned")."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    refs: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.add(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    assert "#/components/schemas/Mentioned" in refs
    missing = {
        r
        for r in refs
        if r.removeprefix("#/components/schemas/") not in schema["components"]["schemas"]
    }
    assert missing == set()


def test_every_list_parameter_is_described_with_an_example():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    lists = [p for p in schema["paths"] if p.count("/") == 3 and "{" not in p]
    assert len(lists) == 9  # eight resources and the change log
    for path in lists:
        for parameter in schema["paths"][path]["get"]["parameters"]:
            description = parameter.get("description", "")
            assert (
                "e.g." in description or "Example" in description or parameter["name"] in {"cursor"}
            ), (path, parameter["name"], description)


def test_schema_and_docs_are_served_from_local_assets(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert "cdn." not in html and "unpkg" not in html  # sidecar assets, no CDN


SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
URL_IN_HTML = re.compile(r"""(?:src|href)=["']([^"']+)["']""", re.IGNORECASE)


def test_redoc_is_served_from_local_files_with_same_origin_scripts_only(client):
    response = client.get("/api/redoc/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<redoc" in html and 'spec-url="/api/schema/"' in html
    scripts = SCRIPT_TAG.findall(html)
    assert scripts, "Redoc needs its bundle"
    for attrs in scripts:
        source = re.search(r'src="([^"]+)"', attrs)
        assert source, f"inline <script{attrs}>"  # the CSP allows no inline script
        assert source.group(1).startswith("/static/"), source.group(1)
    bundle = re.search(r'src="([^"]+)"', scripts[0]).group(1).removeprefix("/static/")
    assert finders.find(bundle), bundle  # shipped by drf-spectacular-sidecar
    for url in URL_IN_HTML.findall(html):  # no web fonts or CDN: every link is ours
        assert url.startswith("/"), url
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert "blob:" in policy["worker-src"]


def test_the_docs_link_each_other_and_the_api_root_links_them(client):
    root = client.get("/api/").json()
    for name, path in (("schema", "/api/schema/"), ("docs", "/api/docs/"),
                       ("redoc", "/api/redoc/"), ("changes", "/api/changes/")):  # fmt: skip
        assert root[name].endswith(path), (name, root[name])
        assert client.get(root[name]).status_code == 200, name
    assert root["articles"].endswith("/api/articles/")
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "(/api/redoc/)" in schema["info"]["description"]  # shown atop Swagger UI
    assert 'href="/api/docs/"' in client.get("/api/redoc/").content.decode()


def test_a_public_read_only_api_documents_no_authentication():
    """No padlock, no "Authorize" button: nothing in the schema asks for credentials."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "security" not in schema
    assert "securitySchemes" not in schema.get("components", {})
    operations = [op for item in schema["paths"].values() for op in item.values()]
    assert len(operations) >= 20
    assert [op["operationId"] for op in operations if "security" in op] == []


def test_the_changes_feed_is_documented_with_exact_parameters(client):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/changes/"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(parameters) == {"after", "kind", "since", "until", "limit", "format"}
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(page["properties"]) == {"changes", "last", "next"}
    assert "application/jsonl" in operation["responses"]["200"]["content"]
    assert "400" in operation["responses"]
    since = parameters["since"]["schema"]["pattern"]
    kind = parameters["kind"]["schema"]["items"]["pattern"]
    # What the schema allows, the view accepts; what it forbids, the view refuses.
    for value, allowed in (("2026-11-25", True), ("2026-11-25T17:01:01Z", True),
                           ("2026-11-25T17:01+02:00", True), ("2026-02-30", False),
                           ("2026-11", False), ("25/11/2026", False)):  # fmt: skip
        assert bool(re.match(since, value)) is allowed, value
        status = client.get("/api/changes/", {"since": value}).status_code
        assert status == (200 if allowed else 400), (value, status)
    for value, allowed in (("articles", True), (" articles , people,", True),
                           ("article", False), ("articles;people", False)):  # fmt: skip
        assert bool(re.match(kind, value)) is allowed, value
        status = client.get("/api/changes/", {"kind": value}).status_code
        assert status == (200 if allowed else 400), (value, status)
    document = client.get("/api/changes/", {"limit": 1}).json()
    OAS30Validator(page).validate(document)


# -- the schema states exactly what each parameter accepts -----------------------------------


def _parameters(schema: dict, path: str) -> dict[str, dict]:
    return {p["name"]: p for p in schema["paths"][path]["get"].get("parameters", [])}


def _accepts(parse, text: str) -> bool:
    try:
        parse(text)
    except ValidationError:
        return False
    return True


def _pattern_matches(pattern: str, text: str) -> bool:
    # As a Python JSON Schema validator reads it: a search (ours carry their anchors).
    return re.search(pattern, text) is not None


def _partial_dates() -> list[str]:
    years = [*range(0, 12), *range(96, 105), *range(396, 405), *range(1896, 1905),
             *range(1996, 2005), *range(2096, 2105), *range(9990, 10000)]  # fmt: skip
    texts = []
    for year in years:
        texts.append(f"{year:04d}")
        for month in range(0, 14):
            texts.append(f"{year:04d}-{month:02d}")
            texts += [f"{year:04d}-{month:02d}-{day:02d}" for day in range(0, 33)]
    odd = ["", "1991-5", "91", "1991-05-3", " 1991", "1991 ", "1991\n", "١٩٩١", "1991-05-03T00",
           "+1991", "-1991", "1991/1992", "19911"]  # fmt: skip
    return [*texts, *odd]


def test_the_date_pattern_accepts_exactly_the_dates_the_parser_accepts():
    """Leap years, month lengths, year 0, stray characters: pattern and parser agree on
    every one (the schema's pattern cannot allow a value the API refuses, or the reverse)."""
    texts = _partial_dates()
    disagreements = [
        t
        for t in texts
        if _pattern_matches(fields.PARTIAL_DATE_PATTERN, t)
        != _accepts(fields.parse_partial_date, t)
    ]
    assert disagreements == []
    assert _accepts(fields.parse_partial_date, "2000-02-29")
    assert not _accepts(fields.parse_partial_date, "1900-02-29")
    assert not _accepts(fields.parse_partial_date, "0000")


def test_decade_year_boolean_and_number_patterns_agree_with_their_fields():
    cases = [
        (fields.DECADE_PATTERN, fields.DecadeField(required=False),
         [f"{n:04d}{s}" for n in range(0, 10000, 5) for s in ("", "s", "S")] + ["198", "1980ss"]),
        (fields.BOOLEAN_PATTERN, fields.StrictBooleanField(required=False),
         ["true", "TRUE", "False", "yes", "No", "1", "0", "2", "on", "tru", " true", "truee"]),
        (fields.WHOLE_NUMBER_PATTERN, fields.WholeNumberField(required=False),
         ["0", "7", "0012", "2147483647", "-1", "1.0", " 5", "²", "5e3", "abc"]),
    ]  # fmt: skip
    for pattern, field, texts in cases:
        for text in texts:
            assert _pattern_matches(pattern, text) == _accepts(field.clean, text) or (
                field.__class__ is fields.WholeNumberField and int(text) > field.max_value
            ), (pattern, text)
    year = fields.YearField(required=False).openapi_schema()
    assert (year["minimum"], year["maximum"]) == (1, 9999)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("lech-walesa", ["lech-walesa"]),
        ("lech-walesa, leon-trotsky", ["lech-walesa", "leon-trotsky"]),
        (" 12 ,,13,", ["12", "13"]),
        (",", []),
        ("a b", None),
        ("lech-wałęsa", None),
        ("12;13", None),
        ("12\n", None),
    ],
)
def test_the_repeatable_pattern_reads_a_value_as_the_widget_splits_it(text, parts):
    pattern = fields.repeatable_pattern(fields.ID_OR_SLUG)
    split = fields.RepeatableWidget().value_from_datadict({"p": text}, {}, "p")
    if parts is None:
        assert not _pattern_matches(pattern, text)
        assert any(not re.fullmatch(fields.ID_OR_SLUG, part) for part in split)
    else:
        assert _pattern_matches(pattern, text)
        assert split == parts


def test_parameters_say_exactly_what_they_accept(archive):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    articles = _parameters(schema, "/api/articles/")
    assert articles["date_after"]["schema"]["pattern"] == fields.PARTIAL_DATE_PATTERN
    assert articles["decade"]["schema"]["pattern"] == fields.DECADE_PATTERN
    assert articles["year"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 9999}
    assert articles["page_size"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 1000}
    assert articles["has_author"]["schema"]["pattern"] == fields.BOOLEAN_PATTERN
    assert articles["person"]["schema"]["type"] == "array" and articles["person"]["explode"]
    kinds = articles["kind"]["schema"]["items"]["anyOf"][0]["enum"]
    assert set(kinds) == set(models.Article.Kind.values)
    # The languages are those of the public articles (the draft-only ones are not offered).
    language = articles["language"]["schema"]
    assert language["pattern"] == fields.anchored("[eE][nN]|[pP][lL]")
    assert "en, pl" in language["description"]
    assert articles["q"]["schema"]["maxLength"] == MAX_QUERY_LENGTH  # the search's own limit
    assert all(p.get("allowEmptyValue") for p in articles.values())


def test_per_article_formats_offer_no_format_parameter_and_document_their_shapes(archive):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for action in ("text", "jsonld", "cite"):
        path = f"/api/articles/{{id}}/{action}/"
        assert "format" not in _parameters(schema, path), action
    assert _parameters(schema, "/api/articles/{id}/cite/")["style"]["schema"]["enum"] == [
        "bibtex", "csl-json", "ris", "text"
    ]  # fmt: skip
    cite = schema["paths"]["/api/articles/{id}/cite/"]["get"]["responses"]["200"]["content"]
    assert set(cite) == {
        "application/x-bibtex", "application/x-research-info-systems",
        "application/vnd.citationstyles.csl+json", "text/plain",
    }  # fmt: skip
    assert cite["application/x-bibtex"]["schema"]["type"] == "string"
    assert cite["application/vnd.citationstyles.csl+json"]["schema"]["type"] == "array"
    listed = schema["paths"]["/api/articles/"]["get"]["responses"]["200"]["content"]
    assert listed["text/csv"]["schema"]["type"] == "string"
    assert listed["application/jsonl"]["schema"]["type"] == "string"
    assert "$ref" in str(listed["application/json"]["schema"])


def test_answers_match_their_documented_schemas(api, archive):
    """The citation (a list of CSL items) and the error shape, validated against the
    schema the API publishes."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    cite = schema["paths"]["/api/articles/{id}/cite/"]["get"]["responses"]
    response = api.get(f"/api/articles/{archive.strike.pk}/cite/", {"style": "csl-json"})
    assert response["Content-Type"].startswith("application/vnd.citationstyles.csl+json")
    media = cite["200"]["content"]["application/vnd.citationstyles.csl+json"]["schema"]
    jsonschema.validate(json.loads(response.content), media)
    error = api.get(f"/api/articles/{archive.strike.pk}/cite/", {"style": "mla"})
    jsonschema.validate(error.json(), schema["components"]["schemas"]["Error"])
