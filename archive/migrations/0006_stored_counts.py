# ruff: noqa: E501 - frozen SQL, one statement per string
"""Stored counts kept by database triggers (see archive/counts.py and docs/data-model.md).

The SQL is frozen here as it was when this migration was written, so that a later change
to archive/counts.py cannot change what this migration installs: such a change goes into
a new migration (dropping and re-creating the triggers).
"""

from django.db import migrations, models

TRIGGER_SQL = {
    "postgresql": [
        "CREATE OR REPLACE FUNCTION archive_counts_mention_ins() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  PERFORM 1 FROM archive_article WHERE id IN (SELECT article_id FROM new_rows) FOR SHARE;\n  UPDATE archive_person SET mention_count = mention_count + d.n FROM (SELECT r.person_id AS id, sum(r.sign) AS n FROM (SELECT id, person_id, organisation_id, place_id, article_id, status, 1 AS sign FROM new_rows) AS r JOIN archive_article a ON a.id = r.article_id AND a.status = 'published' WHERE r.status <> 'rejected' AND r.person_id IS NOT NULL GROUP BY r.person_id) AS d WHERE archive_person.id = d.id AND d.n <> 0;\n  UPDATE archive_organisation SET mention_count = mention_count + d.n FROM (SELECT r.organisation_id AS id, sum(r.sign) AS n FROM (SELECT id, person_id, organisation_id, place_id, article_id, status, 1 AS sign FROM new_rows) AS r JOIN archive_article a ON a.id = r.article_id AND a.status = 'published' WHERE r.status <> 'rejected' AND r.organisation_id IS NOT NULL GROUP BY r.organisation_id) AS d WHERE archive_organisation.id = d.id AND d.n <> 0;\n  UPDATE archive_place SET mention_count = mention_count + d.n FROM (SELECT r.place_id AS id, sum(r.sign) AS n FROM (SELECT id, person_id, organisation_id, place_id, article_id, status, 1 AS sign FROM new_rows) AS r JOIN archive_article a ON a.id = r.article_id AND a.status = 'published' WHERE r.status <> 'rejected' AND r.place_id IS NOT NULL GROUP BY r.place_id) AS d WHERE archive_place.id = d.id AND d.n <> 0;\n  RETURN NULL;\nEND $$",
        "CREATE OR REPLACE FUNCTION archive_counts_mention_del() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  UPDATE archive_person SET mention_count = mention_count + d.n FROM (SELECT r.person_id AS id, sum(r.sign) AS n FROM (SELECT id, person_id, organisation_id, place_id, article_id, status, -1 AS sign FROM old_rows) AS r JOIN archive_article a ON a.id = r.article_id AND a.status = 'published' WHERE r.status <> 'rejected' AND r.person_id IS NOT NULL GROUP BY r.person_id) AS d WHERE archive_person.id = d.id AND d.n <> 0;\n  UPDATE archive_organisation SET mention_count = mention_count + d.n FROM (SELECT r.organisation_id AS id, sum(r.sign) AS n FROM (SELECT id, person_id, organisation_id, place_id, article_id, status, -1 AS sign FROM old_rows) AS r JOIN archive_article a ON a.id = r.article_id AND a.status = 'published' WHERE r.status <> 'rejected' AND r.organisation_id IS NOT NULL GROUP BY r.organisation_id) AS d WHERE archive_organisation.id = d.id AND d.n <> 0;\n  UPDATE archive_place SET mention_count = mention_count + d.n FROM (SELECT r.place_id AS id, sum(r.sign) AS n FROM (SELECT id, person_id, organisation_id, place_id, article_id, status, -1 AS sign FROM old_rows) AS r JOIN archive_article a ON a.id = r.article_id AND a.status = 'published' WHERE r.status <> 'rejected' AND r.place_id IS NOT NULL GROUP BY r.place_id) AS d WHERE archive_place.id = d.id AND d.n <> 0;\n  RETURN NULL;\nEND $$",
        "CREATE OR REPLACE FUNCTION archive_counts_mention_upd() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  PERFORM 1 FROM archive_article WHERE id IN (SELECT article_id FROM new_rows) FOR SHARE;\n  UPDATE archive_person SET mention_count = mention_count + d.n FROM (SELECT r.person_id AS id, sum(r.sign) AS n FROM (SELECT o.id, o.person_id, o.organisation_id, o.place_id, o.article_id, o.status, -1 AS sign FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.person_id IS DISTINCT FROM n.person_id OR o.organisation_id IS DISTINCT FROM n.organisation_id OR o.place_id IS DISTINCT FROM n.place_id OR o.article_id IS DISTINCT FROM n.article_id OR o.status IS DISTINCT FROM n.status UNION ALL SELECT n.id, n.person_id, n.organisation_id, n.place_id, n.article_id, n.status, 1 AS sign FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.person_id IS DISTINCT FROM n.person_id OR o.organisation_id IS DISTINCT FROM n.organisation_id OR o.place_id IS DISTINCT FROM n.place_id OR o.article_id IS DISTINCT FROM n.article_id OR o.status IS DISTINCT FROM n.status) AS r JOIN archive_article a ON a.id = r.article_id AND a.status = 'published' WHERE r.status <> 'rejected' AND r.person_id IS NOT NULL GROUP BY r.person_id) AS d WHERE archive_person.id = d.id AND d.n <> 0;\n  UPDATE archive_organisation SET mention_count = mention_count + d.n FROM (SELECT r.organisation_id AS id, sum(r.sign) AS n FROM (SELECT o.id, o.person_id, o.organisation_id, o.place_id, o.article_id, o.status, -1 AS sign FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.person_id IS DISTINCT FROM n.person_id OR o.organisation_id IS DISTINCT FROM n.organisation_id OR o.place_id IS DISTINCT FROM n.place_id OR o.article_id IS DISTINCT FROM n.article_id OR o.status IS DISTINCT FROM n.status UNION ALL SELECT n.id, n.person_id, n.organisation_id, n.place_id, n.article_id, n.status, 1 AS sign FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.person_id IS DISTINCT FROM n.person_id OR o.organisation_id IS DISTINCT FROM n.organisation_id OR o.place_id IS DISTINCT FROM n.place_id OR o.article_id IS DISTINCT FROM n.article_id OR o.status IS DISTINCT FROM n.status) AS r JOIN archive_article a ON a.id = r.article_id AND a.status = 'published' WHERE r.status <> 'rejected' AND r.organisation_id IS NOT NULL GROUP BY r.organisation_id) AS d WHERE archive_organisation.id = d.id AND d.n <> 0;\n  UPDATE archive_place SET mention_count = mention_count + d.n FROM (SELECT r.place_id AS id, sum(r.sign) AS n FROM (SELECT o.id, o.person_id, o.organisation_id, o.place_id, o.article_id, o.status, -1 AS sign FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.person_id IS DISTINCT FROM n.person_id OR o.organisation_id IS DISTINCT FROM n.organisation_id OR o.place_id IS DISTINCT FROM n.place_id OR o.article_id IS DISTINCT FROM n.article_id OR o.status IS DISTINCT FROM n.status UNION ALL SELECT n.id, n.person_id, n.organisation_id, n.place_id, n.article_id, n.status, 1 AS sign FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.person_id IS DISTINCT FROM n.person_id OR o.organisation_id IS DISTINCT FROM n.organisation_id OR o.place_id IS DISTINCT FROM n.place_id OR o.article_id IS DISTINCT FROM n.article_id OR o.status IS DISTINCT FROM n.status) AS r JOIN archive_article a ON a.id = r.article_id AND a.status = 'published' WHERE r.status <> 'rejected' AND r.place_id IS NOT NULL GROUP BY r.place_id) AS d WHERE archive_place.id = d.id AND d.n <> 0;\n  RETURN NULL;\nEND $$",
        "DROP TRIGGER IF EXISTS archive_counts_mention_ins ON archive_mention",
        "CREATE TRIGGER archive_counts_mention_ins AFTER INSERT ON archive_mention REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION archive_counts_mention_ins()",
        "DROP TRIGGER IF EXISTS archive_counts_mention_del ON archive_mention",
        "CREATE TRIGGER archive_counts_mention_del AFTER DELETE ON archive_mention REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION archive_counts_mention_del()",
        "DROP TRIGGER IF EXISTS archive_counts_mention_upd ON archive_mention",
        "CREATE TRIGGER archive_counts_mention_upd AFTER UPDATE ON archive_mention REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION archive_counts_mention_upd()",
        "CREATE OR REPLACE FUNCTION archive_counts_article_ins() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  PERFORM 1 FROM archive_issue WHERE id IN (SELECT issue_id FROM new_rows) FOR SHARE;\n  UPDATE archive_publication SET article_count = article_count + d.n FROM (SELECT i.publication_id AS id, sum(r.sign) AS n FROM (SELECT id, issue_id, status, 1 AS sign FROM new_rows) AS r JOIN archive_issue i ON i.id = r.issue_id WHERE r.status = 'published' GROUP BY i.publication_id) AS d WHERE archive_publication.id = d.id AND d.n <> 0;\n  UPDATE archive_person SET mention_count = mention_count + d.n FROM (SELECT m.person_id AS id, sum(r.sign) AS n FROM (SELECT id, issue_id, status, 1 AS sign FROM new_rows) AS r JOIN archive_mention m ON m.article_id = r.id WHERE r.status = 'published' AND m.status <> 'rejected' AND m.person_id IS NOT NULL GROUP BY m.person_id) AS d WHERE archive_person.id = d.id AND d.n <> 0;\n  UPDATE archive_organisation SET mention_count = mention_count + d.n FROM (SELECT m.organisation_id AS id, sum(r.sign) AS n FROM (SELECT id, issue_id, status, 1 AS sign FROM new_rows) AS r JOIN archive_mention m ON m.article_id = r.id WHERE r.status = 'published' AND m.status <> 'rejected' AND m.organisation_id IS NOT NULL GROUP BY m.organisation_id) AS d WHERE archive_organisation.id = d.id AND d.n <> 0;\n  UPDATE archive_place SET mention_count = mention_count + d.n FROM (SELECT m.place_id AS id, sum(r.sign) AS n FROM (SELECT id, issue_id, status, 1 AS sign FROM new_rows) AS r JOIN archive_mention m ON m.article_id = r.id WHERE r.status = 'published' AND m.status <> 'rejected' AND m.place_id IS NOT NULL GROUP BY m.place_id) AS d WHERE archive_place.id = d.id AND d.n <> 0;\n  RETURN NULL;\nEND $$",
        "CREATE OR REPLACE FUNCTION archive_counts_article_del() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  UPDATE archive_publication SET article_count = article_count + d.n FROM (SELECT i.publication_id AS id, sum(r.sign) AS n FROM (SELECT id, issue_id, status, -1 AS sign FROM old_rows) AS r JOIN archive_issue i ON i.id = r.issue_id WHERE r.status = 'published' GROUP BY i.publication_id) AS d WHERE archive_publication.id = d.id AND d.n <> 0;\n  UPDATE archive_person SET mention_count = mention_count + d.n FROM (SELECT m.person_id AS id, sum(r.sign) AS n FROM (SELECT id, issue_id, status, -1 AS sign FROM old_rows) AS r JOIN archive_mention m ON m.article_id = r.id WHERE r.status = 'published' AND m.status <> 'rejected' AND m.person_id IS NOT NULL GROUP BY m.person_id) AS d WHERE archive_person.id = d.id AND d.n <> 0;\n  UPDATE archive_organisation SET mention_count = mention_count + d.n FROM (SELECT m.organisation_id AS id, sum(r.sign) AS n FROM (SELECT id, issue_id, status, -1 AS sign FROM old_rows) AS r JOIN archive_mention m ON m.article_id = r.id WHERE r.status = 'published' AND m.status <> 'rejected' AND m.organisation_id IS NOT NULL GROUP BY m.organisation_id) AS d WHERE archive_organisation.id = d.id AND d.n <> 0;\n  UPDATE archive_place SET mention_count = mention_count + d.n FROM (SELECT m.place_id AS id, sum(r.sign) AS n FROM (SELECT id, issue_id, status, -1 AS sign FROM old_rows) AS r JOIN archive_mention m ON m.article_id = r.id WHERE r.status = 'published' AND m.status <> 'rejected' AND m.place_id IS NOT NULL GROUP BY m.place_id) AS d WHERE archive_place.id = d.id AND d.n <> 0;\n  RETURN NULL;\nEND $$",
        "CREATE OR REPLACE FUNCTION archive_counts_article_upd() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  PERFORM 1 FROM archive_issue WHERE id IN (SELECT issue_id FROM new_rows) FOR SHARE;\n  UPDATE archive_publication SET article_count = article_count + d.n FROM (SELECT i.publication_id AS id, sum(r.sign) AS n FROM (SELECT o.id, o.issue_id, o.status, -1 AS sign FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.issue_id IS DISTINCT FROM n.issue_id OR o.status IS DISTINCT FROM n.status UNION ALL SELECT n.id, n.issue_id, n.status, 1 AS sign FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.issue_id IS DISTINCT FROM n.issue_id OR o.status IS DISTINCT FROM n.status) AS r JOIN archive_issue i ON i.id = r.issue_id WHERE r.status = 'published' GROUP BY i.publication_id) AS d WHERE archive_publication.id = d.id AND d.n <> 0;\n  UPDATE archive_person SET mention_count = mention_count + d.n FROM (SELECT m.person_id AS id, sum(r.sign) AS n FROM (SELECT o.id, o.issue_id, o.status, -1 AS sign FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.issue_id IS DISTINCT FROM n.issue_id OR o.status IS DISTINCT FROM n.status UNION ALL SELECT n.id, n.issue_id, n.status, 1 AS sign FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.issue_id IS DISTINCT FROM n.issue_id OR o.status IS DISTINCT FROM n.status) AS r JOIN archive_mention m ON m.article_id = r.id WHERE r.status = 'published' AND m.status <> 'rejected' AND m.person_id IS NOT NULL GROUP BY m.person_id) AS d WHERE archive_person.id = d.id AND d.n <> 0;\n  UPDATE archive_organisation SET mention_count = mention_count + d.n FROM (SELECT m.organisation_id AS id, sum(r.sign) AS n FROM (SELECT o.id, o.issue_id, o.status, -1 AS sign FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.issue_id IS DISTINCT FROM n.issue_id OR o.status IS DISTINCT FROM n.status UNION ALL SELECT n.id, n.issue_id, n.status, 1 AS sign FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.issue_id IS DISTINCT FROM n.issue_id OR o.status IS DISTINCT FROM n.status) AS r JOIN archive_mention m ON m.article_id = r.id WHERE r.status = 'published' AND m.status <> 'rejected' AND m.organisation_id IS NOT NULL GROUP BY m.organisation_id) AS d WHERE archive_organisation.id = d.id AND d.n <> 0;\n  UPDATE archive_place SET mention_count = mention_count + d.n FROM (SELECT m.place_id AS id, sum(r.sign) AS n FROM (SELECT o.id, o.issue_id, o.status, -1 AS sign FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.issue_id IS DISTINCT FROM n.issue_id OR o.status IS DISTINCT FROM n.status UNION ALL SELECT n.id, n.issue_id, n.status, 1 AS sign FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.issue_id IS DISTINCT FROM n.issue_id OR o.status IS DISTINCT FROM n.status) AS r JOIN archive_mention m ON m.article_id = r.id WHERE r.status = 'published' AND m.status <> 'rejected' AND m.place_id IS NOT NULL GROUP BY m.place_id) AS d WHERE archive_place.id = d.id AND d.n <> 0;\n  RETURN NULL;\nEND $$",
        "DROP TRIGGER IF EXISTS archive_counts_article_ins ON archive_article",
        "CREATE TRIGGER archive_counts_article_ins AFTER INSERT ON archive_article REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION archive_counts_article_ins()",
        "DROP TRIGGER IF EXISTS archive_counts_article_del ON archive_article",
        "CREATE TRIGGER archive_counts_article_del AFTER DELETE ON archive_article REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION archive_counts_article_del()",
        "DROP TRIGGER IF EXISTS archive_counts_article_upd ON archive_article",
        "CREATE TRIGGER archive_counts_article_upd AFTER UPDATE ON archive_article REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION archive_counts_article_upd()",
        "CREATE OR REPLACE FUNCTION archive_counts_issue_ins() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  UPDATE archive_publication SET issue_count = issue_count + d.n FROM (SELECT r.publication_id AS id, sum(r.sign) AS n FROM (SELECT id, publication_id, status, 1 AS sign FROM new_rows) AS r WHERE r.status = 'published' GROUP BY r.publication_id) AS d WHERE archive_publication.id = d.id AND d.n <> 0;\n  UPDATE archive_publication SET article_count = article_count + d.n FROM (SELECT r.publication_id AS id, sum(r.sign * (SELECT count(*) FROM archive_article a WHERE a.issue_id = r.id AND a.status = 'published')) AS n FROM (SELECT id, publication_id, status, 1 AS sign FROM new_rows) AS r GROUP BY r.publication_id) AS d WHERE archive_publication.id = d.id AND d.n <> 0;\n  RETURN NULL;\nEND $$",
        "CREATE OR REPLACE FUNCTION archive_counts_issue_del() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  UPDATE archive_publication SET issue_count = issue_count + d.n FROM (SELECT r.publication_id AS id, sum(r.sign) AS n FROM (SELECT id, publication_id, status, -1 AS sign FROM old_rows) AS r WHERE r.status = 'published' GROUP BY r.publication_id) AS d WHERE archive_publication.id = d.id AND d.n <> 0;\n  UPDATE archive_publication SET article_count = article_count + d.n FROM (SELECT r.publication_id AS id, sum(r.sign * (SELECT count(*) FROM archive_article a WHERE a.issue_id = r.id AND a.status = 'published')) AS n FROM (SELECT id, publication_id, status, -1 AS sign FROM old_rows) AS r GROUP BY r.publication_id) AS d WHERE archive_publication.id = d.id AND d.n <> 0;\n  RETURN NULL;\nEND $$",
        "CREATE OR REPLACE FUNCTION archive_counts_issue_upd() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  UPDATE archive_publication SET issue_count = issue_count + d.n FROM (SELECT r.publication_id AS id, sum(r.sign) AS n FROM (SELECT o.id, o.publication_id, o.status, -1 AS sign FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.publication_id IS DISTINCT FROM n.publication_id OR o.status IS DISTINCT FROM n.status UNION ALL SELECT n.id, n.publication_id, n.status, 1 AS sign FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.publication_id IS DISTINCT FROM n.publication_id OR o.status IS DISTINCT FROM n.status) AS r WHERE r.status = 'published' GROUP BY r.publication_id) AS d WHERE archive_publication.id = d.id AND d.n <> 0;\n  UPDATE archive_publication SET article_count = article_count + d.n FROM (SELECT r.publication_id AS id, sum(r.sign * (SELECT count(*) FROM archive_article a WHERE a.issue_id = r.id AND a.status = 'published')) AS n FROM (SELECT o.id, o.publication_id, o.status, -1 AS sign FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.publication_id IS DISTINCT FROM n.publication_id OR o.status IS DISTINCT FROM n.status UNION ALL SELECT n.id, n.publication_id, n.status, 1 AS sign FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.publication_id IS DISTINCT FROM n.publication_id OR o.status IS DISTINCT FROM n.status) AS r GROUP BY r.publication_id) AS d WHERE archive_publication.id = d.id AND d.n <> 0;\n  RETURN NULL;\nEND $$",
        "DROP TRIGGER IF EXISTS archive_counts_issue_ins ON archive_issue",
        "CREATE TRIGGER archive_counts_issue_ins AFTER INSERT ON archive_issue REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION archive_counts_issue_ins()",
        "DROP TRIGGER IF EXISTS archive_counts_issue_del ON archive_issue",
        "CREATE TRIGGER archive_counts_issue_del AFTER DELETE ON archive_issue REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION archive_counts_issue_del()",
        "DROP TRIGGER IF EXISTS archive_counts_issue_upd ON archive_issue",
        "CREATE TRIGGER archive_counts_issue_upd AFTER UPDATE ON archive_issue REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION archive_counts_issue_upd()",
        "CREATE OR REPLACE FUNCTION archive_counts_person_self() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  UPDATE archive_person SET mention_count = (SELECT count(*) FROM archive_mention m JOIN archive_article a ON a.id = m.article_id WHERE m.person_id = archive_person.id AND m.status <> 'rejected' AND a.status = 'published') WHERE archive_person.id IN (SELECT id FROM (SELECT id FROM new_rows) AS r);\n  RETURN NULL;\nEND $$",
        "DROP TRIGGER IF EXISTS archive_counts_person_self ON archive_person",
        "CREATE TRIGGER archive_counts_person_self AFTER INSERT ON archive_person REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION archive_counts_person_self()",
        "CREATE OR REPLACE FUNCTION archive_counts_organisation_self() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  UPDATE archive_organisation SET mention_count = (SELECT count(*) FROM archive_mention m JOIN archive_article a ON a.id = m.article_id WHERE m.organisation_id = archive_organisation.id AND m.status <> 'rejected' AND a.status = 'published') WHERE archive_organisation.id IN (SELECT id FROM (SELECT id FROM new_rows) AS r);\n  RETURN NULL;\nEND $$",
        "DROP TRIGGER IF EXISTS archive_counts_organisation_self ON archive_organisation",
        "CREATE TRIGGER archive_counts_organisation_self AFTER INSERT ON archive_organisation REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION archive_counts_organisation_self()",
        "CREATE OR REPLACE FUNCTION archive_counts_place_self() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  UPDATE archive_place SET mention_count = (SELECT count(*) FROM archive_mention m JOIN archive_article a ON a.id = m.article_id WHERE m.place_id = archive_place.id AND m.status <> 'rejected' AND a.status = 'published') WHERE archive_place.id IN (SELECT id FROM (SELECT id FROM new_rows) AS r);\n  RETURN NULL;\nEND $$",
        "DROP TRIGGER IF EXISTS archive_counts_place_self ON archive_place",
        "CREATE TRIGGER archive_counts_place_self AFTER INSERT ON archive_place REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION archive_counts_place_self()",
        "CREATE OR REPLACE FUNCTION archive_counts_publication_self() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  UPDATE archive_publication SET issue_count = (SELECT count(*) FROM archive_issue i WHERE i.publication_id = archive_publication.id AND i.status = 'published') WHERE archive_publication.id IN (SELECT id FROM (SELECT id FROM new_rows) AS r);\n  UPDATE archive_publication SET article_count = (SELECT count(*) FROM archive_article a JOIN archive_issue i ON i.id = a.issue_id WHERE i.publication_id = archive_publication.id AND a.status = 'published') WHERE archive_publication.id IN (SELECT id FROM (SELECT id FROM new_rows) AS r);\n  RETURN NULL;\nEND $$",
        "DROP TRIGGER IF EXISTS archive_counts_publication_self ON archive_publication",
        "CREATE TRIGGER archive_counts_publication_self AFTER INSERT ON archive_publication REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION archive_counts_publication_self()",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS archive_counts_mention_ins",
        "CREATE TRIGGER archive_counts_mention_ins AFTER INSERT ON archive_mention BEGIN\n  UPDATE archive_person SET mention_count = mention_count + d.n FROM (SELECT r.person_id AS id, sum(r.sign) AS n FROM (SELECT NEW.id AS id, NEW.person_id AS person_id, NEW.organisation_id AS organisation_id, NEW.place_id AS place_id, NEW.article_id AS article_id, NEW.status AS status, 1 AS sign) AS r JOIN archive_article a ON a.id = r.article_id AND a.status = 'published' WHERE r.status <> 'rejected' AND r.person_id IS NOT NULL GROUP BY r.person_id) AS d WHERE archive_person.id = d.id AND d.n <> 0;\n  UPDATE archive_organisation SET mention_count = mention_count + d.n FROM (SELECT r.organisation_id AS id, sum(r.sign) AS n FROM (SELECT NEW.id AS id, NEW.person_id AS person_id, NEW.organisation_id AS organisation_id, NEW.place_id AS place_id, NEW.article_id AS article_id, NEW.status AS status, 1 AS sign) AS r JOIN archive_article a ON a.id = r.article_id AND a.status = 'published' WHERE r.status <> 'rejected' AND r.organisation_id IS NOT NULL GROUP BY r.organisation_id) AS d WHERE archive_organisation.id = d.id AND d.n <> 0;\n  UPDATE archive_place SET mention_count = mention_count + d.n FROM (SELECT r.place_id AS id, sum(r.sign) AS n FROM (SELECT NEW.id AS id, NEW.person_id AS person_id, NEW.organisation_id AS organisation_id, NEW.place_id AS place_id, NEW.article_id AS article_id, NEW.status AS status, 1 AS sign) AS r JOIN archive_article a ON a.id = r.article_id AND a.status = 'published' WHERE r.status <> 'rejected' AND r.place_id IS NOT NULL GROUP BY r.place_id) AS d WHERE archive_place.id = d.id AND d.n <> 0;\nEND",
        "DROP TRIGGER IF EXISTS archive_counts_mention_del",
        "CREATE TRIGGER archive_counts_mention_del AFTER DELETE ON archive_mention BEGIN\n  UPDATE archive_person SET mention_count = mention_count + d.n FROM (SELECT r.person_id AS id, sum(r.sign) AS n FROM (SELECT OLD.id AS id, OLD.person_id AS person_id, OLD.organisation_id AS organisation_id, OLD.place_id AS place_id, OLD.article_id AS article_id, OLD.status AS status, -1 AS sign) AS r JOIN archive_article a ON a.id = r.article_id AND a.status = 'published' WHERE r.status <> 'rejected' AND r.person_id IS NOT NULL GROUP BY r.person_id) AS d WHERE archive_person.id = d.id AND d.n <> 0;\n  UPDATE archive_organisation SET mention_count = mention_count + d.n FROM (SELECT r.organisation_id AS id, sum(r.sign) AS n FROM (SELECT OLD.id AS id, OLD.person_id AS person_id, OLD.organisation_id AS organisation_id, OLD.place_id AS place_id, OLD.article_id AS article_id, OLD.status AS status, -1 AS sign) AS r JOIN archive_article a ON a.id = r.article_id AND a.status = 'published' WHERE r.status <> 'rejected' AND r.organisation_id IS NOT NULL GROUP BY r.organisation_id) AS d WHERE archive_organisation.id = d.id AND d.n <> 0;\n  UPDATE archive_place SET mention_count = mention_count + d.n FROM (SELECT r.place_id AS id, sum(r.sign) AS n FROM (SELECT OLD.id AS id, OLD.person_id AS person_id, OLD.organisation_id AS organisation_id, OLD.place_id AS place_id, OLD.article_id AS article_id, OLD.status AS status, -1 AS sign) AS r JOIN archive_article a ON a.id = r.article_id AND a.status = 'published' WHERE r.status <> 'rejected' AND r.place_id IS NOT NULL GROUP BY r.place_id) AS d WHERE archive_place.id = d.id AND d.n <> 0;\nEND",
        "DROP TRIGGER IF EXISTS archive_counts_mention_upd",
        "CREATE TRIGGER archive_counts_mention_upd AFTER UPDATE OF person_id, organisation_id, place_id, article_id, status ON archive_mention WHEN OLD.person_id IS NOT NEW.person_id OR OLD.organisation_id IS NOT NEW.organisation_id OR OLD.place_id IS NOT NEW.place_id OR OLD.article_id IS NOT NEW.article_id OR OLD.status IS NOT NEW.status BEGIN\n  UPDATE archive_person SET mention_count = mention_count + d.n FROM (SELECT r.person_id AS id, sum(r.sign) AS n FROM (SELECT OLD.id AS id, OLD.person_id AS person_id, OLD.organisation_id AS organisation_id, OLD.place_id AS place_id, OLD.article_id AS article_id, OLD.status AS status, -1 AS sign UNION ALL SELECT NEW.id AS id, NEW.person_id AS person_id, NEW.organisation_id AS organisation_id, NEW.place_id AS place_id, NEW.article_id AS article_id, NEW.status AS status, 1 AS sign) AS r JOIN archive_article a ON a.id = r.article_id AND a.status = 'published' WHERE r.status <> 'rejected' AND r.person_id IS NOT NULL GROUP BY r.person_id) AS d WHERE archive_person.id = d.id AND d.n <> 0;\n  UPDATE archive_organisation SET mention_count = mention_count + d.n FROM (SELECT r.organisation_id AS id, sum(r.sign) AS n FROM (SELECT OLD.id AS id, OLD.person_id AS person_id, OLD.organisation_id AS organisation_id, OLD.place_id AS place_id, OLD.article_id AS article_id, OLD.status AS status, -1 AS sign UNION ALL SELECT NEW.id AS id, NEW.person_id AS person_id, NEW.organisation_id AS organisation_id, NEW.place_id AS place_id, NEW.article_id AS article_id, NEW.status AS status, 1 AS sign) AS r JOIN archive_article a ON a.id = r.article_id AND a.status = 'published' WHERE r.status <> 'rejected' AND r.organisation_id IS NOT NULL GROUP BY r.organisation_id) AS d WHERE archive_organisation.id = d.id AND d.n <> 0;\n  UPDATE archive_place SET mention_count = mention_count + d.n FROM (SELECT r.place_id AS id, sum(r.sign) AS n FROM (SELECT OLD.id AS id, OLD.person_id AS person_id, OLD.organisation_id AS organisation_id, OLD.place_id AS place_id, OLD.article_id AS article_id, OLD.status AS status, -1 AS sign UNION ALL SELECT NEW.id AS id, NEW.person_id AS person_id, NEW.organisation_id AS organisation_id, NEW.place_id AS place_id, NEW.article_id AS article_id, NEW.status AS status, 1 AS sign) AS r JOIN archive_article a ON a.id = r.article_id AND a.status = 'published' WHERE r.status <> 'rejected' AND r.place_id IS NOT NULL GROUP BY r.place_id) AS d WHERE archive_place.id = d.id AND d.n <> 0;\nEND",
        "DROP TRIGGER IF EXISTS archive_counts_article_ins",
        "CREATE TRIGGER archive_counts_article_ins AFTER INSERT ON archive_article BEGIN\n  UPDATE archive_publication SET article_count = article_count + d.n FROM (SELECT i.publication_id AS id, sum(r.sign) AS n FROM (SELECT NEW.id AS id, NEW.issue_id AS issue_id, NEW.status AS status, 1 AS sign) AS r JOIN archive_issue i ON i.id = r.issue_id WHERE r.status = 'published' GROUP BY i.publication_id) AS d WHERE archive_publication.id = d.id AND d.n <> 0;\n  UPDATE archive_person SET mention_count = mention_count + d.n FROM (SELECT m.person_id AS id, sum(r.sign) AS n FROM (SELECT NEW.id AS id, NEW.issue_id AS issue_id, NEW.status AS status, 1 AS sign) AS r JOIN archive_mention m ON m.article_id = r.id WHERE r.status = 'published' AND m.status <> 'rejected' AND m.person_id IS NOT NULL GROUP BY m.person_id) AS d WHERE archive_person.id = d.id AND d.n <> 0;\n  UPDATE archive_organisation SET mention_count = mention_count + d.n FROM (SELECT m.organisation_id AS id, sum(r.sign) AS n FROM (SELECT NEW.id AS id, NEW.issue_id AS issue_id, NEW.status AS status, 1 AS sign) AS r JOIN archive_mention m ON m.article_id = r.id WHERE r.status = 'published' AND m.status <> 'rejected' AND m.organisation_id IS NOT NULL GROUP BY m.organisation_id) AS d WHERE archive_organisation.id = d.id AND d.n <> 0;\n  UPDATE archive_place SET mention_count = mention_count + d.n FROM (SELECT m.place_id AS id, sum(r.sign) AS n FROM (SELECT NEW.id AS id, NEW.issue_id AS issue_id, NEW.status AS status, 1 AS sign) AS r JOIN archive_mention m ON m.article_id = r.id WHERE r.status = 'published' AND m.status <> 'rejected' AND m.place_id IS NOT NULL GROUP BY m.place_id) AS d WHERE archive_place.id = d.id AND d.n <> 0;\nEND",
        "DROP TRIGGER IF EXISTS archive_counts_article_del",
        "CREATE TRIGGER archive_counts_article_del AFTER DELETE ON archive_article BEGIN\n  UPDATE archive_publication SET article_count = article_count + d.n FROM (SELECT i.publication_id AS id, sum(r.sign) AS n FROM (SELECT OLD.id AS id, OLD.issue_id AS issue_id, OLD.status AS status, -1 AS sign) AS r JOIN archive_issue i ON i.id = r.issue_id WHERE r.status = 'published' GROUP BY i.publication_id) AS d WHERE archive_publication.id = d.id AND d.n <> 0;\n  UPDATE archive_person SET mention_count = mention_count + d.n FROM (SELECT m.person_id AS id, sum(r.sign) AS n FROM (SELECT OLD.id AS id, OLD.issue_id AS issue_id, OLD.status AS status, -1 AS sign) AS r JOIN archive_mention m ON m.article_id = r.id WHERE r.status = 'published' AND m.status <> 'rejected' AND m.person_id IS NOT NULL GROUP BY m.person_id) AS d WHERE archive_person.id = d.id AND d.n <> 0;\n  UPDATE archive_organisation SET mention_count = mention_count + d.n FROM (SELECT m.organisation_id AS id, sum(r.sign) AS n FROM (SELECT OLD.id AS id, OLD.issue_id AS issue_id, OLD.status AS status, -1 AS sign) AS r JOIN archive_mention m ON m.article_id = r.id WHERE r.status = 'published' AND m.status <> 'rejected' AND m.organisation_id IS NOT NULL GROUP BY m.organisation_id) AS d WHERE archive_organisation.id = d.id AND d.n <> 0;\n  UPDATE archive_place SET mention_count = mention_count + d.n FROM (SELECT m.place_id AS id, sum(r.sign) AS n FROM (SELECT OLD.id AS id, OLD.issue_id AS issue_id, OLD.status AS status, -1 AS sign) AS r JOIN archive_mention m ON m.article_id = r.id WHERE r.status = 'published' AND m.status <> 'rejected' AND m.place_id IS NOT NULL GROUP BY m.place_id) AS d WHERE archive_place.id = d.id AND d.n <> 0;\nEND",
        "DROP TRIGGER IF EXISTS archive_counts_article_upd",
        "CREATE TRIGGER archive_counts_article_upd AFTER UPDATE OF issue_id, status ON archive_article WHEN OLD.issue_id IS NOT NEW.issue_id OR OLD.status IS NOT NEW.status BEGIN\n  UPDATE archive_publication SET article_count = article_count + d.n FROM (SELECT i.publication_id AS id, sum(r.sign) AS n FROM (SELECT OLD.id AS id, OLD.issue_id AS issue_id, OLD.status AS status, -1 AS sign UNION ALL SELECT NEW.id AS id, NEW.issue_id AS issue_id, NEW.status AS status, 1 AS sign) AS r JOIN archive_issue i ON i.id = r.issue_id WHERE r.status = 'published' GROUP BY i.publication_id) AS d WHERE archive_publication.id = d.id AND d.n <> 0;\n  UPDATE archive_person SET mention_count = mention_count + d.n FROM (SELECT m.person_id AS id, sum(r.sign) AS n FROM (SELECT OLD.id AS id, OLD.issue_id AS issue_id, OLD.status AS status, -1 AS sign UNION ALL SELECT NEW.id AS id, NEW.issue_id AS issue_id, NEW.status AS status, 1 AS sign) AS r JOIN archive_mention m ON m.article_id = r.id WHERE r.status = 'published' AND m.status <> 'rejected' AND m.person_id IS NOT NULL GROUP BY m.person_id) AS d WHERE archive_person.id = d.id AND d.n <> 0;\n  UPDATE archive_organisation SET mention_count = mention_count + d.n FROM (SELECT m.organisation_id AS id, sum(r.sign) AS n FROM (SELECT OLD.id AS id, OLD.issue_id AS issue_id, OLD.status AS status, -1 AS sign UNION ALL SELECT NEW.id AS id, NEW.issue_id AS issue_id, NEW.status AS status, 1 AS sign) AS r JOIN archive_mention m ON m.article_id = r.id WHERE r.status = 'published' AND m.status <> 'rejected' AND m.organisation_id IS NOT NULL GROUP BY m.organisation_id) AS d WHERE archive_organisation.id = d.id AND d.n <> 0;\n  UPDATE archive_place SET mention_count = mention_count + d.n FROM (SELECT m.place_id AS id, sum(r.sign) AS n FROM (SELECT OLD.id AS id, OLD.issue_id AS issue_id, OLD.status AS status, -1 AS sign UNION ALL SELECT NEW.id AS id, NEW.issue_id AS issue_id, NEW.status AS status, 1 AS sign) AS r JOIN archive_mention m ON m.article_id = r.id WHERE r.status = 'published' AND m.status <> 'rejected' AND m.place_id IS NOT NULL GROUP BY m.place_id) AS d WHERE archive_place.id = d.id AND d.n <> 0;\nEND",
        "DROP TRIGGER IF EXISTS archive_counts_issue_ins",
        "CREATE TRIGGER archive_counts_issue_ins AFTER INSERT ON archive_issue BEGIN\n  UPDATE archive_publication SET issue_count = issue_count + d.n FROM (SELECT r.publication_id AS id, sum(r.sign) AS n FROM (SELECT NEW.id AS id, NEW.publication_id AS publication_id, NEW.status AS status, 1 AS sign) AS r WHERE r.status = 'published' GROUP BY r.publication_id) AS d WHERE archive_publication.id = d.id AND d.n <> 0;\n  UPDATE archive_publication SET article_count = article_count + d.n FROM (SELECT r.publication_id AS id, sum(r.sign * (SELECT count(*) FROM archive_article a WHERE a.issue_id = r.id AND a.status = 'published')) AS n FROM (SELECT NEW.id AS id, NEW.publication_id AS publication_id, NEW.status AS status, 1 AS sign) AS r GROUP BY r.publication_id) AS d WHERE archive_publication.id = d.id AND d.n <> 0;\nEND",
        "DROP TRIGGER IF EXISTS archive_counts_issue_del",
        "CREATE TRIGGER archive_counts_issue_del AFTER DELETE ON archive_issue BEGIN\n  UPDATE archive_publication SET issue_count = issue_count + d.n FROM (SELECT r.publication_id AS id, sum(r.sign) AS n FROM (SELECT OLD.id AS id, OLD.publication_id AS publication_id, OLD.status AS status, -1 AS sign) AS r WHERE r.status = 'published' GROUP BY r.publication_id) AS d WHERE archive_publication.id = d.id AND d.n <> 0;\n  UPDATE archive_publication SET article_count = article_count + d.n FROM (SELECT r.publication_id AS id, sum(r.sign * (SELECT count(*) FROM archive_article a WHERE a.issue_id = r.id AND a.status = 'published')) AS n FROM (SELECT OLD.id AS id, OLD.publication_id AS publication_id, OLD.status AS status, -1 AS sign) AS r GROUP BY r.publication_id) AS d WHERE archive_publication.id = d.id AND d.n <> 0;\nEND",
        "DROP TRIGGER IF EXISTS archive_counts_issue_upd",
        "CREATE TRIGGER archive_counts_issue_upd AFTER UPDATE OF publication_id, status ON archive_issue WHEN OLD.publication_id IS NOT NEW.publication_id OR OLD.status IS NOT NEW.status BEGIN\n  UPDATE archive_publication SET issue_count = issue_count + d.n FROM (SELECT r.publication_id AS id, sum(r.sign) AS n FROM (SELECT OLD.id AS id, OLD.publication_id AS publication_id, OLD.status AS status, -1 AS sign UNION ALL SELECT NEW.id AS id, NEW.publication_id AS publication_id, NEW.status AS status, 1 AS sign) AS r WHERE r.status = 'published' GROUP BY r.publication_id) AS d WHERE archive_publication.id = d.id AND d.n <> 0;\n  UPDATE archive_publication SET article_count = article_count + d.n FROM (SELECT r.publication_id AS id, sum(r.sign * (SELECT count(*) FROM archive_article a WHERE a.issue_id = r.id AND a.status = 'published')) AS n FROM (SELECT OLD.id AS id, OLD.publication_id AS publication_id, OLD.status AS status, -1 AS sign UNION ALL SELECT NEW.id AS id, NEW.publication_id AS publication_id, NEW.status AS status, 1 AS sign) AS r GROUP BY r.publication_id) AS d WHERE archive_publication.id = d.id AND d.n <> 0;\nEND",
        "DROP TRIGGER IF EXISTS archive_counts_person_self",
        "CREATE TRIGGER archive_counts_person_self AFTER INSERT ON archive_person BEGIN\n  UPDATE archive_person SET mention_count = (SELECT count(*) FROM archive_mention m JOIN archive_article a ON a.id = m.article_id WHERE m.person_id = archive_person.id AND m.status <> 'rejected' AND a.status = 'published') WHERE archive_person.id IN (SELECT id FROM (SELECT NEW.id AS id) AS r);\nEND",
        "DROP TRIGGER IF EXISTS archive_counts_organisation_self",
        "CREATE TRIGGER archive_counts_organisation_self AFTER INSERT ON archive_organisation BEGIN\n  UPDATE archive_organisation SET mention_count = (SELECT count(*) FROM archive_mention m JOIN archive_article a ON a.id = m.article_id WHERE m.organisation_id = archive_organisation.id AND m.status <> 'rejected' AND a.status = 'published') WHERE archive_organisation.id IN (SELECT id FROM (SELECT NEW.id AS id) AS r);\nEND",
        "DROP TRIGGER IF EXISTS archive_counts_place_self",
        "CREATE TRIGGER archive_counts_place_self AFTER INSERT ON archive_place BEGIN\n  UPDATE archive_place SET mention_count = (SELECT count(*) FROM archive_mention m JOIN archive_article a ON a.id = m.article_id WHERE m.place_id = archive_place.id AND m.status <> 'rejected' AND a.status = 'published') WHERE archive_place.id IN (SELECT id FROM (SELECT NEW.id AS id) AS r);\nEND",
        "DROP TRIGGER IF EXISTS archive_counts_publication_self",
        "CREATE TRIGGER archive_counts_publication_self AFTER INSERT ON archive_publication BEGIN\n  UPDATE archive_publication SET issue_count = (SELECT count(*) FROM archive_issue i WHERE i.publication_id = archive_publication.id AND i.status = 'published') WHERE archive_publication.id IN (SELECT id FROM (SELECT NEW.id AS id) AS r);\n  UPDATE archive_publication SET article_count = (SELECT count(*) FROM archive_article a JOIN archive_issue i ON i.id = a.issue_id WHERE i.publication_id = archive_publication.id AND a.status = 'published') WHERE archive_publication.id IN (SELECT id FROM (SELECT NEW.id AS id) AS r);\nEND",
    ],
}

