"""The applicant's API: online booking, payment and status, tracking lookup, address change, cancel."""

import uuid

import pytest
from rest_framework.test import APIClient

from delivery.booking.online import online_booking_settle
from delivery.choices import DeliveryStatus as S
from delivery.models import DeliveryOrder, OnlineBooking
from tests.applicant.helpers import BORN, data_url, make_billed_application, signature_png
from tests.factories import make_applicant_user, make_order


def booking_body(application, **overrides):
    body = {
        "billing_code": application.billing_code.code,
        "birth_date": BORN.isoformat(),
        "destination_kind": "home",
        "address": "Jl. Sultan Hasanuddin No. 8, Makassar",
        "area": "gowa",
        "recipient_phone": "081355512345",
        "recipient_email": "daring@example.test",
        "signature": data_url(signature_png()),
    }
    body.update(overrides)
    return body


def test_an_applicant_books_pays_and_follows_the_booking_without_an_account(
    ref, django_capture_on_commit_callbacks
):
    application = make_billed_application(ref)
    client = APIClient()
    key = str(uuid.uuid4())
    created = client.post(
        "/api/v1/bookings/", booking_body(application), format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert created.status_code == 201, created.json()
    token = created.json()["token"]
    assert created.json()["total"] == application.fee_amount + ref["areas"]["gowa"].delivery_fee
    # the same key replays the answer and writes nothing more
    again = client.post(
        "/api/v1/bookings/", booking_body(application), format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert again.json()["token"] == token and OnlineBooking.objects.count() == 1

    with django_capture_on_commit_callbacks():
        paying = client.post(f"/api/v1/bookings/{token}/pay/", format="json")
    assert paying.status_code == 202 and paying.json()["status"] == "paying"
    online_booking_settle(booking_id=OnlineBooking.objects.get().pk)  # what the worker does
    status = client.get(f"/api/v1/bookings/{token}/").json()
    assert status["status"] == "booked"
    assert DeliveryOrder.objects.get(code=status["order"]).application == application


@pytest.mark.parametrize(
    ("overrides", "http", "field"),
    [
        ({"birth_date": "1991-03-15"}, 404, None),
        ({"area": "jakarta"}, 400, "area"),
        ({"signature": data_url(b"not an image")}, 400, "signature"),
        ({"billing_code": "12"}, 400, "billing_code"),
    ],
)
def test_bad_booking_input_gets_the_shared_error_shape(ref, overrides, http, field):
    application = make_billed_application(ref)
    response = APIClient().post("/api/v1/bookings/", booking_body(application, **overrides), format="json")
    assert response.status_code == http
    body = response.json()
    assert set(body) == {"code", "message", "fields"} and body["message"]
    if field:
        assert field in body["fields"]
    assert not OnlineBooking.objects.exists()


def test_tracking_lookup_by_nik_digits_and_by_date_of_birth(ref):
    order = make_order(ref, S.DOSSIER_HANDED, birth_date=BORN)
    client = APIClient()
    by_nik = client.post(
        "/api/v1/track/",
        {"code": order.code, "nik_last4": order.application.applicant.nik[-4:]},
        format="json",
    )
    assert by_nik.status_code == 200
    assert by_nik.json()["status"] == "dossier_handed" and len(by_nik.json()["steps"]) == 7
    assert order.application.applicant.nik not in by_nik.content.decode()
    assert (
        client.post(
            "/api/v1/track/", {"code": order.code, "birth_date": BORN.isoformat()}, format="json"
        ).status_code
        == 200
    )
    wrong = client.post("/api/v1/track/", {"code": order.code, "birth_date": "2001-01-01"}, format="json")
    assert wrong.status_code == 404 and wrong.json()["code"] == "no_match"


def test_the_applicant_changes_the_address_and_cancels_through_the_api(ref):
    owner = make_applicant_user()
    order = make_order(ref, S.BOOKED, owner=owner)
    client = APIClient()
    client.force_authenticate(owner)
    maros = ref["areas"]["maros"]
    changed = client.post(
        f"/api/v1/orders/{order.code}/address/",
        {
            "destination_kind": "office",
            "address": "Kantor Bupati Maros, Jl. Asoka",
            "area": "maros",
            "expected_fee": maros.delivery_fee,
        },
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["difference"] == maros.delivery_fee - ref["areas"]["makassar"].delivery_fee
    cancelled = client.post(
        f"/api/v1/orders/{order.code}/cancel/", {"reason": "plans changed"}, format="json"
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    late = client.post(
        f"/api/v1/orders/{order.code}/address/",
        {
            "destination_kind": "home",
            "address": "Jl. Lain No. 1, Makassar",
            "area": "makassar",
            "expected_fee": 20000,
        },
        format="json",
    )
    assert late.status_code == 409 and late.json()["code"] == "already_released"


def test_someone_else_cannot_cancel(ref):
    order = make_order(ref, S.BOOKED)
    client = APIClient()
    client.force_authenticate(make_applicant_user())
    assert client.post(f"/api/v1/orders/{order.code}/cancel/", {}, format="json").status_code == 404
