"""Public pages, one module per area; the URLconf imports the view callables from here."""

from .corrections import correction_thanks, suggest_correction
from .entities import (
    organisation_detail,
    organisation_list,
    person_detail,
    person_list,
    place_detail,
    place_list,
)
from .events import event_detail, timeline
from .maps import place_map
from .publications import article_detail, issue_detail, publication_detail, publication_list
from .site import data, home, robots_txt, search
from .sitemaps import sitemap_index, sitemap_section

__all__ = [
    "article_detail",
    "correction_thanks",
    "data",
    "event_detail",
    "home",
    "issue_detail",
    "organisation_detail",
    "organisation_list",
    "person_detail",
    "person_list",
    "place_detail",
    "place_list",
    "place_map",
    "publication_detail",
    "publication_list",
    "robots_txt",
    "search",
    "sitemap_index",
    "sitemap_section",
    "suggest_correction",
    "timeline",
]
