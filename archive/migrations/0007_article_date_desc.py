"""Index for search sorted by date on PostgreSQL: newest first, undated last.

Search walks it and stops after a page's worth of matches, instead of sorting every match of
a common word. PostgreSQL only (SQLite cannot declare NULLS LAST in an index, and the
embedded database is small enough to sort).
"""

from django.db import migrations

FORWARD = (
    "CREATE INDEX IF NOT EXISTS archive_article_date_desc "
    "ON archive_article (date_start DESC NULLS LAST, id DESC)"
)
BACKWARD = "DROP INDEX IF EXISTS archive_article_date_desc"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("archive", "0006_stored_counts")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
