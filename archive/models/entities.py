"""People, organisations and places, with their variant names and past slugs."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from archive.counts import StoredCounts
from archive.routes import route
from archive.text import fold

from .base import (
    EDTFField,
    PublicQuerySet,
    PublishableModel,
    PublishableQuerySet,
    TimeStampedModel,
    bounds_constraint,
    count_constraint,
    date_bound_fields,
    status_constraint,
)

wikidata_validator = RegexValidator(r"^Q[1-9]\d*$", "A Wikidata id looks like Q42.")
country_validator = RegexValidator(r"^[A-Z]{2}$", "Use an ISO 3166-1 alpha-2 code, e.g. PL.")


class EntityQuerySet(PublishableQuerySet):
    """Reusable filters for the three kinds of named entity."""

    def matching_name(self, text: str):
        """Name or any variant name contains ``text``, ignoring case and diacritics."""
        key = fold(text)
        return self.filter(
            models.Q(name_folded__contains=key) | models.Q(aliases__name_folded__contains=key)
        ).distinct()


class Entity(StoredCounts, PublishableModel):
    """Fields common to people, organisations and places."""

    STORED_COUNTS = ("mention_count",)

    name = models.CharField(max_length=255, help_text="Preferred display name, with diacritics.")
    name_folded = models.CharField(
        max_length=255, editable=False, db_index=True,
        help_text="Name without case or diacritics, for matching 'Walesa' to 'Wałęsa'.",
    )  # fmt: skip
    slug = models.SlugField(max_length=255, unique=True, help_text="Public URL of the record.")
    description = models.TextField(blank=True, help_text="One or two neutral lines.")
    wikidata = models.CharField(
        "Wikidata id", max_length=20, blank=True, validators=[wikidata_validator]
    )

    mention_count = models.IntegerField(
        default=0, editable=False,
        help_text="Public mentions: not rejected, in a public article (the article, its issue and "
        "the issue's publication published). Kept by database triggers (archive/counts.py), "
        "never written by save().",
    )  # fmt: skip

    objects = EntityQuerySet.as_manager()

    class Meta:
        abstract = True

    def derive(self) -> None:
        self.name_folded = fold(self.name)


class OrganisationKind(models.TextChoices):
    PARTY = "party", _("Political party")
    UNION = "union", _("Trade union")
    STATE = "state", _("State body")
    MILITARY = "military", _("Armed forces")
    SECURITY = "security", _("Security service")
    PERIODICAL = "periodical", _("Periodical")
    PUBLISHER = "publisher", _("Publisher")
    INTERNATIONAL = "international", _("International")
    MOVEMENT = "movement", _("Movement")
    OTHER = "other", _("Other")


class Organisation(Entity):
    Kind = OrganisationKind

    acronym = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    country = models.CharField(
        max_length=2, blank=True, validators=[country_validator], help_text="ISO 3166-1 alpha-2."
    )
    founded = EDTFField(start_field="founded_start", end_field="founded_end")
    founded_start, founded_end = date_bound_fields("founding")
    dissolved = EDTFField(start_field="dissolved_start", end_field="dissolved_end")
    dissolved_start, dissolved_end = date_bound_fields("dissolution")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    predecessor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="successors"
    )

    history = HistoricalRecords(excluded_fields=["mention_count"])

    class Meta:
        ordering = ["name_folded", "id"]
        constraints = [
            status_constraint("organisation"),
            count_constraint("organisation", "mention_count"),
            bounds_constraint("organisation", "founded"),
            bounds_constraint("organisation", "dissolved"),
            models.CheckConstraint(
                condition=models.Q(kind__in=OrganisationKind.values),
                name="organisation_kind_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="organisation_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self) -> str:
        return route("archive:organisation-detail", slug=self.slug)


class Person(Entity):
    sort_name = models.CharField(
        max_length=255, blank=True,
        help_text='Name as sorted in indexes, e.g. "Wałęsa, Lech". Defaults to the name.',
    )  # fmt: skip
    sort_name_folded = models.CharField(max_length=255, editable=False, db_index=True)
    birth = EDTFField(start_field="birth_start", end_field="birth_end")
    birth_start, birth_end = date_bound_fields("birth")
    death = EDTFField(start_field="death_start", end_field="death_end")
    death_start, death_end = date_bound_fields("death")
    country = models.CharField(
        max_length=2, blank=True, validators=[country_validator], help_text="ISO 3166-1 alpha-2."
    )
    viaf = models.CharField("VIAF id", max_length=30, blank=True)

    history = HistoricalRecords(excluded_fields=["mention_count"])

    class Meta:
        ordering = ["sort_name_folded", "id"]
        verbose_name_plural = "people"
        constraints = [
            status_constraint("person"),
            count_constraint("person", "mention_count"),
            bounds_constraint("person", "birth"),
            bounds_constraint("person", "death"),
            models.CheckConstraint(
                condition=models.Q(birth_start__isnull=True)
                | models.Q(death_end__isnull=True)
                | models.Q(birth_start__lte=models.F("death_end")),
                name="person_born_before_death",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def derive(self) -> None:
        super().derive()
        if not self.sort_name:
            self.sort_name = self.name
        self.sort_name_folded = fold(self.sort_name)

    def get_absolute_url(self) -> str:
        return route("archive:person-detail", slug=self.slug)


class PlaceKind(models.TextChoices):
    COUNTRY = "country", _("Country")
    REGION = "region", _("Region")
    CITY = "city", _("City")
    SITE = "site", _("Site")


class Place(Entity):
    Kind = PlaceKind

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CITY)
    country_code = models.CharField(
        max_length=2, blank=True, validators=[country_validator], help_text="ISO 3166-1 alpha-2."
    )
    latitude = models.DecimalField(
        max_digits=8, decimal_places=5, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )  # fmt: skip
    longitude = models.DecimalField(
        max_digits=8, decimal_places=5, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )  # fmt: skip
    geonames = models.CharField("GeoNames id", max_length=20, blank=True)

    history = HistoricalRecords(excluded_fields=["mention_count"])

    class Meta:
        ordering = ["name_folded", "id"]
        constraints = [
            status_constraint("place"),
            count_constraint("place", "mention_count"),
            models.CheckConstraint(
                condition=models.Q(kind__in=PlaceKind.values), name="place_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="place_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="place_longitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="place_coordinates_paired",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return route("archive:place-detail", slug=self.slug)


class AliasKind(models.TextChoices):
    VARIANT = "variant", _("Variant")
    SOURCE_SPELLING = "source_spelling", _("Spelling in source")
    TRANSLITERATION = "transliteration", _("Transliteration")
    ACRONYM = "acronym", _("Acronym")
    FORMER_NAME = "former_name", _("Former name")


class Alias(TimeStampedModel):
    """A variant name of exactly one person, organisation or place (one primary name lives on
    the entity itself). Spellings as printed in sources are aliases too, so the linker finds
    "Ceaucescu" and "Solidarnosc"."""

    Kind = AliasKind

    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="aliases"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="aliases"
    )
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.CASCADE, related_name="aliases"
    )
    name = models.CharField(max_length=255)
    name_folded = models.CharField(max_length=255, editable=False, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.VARIANT)
    language = models.CharField(max_length=12, blank=True, help_text="BCP 47 tag, e.g. pl, en.")

    objects = PublicQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name_folded", "id"]
        verbose_name_plural = "aliases"
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(person__isnull=False, organisation__isnull=True, place__isnull=True)
                    | models.Q(person__isnull=True, organisation__isnull=False, place__isnull=True)
                    | models.Q(person__isnull=True, organisation__isnull=True, place__isnull=False)
                ),
                name="alias_exactly_one_entity",
            ),
            models.UniqueConstraint(
                "person", Lower("name"), name="alias_unique_per_person",
                condition=models.Q(person__isnull=False),
            ),
            models.UniqueConstraint(
                "organisation", Lower("name"), name="alias_unique_per_organisation",
                condition=models.Q(organisation__isnull=False),
            ),
            models.UniqueConstraint(
                "place", Lower("name"), name="alias_unique_per_place",
                condition=models.Q(place__isnull=False),
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=AliasKind.values), name="alias_kind_valid"
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name

    @property
    def entity(self) -> Person | Organisation | Place | None:
        return self.person or self.organisation or self.place

    def derive(self) -> None:
        self.name_folded = fold(self.name)

    @classmethod
    def public_q(cls, prefix: str = "") -> models.Q:
        """A variant name is public with its record."""
        return (
            Person.public_q(f"{prefix}person__")
            | Organisation.public_q(f"{prefix}organisation__")
            | Place.public_q(f"{prefix}place__")
        )

    def is_public(self) -> bool:
        entity = self.entity
        return entity is not None and entity.is_public()

    def get_absolute_url(self) -> str:
        entity = self.entity
        return entity.get_absolute_url() if entity else ""


class PastSlug(TimeStampedModel):
    """A slug a record used to have (after a rename or a merge); its URL 301-redirects."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    slug = models.SlugField(max_length=255)

    class Meta:
        ordering = ["content_type", "slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "slug"], name="pastslug_unique_per_type"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slug} → {self.target}"

    def get_absolute_url(self) -> str:
        return self.target.get_absolute_url() if self.target else ""
