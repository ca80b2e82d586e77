"""Routes for archive.datasets (filled in by that module)."""

urlpatterns: list = []
