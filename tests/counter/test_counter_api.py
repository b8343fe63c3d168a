"""The counter actions through /api/v1/: the same services, the same refusals as JSON."""

import pytest
import yaml
from rest_framework.test import APIClient

from delivery.choices import DeliveryStatus as S
from delivery.models import Batch
from passports import services as ps
from passports.models import PaymentRequest
from tests.factories import make_order

pytestmark = pytest.mark.django_db


def client_for(user):
    client = APIClient()
    client.force_login(user)  # session login: the API and the document pages
    return client


APPLICATION = {
    "full_name": "Nur Fadilah",
    "birth_place": "Maros",
    "birth_date": "1995-07-01",
    "address": "Jl. Poros Maros 3",
    "nik": "7371000000000077",
    "phone": "081234567891",
    "passport_type": "biasa-24",
    "requirements": ["ktp", "kk", "civil_document"],
}


def test_steps_one_to_five_through_the_api(ref, django_capture_on_commit_callbacks):
    imigrasi, pos = client_for(ref["users"]["imigrasi"]), client_for(ref["users"]["pos.layanan"])

    issued = imigrasi.post("/api/v1/counter/applications/", APPLICATION, format="json")
    assert issued.status_code == 201, issued.json()
    billing = issued.json()
    assert billing["amount"] == 100_000 and len(billing["code"]) == 15

    paying = pos.post("/api/v1/counter/payments/", {"billing_code": billing["code"]}, format="json")
    assert paying.status_code == 202 and paying.json()["status"] == "pending"
    ps.payment_request_settle(request_id=paying.json()["id"])  # what the worker does
    state = pos.get(f"/api/v1/counter/payments/{paying.json()['id']}/").json()
    assert state["status"] == "confirmed" and len(state["ntpn"]) == 16

    twice = pos.post("/api/v1/counter/payments/", {"billing_code": billing["code"]}, format="json")
    assert twice.status_code == 409 and twice.json()["code"] == "already_paid"

    booked = pos.post(
        "/api/v1/counter/bookings/",
        {
            "application_id": billing["application_id"],
            "destination_kind": "home",
            "address": "Jl. Poros Maros 3",
            "area": "maros",
            "recipient_phone": "081234567891",
            "poa_grantee_name": "Sri Wahyuni",
            "poa_grantee_nippos": "995100100",
            "poa_grantee_place": "PT Pos Indonesia Cabang Makassar",
            "fee_received": True,
        },
        format="json",
    )
    assert booked.status_code == 201, booked.json()
    code = booked.json()["code"]

    manifest = pos.post("/api/v1/counter/manifests/", {"orders": [code]}, format="json")
    assert manifest.status_code == 201 and manifest.json()["orders"] == [code]
    assert pos.get(manifest.json()["csv_url"]).content.decode().count(code) == 1

    ready = imigrasi.post(f"/api/v1/orders/{code}/moves/", {"action": "mark_ready"}, format="json")
    assert ready.status_code == 200
    batch = imigrasi.post("/api/v1/counter/batches/", {"codes": [code]}, format="json")
    assert batch.status_code == 201 and batch.json()["status"] == "in_handover"

    ack = pos.post(f"/api/v1/counter/batches/{batch.json()['id']}/acknowledge/")
    assert ack.status_code == 200 and ack.json()["status"] == "received"
    again = pos.post(f"/api/v1/counter/batches/{batch.json()['id']}/acknowledge/")
    assert again.status_code == 409 and again.json()["code"] == "already_acknowledged"
    order = pos.get(f"/api/v1/orders/{code}/").json()
    assert order["status"] == "received_by_pos"


def test_refusals_are_json_with_a_code_and_change_nothing(ref):
    imigrasi, pos = client_for(ref["users"]["imigrasi"]), client_for(ref["users"]["pos.layanan"])
    missing = imigrasi.post(
        "/api/v1/counter/applications/", {**APPLICATION, "requirements": []}, format="json"
    )
    assert missing.status_code == 400 and "requirements" in missing.json()["fields"]
    wrong_role = pos.post("/api/v1/counter/applications/", APPLICATION, format="json")
    assert wrong_role.status_code == 403
    unknown = pos.post("/api/v1/counter/payments/", {"billing_code": "111111111111111"}, format="json")
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_billing_code"
    assert not PaymentRequest.objects.exists()

    ready = make_order(ref, S.PASSPORT_READY)
    first = imigrasi.post("/api/v1/counter/batches/", {"codes": [ready.code]}, format="json")
    assert first.status_code == 201
    second = imigrasi.post("/api/v1/counter/batches/", {"codes": [ready.code]}, format="json")
    assert second.status_code == 409 and second.json()["code"] == "already_released"
    assert Batch.objects.count() == 1
    slipped = pos.post("/api/v1/counter/manifests/", {"orders": [ready.code]}, format="json")
    assert slipped.status_code == 409 and slipped.json()["code"] == "not_booked"


