"""Create the two curator roles.

Curator: every archive permission, including publishing and deleting.
Contributor: adds and edits drafts and views everything; cannot publish or delete.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATOR = "Curator"
CONTRIBUTOR = "Contributor"


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrate; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    archive_perms = Permission.objects.filter(content_type__app_label="archive")
    curator, _ = Group.objects.get_or_create(name=CURATOR)
    curator.permissions.set(archive_perms)
    contributor, _ = Group.objects.get_or_create(name=CONTRIBUTOR)
    contributor.permissions.set(
        archive_perms.exclude(codename__startswith="delete_").exclude(codename="publish_record")
    )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[CURATOR, CONTRIBUTOR]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0002_publish_permission"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
