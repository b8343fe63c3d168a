"""Every state change reaches the applicant by email and by SMS, once each, through a real worker;
at dispatch the SMS carries the one-time delivery code."""

from email import message_from_bytes

import pytest

from delivery.choices import DeliveryStatus as S
from delivery.handoff import codes
from delivery.handoff import transitions as t
from delivery.models import Notification
from delivery.notifications.services import delivery_event_notify
from tests.conftest import sms_for, wait_for
from tests.factories import make_order, personal_link_in

pytestmark = pytest.mark.worker


@pytest.mark.django_db(transaction=True)
def test_each_change_is_sent_once_by_email_and_by_sms(tx_ref, celery_worker_process, smtp_sink):
    order = make_order(tx_ref, S.BOOKED)
    recipient = order.recipient_email

    def mails():
        return [m for m in smtp_sink.messages if recipient in m.rcpt_tos]

    wait_for(lambda: len(mails()) >= 1 and len(sms_for(order.code)) >= 1, timeout=30)  # booked

    result = t.delivery_order_hand_dossier(order_id=order.pk, actor=tx_ref["users"]["pos.layanan"])
    wait_for(lambda: len(mails()) >= 2 and len(sms_for(order.code)) >= 2, timeout=30)
    sms = sms_for(order.code)[-1]
    assert sms["to"] == order.recipient_phone
    assert "Berkas diserahkan ke Imigrasi" in sms["text"]  # in the applicant's language
    personal_link_in(sms["text"], order)

    # a retried task sends nothing more on either channel (rows are marked once the channel took them)
    wait_for(lambda: not Notification.objects.filter(event=result.event).exclude(status="sent").exists())
    delivery_event_notify(event_id=result.event.pk)
    assert len(mails()) == 2 and len(sms_for(order.code)) == 2
    rows = Notification.objects.filter(event=result.event)
    assert sorted(rows.values_list("channel", flat=True)) == ["email", "sms"]
    assert set(rows.values_list("status", flat=True)) == {"sent"}
    assert "Berkas diserahkan" in message_from_bytes(mails()[-1].content).get_payload(decode=True).decode()


@pytest.mark.django_db(transaction=True)
def test_the_delivery_code_goes_out_by_sms_at_the_handoff_to_the_couriers(tx_ref, celery_worker_process):
    order = make_order(tx_ref, S.RECEIVED_BY_POS)
    wait_for(lambda: len(sms_for(order.code)) >= 4, timeout=30)
    t.delivery_order_hand_to_delivery(order_id=order.pk, actor=tx_ref["users"]["pos.layanan"])
    wait_for(lambda: len(sms_for(order.code)) >= 5, timeout=30)
    code = codes.delivery_code_reveal(order_id=order.pk)
    assert f"Kode pengantaran sekali pakai Anda: {code}" in sms_for(order.code)[-1]["text"]
    assert len(sms_for(order.code)) == 5
