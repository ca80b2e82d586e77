"""The site's URLs plus views that fail like a database outage does (tests only)."""

from django.db import IntegrityError, OperationalError
from django.urls import path

from config.urls import handler500  # noqa: F401
from config.urls import urlpatterns as site_urlpatterns


def unreachable(request):
    raise OperationalError('connection to server on socket "/tmp/.s.PGSQL.5432" failed')


def integrity_bug(request):
    raise IntegrityError("duplicate key value violates unique constraint")


urlpatterns = [
    path("outage/", unreachable),
    path("api/outage/", unreachable),
    path("bug/", integrity_bug),
    *site_urlpatterns,
]
