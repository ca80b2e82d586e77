"""Print how many records of each kind the archive holds, and how many of them are public."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from archive import models

COUNTED = [
    models.Publication, models.Issue, models.Article, models.Person, models.Organisation,
    models.Place, models.Event, models.Mention, models.Authorship, models.Alias,
    models.Illustration, models.SourceDocument, models.TextRepair,
]  # fmt: skip


class Command(BaseCommand):
    help = "Print the number of records of each kind."

    def handle(self, *args, **options):
        for model in COUNTED:
            total = model.objects.count()
            line = f"{model._meta.verbose_name_plural.capitalize():<16} {total:>7}"
            manager = model.objects
            if hasattr(manager, "public"):  # the model layer's visibility rule
                line += f"  ({manager.public().count()} public)"
            self.stdout.write(line)
