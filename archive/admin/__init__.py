"""The curators' admin, one module per concern. Importing registers every ModelAdmin."""

from . import entities, events, importing, mentions, publications  # noqa: F401
