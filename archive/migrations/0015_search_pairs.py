"""Adjacent-word pairs of every article (PostgreSQL), for phrases and adjacent-word ranking.

A GIN index over a tsvector says which articles hold a phrase's words, but not whether they
stand together: each candidate's whole vector is re-checked, which for two words in a quarter
of the articles each is tens of thousands of vectors for a few hundred hits. This side table
holds, per article, the hashes of its pairs of adjacent lexemes (positions p and p + 1 of the
search document, so exactly the pairs a ``<->`` phrase can match), GIN-indexed: a phrase's
candidates are the articles holding all of its pairs, and only those are re-checked. Hash
collisions only add candidates that the re-check drops.

Kept by the same triggers as the search vectors. SQLite's FTS5 reads its position lists
directly and needs nothing.
"""

from django.db import migrations

PG_FORWARD = r"""
CREATE OR REPLACE FUNCTION archive_search_pairs(doc tsvector) RETURNS int4[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  WITH w AS (SELECT u.lexeme, p FROM unnest(doc) AS u, unnest(u.positions) AS p)
  SELECT coalesce(array_agg(DISTINCT hashtext(a.lexeme || ' ' || b.lexeme)), '{}')
  FROM w AS a JOIN w AS b ON b.p = a.p + 1
$$;

CREATE TABLE IF NOT EXISTS archive_search_pair (
  article_id bigint PRIMARY KEY,
  pairs int4[] NOT NULL
);

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

CREATE OR REPLACE FUNCTION archive_search_article_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM archive_search_article WHERE article_id = OLD.id;
  DELETE FROM archive_search_pair WHERE article_id = OLD.id;
  RETURN NULL;
END $$;

INSERT INTO archive_search_pair (article_id, pairs)
SELECT article_id, archive_search_pairs(document) FROM archive_search_article
ON CONFLICT (article_id) DO NOTHING;

CREATE INDEX IF NOT EXISTS archive_search_pair_pairs ON archive_search_pair USING gin (pairs);
"""

PG_BACKWARD = r"""
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

DROP TABLE IF EXISTS archive_search_pair;
DROP FUNCTION IF EXISTS archive_search_pairs(tsvector);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("archive", "0014_count_help_texts_follow_visibility")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
