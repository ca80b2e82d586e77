"""Newest-first index on the article's effective date (PostgreSQL), for search sorted by date.

Search and lists sort articles by their effective date (Article.effective_date_rule), not by
the dateline alone; the walk that stops after a page's worth of matches needs an index in that
order. The dateline index of migration 0007 is replaced. PostgreSQL only (SQLite cannot declare
NULLS LAST in an index, and the embedded database is small enough to sort).
"""

from django.db import migrations

FORWARD = (
    "DROP INDEX IF EXISTS archive_article_date_desc",
    "CREATE INDEX IF NOT EXISTS archive_article_effective_date_desc "
    "ON archive_article (effective_date_start DESC NULLS LAST, id DESC)",
)
BACKWARD = (
    "DROP INDEX IF EXISTS archive_article_effective_date_desc",
    "CREATE INDEX IF NOT EXISTS archive_article_date_desc "
    "ON archive_article (date_start DESC NULLS LAST, id DESC)",
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("archive", "0009_article_effective_date")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
