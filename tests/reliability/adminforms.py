"""Post an admin change form back the way a browser would, from what the page rendered."""

from __future__ import annotations

from django.test import Client


def form_data(response) -> dict:
    """The main form's current values plus empty inline management forms.

    Inline rows are left alone (INITIAL_FORMS=0 means "no existing rows posted"), which is
    what a curator editing only the record's own fields sends in effect.
    """
    form = response.context["adminform"].form
    data: dict = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
            continue
        data[name] = str(field.prepare_value(value))
    for inline in response.context.get("inline_admin_formsets", []) or []:
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    return data


def open_form(client: Client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return form_data(response)
