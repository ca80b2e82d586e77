"""The project boots: system checks pass, no model change lacks a migration, and the admin is
served to staff only."""

import io

import pytest
from django.core import checks
from django.core.management import call_command


def test_system_checks_find_no_error():
    serious = [message for message in checks.run_checks() if message.is_serious()]
    assert serious == []


@pytest.mark.django_db
def test_every_model_change_has_its_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
    except SystemExit:  # --check exits 1 when a migration is missing
        pytest.fail(f"makemigrations --check found changes without a migration:\n{out.getvalue()}")
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_admin_login_page_is_served_and_the_admin_is_not(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert b'name="username"' in response.content and b'name="password"' in response.content
    anonymous = client.get("/admin/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/admin/login/")
