"""Publications, their issues, the articles in them, and the files they were imported from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from archive.counts import StoredCounts
from archive.dates import edtf_bounds
from archive.routes import route
from archive.text import word_count

from .base import (
    EDTFField,
    PublicQuerySet,
    PublishableModel,
    PublishableQuerySet,
    Status,
    TimeStampedModel,
    bounds_constraint,
    count_constraint,
    date_bound_fields,
    status_constraint,
)
from .entities import Organisation, Person, Place

issn_validator = RegexValidator(r"^\d{4}-\d{3}[\dX]$", "An ISSN looks like 0951-5593.")


class PublicationKind(models.TextChoices):
    NEWSPAPER = "newspaper", _("Newspaper")
    JOURNAL = "journal", _("Journal")
    MAGAZINE = "magazine", _("Magazine")
    PAMPHLET = "pamphlet", _("Pamphlet")
    BOOK = "book", _("Book")
    BULLETIN = "bulletin", _("Bulletin")
    BROADSHEET = "broadsheet", _("Broadsheet")
    WEBSITE = "website", _("Website")


class Publication(StoredCounts, PublishableModel):
    """A title: a newspaper, journal or pamphlet series, with its run of dates."""

    Kind = PublicationKind
    STORED_COUNTS = ("issue_count", "article_count")

    title = models.CharField(max_length=255)
    slug = models.SlugField(max_length=255, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NEWSPAPER)
    publisher = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="publications"
    )
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.SET_NULL, related_name="publications"
    )
    language = models.CharField(max_length=12, default="en", help_text="BCP 47 tag.")
    issn = models.CharField("ISSN", max_length=9, blank=True, validators=[issn_validator])
    run = EDTFField(
        start_field="run_start", end_field="run_end",
        help_text="Run of dates as an EDTF interval, e.g. 1986/1994 or 1987/.. (still running).",
    )  # fmt: skip
    run_start, run_end = date_bound_fields("publication run")
    description = models.TextField(blank=True)
    predecessor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="successors"
    )
    wikidata = models.CharField("Wikidata id", max_length=20, blank=True)
    issue_count = models.IntegerField(
        default=0, editable=False,
        help_text="Its published issues (the publication's own status is checked where it is "
        "shown). Kept by database triggers (archive/counts.py).",
    )  # fmt: skip
    article_count = models.IntegerField(
        default=0, editable=False,
        help_text="Published articles in its published issues. Kept by database triggers "
        "(archive/counts.py).",
    )  # fmt: skip

    history = HistoricalRecords(excluded_fields=["issue_count", "article_count"])

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            status_constraint("publication"),
            count_constraint("publication", "issue_count"),
            count_constraint("publication", "article_count"),
            bounds_constraint("publication", "run"),
            models.CheckConstraint(
                condition=models.Q(kind__in=PublicationKind.values),
                name="publication_kind_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(predecessor=models.F("id")),
                name="publication_not_own_predecessor",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return route("archive:publication-detail", slug=self.slug)


class SourceDocument(TimeStampedModel):
    """A file records came from. Its SHA-256 makes re-importing the same file a no-op."""

    name = models.CharField(max_length=255, help_text="File name as received.")
    sha256 = models.CharField(
        "SHA-256", max_length=64, unique=True,
        validators=[RegexValidator(r"^[0-9a-f]{64}$", "64 lowercase hex digits.")],
    )  # fmt: skip
    size = models.PositiveBigIntegerField(help_text="Size in bytes.")
    text = models.TextField(blank=True, help_text="The file's full text, kept for provenance.")
    imported_at = models.DateTimeField(null=True, blank=True)
    importer_version = models.CharField(max_length=40, blank=True)
    report = models.JSONField(default=dict, blank=True, help_text="The importer's last report.")
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-imported_at", "name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("admin:archive_sourcedocument_change", args=[self.pk])


class IssueQuerySet(PublishableQuerySet):
    def with_publication(self):
        return self.select_related("publication")


class Issue(PublishableModel):
    """One issue or edition of a publication."""

    PARENTS = ("publication",)

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="issues")
    slug = models.SlugField(max_length=255, help_text="Unique within the publication.")
    volume = models.CharField(max_length=40, blank=True)
    number = models.CharField(max_length=40, blank=True)
    title = models.CharField(max_length=255, blank=True)
    date = EDTFField(start_field="date_start", end_field="date_end")
    date_start, date_end = date_bound_fields("issue date")
    date_display = models.CharField(
        max_length=255, blank=True, help_text="The date as printed, if it is printed."
    )
    pages = models.PositiveIntegerField(null=True, blank=True, validators=[MinValueValidator(1)])
    source_document = models.ForeignKey(
        SourceDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="issues"
    )
    notes = models.TextField(blank=True, help_text="Public notes on the issue.")

    objects = IssueQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["publication__title", "date_start", "volume", "number", "id"]
        constraints = [
            status_constraint("issue"),
            bounds_constraint("issue", "date"),
            models.UniqueConstraint(
                fields=["publication", "volume", "number"],
                name="issue_unique_volume_number",
                condition=~models.Q(number=""),
            ),
            models.UniqueConstraint(fields=["publication", "slug"], name="issue_unique_slug"),
            models.CheckConstraint(
                condition=models.Q(pages__isnull=True) | models.Q(pages__gte=1),
                name="issue_pages_positive",
            ),
        ]

    def __str__(self) -> str:
        label = (
            self.title
            or " ".join(
                part
                for part in (
                    self.volume and f"vol. {self.volume}",
                    self.number and f"no. {self.number}",
                )
                if part
            )
            or self.date
            or self.slug
        )
        return f"{self.publication} — {label}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # Units written for the issue itself take its date (the article-date rule).
        self.articles.filter(kind__in=ISSUE_DATED_KINDS).refresh_dates()

    def get_absolute_url(self) -> str:
        return route("archive:issue-detail", publication=self.publication.slug, slug=self.slug)


class ArticleQuerySet(PublishableQuerySet):
    def public_count(self) -> int:
        """How many public articles there are: ``public().count()``, read from the stored
        counts of the public publications (``Publication.article_count``: published articles
        in published issues, kept by triggers) instead of counting the article table through
        its chain (0.7 s at a million articles, on every home page)."""
        from django.db.models import Sum

        if self.query.has_filters():  # a narrowed set has no stored count
            return self.public().count()
        total = Publication.objects.public().aggregate(n=Sum("article_count"))["n"]
        return total or 0

    def with_related(self):
        """What every public list of articles renders: issue, publication, public authors."""
        return self.select_related("issue__publication").prefetch_related(
            models.Prefetch(
                "authorships",
                queryset=Authorship.objects.filter(Person.public_q("person__"))
                .select_related("person")
                .order_by("order", "id"),
                to_attr="_public_authorships",
            )
        )

    def unsigned(self):
        """Articles with no public author (a draft person's name is never shown)."""
        return self.exclude(
            models.Exists(
                Authorship.objects.filter(
                    Person.public_q("person__"), article=models.OuterRef("pk")
                )
            )
        )

    def undated(self):
        return self.filter(date_source=DateSource.UNDATED)

    def refresh_dates(self) -> int:
        """Recompute the effective date of these articles (after their issue's date changed)."""
        changed = []
        for article in self.select_related("issue"):
            before = (article.effective_date, article.date_source)
            article.derive()
            if (article.effective_date, article.date_source) != before:
                changed.append(article)
        Article.objects.bulk_update(
            changed, ["effective_date", "effective_date_start", "effective_date_end", "date_source"]
        )
        return len(changed)


class ArticleKind(models.TextChoices):
    ARTICLE = "article", _("Article")
    INTRODUCTION = "introduction", _("Introduction")
    EDITORIAL = "editorial", _("Editorial")
    SIDEBAR = "sidebar", _("Sidebar")
    TIMELINE = "timeline", _("Timeline")
    POEM = "poem", _("Poem")
    LETTER = "letter", _("Letter")
    REVIEW = "review", _("Review")
    INTERVIEW = "interview", _("Interview")


class DateSource(models.TextChoices):
    """Where an article's effective date comes from (shown beside every date)."""

    DATELINE = "dateline", _("its dateline")
    FIRST_PUBLISHED = "first_published", _("its first publication")
    ISSUE = "issue", _("the date of the issue it was written for")
    UNDATED = "undated", _("undated")


#: Units written for the issue itself, which take the issue's date when they carry none.
ISSUE_DATED_KINDS = (ArticleKind.INTRODUCTION, ArticleKind.TIMELINE, ArticleKind.EDITORIAL)


@dataclass(frozen=True)
class FirstAppearance:
    """Where a reprinted article first appeared, as far as it is known (see
    ``Article.first_appearance``): the issue and publication if catalogued and visible, and the
    date (EDTF), any of which may be missing."""

    issue: Issue | None = None
    publication: Publication | None = None
    date: str = ""
    #: True when the record says where or when it first appeared; False when only its own
    #: dateline shows that it is older than the issue that prints it.
    recorded: bool = True


class Article(PublishableModel):
    """A unit of text in an issue: an article, the introduction, a sidebar, the timeline…

    ``body`` is the clean reading text: paragraphs separated by a blank line, section headings
    as paragraphs starting with ``## ``, verse lines kept on their own lines. ``raw_text`` keeps
    the extracted text exactly as imported, for provenance and review.
    """

    Kind = ArticleKind
    DateSource = DateSource
    PARENTS = ("issue", "issue__publication")
    #: The long texts, which no list of articles shows (API pages, search results, the
    #: mentions and writings on a person's page): left unread there, they are most of a
    #: row's bytes (a Django ``defer()``; read on access should a template ever need one).
    LIST_DEFERRED = ("body", "raw_text", "curator_notes")

    @classmethod
    def list_deferred(cls, prefix: str = "") -> list[str]:
        """``LIST_DEFERRED`` as reached from a related row (``prefix="article__"``)."""
        return [f"{prefix}{field}" for field in cls.LIST_DEFERRED]

    issue = models.ForeignKey(Issue, on_delete=models.PROTECT, related_name="articles")
    position = models.PositiveIntegerField(help_text="Reading order within the issue, from 1.")
    slug = models.SlugField(max_length=255, help_text="Unique within the issue.")
    label = models.CharField(
        max_length=40, blank=True, help_text='As printed: "1", "Introduction".'
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ARTICLE)
    title = models.CharField(max_length=500)
    subtitle = models.CharField(max_length=500, blank=True)
    date = EDTFField(start_field="date_start", end_field="date_end")
    date_start, date_end = date_bound_fields("dateline")
    date_display = models.CharField(max_length=255, blank=True, help_text="Dateline as printed.")
    first_published_in_issue = models.ForeignKey(
        Issue, null=True, blank=True, on_delete=models.SET_NULL, related_name="reprints",
        help_text="For a reprint: the issue it first appeared in, if catalogued.",
    )  # fmt: skip
    first_published_in_publication = models.ForeignKey(
        Publication, null=True, blank=True, on_delete=models.SET_NULL, related_name="reprints",
        help_text="For a reprint: the publication it first appeared in.",
    )  # fmt: skip
    first_published_date = EDTFField(
        start_field="first_published_date_start", end_field="first_published_date_end"
    )
    first_published_date_start, first_published_date_end = date_bound_fields("first publication")
    effective_date = models.CharField(
        max_length=64, blank=True, default="", editable=False,
        help_text="The date the article is filtered, sorted, cited and faceted by (EDTF): "
        "see date_source and Article.derive().",
    )  # fmt: skip
    effective_date_start, effective_date_end = date_bound_fields("article's effective date")
    date_source = models.CharField(
        max_length=20, choices=DateSource.choices, default=DateSource.UNDATED, editable=False,
        help_text="Where effective_date comes from.",
    )  # fmt: skip
    pages = models.CharField(max_length=40, blank=True, help_text='Pages as printed, "12–14".')
    body = models.TextField(blank=True)
    raw_text = models.TextField(blank=True, help_text="Text as extracted, before repairs.")
    language = models.CharField(max_length=12, default="en", help_text="BCP 47 tag.")
    word_count = models.PositiveIntegerField(default=0, editable=False)
    curator_edited_fields = models.JSONField(
        default=list, blank=True, editable=False,
        help_text="Fields a curator changed by hand; re-imports leave them alone.",
    )  # fmt: skip

    objects = ArticleQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["issue", "position", "id"]
        permissions = [
            ("publish_record", "Can publish, unpublish and send back to review any record"),
        ]
        constraints = [
            status_constraint("article"),
            bounds_constraint("article", "date"),
            bounds_constraint("article", "first_published_date"),
            bounds_constraint("article", "effective_date"),
            models.CheckConstraint(
                condition=models.Q(date_source__in=DateSource.values),
                name="article_date_source_valid",
            ),
            models.UniqueConstraint(fields=["issue", "position"], name="article_unique_position"),
            models.UniqueConstraint(fields=["issue", "slug"], name="article_unique_slug"),
            models.CheckConstraint(
                condition=models.Q(position__gte=1), name="article_position_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=ArticleKind.values), name="article_kind_valid"
            ),
            models.CheckConstraint(condition=~models.Q(title=""), name="article_title_not_empty"),
            models.CheckConstraint(
                condition=~models.Q(status=Status.PUBLISHED) | ~models.Q(body=""),
                name="article_published_has_body",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}. {self.title}" if self.label.isdigit() else self.title

    def effective_date_rule(self) -> tuple[str, DateSource]:
        """The one rule for an article's date: its dateline; else the date it was first
        published (a reprint); else, only for units written for the issue itself
        (introduction, timeline, editorial), the issue's date; else undated. A reprint never
        takes the reprint's date, so a 1989 article in a 2009 pamphlet is a 1989 article."""
        if self.date:
            return self.date, DateSource.DATELINE
        if self.first_published_date:
            return self.first_published_date, DateSource.FIRST_PUBLISHED
        if self.kind in ISSUE_DATED_KINDS and self.issue_id and self.issue.date:
            return self.issue.date, DateSource.ISSUE
        return "", DateSource.UNDATED

    def first_appearance(
        self, visible: Callable[[models.Model], bool] | None = None
    ) -> FirstAppearance | None:
        """Where this article first appeared, if it is a reprint; ``None`` if it is not.

        The one rule for "is this a reprint", which the article page, every citation format
        and JSON-LD call. A reprint is an article whose record names its first appearance
        (issue, publication or date), or whose own dateline ends more than a year before the
        issue that prints it begins: a piece dated 1981 in a c. 2009 pamphlet is a reprint
        even when nobody has recorded where it first stood (a year's grace, so a piece dated
        December 1989 in a January 1990 issue is new). Related records are named only when
        ``visible`` accepts them (default: ``is_public()``; a curator's preview passes its own).
        """
        visible = visible or (lambda record: record.is_public())
        first_issue = self.first_published_in_issue
        if first_issue is not None and not visible(first_issue):
            first_issue = None
        publication = (
            first_issue.publication if first_issue else self.first_published_in_publication
        )
        if publication is not None and not visible(publication):
            publication = None
        if (
            self.first_published_in_issue_id
            or self.first_published_in_publication_id
            or self.first_published_date
        ):
            date = self.first_published_date or (first_issue.date if first_issue else "")
            if not date and self.date:  # the dateline is the first appearance's date
                date = self.date
            return FirstAppearance(issue=first_issue, publication=publication, date=date)
        issue_start = self.issue.date_start if self.issue_id else None
        own_end = self.effective_date_end if self.date_source == DateSource.DATELINE else None
        if issue_start is not None and own_end is not None and own_end.year + 1 < issue_start.year:
            return FirstAppearance(date=self.date, recorded=False)
        return None

    def derive(self) -> None:
        """Derived fields (see ``derive_fields``): word count and the effective date."""
        self.word_count = word_count(self.body)
        self.effective_date, self.date_source = self.effective_date_rule()
        bounds = edtf_bounds(self.effective_date)
        self.effective_date_start, self.effective_date_end = bounds.start, bounds.end

    def get_absolute_url(self) -> str:
        return route(
            "archive:article-detail",
            publication=self.issue.publication.slug, issue=self.issue.slug, slug=self.slug,
        )  # fmt: skip

    @property
    def public_authorships(self) -> list[Authorship]:
        """Its authorships whose person is public, in credit order (prefetched by
        ``with_related()``; queried otherwise). A draft person is never credited in public."""
        cached = getattr(self, "_public_authorships", None)
        if cached is not None:
            return cached
        return list(
            self.authorships.filter(Person.public_q("person__"))
            .select_related("person")
            .order_by("order", "id")
        )

    @property
    def headings(self) -> list[str]:
        """Section headings in body order (for the reader's contents list)."""
        return [p[3:].strip() for p in self.body.split("\n\n") if p.startswith("## ")]


class AuthorshipRole(models.TextChoices):
    AUTHOR = "author", _("Author")
    EDITOR = "editor", _("Editor")
    TRANSLATOR = "translator", _("Translator")


class Authorship(TimeStampedModel):
    Role = AuthorshipRole

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="authorships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="authorships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.AUTHOR)
    order = models.PositiveSmallIntegerField(default=1)

    objects = PublicQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["article", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "person", "role"], name="authorship_unique_role"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=AuthorshipRole.values),
                name="authorship_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()}) — {self.article}"

    @classmethod
    def public_q(cls, prefix: str = "") -> models.Q:
        """Public when both ends are: the article (with its issue) and the person."""
        return Article.public_q(f"{prefix}article__") & Person.public_q(f"{prefix}person__")

    def is_public(self) -> bool:
        return self.article.is_public() and self.person.is_public()

    def get_absolute_url(self) -> str:
        return self.article.get_absolute_url()


