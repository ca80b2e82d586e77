"""Routes for archive.oai (filled in by that module)."""

urlpatterns: list = []
