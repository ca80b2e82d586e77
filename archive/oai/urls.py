"""OAI-PMH 2.0 provider at /oai/ (see docs/data.md)."""

from django.urls import path

from . import views

app_name = "oai"

urlpatterns = [
    path("", views.endpoint, name="endpoint"),
]
