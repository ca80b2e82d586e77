"""An index for "the article's date may fall in this span" (PostgreSQL), for date filters.

The date filters (``year``, ``decade``, ``date_after``/``date_before``) keep the articles
whose effective date (``Article.effective_date_rule``) *overlaps* the requested span, open
(NULL) bounds being open. Two B-tree indexes, one per bound, cannot serve an overlap: each
half of it (``start <= last day``, ``end >= first day``) keeps most of the table, so a year's
export read the whole article table before its first byte. On PostgreSQL the model layer
writes the overlap as ``daterange(start, end, '[]') && daterange(first, last, '[]')``
(``archive.models.base.DateOverlap``), which this GiST index on the same expression serves
(and ANALYZE then keeps range statistics for it, so the planner knows how many rows a year
keeps). Undated articles are left out of the index: their range would be unbounded, overlap
every span and be read only to be thrown away (the overlap rule never keeps them, and says
so in the same words as the index's condition). SQLite needs nothing: it compares the bounds, and the embedded database is small.
"""

from django.db import migrations

FORWARD = (
    "CREATE INDEX IF NOT EXISTS archive_article_effective_daterange ON archive_article "
    "USING gist (daterange(effective_date_start, effective_date_end, '[]')) "
    "WHERE effective_date_start IS NOT NULL OR effective_date_end IS NOT NULL",
)
BACKWARD = ("DROP INDEX IF EXISTS archive_article_effective_daterange",)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("archive", "0018_emendations")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
