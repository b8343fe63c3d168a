"""Partner systems call the API with scoped, revocable tokens that act for one office."""

import pytest
from django.test import Client

from accounts.choices import Role
from accounts.models import ApiToken
from accounts.tokens import api_token_issue, api_token_revoke
from delivery.choices import DeliveryStatus as S
from tests.factories import OfficeFactory, UserFactory, make_order


def call(method, path, key, **kwargs):
    client = Client()
    return getattr(client, method)(
        path, HTTP_AUTHORIZATION=f"Token {key}", content_type="application/json", **kwargs
    )


def test_a_token_reads_its_offices_orders_and_records_when_it_was_used(ref):
    order = make_order(ref, S.BOOKED)
    token, key = api_token_issue(
        name="Pos tracking", user=ref["users"]["pos.layanan"], scopes=["read_tracking"]
    )

    response = call("get", "/api/v1/orders/", key)

    assert response.status_code == 200
    assert [o["code"] for o in response.json()["results"]] == [order.code]
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert ApiToken.objects.get(pk=token.pk).secret_hash not in key  # only a hash is stored


def test_a_read_only_token_cannot_write_handoff_events(ref):
    order = make_order(ref, S.BOOKED)
    _token, key = api_token_issue(name="read", user=ref["users"]["pos.layanan"], scopes=["read_tracking"])

    response = call("post", f"/api/v1/orders/{order.code}/moves/", key, data={"action": "hand_dossier"})

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    order.refresh_from_db()
    assert order.status == S.BOOKED


def test_a_write_token_moves_orders_of_its_office_only(ref):
    order = make_order(ref, S.BOOKED)
    _token, key = api_token_issue(
        name="Pos system", user=ref["users"]["pos.layanan"], scopes=["write_handoff"]
    )
    outsider = UserFactory(role=Role.POS_SERVICE_OFFICER, office=OfficeFactory())
    _other, other_key = api_token_issue(name="other office", user=outsider, scopes=["write_handoff"])

    refused = call("post", f"/api/v1/orders/{order.code}/moves/", other_key, data={"action": "hand_dossier"})
    accepted = call("post", f"/api/v1/orders/{order.code}/moves/", key, data={"action": "hand_dossier"})

    assert refused.status_code == 404  # another office's order does not exist for it
    assert accepted.status_code == 200
    event = order.events.get(to_status=S.DOSSIER_HANDED)
    assert event.actor == ref["users"]["pos.layanan"]


def test_revocation_takes_effect_at_once(ref):
    token, key = api_token_issue(name="Pos", user=ref["users"]["pos.layanan"], scopes=["read_tracking"])
    assert call("get", "/api/v1/orders/", key).status_code == 200

    api_token_revoke(token=token)

    response = call("get", "/api/v1/orders/", key)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


@pytest.mark.parametrize("key", ["", "nonsense", "abcd1234.wrong-secret", "Token x y"])
def test_malformed_or_unknown_keys_are_refused_with_json(ref, key):
    api_token_issue(name="Pos", user=ref["users"]["pos.layanan"], scopes=["read_tracking"])
    response = Client().get("/api/v1/orders/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401
    assert "message" in response.json()


def test_unknown_scopes_are_refused(ref):
    from core.exceptions import ValidationFailed

    with pytest.raises(ValidationFailed):
        api_token_issue(name="x", user=ref["users"]["pos.layanan"], scopes=["admin_everything"])
    assert not ApiToken.objects.exists()
