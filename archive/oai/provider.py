"""OAI-PMH 2.0 data provider for the archive's published articles.

The protocol (https://www.openarchives.org/OAI/openarchivesprotocol.html) is small but strict:
every request names a verb, each verb takes an exact set of arguments, and anything else is
answered with one of the protocol's error codes rather than an HTTP error. This module turns
request arguments into either an :class:`OAIError` list or a template context; the view only
renders it.

Design choices, each visible to harvesters:

* Records are ``Article.objects.public()`` (published, in a published issue of a published
  publication): the model layer's one rule, as for the pages, the API and the data releases.
* Sets are the public publications (``publication:<slug>``) with their public issues as
  subsets (``publication:<slug>:<issue-slug>``).
* ``dc:date`` is the article's effective date (``Article.effective_date_rule()``) as the
  ISO 8601 date or interval harvesters expect (``archive.dates.edtf_iso8601``: "2009~" is
  "2009", "199X" is "1990/1999"); where ISO cannot say it (approximate, uncertain) the EDTF
  value follows in a ``dc:description`` ("Date (EDTF): 2009~"). An undated article has no
  ``dc:date``, never the date of the issue that reprints it.
* Datestamps are the day (UTC) the record last changed for a harvester: the later of the
  article's ``updated`` and the last change of its public row in the changes log
  (:mod:`archive.changes`), which also moves when the article becomes public with its issue
  or when an author's name changes. Granularity is ``YYYY-MM-DD``.
* Deleted records are kept (``deletedRecord=persistent``): an article that was public once
  and is no longer (withdrawn, merged or deleted) is listed as a header with
  ``status="deleted"``, dated the day it left, from the changes log; ``from``/``until``
  select those too, so a harvester learns of every removal on its next incremental visit.
* Resumption tokens are stateless: a signed, timestamped cursor (the last article id sent plus
  the original arguments), so any server process can continue any harvest and nothing is
  stored. Paging is by id, so records changed during a harvest are neither skipped nor repeated.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.db.models import F, Max, Min, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.urls import NoReverseMatch
from django.utils import timezone

from archive import changes, models
from archive.dates import edtf_iso8601
from archive.words import issue_name

VERBS = (
    "Identify",
    "ListMetadataFormats",
    "ListSets",
    "ListIdentifiers",
    "ListRecords",
    "GetRecord",
)
# verb -> (required arguments, optional arguments); resumptionToken is exclusive where allowed.
ARGUMENTS: dict[str, tuple[set[str], set[str]]] = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
}
METADATA_FORMATS = {
    "oai_dc": {
        "schema": "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
        "namespace": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    }
}
TOKEN_SALT = "archive.oai.resumption"  # noqa: S105 (a namespace, not a secret)
TOKEN_MAX_AGE = dt.timedelta(days=1)
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SECONDS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
# Characters XML 1.0 cannot carry at all, even escaped (extracted text can contain them).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: object) -> str:
    """A string safe to put in an XML 1.0 document once escaped (illegal characters dropped)."""
    return _XML_ILLEGAL.sub("", str(value))


@dataclass
class OAIError(Exception):
    code: str
    message: str


@dataclass
class Request:
    """A validated request: the verb and its arguments (after decoding any token)."""

    verb: str
    args: dict[str, str]
    echo: dict[str, str] = field(default_factory=dict)  # attributes of <request>
    after_id: int = 0
    cursor: int = 0


def page_size() -> int:
    return int(getattr(settings, "OAI_PAGE_SIZE", 100))


def repository_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def base_url() -> str:
    return f"{settings.SITE_URL}/oai/"


def oai_identifier(article_id: int) -> str:
    return f"oai:{repository_domain()}:article:{article_id}"


def parse_identifier(identifier: str) -> int | None:
    prefix = f"oai:{repository_domain()}:article:"
    if not identifier.startswith(prefix):
        return None
    local = identifier[len(prefix) :]
    return int(local) if local.isdigit() and len(local) < 19 else None


def article_url(article: models.Article) -> str:
    """The article's public page; its API record until the public pages are routed."""
    try:
        path = article.get_absolute_url()
    except NoReverseMatch:
        path = f"/api/articles/{article.pk}/"
    return f"{settings.SITE_URL}{path}"


