"""The list actions "Publish selected records" and "Send selected records back to review" on
every kind that has them, through the admin's own changelist (whose querysets carry counts)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from archive.models import Status
from tests.factories import (
    ArticleFactory,
    EventFactory,
    MentionFactory,
    OrganisationFactory,
    PersonFactory,
    PlaceFactory,
)

pytestmark = pytest.mark.django_db

KINDS = {
    "person": PersonFactory,
    "organisation": OrganisationFactory,
    "place": PlaceFactory,
    "event": EventFactory,
    "article": ArticleFactory,
}


@pytest.mark.parametrize("kind", KINDS)
def test_publish_and_send_back_from_the_list(client, curator, kind):
    factory = KINDS[kind]
    drafts = [factory(status=Status.DRAFT) for _ in range(2)]
    untouched = factory(status=Status.DRAFT)
    if kind in ("person", "organisation", "place"):  # so the list's counts are not all zero
        MentionFactory(**{"person": None, kind: drafts[0]})
    client.force_login(curator)
    changelist = reverse(f"admin:archive_{kind}_changelist")
    selected = [str(obj.pk) for obj in drafts]
    response = client.post(changelist, {"action": "publish", "_selected_action": selected},
                           follow=True)  # fmt: skip
    assert response.status_code == 200
    assert "Published 2 record(s)." in response.content.decode()
    model = type(drafts[0])
    statuses = dict(model.objects.values_list("pk", "status"))
    assert [statuses[obj.pk] for obj in drafts] == [Status.PUBLISHED] * 2
    assert statuses[untouched.pk] == Status.DRAFT
    response = client.post(changelist, {"action": "send_back_to_review",
                                        "_selected_action": selected[:1]}, follow=True)  # fmt: skip
    assert "Sent 1 record(s) back to review." in response.content.decode()
    assert model.objects.get(pk=drafts[0].pk).status == Status.REVIEW
    assert model.objects.get(pk=drafts[1].pk).status == Status.PUBLISHED
    assert model.history.filter(id=drafts[0].pk).count() >= 3  # created, published, review
