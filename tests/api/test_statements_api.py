"""The daily statements over the API: build, read, approve per agency, dispute; every refusal is a
4xx with the one error body, never a 500."""

from __future__ import annotations

import datetime as dt

from rest_framework.test import APIClient

from delivery.choices import DeliveryStatus as S
from delivery.models import Problem
from delivery.money.statements import today
from tests.factories import earlier_today, make_order, second_office_ref


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


URL = "/api/v1/money/statements/"


def test_the_pos_manager_builds_and_both_approve_over_the_api(ref):
    order = make_order(ref, S.BOOKED, at=earlier_today(1))
    pos = as_user(ref["users"]["manajer.pos"])
    imigrasi = as_user(ref["users"]["manajer.imigrasi"])

    built = pos.post(URL, {"day": today().isoformat()}, format="json")
    assert built.status_code == 201, built.json()
    body = built.json()
    assert body["state_fees"] == order.application.billing_code.amount
    assert body["lines"][0]["billing_code"] == order.application.billing_code.code
    assert body["settlement"] == "matched"
    statement = body["id"]

    # the Imigrasi manager builds the same statement again: the one of the Pos office serving them
    again = imigrasi.post(URL, {"day": today().isoformat()}, format="json")
    assert (again.status_code, again.json()["id"], again.json()["builds"]) == (201, statement, 2)

    first = pos.post(f"{URL}{statement}/approval/", {"agency": "pos"}, format="json")
    assert (first.status_code, first.json()["status"]) == (200, "pos_approved")
    twice = pos.post(f"{URL}{statement}/approval/", {"agency": "pos"}, format="json")
    assert (twice.status_code, twice.json()["code"]) == (409, "already_approved")
    wrong = imigrasi.post(f"{URL}{statement}/approval/", {"agency": "pos"}, format="json")
    assert (wrong.status_code, wrong.json()["code"]) == (403, "wrong_agency")
    rebuilt = pos.post(URL, {"day": today().isoformat()}, format="json")
    assert (rebuilt.status_code, rebuilt.json()["code"]) == (409, "statement_approved")
    second = imigrasi.post(f"{URL}{statement}/approval/", {"agency": "imigrasi"}, format="json")
    assert (second.status_code, second.json()["status"]) == (200, "approved")
    steps = [step["transition"] for step in second.json()["steps"]]
    assert steps == ["build", "rebuild", "approve_pos", "approve_imigrasi_second"]

    listed = pos.get(URL, {"day": today().isoformat()})
    assert [row["id"] for row in listed.json()] == [statement]


def test_a_dispute_over_the_api_reaches_both_queues(ref):
    make_order(ref, S.BOOKED, at=earlier_today(1))
    pos = as_user(ref["users"]["manajer.pos"])
    statement = pos.post(URL, {"day": today().isoformat()}, format="json").json()
    line = statement["lines"][0]["id"]

    disputed = pos.post(
        f"{URL}{statement['id']}/disputes/", {"line": line, "reason": "Not ours"}, format="json"
    )
    assert (disputed.status_code, disputed.json()["status"]) == (201, "disputed")
    queue = as_user(ref["users"]["manajer.imigrasi"]).get("/api/v1/problems/").json()
    assert [p["kind"] for p in queue if p["statement"] == statement["id"]] == ["statement_disputed"]
    assert Problem.objects.filter(statement_id=statement["id"]).count() == 2

    # settled by the other agency's manager: off both queues, built again, open for approvals
    dispute = next(step["id"] for step in disputed.json()["steps"] if step["transition"] == "dispute")
    imigrasi = as_user(ref["users"]["manajer.imigrasi"])
    settle = f"{URL}{statement['id']}/disputes/{dispute}/settlement/"
    assert imigrasi.post(settle, {"note": ""}, format="json").status_code == 400
    settled = imigrasi.post(settle, {"note": "Checked with the bank: the line is right."}, format="json")
    assert (settled.status_code, settled.json()["status"]) == (200, "open"), settled.content
    assert [step["transition"] for step in settled.json()["steps"]][-2:] == ["settle", "rebuild"]
    assert not [p for p in imigrasi.get("/api/v1/problems/").json() if p["statement"] == statement["id"]]
    again = imigrasi.post(settle, {"note": "again"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "already_settled"), again.content
    missing = imigrasi.post(
        f"{URL}{statement['id']}/disputes/999999/settlement/", {"note": "x"}, format="json"
    )
    assert (missing.status_code, missing.json()["code"]) == (404, "no_such_dispute")


def test_bad_input_and_other_offices_get_a_4xx_with_the_error_body(ref):
    make_order(ref, S.BOOKED, at=earlier_today(1))
    pos = as_user(ref["users"]["manajer.pos"])
    statement = pos.post(URL, {"day": today().isoformat()}, format="json").json()["id"]
    other = second_office_ref(ref)
    stranger = as_user(other["users"]["manajer.pos"])
    clerk = as_user(ref["users"]["pos.layanan"])
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()

    cases = [
        (pos.post(URL, {"day": "31-12-2026"}, format="json"), 400),
        (pos.post(URL, {"day": tomorrow}, format="json"), 400),
        (pos.post(URL, {}, format="json"), 400),
        (pos.get(URL, {"day": "yesterday"}), 400),
        (pos.post(f"{URL}{statement}/approval/", {"agency": "bank"}, format="json"), 400),
        (pos.post(f"{URL}{statement}/approval/", ["pos"], format="json"), 400),
        (pos.post(f"{URL}{statement}/disputes/", {"line": 999999, "reason": "x"}, format="json"), 400),
        (pos.post(f"{URL}{statement}/disputes/", {"line": "one", "reason": "x"}, format="json"), 400),
        (pos.post(f"{URL}{statement}/disputes/", {"reason": "no line"}, format="json"), 400),
        (pos.get(f"{URL}999999/"), 404),
        (stranger.get(f"{URL}{statement}/"), 404),
        (stranger.post(f"{URL}{statement}/approval/", {"agency": "pos"}, format="json"), 404),
        (clerk.get(URL), 403),
        (clerk.post(f"{URL}{statement}/approval/", {"agency": "pos"}, format="json"), 403),
        (
            as_user(ref["users"]["admin"]).post(
                URL, {"day": today().isoformat(), "pos_office": 999999}, format="json"
            ),
            404,
        ),
    ]
    for response, expected in cases:
        assert response.status_code == expected, (response.request, response.content)
        assert "message" in response.json() and "code" in response.json()
    assert stranger.get(URL).json() == []