def parse_request(params: dict[str, list[str]]) -> Request:
    """Check the verb and arguments exactly as the protocol defines them (section 3.6)."""
    verbs = params.get("verb", [])
    if len(verbs) != 1 or verbs[0] not in VERBS:
        raise OAIError(
            "badVerb",
            "The verb argument is missing or repeated."
            if len(verbs) != 1
            else f"'{verbs[0]}' is not an OAI-PMH verb.",
        )
    verb = verbs[0]
    required, optional = ARGUMENTS[verb]
    args: dict[str, str] = {}
    for name, values in params.items():
        if name == "verb":
            continue
        if name not in required | optional:
            raise OAIError("badArgument", f"'{name}' is not an argument of {verb}.")
        if len(values) != 1:
            raise OAIError("badArgument", f"The argument '{name}' is repeated.")
        args[name] = values[0]
    if "resumptionToken" in args:
        if len(args) > 1:
            raise OAIError("badArgument", "resumptionToken is an exclusive argument.")
        return decode_token(verb, args["resumptionToken"])
    missing = sorted(required - args.keys())
    if missing:
        raise OAIError("badArgument", f"{verb} requires the argument '{missing[0]}'.")
    check_dates(args)
    return Request(verb=verb, args=args, echo=dict(args))


def check_dates(args: dict[str, str]) -> None:
    """``from``/``until`` in the repository's day granularity, in order."""
    parsed = {}
    for name in ("from", "until"):
        if name not in args:
            continue
        value = args[name]
        if SECONDS.match(value):
            raise OAIError(
                "badArgument",
                f"'{name}' has seconds granularity; this repository supports YYYY-MM-DD only.",
            )
        if not DAY.match(value):
            raise OAIError("badArgument", f"'{name}' must be a date as YYYY-MM-DD.")
        try:
            parsed[name] = dt.date.fromisoformat(value)
        except ValueError:
            raise OAIError("badArgument", f"'{name}' is not a real date: {value}.") from None
    if "from" in parsed and "until" in parsed and parsed["from"] > parsed["until"]:
        raise OAIError("badArgument", "'from' is later than 'until'.")


def encode_token(request: Request, after_id: int, cursor: int) -> str:
    payload = {"v": request.verb, "a": request.args, "id": after_id, "c": cursor}
    return signing.TimestampSigner(salt=TOKEN_SALT).sign_object(payload, compress=True)


def decode_token(verb: str, token: str) -> Request:
    try:
        payload = signing.TimestampSigner(salt=TOKEN_SALT).unsign_object(
            token, max_age=TOKEN_MAX_AGE
        )
        if payload["v"] != verb:
            raise ValueError("token issued for another verb")
        args = {str(k): str(v) for k, v in payload["a"].items()}
        after_id, cursor = int(payload["id"]), int(payload["c"])
    except signing.SignatureExpired:
        raise OAIError("badResumptionToken", "The resumptionToken has expired.") from None
    except (signing.BadSignature, ValueError, KeyError, TypeError, AttributeError):
        raise OAIError("badResumptionToken", "The resumptionToken is invalid.") from None
    return Request(
        verb=verb,
        args=args,
        echo={"resumptionToken": token},
        after_id=after_id,
        cursor=cursor,
    )


def datestamp(value: dt.datetime) -> str:
    return timezone.localtime(value, dt.UTC).date().isoformat()


