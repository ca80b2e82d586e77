"""Indexes in the API's other article orders (PostgreSQL): ``?ordering=title`` / ``-title``
and ``word_count`` / ``-word_count``, each ending in the id as cursor pages need
(``archive.api.filters.articles.order_articles``). Without them each page sorted every
public article: 0.6 s at a million. A btree is read backwards for the descending orders.
SQLite, the small embedded default, sorts.
"""

from django.db import migrations

INDEXES = {
    "archive_article_title_order": "title, id",
    "archive_article_word_count_order": "word_count, id",
}


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, columns in INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON archive_article ({columns})"
            )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("archive", "0025_article_date_order_indexes")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