class Illustration(TimeStampedModel):
    """A photo or drawing in the printed article, known to us by its caption."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="illustrations")
    caption = models.TextField()
    page = models.CharField(max_length=20, blank=True)
    position = models.PositiveIntegerField(default=1, help_text="Order within the article.")
    after_paragraph = models.PositiveIntegerField(
        null=True, blank=True, help_text="Body paragraph (from 1) the caption stood after."
    )

    objects = PublicQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["article", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "position"], name="illustration_unique_position"
            ),
            models.CheckConstraint(
                condition=~models.Q(caption=""), name="illustration_caption_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.caption[:80]

    @classmethod
    def public_q(cls, prefix: str = "") -> models.Q:
        """An illustration follows its article."""
        return Article.public_q(f"{prefix}article__")

    def is_public(self) -> bool:
        return self.article.is_public()

    def get_absolute_url(self) -> str:
        return self.article.get_absolute_url()


class TextRepairKind(models.TextChoices):
    HYPHENATION = "hyphenation", _("Word hyphenated across lines or pages")
    DROP_CAP = "drop_cap", _("Drop cap rejoined")
    LOST_DROP_CAP = "lost_drop_cap", _("Lost drop cap restored")
    CONTINUATION = "continuation", _("Page-continuation marker removed")
    CAPTION = "caption", _("Caption moved to illustrations")
    REFLOW = "reflow", _("Lines reflowed into a paragraph")
    TYPO = "typo", _("Source typo (kept, listed)")
    DISPLACED = "displaced", _("Text displaced by page layout moved back")
    OTHER = "other", _("Other")


class TextRepairStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    FLAGGED = "flagged", _("Flagged for review")
    ACCEPTED = "accepted", _("Accepted by a curator")
    REVERTED = "reverted", _("Reverted by a curator")


class TextRepair(TimeStampedModel):
    """One change the importer made to extracted text (or a problem it flagged), for review."""

    Kind = TextRepairKind

    Status = TextRepairStatus

    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.CASCADE, related_name="repairs"
    )
    source_document = models.ForeignKey(
        SourceDocument, on_delete=models.CASCADE, related_name="repairs"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.APPLIED)
    line = models.PositiveIntegerField(help_text="Line in the source file, from 1.")
    sequence = models.PositiveIntegerField(
        default=0, help_text="Order in which the importer made its changes to the article text."
    )
    offset = models.PositiveIntegerField(
        null=True, blank=True,
        help_text="Where 'before' stood in the article text when the change was made "
        "(see docs/importing.md, replaying repairs).",
    )  # fmt: skip
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["source_document", "line", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at line {self.line}: {self.before!r} → {self.after!r}"

    def get_absolute_url(self) -> str:
        return reverse("admin:archive_textrepair_change", args=[self.pk])