DROP_SQL = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS archive_counts_mention_ins ON archive_mention",
        "DROP FUNCTION IF EXISTS archive_counts_mention_ins()",
        "DROP TRIGGER IF EXISTS archive_counts_mention_del ON archive_mention",
        "DROP FUNCTION IF EXISTS archive_counts_mention_del()",
        "DROP TRIGGER IF EXISTS archive_counts_mention_upd ON archive_mention",
        "DROP FUNCTION IF EXISTS archive_counts_mention_upd()",
        "DROP TRIGGER IF EXISTS archive_counts_article_ins ON archive_article",
        "DROP FUNCTION IF EXISTS archive_counts_article_ins()",
        "DROP TRIGGER IF EXISTS archive_counts_article_del ON archive_article",
        "DROP FUNCTION IF EXISTS archive_counts_article_del()",
        "DROP TRIGGER IF EXISTS archive_counts_article_upd ON archive_article",
        "DROP FUNCTION IF EXISTS archive_counts_article_upd()",
        "DROP TRIGGER IF EXISTS archive_counts_issue_ins ON archive_issue",
        "DROP FUNCTION IF EXISTS archive_counts_issue_ins()",
        "DROP TRIGGER IF EXISTS archive_counts_issue_del ON archive_issue",
        "DROP FUNCTION IF EXISTS archive_counts_issue_del()",
        "DROP TRIGGER IF EXISTS archive_counts_issue_upd ON archive_issue",
        "DROP FUNCTION IF EXISTS archive_counts_issue_upd()",
        "DROP TRIGGER IF EXISTS archive_counts_person_self ON archive_person",
        "DROP FUNCTION IF EXISTS archive_counts_person_self()",
        "DROP TRIGGER IF EXISTS archive_counts_organisation_self ON archive_organisation",
        "DROP FUNCTION IF EXISTS archive_counts_organisation_self()",
        "DROP TRIGGER IF EXISTS archive_counts_place_self ON archive_place",
        "DROP FUNCTION IF EXISTS archive_counts_place_self()",
        "DROP TRIGGER IF EXISTS archive_counts_publication_self ON archive_publication",
        "DROP FUNCTION IF EXISTS archive_counts_publication_self()",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS archive_counts_mention_ins",
        "DROP TRIGGER IF EXISTS archive_counts_mention_del",
        "DROP TRIGGER IF EXISTS archive_counts_mention_upd",
        "DROP TRIGGER IF EXISTS archive_counts_article_ins",
        "DROP TRIGGER IF EXISTS archive_counts_article_del",
        "DROP TRIGGER IF EXISTS archive_counts_article_upd",
        "DROP TRIGGER IF EXISTS archive_counts_issue_ins",
        "DROP TRIGGER IF EXISTS archive_counts_issue_del",
        "DROP TRIGGER IF EXISTS archive_counts_issue_upd",
        "DROP TRIGGER IF EXISTS archive_counts_person_self",
        "DROP TRIGGER IF EXISTS archive_counts_organisation_self",
        "DROP TRIGGER IF EXISTS archive_counts_place_self",
        "DROP TRIGGER IF EXISTS archive_counts_publication_self",
    ],
}