def earliest_datestamp() -> str:
    """The earliest datestamp of any record, public or deleted."""
    candidates = [
        models.Article.objects.public().aggregate(first=Min("updated"))["first"],
        deleted_articles().aggregate(first=Min("time"))["first"],
    ]
    candidates = [c for c in candidates if c is not None]
    return datestamp(min(candidates)) if candidates else "1970-01-01"


#: When an article's public row last changed in the changes log.
_LAST_CHANGE = Subquery(
    models.Change.objects.filter(resource="articles", record_id=OuterRef("pk"))
    .order_by("-id")
    .values("time")[:1]
)


def stamped(articles: QuerySet) -> QuerySet:
    """Articles with ``stamp``: the moment their record last changed for a harvester."""
    return articles.annotate(stamp=Greatest(F("updated"), Coalesce(_LAST_CHANGE, F("updated"))))


def deleted_articles() -> QuerySet:
    """Articles that were public once and are no longer: the newest change of each is a
    withdrawal, merge or deletion (``Change`` rows; ``record_id`` is the article id)."""
    newest = (
        models.Change.objects.filter(resource="articles")
        .values("record_id")
        .annotate(last=Max("id"))
        .values("last")
    )
    return models.Change.objects.filter(id__in=newest, change__in=models.ChangeKind.gone())


def _window(request: Request) -> tuple[dt.datetime | None, dt.datetime | None]:
    start = end = None
    if "from" in request.args:
        start = dt.datetime.combine(dt.date.fromisoformat(request.args["from"]), dt.time(), dt.UTC)
    if "until" in request.args:
        end = dt.datetime.combine(
            dt.date.fromisoformat(request.args["until"]) + dt.timedelta(days=1), dt.time(), dt.UTC
        )
    return start, end


def _set_filter(request: Request) -> tuple[models.Publication | None, models.Issue | None, bool]:
    """The publication (and issue) a ``set`` names; ``False`` when it names nothing."""
    if "set" not in request.args:
        return None, None, True
    parts = request.args["set"].split(":")
    if parts[0] != "publication" or len(parts) not in (2, 3):
        return None, None, False
    publication = models.Publication.objects.filter(slug=parts[1]).first()
    if publication is None:
        return None, None, False
    issue = None
    if len(parts) == 3:
        issue = models.Issue.objects.filter(publication=publication, slug=parts[2]).first()
        if issue is None:
            return None, None, False
    return publication, issue, True


def set_specs(article: models.Article) -> list[str]:
    publication = article.issue.publication
    return [
        f"publication:{publication.slug}",
        f"publication:{publication.slug}:{article.issue.slug}",
    ]


def selected_articles(request: Request) -> QuerySet:
    """The public articles a List request selects (before paging), ordered by id."""
    articles = stamped(models.Article.objects.public())
    start, end = _window(request)
    if start is not None:
        articles = articles.filter(stamp__gte=start)
    if end is not None:
        articles = articles.filter(stamp__lt=end)
    publication, issue, found = _set_filter(request)
    if not found:
        return articles.none()
    if publication is not None:
        articles = articles.filter(issue__publication=publication)
    if issue is not None:
        articles = articles.filter(issue=issue)
    return articles.order_by("id")


def selected_deleted(request: Request) -> QuerySet:
    """The deleted records a List request selects (``Change`` rows), ordered by article id.

    A set selects the deleted articles whose last public row was in it (the row names its
    ``publication_id`` and ``issue_id``)."""
    gone = deleted_articles()
    start, end = _window(request)
    if start is not None:
        gone = gone.filter(time__gte=start)
    if end is not None:
        gone = gone.filter(time__lt=end)
    publication, issue, found = _set_filter(request)
    if not found:
        return gone.none()
    if publication is not None or issue is not None:
        rows = models.Change.objects.filter(
            resource="articles", change__in=models.ChangeKind.present()
        )
        if publication is not None:
            rows = rows.filter(record__contains=f'"publication_id":{publication.pk},')
        if issue is not None:
            rows = rows.filter(record__contains=f'"issue_id":{issue.pk},')
        gone = gone.filter(record_id__in=rows.values("record_id"))
    return gone.order_by("record_id")


