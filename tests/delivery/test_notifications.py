"""A state change reaches the applicant by email, sent by a real Celery worker through SMTP."""

from email import message_from_bytes

import pytest

from delivery import transitions as t
from delivery.choices import DeliveryStatus as S
from delivery.models import Notification
from delivery.services import delivery_event_notify
from tests.conftest import wait_for
from tests.factories import make_order

pytestmark = pytest.mark.worker


@pytest.mark.django_db(transaction=True)
def test_a_state_change_is_emailed_by_the_worker_once(tx_ref, celery_worker_process, smtp_sink):
    # given a booked order (its own booking mail is sent by the worker too)
    order = make_order(tx_ref, S.BOOKED)
    recipient = order.recipient_email
    wait_for(lambda: any(recipient in m.rcpt_tos for m in smtp_sink.messages), timeout=30)

    # when Pos hands the dossier to Imigrasi
    result = t.delivery_order_hand_dossier(order_id=order.pk, actor=tx_ref["users"]["pos.layanan"])

    # then the worker mails the applicant about exactly that change, once
    def mails_for_order():
        return [m for m in smtp_sink.messages if recipient in m.rcpt_tos]

    wait_for(lambda: len(mails_for_order()) >= 2, timeout=30)
    mail = message_from_bytes(mails_for_order()[-1].content)
    body = mail.get_payload(decode=True).decode()
    assert order.code in mail["Subject"]
    # in the applicant's language, Bahasa Indonesia
    assert "Pengiriman paspor Anda memiliki status baru: Berkas diserahkan ke Imigrasi." in body
    assert f"/track/?code={order.code}" in body
    notification = Notification.objects.get(event=result.event, channel="email")
    assert notification.status == "sent"

    # and running the task again (a retry) sends nothing more
    assert delivery_event_notify(event_id=result.event.pk) == "sent"
    assert len(mails_for_order()) == 2
