"""Indexes in the API's other article orders (PostgreSQL): ``?ordering=title`` / ``-title``
and ``word_count`` / ``-word_count``, each ending in the id as cursor pages need
(``archive.api.filters.articles.order_articles``). Without them each page sorted every
public article: 0.6 s at a million. A btree is read backwards for the descending orders.
SQLite, the small embedded default, sorts.
"""

import importlib

from django.db import migrations

date_order = importlib.import_module("archive.migrations.0025_article_date_order_indexes")

INDEXES = {
    "archive_article_title_order": "title, id",
    "archive_article_word_count_order": "word_count, id",
}


class Migration(migrations.Migration):
    dependencies = [("archive", "0025_article_date_order_indexes")]

    operations = [date_order.article_indexes(INDEXES)]
