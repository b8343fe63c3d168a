"""Pickup at a branch over the API: the applicant's choice through "manage my delivery" and the
staff's twins (sending to the branch through the move API, the branch counter's handover)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from delivery.choices import DeliveryStatus as S
from delivery.handoff.codes import delivery_code_reveal
from delivery.models import DeliveryCodeAttempt, PickupChoice
from tests.api.test_manage_api import _session
from tests.applicant.test_manage_link import without_account
from tests.factories import make_order

pytestmark = pytest.mark.django_db


def staff(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_an_applicant_without_account_chooses_a_branch_and_staff_hand_it_over(ref):
    order = without_account(make_order(ref, S.WITH_DELIVERY_SECTION))
    api = _session(order)
    overview = api.get("/api/v1/manage/order/").json()
    assert overview["can_choose_pickup"] and overview["pickup_branch"] is None
    names = [branch["name"] for branch in overview["pickup_branches"]]
    assert "Kantor Pos Daya" in names
    daya = next(b for b in overview["pickup_branches"] if b["name"] == "Kantor Pos Daya")
    assert daya["opening_hours"] and daya["address"]

    # not confirmed: nothing happens
    refused = api.post(
        "/api/v1/manage/order/pickup/", {"branch": daya["id"], "confirm": False}, format="json"
    )
    assert refused.status_code == 400 and "confirm" in refused.json()["fields"]
    assert not PickupChoice.objects.filter(order=order).exists()

    chosen = api.post("/api/v1/manage/order/pickup/", {"branch": daya["id"], "confirm": True}, format="json")
    assert chosen.status_code == 200, chosen.content
    body = chosen.json()
    assert body["pickup_branch"]["name"] == "Kantor Pos Daya"
    assert not body["can_choose_pickup"] and body["pickup_branches"] == []
    again = api.post("/api/v1/manage/order/pickup/", {"branch": daya["id"], "confirm": True}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "pickup_already_chosen"

    # the delivery section sends it to the branch through the move API
    moved = staff(ref["users"]["pos.antaran"]).post(
        f"/api/v1/orders/{order.code}/moves/", {"action": "send_to_branch"}, format="json"
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["status"] == S.AT_PICKUP_BRANCH

    # the counter's handover has its own endpoint; the move API refuses it
    counter = staff(ref["users"]["pos.layanan"])
    generic = counter.post(
        f"/api/v1/orders/{order.code}/moves/", {"action": "collect_at_branch"}, format="json"
    )
    assert generic.status_code == 400
    code = delivery_code_reveal(order_id=order.pk)
    wrong = "000000" if code != "000000" else "111111"
    handover = {"receiver_kind": "applicant", "id_type": "ktp", "id_last_four": "0045"}
    bad = counter.post(
        f"/api/v1/orders/{order.code}/branch-handover/", {**handover, "code": wrong}, format="json"
    )
    assert bad.status_code == 400 and bad.json()["code"] == "wrong_code"
    assert DeliveryCodeAttempt.objects.filter(order=order).count() == 1
    good = counter.post(
        f"/api/v1/orders/{order.code}/branch-handover/", {**handover, "code": code}, format="json"
    )
    assert good.status_code == 200, good.content
    assert good.json()["status"] == S.DELIVERED
    assert (
        api.get("/api/v1/manage/order/").json()["proof"]["receiver_name"]
        == order.application.applicant.full_name
    )


def test_the_tracking_api_says_where_the_passport_waits(ref):
    order = without_account(make_order(ref, S.WITH_DELIVERY_SECTION))
    api = _session(order)
    branch = ref["branches"]["sungguminasa"]
    assert (
        api.post(
            "/api/v1/manage/order/pickup/", {"branch": branch.pk, "confirm": True}, format="json"
        ).status_code
        == 200
    )
    staff(ref["users"]["pos.antaran"]).post(
        f"/api/v1/orders/{order.code}/moves/", {"action": "send_to_branch"}, format="json"
    )
    page = APIClient().post(
        "/api/v1/track/",
        {"code": order.code, "birth_date": order.application.applicant.birth_date.isoformat()},
        format="json",
    )
    assert page.status_code == 200, page.content
    body = page.json()
    assert (body["status"], body["pickup_branch"], body["pickup_hours"]) == (
        S.AT_PICKUP_BRANCH,
        branch.name,
        branch.opening_hours,
    )


def test_the_counter_of_another_office_cannot_hand_it_over(ref):
    from accounts.choices import Role
    from tests.factories import OfficeFactory, UserFactory

    order = make_order(ref, S.WITH_DELIVERY_SECTION)
    outsider = UserFactory(role=Role.POS_SERVICE_OFFICER, office=OfficeFactory())
    response = staff(outsider).post(
        f"/api/v1/orders/{order.code}/branch-handover/",
        {"code": "123456", "receiver_kind": "applicant", "id_type": "ktp", "id_last_four": "0045"},
        format="json",
    )
    assert response.status_code == 404
