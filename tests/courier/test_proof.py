"""The one-time delivery code, delivery with proof, stand-ins, and bad input."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from core.exceptions import InvalidTransition, NotAllowed, ValidationFailed
from delivery.choices import DeliveryStatus as S
from delivery.choices import receiver_text
from delivery.courier import proof
from delivery.handoff import codes
from delivery.models import DeliveryCode, DeliveryEvent, ProofOfDelivery
from delivery.notifications.services import delivery_event_notify
from tests.courier.helpers import image_data_url
from tests.factories import make_order


def deliver(order, actor, **kwargs):
    defaults = {
        "receiver_kind": "applicant",
        "id_type": "ktp",
        "id_last_four": "0001",
        "signature": image_data_url(),
    }
    defaults.update(kwargs)
    return proof.delivery_order_deliver_with_proof(order_code=order.code, actor=actor, **defaults)


def test_the_code_is_made_at_the_delivery_section_kept_encrypted_and_mailed_once(ref):
    # given an order handed to the delivery section
    order = make_order(ref, S.WITH_DELIVERY_SECTION)
    code = codes.delivery_code_reveal(order_id=order.pk)
    row = DeliveryCode.objects.get(order=order)

    # then it is five digits and a check digit, stored only encrypted
    assert len(code) == 6 and code.isdigit() and codes.damm_valid(code)
    assert row.check_digit == "damm"
    assert code not in row.code_encrypted

    # and the mail about that handoff carries the code, in one mail for the event
    event = DeliveryEvent.objects.get(order=order, to_status=S.WITH_DELIVERY_SECTION)
    assert event.payload["delivery_code_issued"] is True
    mail.outbox.clear()
    delivery_event_notify(event_id=event.pk)
    assert len(mail.outbox) == 1
    assert f"Kode pengantaran sekali pakai Anda: {code}" in mail.outbox[0].body

    # and dispatching does not make a second code
    dispatched = make_order(ref, S.OUT_FOR_DELIVERY)
    assert DeliveryCode.objects.filter(order=dispatched).count() == 1
    assert "delivery_code_issued" not in dispatched.events.get(to_status=S.OUT_FOR_DELIVERY).payload


def test_delivery_with_the_right_code_stores_proof_and_uses_the_code(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    courier = order.courier.user
    code = codes.delivery_code_reveal(order_id=order.pk)
    device_time = timezone.now() - dt.timedelta(minutes=1)

    result = deliver(
        order,
        courier,
        code=code,
        photo=image_data_url("JPEG", (800, 600)),
        latitude="-5.135399",
        longitude="119.423790",
        device_time=device_time,
    )

    assert result.order.status == S.DELIVERED
    assert result.event.device_time == device_time
    # Where the courier stood is personal: beside the event, not in it (retention clears it).
    assert result.event.personal.location == "-5.135399,119.423790"
    assert result.event.location == courier.office.name
    stored = ProofOfDelivery.objects.get(order=order)
    assert stored.receiver_kind == "applicant"
    assert stored.receiver_name == order.application.applicant.full_name
    assert stored.signature.read().startswith(b"\x89PNG")
    assert stored.photo.size > 0
    assert DeliveryCode.objects.get(order=order).used_at is not None


def test_a_wrong_code_is_refused_and_nothing_is_written(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    events = order.events.count()
    right = codes.delivery_code_reveal(order_id=order.pk)
    wrong = "000000" if right != "000000" else "111111"

    with pytest.raises(ValidationFailed) as refused:
        deliver(order, order.courier.user, code=wrong)

    assert refused.value.code == "wrong_code"
    assert "Kode pengantaran salah" in str(refused.value.message)
    order.refresh_from_db()
    assert order.status == S.OUT_FOR_DELIVERY
    assert order.events.count() == events
    assert not ProofOfDelivery.objects.filter(order=order).exists()


def test_a_used_code_is_refused(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    DeliveryCode.objects.filter(order=order).update(used_at=timezone.now())
    with pytest.raises(InvalidTransition) as refused:
        deliver(order, order.courier.user, code=codes.delivery_code_reveal(order_id=order.pk))
    assert refused.value.code == "code_used"


def test_a_stand_in_receives_with_the_code_the_id_and_the_authorisation_photo(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    result = deliver(
        order,
        order.courier.user,
        receiver_kind="stand_in",
        code=codes.delivery_code_reveal(order_id=order.pk),
        id_type="sim",
        id_last_four="b12x",
        stand_in=proof.StandIn(
            name="Rina Marlina", relation="Kakak", authorisation_photo=image_data_url("JPEG", (600, 800))
        ),
    )

    assert result.order.status == S.DELIVERED
    stored = ProofOfDelivery.objects.get(order=order)
    assert (stored.receiver_name, stored.relation, stored.id_type, stored.id_last_four) == (
        "Rina Marlina",
        "Kakak",
        "sim",
        "B12X",
    )
    assert stored.authorisation_seen and stored.authorisation_photo.size > 0
    assert DeliveryCode.objects.get(order=order).used_at is not None
    assert result.event.payload["receiver_kind"] == "stand_in"
    assert "B12X" not in str(result.event.payload)
    assert (
        receiver_text(kind=stored.receiver_kind, name=stored.receiver_name, relation=stored.relation)
        == "wakil: Kakak (Rina Marlina)"
    )


def test_the_applicant_shows_an_id_too(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    code = codes.delivery_code_reveal(order_id=order.pk)
    with pytest.raises(ValidationFailed) as refused:
        deliver(order, order.courier.user, code=code, id_type="", id_last_four="12")
    assert set(refused.value.fields) == {"id_type", "id_last_four"}
    deliver(order, order.courier.user, code=code, id_type="passport_copy", id_last_four="C123")
    stored = ProofOfDelivery.objects.get(order=order)
    assert (stored.id_type, stored.id_last_four) == ("passport_copy", "C123")


def test_a_stand_in_without_the_authorisation_photo_is_refused(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    with pytest.raises(ValidationFailed) as refused:
        deliver(
            order,
            order.courier.user,
            receiver_kind="stand_in",
            code=codes.delivery_code_reveal(order_id=order.pk),
            stand_in=proof.StandIn(name="Rina", relation="Kakak"),
        )
    assert refused.value.code == "authorisation_required"
    assert "surat kuasa tertulis" in str(refused.value.message)
    assert list(refused.value.fields) == ["authorisation_photo"]
    assert not ProofOfDelivery.objects.filter(order=order).exists()
    assert DeliveryCode.objects.get(order=order).used_at is None


def test_a_stand_in_needs_the_applicants_code_too(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    with pytest.raises(ValidationFailed) as refused:
        deliver(
            order,
            order.courier.user,
            receiver_kind="stand_in",
            code="",
            stand_in=proof.StandIn(name="Rina", relation="Kakak", authorisation_photo=image_data_url("JPEG")),
        )
    assert refused.value.code == "wrong_code"


@pytest.mark.parametrize(
    ("photo", "message"),
    [
        ("data:image/jpeg;base64," + "QUJD" * 10, "bukan gambar"),
        (image_data_url("PNG", (200, 200), noise=True), None),
    ],
)
def test_a_photo_that_is_not_an_image_or_too_large_is_refused(ref, settings, photo, message):
    settings.COURIER_PHOTO_MAX_BYTES = 20_000
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    code = codes.delivery_code_reveal(order_id=order.pk)
    with pytest.raises(ValidationFailed) as refused:
        deliver(order, order.courier.user, code=code, photo=photo)
    assert "photo" in refused.value.fields
    assert (message or "terlalu besar") in str(refused.value.message)
    order.refresh_from_db()
    assert order.status == S.OUT_FOR_DELIVERY


def test_an_order_of_another_courier_is_refused(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY, courier="kurir")
    with pytest.raises(NotAllowed) as refused:
        deliver(order, ref["couriers"]["kurir2"].user, code="123456")
    assert refused.value.code == "not_your_run"


def test_an_update_made_before_the_last_change_is_refused(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    last = order.events.latest("occurred_at", "pk").occurred_at
    with pytest.raises(InvalidTransition) as refused:
        proof.delivery_order_courier_fail(
            order_code=order.code,
            actor=order.courier.user,
            reason="not_at_home",
            device_time=last - dt.timedelta(hours=1),
        )
    assert refused.value.code == "stale_update"
