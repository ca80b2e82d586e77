"""Public page routes."""

from django.urls import path
from django.views.generic import TemplateView

app_name = "archive"

urlpatterns = [
    path("", TemplateView.as_view(template_name="archive/home.html"), name="home"),
]
