"""Full-text search index: PostgreSQL tsvectors kept by triggers, or an SQLite FTS5 table.

Vendor-conditional: each database gets its own engine, the other's SQL never runs.
On PostgreSQL the unaccent and pg_trgm extensions are needed (CREATE EXTENSION needs a role
allowed to create them; see docs/search.md).
"""

from django.db import migrations

PG_FORWARD = r"""
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'archive_search') THEN
    CREATE TEXT SEARCH CONFIGURATION archive_search (COPY = pg_catalog.english);
    ALTER TEXT SEARCH CONFIGURATION archive_search
      ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
  END IF;
END $$;

CREATE OR REPLACE FUNCTION archive_search_headings(body text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(m[1], ' '), '')
  FROM regexp_matches(coalesce(body, ''), '(?:^|\n)## ([^\n]*)', 'g') AS m
$$;

CREATE OR REPLACE FUNCTION archive_search_head(title text, subtitle text, body text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT setweight(to_tsvector('archive_search', coalesce(title, '') || ' ' || coalesce(subtitle, '')), 'A')
      || setweight(to_tsvector('archive_search', archive_search_headings(body)), 'B')
$$;

CREATE OR REPLACE FUNCTION archive_search_document(title text, subtitle text, body text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT archive_search_head(title, subtitle, body)
      || setweight(to_tsvector('archive_search',
           regexp_replace(coalesce(body, ''), '(^|\n)## [^\n]*', '\1', 'g')), 'C')
$$;

CREATE TABLE IF NOT EXISTS archive_search_article (
  article_id bigint PRIMARY KEY,
  head tsvector NOT NULL,
  document tsvector NOT NULL
);
CREATE INDEX IF NOT EXISTS archive_search_article_document ON archive_search_article USING gin (document);
CREATE INDEX IF NOT EXISTS archive_search_article_head ON archive_search_article USING gin (head);

CREATE OR REPLACE FUNCTION archive_search_article_upsert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO archive_search_article (article_id, head, document)
  VALUES (NEW.id, archive_search_head(NEW.title, NEW.subtitle, NEW.body),
          archive_search_document(NEW.title, NEW.subtitle, NEW.body))
  ON CONFLICT (article_id) DO UPDATE SET head = EXCLUDED.head, document = EXCLUDED.document;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION archive_search_article_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM archive_search_article WHERE article_id = OLD.id;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS archive_search_article_ins ON archive_article;
CREATE TRIGGER archive_search_article_ins AFTER INSERT ON archive_article
  FOR EACH ROW EXECUTE FUNCTION archive_search_article_upsert();
DROP TRIGGER IF EXISTS archive_search_article_upd ON archive_article;
CREATE TRIGGER archive_search_article_upd AFTER UPDATE OF title, subtitle, body ON archive_article
  FOR EACH ROW EXECUTE FUNCTION archive_search_article_upsert();
DROP TRIGGER IF EXISTS archive_search_article_del ON archive_article;
CREATE TRIGGER archive_search_article_del AFTER DELETE ON archive_article
  FOR EACH ROW EXECUTE FUNCTION archive_search_article_delete();

CREATE INDEX IF NOT EXISTS archive_person_name_trgm ON archive_person USING gin (name_folded gin_trgm_ops);
CREATE INDEX IF NOT EXISTS archive_organisation_name_trgm ON archive_organisation USING gin (name_folded gin_trgm_ops);
CREATE INDEX IF NOT EXISTS archive_place_name_trgm ON archive_place USING gin (name_folded gin_trgm_ops);
CREATE INDEX IF NOT EXISTS archive_alias_name_trgm ON archive_alias USING gin (name_folded gin_trgm_ops);

INSERT INTO archive_search_article (article_id, head, document)
SELECT id, archive_search_head(title, subtitle, body), archive_search_document(title, subtitle, body)
FROM archive_article ON CONFLICT (article_id) DO NOTHING;
"""

PG_BACKWARD = r"""
DROP TRIGGER IF EXISTS archive_search_article_ins ON archive_article;
DROP TRIGGER IF EXISTS archive_search_article_upd ON archive_article;
DROP TRIGGER IF EXISTS archive_search_article_del ON archive_article;
DROP TABLE IF EXISTS archive_search_article;
DROP FUNCTION IF EXISTS archive_search_article_upsert();
DROP FUNCTION IF EXISTS archive_search_article_delete();
DROP FUNCTION IF EXISTS archive_search_document(text, text, text);
DROP FUNCTION IF EXISTS archive_search_head(text, text, text);
DROP FUNCTION IF EXISTS archive_search_headings(text);
DROP TEXT SEARCH CONFIGURATION IF EXISTS archive_search;
DROP INDEX IF EXISTS archive_person_name_trgm;
DROP INDEX IF EXISTS archive_organisation_name_trgm;
DROP INDEX IF EXISTS archive_place_name_trgm;
DROP INDEX IF EXISTS archive_alias_name_trgm;
"""

SQLITE_FORWARD = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS archive_search_article USING fts5("
    "title, headings, body, tokenize = 'porter unicode61 remove_diacritics 2')"
)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)
        from archive.search.backends import body_without_headings, headings_of
        from archive.text import fold

        Article = apps.get_model("archive", "Article")
        rows = [
            (pk, fold(f"{title} {subtitle}"), fold(headings_of(body)),
             fold(body_without_headings(body)))
            for pk, title, subtitle, body in Article.objects.values_list(
                "pk", "title", "subtitle", "body").iterator()
        ]
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO archive_search_article (rowid, title, headings, body) "
                "VALUES (%s, %s, %s, %s)", rows)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS archive_search_article")


class Migration(migrations.Migration):
    dependencies = [("archive", "0003_curator_contributor_groups")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