def with_record_data(articles: QuerySet) -> QuerySet:
    """Everything a Dublin Core record prints, in a fixed number of queries: the public
    authors (``Article.public_authorships``, prefetched by ``with_related()``) and the public
    mentions."""
    return (
        articles.with_related()
        .select_related("issue__publication__publisher")
        .prefetch_related(
            Prefetch(
                "mentions",
                queryset=models.Mention.objects.public()
                .select_related("person", "organisation", "place", "event")
                .order_by("-count", "first_offset", "id"),
                to_attr="public_mentions",
            ),
        )
    )


def dublin_core(article: models.Article) -> list[tuple[str, str]]:
    """The ``oai_dc`` elements of one article, in the order the schema lists them."""
    issue = article.issue
    publication = issue.publication
    title = f"{article.title}: {article.subtitle}" if article.subtitle else article.title
    elements: list[tuple[str, str]] = [("title", title)]
    for authorship in article.public_authorships:
        person = authorship.person
        name = person.sort_name or person.name
        role = authorship.role
        elements.append(
            ("creator" if role == models.Authorship.Role.AUTHOR else "contributor", name)
        )
    seen: set[str] = set()
    for mention in article.public_mentions:
        target = mention.target
        label = getattr(target, "title", None) or target.name
        if label not in seen:
            seen.add(label)
            elements.append(("subject", label))
    publisher = publication.publisher
    if publisher is not None and publisher.is_public():
        elements.append(("publisher", publisher.name))
    iso = edtf_iso8601(article.effective_date)  # an undated article has no dc:date
    if iso:
        elements.append(("date", iso))
    if article.effective_date and article.effective_date != iso:
        elements.append(("description", f"Date (EDTF): {article.effective_date}"))
    elements.append(("type", "Text"))
    elements.append(("type", article.get_kind_display()))
    elements.append(("identifier", article_url(article)))
    source = str(issue)
    if article.pages:
        source += f", pp. {article.pages}"
    if publication.issn:
        source += f" (ISSN {publication.issn})"
    elements.append(("source", source))
    elements.append(("language", article.language))
    return [(name, xml_text(value)) for name, value in elements]


def record_header(article: models.Article) -> dict:
    return {
        "identifier": oai_identifier(article.pk),
        "datestamp": datestamp(getattr(article, "stamp", None) or article.updated),
        "set_specs": set_specs(article),
        "deleted": False,
    }


def deleted_header(change: models.Change) -> dict:
    """The header of a record that left: its identifier, the day it left, no sets."""
    return {
        "identifier": oai_identifier(change.record_id),
        "datestamp": datestamp(change.time),
        "set_specs": [],
        "deleted": True,
    }


def handle(request: Request) -> dict:
    """The template context for a valid request, or raise :class:`OAIError`."""
    if request.verb != "ListMetadataFormats" or "identifier" in request.args:
        # Deleted records and datestamps come from the changes log.
        changes.ensure_current(wait=False)
    handler = {
        "Identify": identify,
        "ListMetadataFormats": list_metadata_formats,
        "ListSets": list_sets,
        "ListIdentifiers": list_records,
        "ListRecords": list_records,
        "GetRecord": get_record,
    }[request.verb]
    return handler(request)


def identify(request: Request) -> dict:
    domain = repository_domain()
    return {
        "repository_name": getattr(
            settings, "OAI_REPOSITORY_NAME", "Archive of political publications"
        ),
        "base_url": base_url(),
        "admin_email": settings.DEFAULT_FROM_EMAIL,
        "earliest_datestamp": earliest_datestamp(),
        # oai-identifier requires a DNS-style name; a bare IP (development) gets none.
        "repository_identifier": domain
        if re.match(r"^[A-Za-z][\w-]*(\.[A-Za-z][\w-]*)+$", domain)
        else "",
        "sample_identifier": oai_identifier(1),
    }


