"""The search vectors kept in their rows, not in the TOAST table (PostgreSQL).

An article's ``document`` vector is about 3 kB (a 2 kB body: every word with its
positions). PostgreSQL moves any value that makes a row longer than 2 kB to the table's
TOAST table, uncompressed here (a vector hardly compresses), so every read of a vector -
checking a match in table order, ranking a candidate, checking a phrase, the words-together
bonus - looked the value up in the TOAST index and put its chunks back together, once per
expression that reads it. Ranking is what a search spends most of its time on, and that is
reading vectors.

The vectors now stay in the row (``STORAGE MAIN``, and each partition keeps rows up to a
whole page, ``toast_tuple_target``), so a vector is read where the row is. Alternating runs
on two partitions of the same million-article table, one rebuilt this way (docs/benchmarks.md,
"sixth round"): the first 750 matches of a word in most articles read and ranked in 4.5 ms
against 8.4; two words' matches read in table order until 750 hold both, 77 ms against 234.
A vector longer than a page still goes to the TOAST table. The table is about as large as
before (4.0 GB with its indexes at a million articles, against 3.9 GB).

The table is rebuilt (as in migration 0021): an ``ALTER`` would apply to new rows only, and
rewriting in place would leave a dead copy of every row. At a million articles three and a
half minutes on two cores. SQLite's FTS5 table needs nothing.
"""

import importlib

from django.db import migrations

partitions = importlib.import_module("archive.migrations.0021_search_partitions")
filter_keys = importlib.import_module("archive.migrations.0022_search_filter_keys")

#: The columns read per row by the search's checks and ranking.
INLINE = ("head", "document")

COPY = (
    "SELECT o.article_id, o.head, o.document, o.years, o.publication_id, o.kind "
    "FROM archive_search_article_old o"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        partitions.rebuild(
            schema_editor,
            filter_keys.COLUMNS,
            COPY,
            partitions=partitions.PARTITIONS,
            inline=INLINE,
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        partitions.rebuild(
            schema_editor, filter_keys.COLUMNS, COPY, partitions=partitions.PARTITIONS
        )


class Migration(migrations.Migration):
    # One transaction: a failed run leaves the old table as it was.
    dependencies = [("archive", "0023_search_vocabulary")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
