"""An index of the undated articles (PostgreSQL): ``?undated=true`` keeps one article in
fifty at a million, and without it the list's first page and its bounded count read the
article table from its first id until enough of them turned up (0.26 s for the count's
10,001 rows). A partial index in id order holds them alone, for the cursor pages' order.
SQLite, the small embedded default, scans.
"""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS archive_article_undated ON archive_article (id) "
            "WHERE date_source = 'undated'"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS archive_article_undated")


class Migration(migrations.Migration):
    dependencies = [("archive", "0026_article_title_word_count_indexes")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