def list_metadata_formats(request: Request) -> dict:
    identifier = request.args.get("identifier")
    if identifier is not None:
        pk = parse_identifier(identifier)
        known = pk is not None and (
            models.Article.objects.public().filter(pk=pk).exists()
            or deleted_articles().filter(record_id=pk).exists()
        )
        if not known:
            raise OAIError("idDoesNotExist", f"No record has the identifier '{identifier}'.")
    return {"formats": [{"prefix": k, **v} for k, v in METADATA_FORMATS.items()]}


def list_sets(request: Request) -> dict:
    sets = []
    issues_by_publication: dict[int, list[models.Issue]] = {}
    for issue in models.Issue.objects.public().order_by("publication_id", "date_start", "id"):
        issues_by_publication.setdefault(issue.publication_id, []).append(issue)
    for publication in models.Publication.objects.public().order_by("title", "id"):
        sets.append(
            {"spec": f"publication:{publication.slug}", "name": xml_text(publication.title)}
        )
        for issue in issues_by_publication.get(publication.pk, []):
            issue.publication = publication
            sets.append(
                {
                    "spec": f"publication:{publication.slug}:{issue.slug}",
                    "name": xml_text(issue_name(issue)),
                }
            )
    return {"sets": sets}


def check_prefix(request: Request) -> None:
    prefix = request.args.get("metadataPrefix", "")
    if prefix not in METADATA_FORMATS:
        raise OAIError(
            "cannotDisseminateFormat", f"'{prefix}' is not a metadata format of this repository."
        )


def list_records(request: Request) -> dict:
    """A page of public records and deleted headers, merged in identifier (id) order."""
    check_prefix(request)
    selected = selected_articles(request)
    deleted = selected_deleted(request)
    size = page_size()
    page = selected.filter(id__gt=request.after_id)
    if request.verb == "ListRecords":
        page = with_record_data(page)
    else:
        page = page.select_related("issue__publication")
    entries: list[tuple[int, object]] = [(a.pk, a) for a in page[: size + 1]]
    gone = deleted.filter(record_id__gt=request.after_id)[: size + 1]
    entries += [(c.record_id, c) for c in gone]
    entries.sort(key=lambda entry: entry[0])
    if not entries:
        raise OAIError("noRecordsMatch", "No records match the request's arguments.")
    more = len(entries) > size
    entries = entries[:size]
    token = None
    if more or request.cursor:
        token = {
            "value": encode_token(request, entries[-1][0], request.cursor + len(entries))
            if more
            else "",
            "complete_list_size": selected.count() + deleted.count(),
            "cursor": request.cursor,
            "expiration": (timezone.now() + TOKEN_MAX_AGE).strftime("%Y-%m-%dT%H:%M:%SZ")
            if more
            else "",
        }
    records = []
    for _pk, entry in entries:
        if isinstance(entry, models.Change):
            records.append({"header": deleted_header(entry), "dc": None})
        else:
            dc = dublin_core(entry) if request.verb == "ListRecords" else None
            records.append({"header": record_header(entry), "dc": dc})
    return {"records": records, "token": token}


def get_record(request: Request) -> dict:
    identifier = request.args["identifier"]
    pk = parse_identifier(identifier)
    article = gone = None
    if pk is not None:
        article = with_record_data(stamped(models.Article.objects.public()).filter(pk=pk)).first()
        if article is None:
            gone = deleted_articles().filter(record_id=pk).first()
    if article is None and gone is None:
        raise OAIError("idDoesNotExist", f"No record has the identifier '{identifier}'.")
    check_prefix(request)
    if gone is not None:
        return {"record": {"header": deleted_header(gone), "dc": None}}
    return {"record": {"header": record_header(article), "dc": dublin_core(article)}}
