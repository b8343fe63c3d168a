"""A body larger than the portal accepts is refused with 413 and a message, before anything is read."""

import pytest
from django.test import Client

from delivery.choices import DeliveryStatus as S
from delivery.models import DeliveryEvent
from tests.factories import make_order


@pytest.mark.django_db
def test_an_oversized_api_body_is_refused_with_413_and_a_message_in_json(ref, settings):
    order = make_order(ref, S.WITH_DELIVERY_SECTION, courier="kurir")
    client = Client()
    client.force_login(ref["couriers"]["kurir"].user)
    body = '{"note": "' + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + '"}'

    answer = client.post(
        f"/api/v1/courier/orders/{order.code}/dispatch/",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="big-1",
    )

    assert answer.status_code == 413
    assert answer.json()["code"] == "request_too_large"
    assert "7 MB" in answer.json()["message"]
    assert not DeliveryEvent.objects.filter(order=order, to_status=S.OUT_FOR_DELIVERY).exists()
    english = client.post(
        f"/api/v1/courier/orders/{order.code}/dispatch/",
        body,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert english.json()["message"] == "The request is too large: at most 7 MB may be sent at once."


@pytest.mark.django_db
def test_an_oversized_form_is_refused_with_413_and_a_message(ref, settings):
    client = Client()
    client.force_login(ref["users"]["pos.layanan"])
    answer = client.post(
        "/counter/pay/",
        "billing_code=" + "1" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 413
    assert "MB" in answer.content.decode()
