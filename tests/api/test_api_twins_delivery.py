"""One door (issue 8), delivery: putting an order on a courier's run and the applicant's new day or
address after a failed attempt, through the API with the same effect and refusals as the pages."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.tokens import api_token_issue
from core.idempotency import REPLAY_HEADER
from delivery.choices import DeliveryStatus as S
from delivery.models import Courier, DeliveryEvent, DeliveryOrder, RescheduleRequest
from organisations.choices import OrganisationKind
from organisations.models import Organisation
from tests.factories import OfficeFactory, UserFactory, make_order


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"} and body["message"]
    if code:
        assert body["code"] == code
    return body


# Assign / move to a courier --------------------------------------------------------------------


def test_the_dispatcher_moves_an_order_to_another_courier(ref):
    order = make_order(ref, S.WITH_DELIVERY_SECTION)
    other = ref["couriers"]["kurir2"]
    events_before = DeliveryEvent.objects.filter(order=order).count()

    response = as_user(ref["users"]["pos.antaran"]).post(
        f"/api/v1/orders/{order.code}/courier/", {"courier": other.pk}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["courier"] == other.name
    assert DeliveryOrder.objects.get(pk=order.pk).courier == other
    assert DeliveryEvent.objects.filter(order=order).count() == events_before  # no state change


def test_the_service_officer_may_assign_at_step_6_too(ref):
    order = make_order(ref, S.RECEIVED_BY_POS)
    response = as_user(ref["users"]["pos.layanan"]).post(
        f"/api/v1/orders/{order.code}/courier/", {"courier": ref["couriers"]["kurir"].pk}, format="json"
    )
    assert response.status_code == 200
    assert DeliveryOrder.objects.get(pk=order.pk).courier == ref["couriers"]["kurir"]


def test_imigrasi_may_not_assign_couriers(ref):
    order = make_order(ref, S.WITH_DELIVERY_SECTION)
    response = as_user(ref["users"]["imigrasi"]).post(
        f"/api/v1/orders/{order.code}/courier/", {"courier": ref["couriers"]["kurir2"].pk}, format="json"
    )
    assert_error(response, 403, "not_allowed")
    assert DeliveryOrder.objects.get(pk=order.pk).courier == ref["couriers"]["kurir"]


def test_another_pos_office_does_not_see_the_order_nor_lends_its_couriers(ref):
    order = make_order(ref, S.WITH_DELIVERY_SECTION)
    office = OfficeFactory(organisation=Organisation.objects.filter(kind=OrganisationKind.POS).first())
    dispatcher = UserFactory(role=Role.POS_DISPATCHER, office=office)
    outsider = Courier.objects.create(
        user=UserFactory(role=Role.COURIER, office=office),
        name="Kurir Lain",
        nippos="995177777",
        office=office,
    )

    response = as_user(dispatcher).post(
        f"/api/v1/orders/{order.code}/courier/", {"courier": outsider.pk}, format="json"
    )
    assert_error(response, 404)

    response = as_user(ref["users"]["pos.antaran"]).post(
        f"/api/v1/orders/{order.code}/courier/", {"courier": outsider.pk}, format="json"
    )
    assert_error(response, 403, "wrong_office")
    assert DeliveryOrder.objects.get(pk=order.pk).courier == ref["couriers"]["kurir"]


def test_no_courier_an_unknown_one_or_an_inactive_one_is_a_400(ref):
    order = make_order(ref, S.WITH_DELIVERY_SECTION)
    client = as_user(ref["users"]["pos.antaran"])
    url = f"/api/v1/orders/{order.code}/courier/"

    assert "courier" in assert_error(client.post(url, {}, format="json"), 400, "validation_failed")["fields"]
    assert "courier" in assert_error(client.post(url, {"courier": 999999}, format="json"), 400)["fields"]
    Courier.objects.filter(pk=ref["couriers"]["kurir2"].pk).update(active=False)
    body = assert_error(client.post(url, {"courier": ref["couriers"]["kurir2"].pk}, format="json"), 400)
    assert "courier" in body["fields"]
    assert DeliveryOrder.objects.get(pk=order.pk).courier == ref["couriers"]["kurir"]


def test_a_passport_already_out_keeps_its_courier(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    response = as_user(ref["users"]["pos.antaran"]).post(
        f"/api/v1/orders/{order.code}/courier/", {"courier": ref["couriers"]["kurir2"].pk}, format="json"
    )
    assert_error(response, 409, "invalid_transition")


def test_assigning_twice_with_one_key_is_answered_once(ref):
    order = make_order(ref, S.WITH_DELIVERY_SECTION)
    client = as_user(ref["users"]["pos.antaran"])
    url = f"/api/v1/orders/{order.code}/courier/"
    first = client.post(
        url, {"courier": ref["couriers"]["kurir2"].pk}, format="json", HTTP_IDEMPOTENCY_KEY="a-1"
    )
    # Meanwhile the dispatcher moves it back on the board.
    client.post(url, {"courier": ref["couriers"]["kurir"].pk}, format="json")
    again = client.post(
        url, {"courier": ref["couriers"]["kurir2"].pk}, format="json", HTTP_IDEMPOTENCY_KEY="a-1"
    )

    assert again.status_code == first.status_code == 200
    assert again.headers[REPLAY_HEADER] == "true" and again.json() == first.json()
    assert DeliveryOrder.objects.get(pk=order.pk).courier == ref["couriers"]["kurir"]  # not re-applied


def test_a_token_needs_the_write_handoff_scope_to_assign(ref):
    order = make_order(ref, S.WITH_DELIVERY_SECTION)
    url = f"/api/v1/orders/{order.code}/courier/"
    body = {"courier": ref["couriers"]["kurir2"].pk}
    _token, read_only = api_token_issue(name="r", user=ref["users"]["pos.antaran"], scopes=["read_tracking"])
    _token, writer = api_token_issue(name="w", user=ref["users"]["pos.antaran"], scopes=["write_handoff"])

    refused = APIClient().post(url, body, format="json", HTTP_AUTHORIZATION=f"Token {read_only}")
    assert_error(refused, 403)
    done = APIClient().post(url, body, format="json", HTTP_AUTHORIZATION=f"Token {writer}")
    assert done.status_code == 200
    assert DeliveryOrder.objects.get(pk=order.pk).courier == ref["couriers"]["kurir2"]


# New day or address after a failed attempt -----------------------------------------------------


def _tomorrow() -> str:
    return (timezone.localdate() + dt.timedelta(days=1)).isoformat()


def test_the_applicant_picks_a_new_day_and_address(ref):
    order = make_order(ref, S.FAILED_ATTEMPT)
    address = "Jl. Sultan Alauddin No. 5, Rappocini, Makassar"

    response = as_user(order.application.applicant.user).post(
        f"/api/v1/orders/{order.code}/reschedule/",
        {"preferred_date": _tomorrow(), "new_address": address},
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == {
        "order": order.code,
        "after_attempt": 1,
        "preferred_date": _tomorrow(),
        "new_address": address,
        "address": address,
        "delivery_window": None,  # no window chosen: the 1-day clock stays
    }
    request = RescheduleRequest.objects.get(order=order)
    assert request.preferred_date.isoformat() == _tomorrow()
    order.refresh_from_db()
    assert order.address == address and order.status == S.FAILED_ATTEMPT


def test_someone_else_cannot_pick_the_day(ref):
    order = make_order(ref, S.FAILED_ATTEMPT)
    url = f"/api/v1/orders/{order.code}/reschedule/"
    assert_error(
        as_user(ref["users"]["pemohon"]).post(url, {"preferred_date": _tomorrow()}, format="json"), 404
    )
    # Pos sees the order but it is the applicant's choice.
    response = as_user(ref["users"]["pos.layanan"]).post(url, {"preferred_date": _tomorrow()}, format="json")
    assert_error(response, 403, "not_owner")
    assert not RescheduleRequest.objects.exists()


def test_a_day_in_the_past_a_short_address_or_no_failed_attempt_is_refused(ref):
    order = make_order(ref, S.FAILED_ATTEMPT)
    client = as_user(order.application.applicant.user)
    url = f"/api/v1/orders/{order.code}/reschedule/"
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()

    body = assert_error(
        client.post(url, {"preferred_date": yesterday, "new_address": "Jl. A"}, format="json"), 400
    )
    assert set(body["fields"]) == {"preferred_date", "new_address"}
    assert (
        "preferred_date"
        in assert_error(client.post(url, {"preferred_date": "soon"}, format="json"), 400)["fields"]
    )
    delivered = make_order(ref, S.DELIVERED)
    response = as_user(delivered.application.applicant.user).post(
        f"/api/v1/orders/{delivered.code}/reschedule/", {"preferred_date": _tomorrow()}, format="json"
    )
    assert_error(response, 409, "invalid_transition")
    assert not RescheduleRequest.objects.exists()


def test_sending_the_new_day_twice_with_one_key_keeps_one_request(ref):
    order = make_order(ref, S.FAILED_ATTEMPT)
    client = as_user(order.application.applicant.user)
    url = f"/api/v1/orders/{order.code}/reschedule/"
    first = client.post(url, {"preferred_date": _tomorrow()}, format="json", HTTP_IDEMPOTENCY_KEY="day-1")
    again = client.post(url, {"preferred_date": _tomorrow()}, format="json", HTTP_IDEMPOTENCY_KEY="day-1")
    assert first.status_code == again.status_code == 200
    assert again.headers[REPLAY_HEADER] == "true"
    assert RescheduleRequest.objects.filter(order=order).count() == 1


@pytest.mark.parametrize("method", ["get", "put"])
def test_other_methods_are_not_offered(ref, method):
    order = make_order(ref, S.FAILED_ATTEMPT)
    response = getattr(as_user(order.application.applicant.user), method)(
        f"/api/v1/orders/{order.code}/reschedule/"
    )
    assert_error(response, 405)
