"""The article's publication and kind beside its search vectors (PostgreSQL).

A search filtered by a publication or a kind (a tenth of the archive each) reads the word's
matches and keeps those the filter keeps. The filter lives in ``archive_article`` (the kind)
and ``archive_issue`` (the publication), so each match was checked through the article's and
its issue's indexes: about 7,500 checks for the 750 a search ranks, 60–80 ms at a million
articles. The index table now holds both keys on the row the word's bitmap already reads, so
the matches of other publications and kinds are dropped there, and only the kept ones are
checked against the filter itself.

Like the years (migration 0017), the keys only narrow: the filter on the articles still
decides. They are kept by the database: the article trigger also fires when an article's
kind or issue changes (and then only rewrites the keys and years), and a new trigger on
``archive_issue`` follows an issue moved to another publication. The table is rebuilt with
the keys (as in migration 0021) rather than updated in place, which would leave a dead copy
of every row and re-insert every vector into the GIN indexes. SQLite needs nothing.
"""

import importlib

from django.db import migrations

partitions = importlib.import_module("archive.migrations.0021_search_partitions")

COLUMNS = partitions.COLUMNS.replace(
    "  CONSTRAINT", "  publication_id bigint,\n  kind text,\n  CONSTRAINT"
)

COPY = (
    "SELECT o.article_id, o.head, o.document, o.years, i.publication_id, a.kind "
    "FROM archive_search_article_old o "
    "LEFT JOIN archive_article a ON a.id = o.article_id "
    "LEFT JOIN archive_issue i ON i.id = a.issue_id"
)

UPSERT = r"""
CREATE OR REPLACE FUNCTION archive_search_article_upsert() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  doc tsvector;
  pub bigint := (SELECT publication_id FROM archive_issue WHERE id = NEW.issue_id);
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.title IS NOT DISTINCT FROM OLD.title
     AND NEW.subtitle IS NOT DISTINCT FROM OLD.subtitle
     AND NEW.body IS NOT DISTINCT FROM OLD.body THEN
    -- Only the date, the kind or the issue changed: the vectors stay.
    UPDATE archive_search_article
       SET years = archive_search_years(NEW.effective_date_start, NEW.effective_date_end),
           publication_id = pub, kind = NEW.kind
     WHERE article_id = NEW.id;
    IF FOUND THEN
      RETURN NULL;
    END IF;
  END IF;
  doc := archive_search_document(NEW.title, NEW.subtitle, NEW.body);
  INSERT INTO archive_search_article (article_id, head, document, years, publication_id, kind)
  VALUES (NEW.id, archive_search_head(NEW.title, NEW.subtitle, NEW.body), doc,
          archive_search_years(NEW.effective_date_start, NEW.effective_date_end), pub, NEW.kind)
  ON CONFLICT (article_id) DO UPDATE SET head = EXCLUDED.head, document = EXCLUDED.document,
    years = EXCLUDED.years, publication_id = EXCLUDED.publication_id, kind = EXCLUDED.kind;
  INSERT INTO archive_search_pair (article_id, pairs)
  VALUES (NEW.id, archive_search_pairs(doc))
  ON CONFLICT (article_id) DO UPDATE SET pairs = EXCLUDED.pairs;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS archive_search_article_upd ON archive_article;
CREATE TRIGGER archive_search_article_upd
  AFTER UPDATE OF title, subtitle, body, effective_date_start, effective_date_end, kind, issue_id
  ON archive_article FOR EACH ROW EXECUTE FUNCTION archive_search_article_upsert();

CREATE OR REPLACE FUNCTION archive_search_issue_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE archive_search_article s SET publication_id = NEW.publication_id
    FROM archive_article a
   WHERE a.issue_id = NEW.id AND s.article_id = a.id;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS archive_search_issue_moved ON archive_issue;
CREATE TRIGGER archive_search_issue_moved
  AFTER UPDATE OF publication_id ON archive_issue FOR EACH ROW
  WHEN (OLD.publication_id IS DISTINCT FROM NEW.publication_id)
  EXECUTE FUNCTION archive_search_issue_moved();
"""

# Migration 0017's trigger, as it was.
UPSERT_BEFORE = r"""
DROP TRIGGER IF EXISTS archive_search_issue_moved ON archive_issue;
DROP FUNCTION IF EXISTS archive_search_issue_moved();

CREATE OR REPLACE FUNCTION archive_search_article_upsert() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  doc tsvector;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.title IS NOT DISTINCT FROM OLD.title
     AND NEW.subtitle IS NOT DISTINCT FROM OLD.subtitle
     AND NEW.body IS NOT DISTINCT FROM OLD.body THEN
    UPDATE archive_search_article
       SET years = archive_search_years(NEW.effective_date_start, NEW.effective_date_end)
     WHERE article_id = NEW.id;
    IF FOUND THEN
      RETURN NULL;
    END IF;
  END IF;
  doc := archive_search_document(NEW.title, NEW.subtitle, NEW.body);
  INSERT INTO archive_search_article (article_id, head, document, years)
  VALUES (NEW.id, archive_search_head(NEW.title, NEW.subtitle, NEW.body), doc,
          archive_search_years(NEW.effective_date_start, NEW.effective_date_end))
  ON CONFLICT (article_id) DO UPDATE SET head = EXCLUDED.head, document = EXCLUDED.document,
    years = EXCLUDED.years;
  INSERT INTO archive_search_pair (article_id, pairs)
  VALUES (NEW.id, archive_search_pairs(doc))
  ON CONFLICT (article_id) DO UPDATE SET pairs = EXCLUDED.pairs;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS archive_search_article_upd ON archive_article;
CREATE TRIGGER archive_search_article_upd
  AFTER UPDATE OF title, subtitle, body, effective_date_start, effective_date_end
  ON archive_article FOR EACH ROW EXECUTE FUNCTION archive_search_article_upsert();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    partitions.rebuild(schema_editor, COLUMNS, COPY, partitions=partitions.PARTITIONS)
    schema_editor.execute(UPSERT)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(UPSERT_BEFORE)
    schema_editor.execute(
        "ALTER TABLE archive_search_article DROP COLUMN publication_id, DROP COLUMN kind"
    )


class Migration(migrations.Migration):
    dependencies = [("archive", "0021_search_partitions")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