LIVE_COUNTS = {
    "archive_person.mention_count": "SELECT count(*) FROM archive_mention m JOIN archive_article a ON a.id = m.article_id WHERE m.person_id = {id} AND m.status <> 'rejected' AND a.status = 'published'",
    "archive_organisation.mention_count": "SELECT count(*) FROM archive_mention m JOIN archive_article a ON a.id = m.article_id WHERE m.organisation_id = {id} AND m.status <> 'rejected' AND a.status = 'published'",
    "archive_place.mention_count": "SELECT count(*) FROM archive_mention m JOIN archive_article a ON a.id = m.article_id WHERE m.place_id = {id} AND m.status <> 'rejected' AND a.status = 'published'",
    "archive_publication.issue_count": "SELECT count(*) FROM archive_issue i WHERE i.publication_id = {id} AND i.status = 'published'",
    "archive_publication.article_count": "SELECT count(*) FROM archive_article a JOIN archive_issue i ON i.id = a.issue_id WHERE i.publication_id = {id} AND a.status = 'published'",
}


def install(apps, schema_editor):
    """Triggers for this database, then every count computed once from the rows."""
    for statement in TRIGGER_SQL[schema_editor.connection.vendor]:
        schema_editor.execute(statement, params=None)
    for target, live in LIVE_COUNTS.items():
        table, column = target.split(".")
        expr = live.format(id=f"{table}.id")
        schema_editor.execute(
            f"UPDATE {table} SET {column} = ({expr}) WHERE {column} <> ({expr})", params=None
        )


