"""The curators' admin, one module per concern. Importing registers every ModelAdmin.

The site itself (title, review dashboard, models grouped by task) is
:class:`archive.admin_site.ArchiveAdminSite`.
"""

from . import corrections, entities, events, importing, jobs, mentions, publications  # noqa: F401
