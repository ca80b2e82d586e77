"""Indexes in the API's article date orders (PostgreSQL), so a list sorted by date reads
its first page instead of sorting every public article.

``/api/articles/?ordering=date`` and ``-date`` (without ``q``) order by the effective date
with a stand-in for undated articles, ``COALESCE(effective_date_start, 9999-12-31)`` and
``COALESCE(effective_date_start, 0001-01-01)`` descending, then the id: cursor pages compare
the first key, which must not be NULL (``archive.api.filters.articles.order_articles``).
Migration 0010's index is in the column's own order, which no planner can use for the
expression: at a million articles a page of ``-date`` sorted every public article (0.6 s).
These are that order, one per direction (a btree is read backwards for ``-date``). The
constants must stay those of ``archive.api.filters.base.EARLIEST`` and ``LATEST``; a test
checks the plans. SQLite, the small embedded default, sorts.
"""

from django.db import migrations

INDEXES = {
    "archive_article_date_order_asc": "COALESCE(effective_date_start, '9999-12-31'::date), id",
    "archive_article_date_order_desc": "COALESCE(effective_date_start, '0001-01-01'::date), id",
}


def article_indexes(indexes: dict[str, str]) -> migrations.RunPython:
    """Create ``{name: columns}`` on the article table on PostgreSQL (and drop them going
    back); nothing on SQLite. Migration 0026 adds its indexes with it too."""

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for name, columns in indexes.items():
                schema_editor.execute(
                    f"CREATE INDEX IF NOT EXISTS {name} ON archive_article ({columns})"
                )

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for name in indexes:
                schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return migrations.RunPython(forward, backward, elidable=False)


class Migration(migrations.Migration):
    dependencies = [("archive", "0024_search_vectors_inline")]

    operations = [article_indexes(INDEXES)]