def uninstall(apps, schema_editor):
    for statement in DROP_SQL[schema_editor.connection.vendor]:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0005_textrepair_sequence_offset"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="mention_count",
            field=models.IntegerField(
                default=0,
                editable=False,
                help_text="Mentions not rejected, in published articles. Kept by database triggers (archive/counts.py), never written by save().",
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="mention_count",
            field=models.IntegerField(
                default=0,
                editable=False,
                help_text="Mentions not rejected, in published articles. Kept by database triggers (archive/counts.py), never written by save().",
            ),
        ),
        migrations.AddField(
            model_name="place",
            name="mention_count",
            field=models.IntegerField(
                default=0,
                editable=False,
                help_text="Mentions not rejected, in published articles. Kept by database triggers (archive/counts.py), never written by save().",
            ),
        ),
        migrations.AddField(
            model_name="publication",
            name="article_count",
            field=models.IntegerField(
                default=0,
                editable=False,
                help_text="Published articles in its issues. Kept by database triggers.",
            ),
        ),
        migrations.AddField(
            model_name="publication",
            name="issue_count",
            field=models.IntegerField(
                default=0,
                editable=False,
                help_text="Published issues. Kept by database triggers (archive/counts.py).",
            ),
        ),
        migrations.AddConstraint(
            model_name="organisation",
            constraint=models.CheckConstraint(
                condition=models.Q(("mention_count__gte", 0)),
                name="organisation_mention_count_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.CheckConstraint(
                condition=models.Q(("mention_count__gte", 0)),
                name="person_mention_count_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="place",
            constraint=models.CheckConstraint(
                condition=models.Q(("mention_count__gte", 0)),
                name="place_mention_count_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="publication",
            constraint=models.CheckConstraint(
                condition=models.Q(("issue_count__gte", 0)),
                name="publication_issue_count_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="publication",
            constraint=models.CheckConstraint(
                condition=models.Q(("article_count__gte", 0)),
                name="publication_article_count_not_negative",
            ),
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
