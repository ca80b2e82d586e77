"""The OAI-PMH endpoint: one URL, verbs as arguments, every answer an XML document."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from . import provider

TEMPLATES = {
    "Identify": "archive/oai/identify.xml",
    "ListMetadataFormats": "archive/oai/list_metadata_formats.xml",
    "ListSets": "archive/oai/list_sets.xml",
    "ListIdentifiers": "archive/oai/list_identifiers.xml",
    "ListRecords": "archive/oai/list_records.xml",
    "GetRecord": "archive/oai/get_record.xml",
}


@csrf_exempt  # harvesters POST form-encoded arguments (protocol section 3.1.1.2); read-only.
def endpoint(request: HttpRequest) -> HttpResponse:
    """Answer one OAI-PMH request (GET or POST) with a protocol response or error."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    params = request.POST if request.method == "POST" else request.GET
    context: dict = {
        "response_date": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "base_url": provider.base_url(),
    }
    try:
        parsed = provider.parse_request({key: params.getlist(key) for key in params})
    except provider.OAIError as error:
        # badVerb / badArgument: the <request> element carries no attributes (section 3.2).
        context.update(errors=[error], echo={})
        return _render("archive/oai/error.xml", context)
    context["echo"] = {"verb": parsed.verb, **parsed.echo}
    try:
        context.update(provider.handle(parsed))
    except provider.OAIError as error:
        context["errors"] = [error]
        return _render("archive/oai/error.xml", context)
    return _render(TEMPLATES[parsed.verb], context)


def _render(template: str, context: dict) -> HttpResponse:
    body = render_to_string(template, context)
    return HttpResponse(body, content_type="text/xml; charset=utf-8")
