"""The delivery code reaches the applicant in the worker's mail about the handoff, one mail only."""

from email import message_from_bytes

import pytest

from delivery.choices import DeliveryStatus as S
from delivery.handoff import codes
from delivery.handoff import transitions as t
from tests.conftest import wait_for
from tests.factories import make_order

pytestmark = pytest.mark.worker


@pytest.mark.django_db(transaction=True)
def test_the_worker_mails_the_code_with_the_handoff_to_the_delivery_section(
    tx_ref, celery_worker_process, smtp_sink
):
    order = make_order(tx_ref, S.RECEIVED_BY_POS)
    recipient = order.recipient_email

    def mails():
        return [m for m in smtp_sink.messages if recipient in m.rcpt_tos]

    wait_for(lambda: len(mails()) >= 4, timeout=30)  # booked, dossier, ready, received
    before = len(mails())

    t.delivery_order_hand_to_delivery(order_id=order.pk, actor=tx_ref["users"]["pos.layanan"])

    wait_for(lambda: len(mails()) > before, timeout=30)
    body = message_from_bytes(mails()[-1].content).get_payload(decode=True).decode()
    code = codes.delivery_code_reveal(order_id=order.pk)
    assert f"Kode pengantaran sekali pakai Anda: {code}" in body
    assert len(mails()) == before + 1
