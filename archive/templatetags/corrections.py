"""``{% suggest_correction obj %}``: the link from a record's page to the form that sends
the curators a correction (``archive.corrections``). A plain link keeps the record's page
cacheable; the form page carries the CSRF token."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from archive.corrections import target_param

register = template.Library()


@register.inclusion_tag("archive/includes/suggest_correction.html")
def suggest_correction(obj) -> dict[str, Any]:
    url = reverse("archive:correction-new") + "?" + urlencode({"on": target_param(obj)})
    return {"url": url, "kind": obj._meta.verbose_name}