def test_the_schema_describes_the_counter_endpoints(ref):
    response = client_for(ref["users"]["admin"]).get("/api/schema/")
    schema = yaml.safe_load(response.content)
    batches = schema["paths"]["/api/v1/counter/batches/"]["post"]
    assert "Imigrasi releases" in batches["summary"]
    assert set(batches["responses"]) >= {"201", "400", "403", "404", "409"}
    assert "/api/v1/counter/batches/{id}/acknowledge/" in schema["paths"]
    assert "/api/v1/problems/" in schema["paths"]


def test_a_payment_request_is_seen_only_at_the_office_that_took_it(ref):
    from accounts.choices import Role
    from tests.factories import OfficeFactory, UserFactory

    imigrasi, pos = client_for(ref["users"]["imigrasi"]), client_for(ref["users"]["pos.layanan"])
    billing = imigrasi.post("/api/v1/counter/applications/", APPLICATION, format="json").json()
    request_id = pos.post(
        "/api/v1/counter/payments/", {"billing_code": billing["code"]}, format="json"
    ).json()["id"]
    stranger = client_for(UserFactory(role=Role.POS_SERVICE_OFFICER, office=OfficeFactory()))
    assert stranger.get(f"/api/v1/counter/payments/{request_id}/").status_code == 404
    assert stranger.get(f"/counter/payments/{request_id}/status/").status_code == 404
    assert pos.get(f"/counter/payments/{request_id}/status/").json()["status"] == "pending"


def test_step_six_and_the_van_log_through_the_api(ref):
    pos = client_for(ref["users"]["pos.layanan"])
    order = make_order(ref, S.RECEIVED_BY_POS, area="gowa")
    courier = ref["couriers"]["kurir"]
    done = pos.post("/api/v1/counter/handover/", {"assignments": {order.code: courier.pk}}, format="json")
    assert done.status_code == 200 and done.json() == {"handed_over": 1}
    assert pos.get(f"/api/v1/orders/{order.code}/").json()["status"] == "with_delivery_section"
    again = pos.post("/api/v1/counter/handover/", {"assignments": {order.code: courier.pk}}, format="json")
    assert again.status_code == 409
    unknown = pos.post("/api/v1/counter/handover/", {"assignments": {"APNOPE": courier.pk}}, format="json")
    assert unknown.status_code == 404

    late = pos.post("/api/v1/counter/van/", {"arrived_at": "2026-11-16T08:00:00+08:00"}, format="json")
    assert late.status_code == 201 and late.json()["minutes_late"] == 30
    twice = pos.post("/api/v1/counter/van/", {"arrived_at": "2026-11-16T07:00:00+08:00"}, format="json")
    assert twice.status_code == 409 and twice.json()["code"] == "already_recorded"
    assert [row["minutes_late"] for row in pos.get("/api/v1/counter/van/").json()] == [30]


def test_a_retried_batch_release_with_the_same_key_gets_the_first_answer(ref):
    imigrasi = client_for(ref["users"]["imigrasi"])
    ready = make_order(ref, S.PASSPORT_READY)
    first = imigrasi.post(
        "/api/v1/counter/batches/", {"codes": [ready.code]}, format="json", HTTP_IDEMPOTENCY_KEY="release-1"
    )
    again = imigrasi.post(
        "/api/v1/counter/batches/", {"codes": [ready.code]}, format="json", HTTP_IDEMPOTENCY_KEY="release-1"
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Batch.objects.count() == 1


@pytest.mark.django_db
def test_imigrasi_acknowledges_a_manifest_through_the_api_and_the_get_shows_each_receipt(ref):
    from delivery.counter.manifest import manifest_hand_over
    from tests.factories import make_order

    a, b = make_order(ref, S.BOOKED), make_order(ref, S.BOOKED)
    manifest = manifest_hand_over(actor=ref["users"]["pos.layanan"], order_ids=[a.pk, b.pk])
    imigrasi, pos = APIClient(), APIClient()
    imigrasi.force_authenticate(ref["users"]["imigrasi"])
    pos.force_authenticate(ref["users"]["pos.layanan"])
    url = f"/api/v1/counter/manifests/{manifest.pk}/acknowledge/"

    refused = imigrasi.post(url, {"codes": [a.code, "AP0000000000"]}, format="json")
    assert refused.status_code == 404 and "AP0000000000" in refused.json()["message"]
    assert pos.post(url, {"codes": [a.code]}, format="json").status_code == 403
    assert imigrasi.post(url, {"codes": []}, format="json").status_code == 400

    done = imigrasi.post(url, {"codes": [a.code]}, format="json")
    assert done.status_code == 200, done.json()
    body = pos.get(f"/api/v1/counter/manifests/{manifest.pk}/").json()
    assert body["status"] == "in_handover"
    receipts = {d["code"]: d for d in body["dossiers"]}
    assert receipts[a.code]["receipt"] == "received"
    assert receipts[a.code]["received_by"] == ref["users"]["imigrasi"].get_full_name()
    assert receipts[b.code]["receipt"] == "in_handover" and receipts[b.code]["received_at"] is None
    again = imigrasi.post(url, {"codes": [a.code, b.code]}, format="json")
    assert again.json()["status"] == "received"
