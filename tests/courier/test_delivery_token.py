"""The signed delivery token: the QR code of the applicant's order page proves the delivery instead of
the code. The server verifies it and alone decides: a forged, expired, reused or other order's token
is refused with a clear message and counted like a wrong code (problems queue, applicant told)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from core.exceptions import InvalidTransition, ValidationFailed
from delivery.choices import DeliveryStatus as S
from delivery.choices import ProofMethod
from delivery.courier import proof
from delivery.handoff import tokens
from delivery.models import DeliveryCode, DeliveryCodeAttempt, ProblemKind, ProofOfDelivery
from delivery.problems.selectors import problems_queue
from tests.courier.helpers import courier_client, post
from tests.courier.test_proof import deliver
from tests.factories import make_order, personal_link_in

pytestmark = pytest.mark.django_db

# Another Ed25519 key: a token it signs is a forgery to the portal.
FORGER_KEY = "8Jd0Tq6dQAn1H6iVf0gR4uN1tJ5y3xQk6M3aV2cW9Zk="


def _token(order) -> str:
    issued = tokens.delivery_token_issue(order=order)
    assert issued is not None
    return issued.token


def _refused_counted(ref, order, error, message_id: str) -> None:
    assert error.code == "wrong_token"
    assert str(error.message) == message_id
    order.refresh_from_db()
    assert order.status == S.OUT_FOR_DELIVERY
    assert not ProofOfDelivery.objects.filter(order=order).exists()
    assert DeliveryCode.objects.get(order=order).failed_attempts == 1
    assert DeliveryCodeAttempt.objects.filter(order=order).count() == 1
    queue = problems_queue(ref["users"]["manajer.pos"])
    assert queue.filter(order=order, kind=ProblemKind.CODE_REFUSED).count() == 1


def test_a_valid_token_delivers_and_the_proof_says_so(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    token = _token(order)
    assert len(token) < 160  # a small QR code

    deliver(order, order.courier.user, token=token)

    order.refresh_from_db()
    assert order.status == S.DELIVERED
    assert ProofOfDelivery.objects.get(order=order).proof_method == ProofMethod.TOKEN
    assert DeliveryCode.objects.get(order=order).used_at is not None
    # the order page tells the staff how the delivery was proved
    from django.test import Client

    staff = Client()
    staff.force_login(ref["users"]["pos.antaran"])
    page = staff.get(f"/orders/{order.code}/").content.decode()
    assert 'dibuktikan dengan: <span id="proof-method">Kode QR bertanda tangan</span>' in page


def test_the_code_path_records_the_code(ref):
    from delivery.handoff import codes

    order = make_order(ref, S.OUT_FOR_DELIVERY)
    deliver(order, order.courier.user, code=codes.delivery_code_reveal(order_id=order.pk))

    assert ProofOfDelivery.objects.get(order=order).proof_method == ProofMethod.CODE


def test_a_forged_token_is_refused_and_counted(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    with override_settings(DELIVERY_TOKEN_SIGNING_KEY=FORGER_KEY):
        forged = _token(order)
    # the same order, attempt and day, signed with a key that is not the portal's
    assert forged != _token(order)

    with pytest.raises(ValidationFailed) as refused:
        deliver(order, order.courier.user, token=forged)

    _refused_counted(ref, order, refused.value, str(tokens.TOKEN_FORGED))


def test_a_tampered_token_is_refused(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    other = make_order(ref, S.OUT_FOR_DELIVERY)
    payload, signature = _token(order).split(".")
    other_payload = _token(other).split(".")[0]

    with pytest.raises(ValidationFailed) as refused:
        deliver(other, other.courier.user, token=f"{other_payload}.{signature}")
    assert refused.value.code == "wrong_token"
    with pytest.raises(ValidationFailed):
        deliver(order, order.courier.user, token="not-a-token")


def test_an_expired_token_is_refused_and_counted(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    yesterday = tokens.delivery_token_sign(
        order_code=order.code,
        attempt=tokens.delivery_attempt_number(order),
        expires_at=timezone.now() - dt.timedelta(minutes=1),
    )

    with pytest.raises(ValidationFailed) as refused:
        deliver(order, order.courier.user, token=yesterday)

    _refused_counted(ref, order, refused.value, str(tokens.TOKEN_EXPIRED))


def test_the_token_expires_at_the_end_of_the_delivery_day(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    issued = tokens.delivery_token_issue(order=order)
    local = timezone.localtime(issued.expires_at)
    assert (local.hour, local.minute, local.second) == (23, 59, 59)
    tokens.delivery_token_check(order=order, token=issued.token, now=issued.expires_at)
    with pytest.raises(ValidationFailed):
        tokens.delivery_token_check(
            order=order, token=issued.token, now=issued.expires_at + dt.timedelta(seconds=2)
        )


def test_a_token_of_another_order_is_refused_and_counted(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    other = make_order(ref, S.OUT_FOR_DELIVERY)

    with pytest.raises(ValidationFailed) as refused:
        deliver(order, order.courier.user, token=_token(other))

    _refused_counted(ref, order, refused.value, str(tokens.TOKEN_OTHER_ORDER))


def test_a_token_of_an_earlier_attempt_is_refused(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    first = _token(order)
    courier = order.courier.user
    proof.delivery_order_courier_fail(order_code=order.code, actor=courier, reason="not_at_home")
    proof.delivery_order_courier_dispatch(order_code=order.code, actor=courier)
    order.refresh_from_db()
    assert _token(order) != first

    with pytest.raises(ValidationFailed) as refused:
        deliver(order, courier, token=first)

    assert str(refused.value.message) == str(tokens.TOKEN_OLD_ATTEMPT)


def test_a_used_token_is_refused(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    token = _token(order)
    deliver(order, order.courier.user, token=token)

    with pytest.raises(InvalidTransition) as refused:
        deliver(order, order.courier.user, token=token)

    assert refused.value.code == "code_used"


def test_the_deliver_api_takes_the_token_and_refuses_a_forged_one_in_both_languages(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    client = courier_client(order.courier.user)
    with override_settings(DELIVERY_TOKEN_SIGNING_KEY=FORGER_KEY):
        forged = _token(order)
    body = {"receiver_kind": "applicant", "id_type": "ktp", "id_last_four": "0001"}
    from tests.courier.helpers import image_data_url

    body["signature"] = image_data_url()

    refused = post(client, order.code, "deliver", {**body, "token": forged})
    assert refused.status_code == 400, refused.content
    assert refused.json()["code"] == "wrong_token"
    assert "QR ini bukan dari portal" in refused.json()["message"]
    client.cookies["django_language"] = "en"
    again = post(client, order.code, "deliver", {**body, "token": forged})
    assert "was not issued by the portal" in again.json()["message"]

    delivered = post(client, order.code, "deliver", {**body, "token": _token(order)})
    assert delivered.status_code == 200, delivered.content
    assert delivered.json()["status"] == S.DELIVERED


def test_the_applicant_gets_the_token_of_their_own_order_only(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    other = make_order(ref, S.OUT_FOR_DELIVERY)
    owner = order.application.applicant.user
    client = APIClient()
    client.force_authenticate(owner)

    mine = client.get(f"/api/v1/orders/{order.code}/delivery-token/")
    assert mine.status_code == 200, mine.content
    assert mine.json()["token"] == _token(order)
    assert mine.json()["qr_png"].startswith("data:image/png;base64,")
    assert mine["Cache-Control"] == "no-store"
    page = Client()
    page.force_login(owner)
    shown = page.get(f"/orders/{order.code}/")
    assert _token(order) in shown.content.decode() and "no-store" in shown["Cache-Control"]
    assert _token(other) not in shown.content.decode()
    assert client.get(f"/api/v1/orders/{other.code}/delivery-token/").status_code == 404
    for staff in ("pos.antaran", "pos.layanan", "imigrasi", "kurir", "admin"):
        client.force_authenticate(ref["users"][staff])
        assert client.get(f"/api/v1/orders/{order.code}/delivery-token/").status_code == 404, staff


def test_no_token_before_the_passport_goes_out(ref):
    order = make_order(ref, S.WITH_DELIVERY_SECTION)
    client = APIClient()
    client.force_authenticate(order.application.applicant.user)

    answer = client.get(f"/api/v1/orders/{order.code}/delivery-token/")

    assert answer.status_code == 409
    assert answer.json()["code"] == "not_out_for_delivery"


def test_the_out_for_delivery_message_links_to_the_qr_code(ref):
    from django.utils import translation

    from delivery.models import DeliveryEvent
    from delivery.notifications.texts import mail_lines

    order = make_order(ref, S.OUT_FOR_DELIVERY)
    event = DeliveryEvent.objects.get(order=order, to_status=S.OUT_FOR_DELIVERY)

    with translation.override("id"):
        text = "\n".join(mail_lines(event))

    assert "kode QR di halaman pengiriman Anda" in text
    personal_link_in(text, order)
    assert _token(order) not in text  # the token itself never travels in a message or a URL


def test_after_a_key_rotation_a_token_of_the_old_key_still_delivers(ref, client):
    import base64

    order = make_order(ref, S.OUT_FOR_DELIVERY)
    old_token = _token(order)
    old_kid = tokens.delivery_token_public_keys()[0]["kid"]
    old_public = base64.b64encode(
        base64.urlsafe_b64decode(tokens.delivery_token_public_keys()[0]["key"] + "=")
    ).decode()

    with override_settings(
        DELIVERY_TOKEN_SIGNING_KEY=FORGER_KEY, DELIVERY_TOKEN_OLD_PUBLIC_KEYS=[old_public]
    ):
        # the run page ships both public keys, the new one first
        keys = tokens.delivery_token_public_keys()
        assert [key["kid"] for key in keys][1:] == [old_kid] and keys[0]["kid"] != old_kid
        assert _token(order) != old_token
        deliver(order, order.courier.user, token=old_token)

    assert ProofOfDelivery.objects.get(order=order).proof_method == ProofMethod.TOKEN
