"""Failed attempts: reason codes, the applicant's mail, and the way back after the last attempt."""

import pytest
from django.core import mail

from core.exceptions import InvalidTransition, ValidationFailed
from delivery.choices import DeliveryStatus as S
from delivery.courier import proof
from delivery.handoff import transitions as t
from delivery.models import DeliveryEvent
from delivery.notifications.services import delivery_event_notify
from tests.factories import make_order, personal_link_in


def fail(order, reason="not_at_home", note=""):
    return proof.delivery_order_courier_fail(
        order_code=order.code, actor=order.courier.user, reason=reason, note=note
    )


def test_a_failed_attempt_mails_the_reason_and_how_to_choose_another_day(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    result = fail(order, reason="address_not_found")
    assert result.event.payload == {"reason": "address_not_found"}

    mail.outbox.clear()
    delivery_event_notify(event_id=result.event.pk)
    body = mail.outbox[0].body
    assert "Alasan: Alamat tidak ditemukan" in body
    assert "Pilih hari lain atau alamat lain di wilayah yang sama di sini: http" in body
    personal_link_in(body, order)


def test_other_reason_needs_the_couriers_words(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    with pytest.raises(ValidationFailed):
        fail(order, reason="other")
    result = fail(order, reason="other", note="Jalan banjir")
    assert result.event.payload == {"reason": "other"}
    assert result.event.personal.details == {"note": "Jalan banjir"}


def test_an_unknown_reason_is_refused(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    with pytest.raises(ValidationFailed):
        fail(order, reason="lazy")


def test_after_the_last_attempt_the_passport_goes_back_to_pos_then_imigrasi(ref, settings):
    settings.DELIVERY_MAX_FAILED_ATTEMPTS = 2
    users = ref["users"]
    order = make_order(ref, S.FAILED_ATTEMPT)  # first attempt failed
    courier = order.courier.user

    # a second try, failing again
    t.delivery_order_dispatch(order_id=order.pk, actor=courier)
    second = fail(order, reason="refused")
    mail.outbox.clear()
    delivery_event_notify(event_id=second.event.pk)
    assert "Paspor sekarang dikembalikan ke Kantor Imigrasi" in mail.outbox[0].body

    # no third try
    with pytest.raises(InvalidTransition) as refused:
        t.delivery_order_dispatch(order_id=order.pk, actor=courier)
    assert refused.value.code == "attempts_exhausted"

    # both handovers acknowledged by the side that receives the passport
    t.delivery_order_return_to_pos(order_id=order.pk, actor=users["pos.layanan"])
    back = t.delivery_order_return_to_office(order_id=order.pk, actor=users["imigrasi"])
    assert back.order.status == S.RETURNED_TO_OFFICE
    roles = list(
        DeliveryEvent.objects.filter(order=order).order_by("pk").values_list("to_status", "actor_role")
    )
    assert roles[-2:] == [
        (S.RETURNED_TO_POS, "pos_service_officer"),
        (S.RETURNED_TO_OFFICE, "imigrasi_officer"),
    ]

    # and the applicant is told where to collect it
    mail.outbox.clear()
    delivery_event_notify(event_id=back.event.pk)
    body = mail.outbox[0].body
    assert "Kantor Imigrasi Kelas I TPI Makassar" in body
    assert "Jl. Perintis Kemerdekaan KM. 13" in body


def test_the_dispatcher_may_stop_a_delivery_already_on_a_run(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    result = t.delivery_order_cancel_delivery(
        order_id=order.pk, actor=ref["users"]["pos.antaran"], reason="Pemohon membatalkan"
    )
    assert result.order.status == S.CANCELLED
    with pytest.raises(InvalidTransition):
        fail(order)
