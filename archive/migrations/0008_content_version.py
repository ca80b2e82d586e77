"""The content version: one counter (re-created by the triggers if a flush emptied it) that database triggers bump on every archive write.

PostgreSQL: one statement-level trigger per table (INSERT, UPDATE, DELETE, TRUNCATE), so a
bulk statement costs one bump, not one per row. SQLite has no statement triggers: a row
trigger per table and operation. Every table a public page or API list reads is covered;
a test checks that each non-history archive table has the triggers, so a new model needs
a migration adding it here.
"""

from django.db import migrations, models

TABLES = [
    "archive_person", "archive_organisation", "archive_place", "archive_alias",
    "archive_pastslug", "archive_publication", "archive_sourcedocument", "archive_issue",
    "archive_article", "archive_authorship", "archive_illustration", "archive_textrepair",
    "archive_event", "archive_event_places", "archive_event_articles",
    "archive_eventparticipant", "archive_mention",
]  # fmt: skip

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION archive_bump_content_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO archive_contentversion (id, value) VALUES (1, 1)
  ON CONFLICT (id) DO UPDATE SET value = archive_contentversion.value + 1;
  RETURN NULL;
END $$;
"""


def install(apps, schema_editor):
    schema_editor.execute("INSERT INTO archive_contentversion (id, value) VALUES (1, 0)")
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_content_version AFTER INSERT OR UPDATE OR DELETE "
                f"OR TRUNCATE ON {table} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION archive_bump_content_version()"
            )
        else:
            for op in ("insert", "update", "delete"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_content_version_{op} AFTER {op.upper()} ON {table} "
                    f"BEGIN INSERT OR IGNORE INTO archive_contentversion (id, value) VALUES (1, 0); "
                    f"UPDATE archive_contentversion SET value = value + 1 WHERE id = 1; END"
                )


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_content_version ON {table}")
        else:
            for op in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_content_version_{op}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS archive_bump_content_version()")


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0007_article_date_desc"),
    ]

    operations = [
        migrations.CreateModel(
            name="ContentVersion",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False),
                ),
                ("value", models.BigIntegerField(default=0)),
            ],
            options={
                "ordering": ["id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("id", 1)), name="contentversion_single_row"
                    )
                ],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
