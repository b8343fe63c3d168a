"""Manage my delivery over the API: the same link, one-time code and services as the pages, with a
session token for one order that nothing else accepts."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from delivery.booking.windows import windows_offered
from delivery.choices import DeliveryStatus as S
from delivery.manage import links
from tests.api.test_api_twins import assert_error
from tests.applicant.test_manage_link import sent_code, without_account
from tests.factories import make_order


def _session(order) -> APIClient:
    client = APIClient()
    asked = client.post("/api/v1/manage/codes/", {"link": links.link_token(order)}, format="json")
    assert asked.status_code == 202, asked.content
    assert order.recipient_phone not in asked.json()["sent_to_phone"]
    started = client.post(
        "/api/v1/manage/sessions/",
        {"challenge": asked.json()["challenge"], "one_time_code": sent_code(order)},
        format="json",
    )
    assert started.status_code == 201, started.content
    managed = APIClient()
    managed.credentials(HTTP_AUTHORIZATION=f"Manage {started.json()['token']}")
    return managed


def test_an_applicant_without_account_manages_the_delivery_over_the_api(ref):
    order = without_account(make_order(ref, S.BOOKED, area="makassar"))
    api = _session(order)
    overview = api.get("/api/v1/manage/order/").json()
    assert overview["code"] == order.code and overview["can_cancel"] and overview["can_change_day"]

    offer = windows_offered(order.area)[1]
    window = offer.windows[0].window
    moved = api.post(
        "/api/v1/manage/order/day/",
        {"delivery_date": offer.day.isoformat(), "window": window.pk},
        format="json",
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["delivery_date"] == offer.day.isoformat()

    changed = api.post(
        "/api/v1/manage/order/address/",
        {
            "destination_kind": "office",
            "address": "Jl. Urip Sumoharjo No. 7, Makassar",
            "area": "makassar",
            "expected_fee": order.delivery_fee,
        },
        format="json",
    )
    assert changed.status_code == 200 and changed.json()["address"] == "Jl. Urip Sumoharjo No. 7, Makassar"
    assert api.get("/api/v1/manage/order/data/").status_code == 200

    cancelled = api.post("/api/v1/manage/order/cancel/", {"reason": "plans changed"}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == S.CANCELLED
    # cancelling twice is refused with the reason, nothing changes
    assert_error(api.post("/api/v1/manage/order/cancel/", {}, format="json"), 409)


def test_the_session_opens_one_order_only_and_ends_with_the_links(ref):
    order = without_account(make_order(ref, S.BOOKED))
    api = _session(order)
    # the session token is no key to the rest of the API
    assert api.get("/api/v1/orders/").status_code in (401, 403)
    assert api.post("/api/v1/manage/order/revoke/").status_code == 204
    assert_error(api.get("/api/v1/manage/order/"), 401)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"link": "AP123.x.y"},
        {"code": "AP00000000", "birth_date": "1990-05-17"},
        {"code": "AP00000000", "nik_last4": "12a4"},
        {"link": "é" * 90},
    ],
)
def test_bad_requests_for_a_code_get_a_json_error(ref, body):
    response = APIClient().post("/api/v1/manage/codes/", body, format="json")
    assert_error(response, 404 if body.get("link") or "birth_date" in body else 400)


def test_a_wrong_code_or_challenge_opens_nothing(ref):
    order = without_account(make_order(ref, S.BOOKED))
    client = APIClient()
    asked = client.post(
        "/api/v1/manage/codes/", {"code": order.code, "birth_date": "1990-05-17"}, format="json"
    ).json()
    right = sent_code(order)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    assert_error(
        client.post(
            "/api/v1/manage/sessions/",
            {"challenge": asked["challenge"], "one_time_code": wrong},
            format="json",
        ),
        400,
        "code_wrong",
    )
    assert_error(
        client.post(
            "/api/v1/manage/sessions/", {"challenge": "forged", "one_time_code": right}, format="json"
        ),
        400,
    )
    assert_error(APIClient(HTTP_AUTHORIZATION="Manage forged").get("/api/v1/manage/order/"), 401)
