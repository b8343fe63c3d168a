"""The courier API: Idempotency-Key, refusals as JSON, device and received times."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from core.models import IdempotencyRecord
from delivery.choices import DeliveryStatus as S
from delivery.handoff import codes
from delivery.handoff import transitions as t
from delivery.models import DeliveryEvent
from tests.courier.helpers import courier_client, image_data_url, post
from tests.factories import make_order


def test_the_same_key_gets_the_same_answer_and_no_second_event(ref):
    order = make_order(ref, S.WITH_DELIVERY_SECTION)
    client = courier_client(order.courier.user)
    key = str(uuid.uuid4())
    device_time = (timezone.now() - dt.timedelta(minutes=3)).replace(microsecond=0)

    first = post(client, order.code, "dispatch", {"device_time": device_time.isoformat()}, key=key)
    again = post(client, order.code, "dispatch", {"device_time": device_time.isoformat()}, key=key)

    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    events = DeliveryEvent.objects.filter(order=order, to_status=S.OUT_FOR_DELIVERY)
    assert events.count() == 1
    assert events.get().device_time == device_time
    assert events.get().occurred_at > device_time  # received later than made on the phone
    assert IdempotencyRecord.objects.filter(key=key).count() == 1


def test_a_new_key_for_the_same_update_is_refused_by_the_state_machine(ref):
    order = make_order(ref, S.WITH_DELIVERY_SECTION)
    client = courier_client(order.courier.user)
    assert post(client, order.code, "dispatch", {}).status_code == 200
    second = post(client, order.code, "dispatch", {})
    assert second.status_code == 409
    assert second.json()["code"] == "invalid_transition"


def test_an_update_without_a_key_is_refused(ref):
    order = make_order(ref, S.WITH_DELIVERY_SECTION)
    response = courier_client(order.courier.user).post(
        f"/api/v1/courier/orders/{order.code}/dispatch/", {}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_required"
    order.refresh_from_db()
    assert order.status == S.WITH_DELIVERY_SECTION


def test_a_refusal_is_stored_and_replayed_for_the_same_key(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    client = courier_client(order.courier.user)
    t.delivery_order_cancel_delivery(order_id=order.pk, actor=ref["users"]["pos.antaran"], reason="x")
    key = str(uuid.uuid4())
    first = post(client, order.code, "fail", {"reason": "not_at_home"}, key=key)
    again = post(client, order.code, "fail", {"reason": "not_at_home"}, key=key)
    assert first.status_code == again.status_code == 409
    assert "Dibatalkan" in first.json()["message"]
    assert first.json() == again.json()


def test_deliver_by_code_over_the_api(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    client = courier_client(order.courier.user)
    code = codes.delivery_code_reveal(order_id=order.pk)
    response = post(
        client,
        order.code,
        "deliver",
        {
            "receiver_kind": "applicant",
            "id_type": "ktp",
            "id_last_four": "0001",
            "code": code,
            "signature": image_data_url(),
            "photo": image_data_url("JPEG"),
        },
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "delivered"
    reused = post(
        client,
        order.code,
        "deliver",
        {
            "receiver_kind": "applicant",
            "id_type": "ktp",
            "id_last_four": "0001",
            "code": code,
            "signature": image_data_url(),
        },
    )
    assert reused.status_code == 409
    assert reused.json()["message"] == "Kode pengantaran ini sudah dipakai."


def test_a_signature_that_is_not_a_png_is_refused(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    client = courier_client(order.courier.user)
    response = post(
        client,
        order.code,
        "deliver",
        {
            "receiver_kind": "applicant",
            "id_type": "ktp",
            "id_last_four": "0001",
            "code": codes.delivery_code_reveal(order_id=order.pk),
            "signature": image_data_url("JPEG"),
        },
    )
    assert response.status_code == 400
    assert "signature" in response.json()["fields"]


def test_another_couriers_order_is_refused_with_a_clear_message(ref):
    order = make_order(ref, S.WITH_DELIVERY_SECTION, courier="kurir")
    response = post(courier_client(ref["couriers"]["kurir2"].user), order.code, "dispatch", {})
    assert response.status_code == 403
    assert response.json()["message"] == "Pesanan ini tidak ada dalam rute Anda."


def test_the_generic_move_endpoint_sends_deliveries_to_the_courier_app(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    response = courier_client(order.courier.user).post(
        f"/api/v1/orders/{order.code}/moves/", {"action": "deliver"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "use_courier_app"
    order.refresh_from_db()
    assert order.status == S.OUT_FOR_DELIVERY


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("id", "Wakil penerima wajib membawa surat kuasa tertulis dari pemohon"),
        ("en", "A stand-in needs the applicant's written authorisation"),
    ],
)
def test_a_stand_in_without_the_authorisation_photo_is_refused_over_the_api(ref, language, message):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    client = courier_client(order.courier.user)
    response = client.post(
        f"/api/v1/courier/orders/{order.code}/deliver/",
        {
            "receiver_kind": "stand_in",
            "code": codes.delivery_code_reveal(order_id=order.pk),
            "id_type": "ktp",
            "id_last_four": "4321",
            "stand_in_name": "Rina Marlina",
            "stand_in_relation": "Kakak",
            "signature": image_data_url(),
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "authorisation_required" and message in body["message"]
    order.refresh_from_db()
    assert order.status == S.OUT_FOR_DELIVERY


@pytest.mark.parametrize(
    ("accept_language", "user_language", "label"),
    [
        ("en", "id", "Out for delivery"),  # the request asks: the request's language
        ("id", "en", "Sedang diantar"),
        (None, "en", "Out for delivery"),  # it does not: the courier's own language
        (None, "id", "Sedang diantar"),
    ],
)
def test_the_courier_api_answers_in_the_language_asked_or_the_couriers(
    ref, accept_language, user_language, label
):
    order = make_order(ref, S.WITH_DELIVERY_SECTION)
    user = order.courier.user
    user.language = user_language
    user.save(update_fields=["language"])
    extra = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
    response = courier_client(user).post(
        f"/api/v1/courier/orders/{order.code}/dispatch/",
        {},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        **extra,
    )
    assert response.status_code == 200 and response.json()["status_label"] == label
