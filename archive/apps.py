from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "archive"
    verbose_name = "Archive"

    def ready(self) -> None:
        from archive import counts
        from archive.search import handlers  # noqa: F401 - connects the index upkeep

        counts.connect()
