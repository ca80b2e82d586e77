"""The search vectors in sixteen hash partitions by article id (PostgreSQL).

A search gathers the first few hundred matches of its words, then ranks them. PostgreSQL's
GIN indexes answer only with a bitmap of *every* match, so a word in a tenth of a million
articles cost a bitmap of 90,000 entries (12 ms for the body, 9 ms for the titles) to keep
the first 750; a decade's years another 245,000 (40 ms). With the table cut into sixteen
partitions, each partition has its own, sixteen times smaller, indexes, and a search reads
the partitions one after the other until it has enough: for that word the first partition
already holds 5,500 matches, so one bitmap of 5,500 entries is built (1 ms) instead of one of
90,000. A rare word costs sixteen index probes instead of one (a few hundredths of a
millisecond each).

Hash, not range, partitions: new articles need no new partition, and each partition holds a
fair sample of the whole archive (every date, every publication), so a filter keeps about as
many of its matches as of the archive's. The partitioned table keeps the name, columns,
primary key and index names it had, so the search triggers, the ranking and the bulk
indexing read it unchanged. SQLite's FTS5 table needs nothing.

At a million articles the migration copies the table (4.6 GB) and rebuilds its indexes:
about ten minutes on two cores.
"""

from django.db import migrations

#: How many partitions. A common word's first partition must hold more matches than one
#: search gathers (750), and a rare word's probe is paid once per partition.
PARTITIONS = 16

#: The largest row PostgreSQL keeps whole in an 8 kB page (its maximum toast_tuple_target).
INLINE_TARGET = 8160

INDEXES = """
CREATE INDEX archive_search_article_document ON archive_search_article USING gin (document);
CREATE INDEX archive_search_article_head ON archive_search_article USING gin (head);
CREATE INDEX archive_search_article_years ON archive_search_article USING gin (years);
"""

SET_ASIDE = """
ALTER TABLE archive_search_article RENAME TO archive_search_article_old;
ALTER TABLE archive_search_article_old
  RENAME CONSTRAINT archive_search_article_pkey TO archive_search_article_old_pkey;
DROP INDEX archive_search_article_document;
DROP INDEX archive_search_article_head;
DROP INDEX archive_search_article_years;
"""

COLUMNS = """
  article_id bigint NOT NULL,
  head tsvector NOT NULL,
  document tsvector NOT NULL,
  years int4[] NOT NULL DEFAULT '{}',
  CONSTRAINT archive_search_article_pkey PRIMARY KEY (article_id)
"""

COPY = "SELECT o.article_id, o.head, o.document, o.years FROM archive_search_article_old o"


def rebuild(
    schema_editor, columns: str, select: str, *, partitions: int | None, inline: tuple = ()
) -> None:
    """Set the table aside, create it anew with ``columns`` (hash-partitioned by article id
    into ``partitions``, or plain with ``None``), fill it from ``select`` (over the old
    table, ``archive_search_article_old o``, in the new columns' order), then index it.
    Rows first, indexes after: one sorted build per index instead of row-by-row inserts.

    ``inline``: columns whose values stay in the row up to a whole page (migration 0024)
    instead of moving to the TOAST table past 2 kB."""
    schema_editor.execute(SET_ASIDE)
    # A partitioned table's partitions (and their keys) keep their names when it is
    # renamed: they are set aside too, so that the new partitions can take them.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, k.conname FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid "
            "LEFT JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'p' "
            "WHERE i.inhparent = 'archive_search_article_old'::regclass"
        )
        old_partitions = cursor.fetchall()
    for name, key in old_partitions:
        schema_editor.execute(f'ALTER TABLE "{name}" RENAME TO "{name}_old"')
        if key:
            schema_editor.execute(
                f'ALTER TABLE "{name}_old" RENAME CONSTRAINT "{key}" TO "{key}_old"'
            )
    by_hash = " PARTITION BY HASH (article_id)" if partitions else ""
    # A partitioned table takes no storage parameters: each partition holds its own.
    target = f" WITH (toast_tuple_target = {INLINE_TARGET})" if inline else ""
    parent = "" if partitions else target
    schema_editor.execute(f"CREATE TABLE archive_search_article ({columns}){by_hash}{parent}")
    for i in range(partitions or 0):
        schema_editor.execute(
            f"CREATE TABLE archive_search_article_p{i:02d} PARTITION OF archive_search_article "
            f"FOR VALUES WITH (MODULUS {partitions}, REMAINDER {i}){target}"
        )
    for column in inline:  # set on the parent, it reaches every partition
        schema_editor.execute(
            f"ALTER TABLE archive_search_article ALTER COLUMN {column} SET STORAGE MAIN"
        )
    schema_editor.execute(f"INSERT INTO archive_search_article {select}")
    schema_editor.execute("DROP TABLE archive_search_article_old")
    schema_editor.execute(INDEXES)
    # Autovacuum analyses the partitions (whose statistics estimate a word's matches), never
    # their parent: its statistics over the whole table are gathered once here.
    schema_editor.execute("ANALYZE archive_search_article")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        rebuild(schema_editor, COLUMNS, COPY, partitions=PARTITIONS)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        rebuild(schema_editor, COLUMNS, COPY, partitions=None)


class Migration(migrations.Migration):
    # One transaction: a failed run leaves the old table as it was, never half a copy.
    dependencies = [("archive", "0020_daterange_statistics")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
