"""One explicit FilterSet per resource; each serves JSON pages, CSV and JSON Lines alike,
and the articles' one serves the search page too.

``base``: the strict FilterSet and the reusable filters (dates by overlap, records by id or
slug, choices, languages); then one module per resource. See ``base`` for how dates match
and how bad parameters are refused, ``articles`` for the full-text search and orderings.
"""

from .articles import ORDERINGS as ARTICLE_ORDERINGS
from .articles import ArticleFilterSet, order_articles
from .base import EARLIEST, LATEST, NON_FILTER_PARAMETERS, StrictFilterSet, overlap_q
from .entities import EntityFilterSet, OrganisationFilterSet, PersonFilterSet, PlaceFilterSet
from .events import EventFilterSet
from .mentions import MentionFilterSet
from .publications import IssueFilterSet, PublicationFilterSet

__all__ = [
    "ARTICLE_ORDERINGS",
    "EARLIEST",
    "LATEST",
    "NON_FILTER_PARAMETERS",
    "ArticleFilterSet",
    "EntityFilterSet",
    "EventFilterSet",
    "IssueFilterSet",
    "MentionFilterSet",
    "OrganisationFilterSet",
    "PersonFilterSet",
    "PlaceFilterSet",
    "PublicationFilterSet",
    "StrictFilterSet",
    "order_articles",
    "overlap_q",
]
