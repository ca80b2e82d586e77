"""The project boots and the admin is served."""

import pytest


@pytest.mark.django_db
def test_admin_login_page_is_served(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert b"Django administration" in response.content or b"Log in" in response.content
