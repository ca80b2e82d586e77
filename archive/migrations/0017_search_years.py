"""The years an article's date may fall in, beside its search vectors (PostgreSQL).

A search with a date filter (``decade=1980``, ``date_after``/``date_before``) must find the
matches of its words *within* the dates, not walk the word's matches in table order until
enough fall in the decade (a quarter of the table read before reaching the 1980s). The
dates live in ``archive_article`` and the vectors in ``archive_search_article``, and an
index can only combine conditions on one table. So the side table also holds the years the
article's effective date overlaps (``Article.effective_date_rule``), GIN-indexed: a decade is
the articles holding any of its ten years, and PostgreSQL ANDs that bitmap with the word's.

The years only narrow the candidates; the date filter itself (on ``archive_article``) still
decides. An undated article holds no year; a date open at one end holds the years up to
2100 (or from 1500); years outside 1500–2100 are clamped to them, on both sides, so the
years are always a superset of what the filter keeps. Kept by the search triggers, which now
also fire when the effective date changes. SQLite needs nothing.
"""

from django.db import migrations

PG_FORWARD = r"""
CREATE OR REPLACE FUNCTION archive_search_years(first date, last date) RETURNS int4[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN first IS NULL AND last IS NULL THEN '{}'::int4[] ELSE ARRAY(
    SELECT generate_series(
      least(2100, greatest(1500, coalesce(extract(year FROM first)::int, 1500))),
      least(2100, greatest(1500, coalesce(extract(year FROM last)::int, 2100)))))
  END
$$;

ALTER TABLE archive_search_article ADD COLUMN IF NOT EXISTS years int4[] NOT NULL DEFAULT '{}';

CREATE OR REPLACE FUNCTION archive_search_article_upsert() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  doc tsvector;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.title IS NOT DISTINCT FROM OLD.title
     AND NEW.subtitle IS NOT DISTINCT FROM OLD.subtitle
     AND NEW.body IS NOT DISTINCT FROM OLD.body THEN
    -- Only the date changed: the vectors stay.
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

UPDATE archive_search_article s
   SET years = archive_search_years(a.effective_date_start, a.effective_date_end)
  FROM archive_article a
 WHERE a.id = s.article_id AND (a.effective_date_start IS NOT NULL
                                OR a.effective_date_end IS NOT NULL);

CREATE INDEX IF NOT EXISTS archive_search_article_years ON archive_search_article
  USING gin (years);
"""

PG_BACKWARD = r"""
CREATE OR REPLACE FUNCTION archive_search_article_upsert() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  doc tsvector := archive_search_document(NEW.title, NEW.subtitle, NEW.body);
BEGIN
  INSERT INTO archive_search_article (article_id, head, document)
  VALUES (NEW.id, archive_search_head(NEW.title, NEW.subtitle, NEW.body), doc)
  ON CONFLICT (article_id) DO UPDATE SET head = EXCLUDED.head, document = EXCLUDED.document;
  INSERT INTO archive_search_pair (article_id, pairs)
  VALUES (NEW.id, archive_search_pairs(doc))
  ON CONFLICT (article_id) DO UPDATE SET pairs = EXCLUDED.pairs;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS archive_search_article_upd ON archive_article;
CREATE TRIGGER archive_search_article_upd AFTER UPDATE OF title, subtitle, body ON archive_article
  FOR EACH ROW EXECUTE FUNCTION archive_search_article_upsert();
DROP INDEX IF EXISTS archive_search_article_years;
ALTER TABLE archive_search_article DROP COLUMN IF EXISTS years;
DROP FUNCTION IF EXISTS archive_search_years(date, date);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("archive", "0016_background_jobs")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
