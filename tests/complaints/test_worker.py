"""Through a real Celery worker: the receipt and each staff reply reach the complainant's mailbox
once, and complaint.opened reaches a partner's real local receiver, signed."""

import pytest

from complaints import services as svc
from core.models import WebhookSubscription
from tests.api.test_webhooks import SECRET, Receiver
from tests.conftest import wait_for

pytestmark = pytest.mark.worker


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()


def mails_to(sink, address):
    return [m for m in sink.messages if address in m.rcpt_tos]


@pytest.mark.django_db(transaction=True)
def test_receipt_and_reply_mails_arrive_once_and_the_webhook_is_received(
    tx_ref, celery_worker_process, smtp_sink, receiver
):
    WebhookSubscription.objects.create(
        owner=tx_ref["users"]["manajer.pos"], url=receiver.url, secret=SECRET, events=["complaint.opened"]
    )
    address = "pelapor.worker@example.test"
    opened = svc.complaint_open(
        client="192.0.2.1", category="damaged_or_lost", text="Sampul paspor basah.", contact_email=address
    )
    ticket = opened.complaint.ticket

    wait_for(lambda: any(b["event"] == "complaint.opened" for b in receiver.accepted), timeout=30)
    event = next(b for b in receiver.accepted if b["event"] == "complaint.opened")
    assert event["data"]["ticket"] == ticket and event["data"]["agency"] == "pos"
    assert receiver.bad_signatures == 0

    wait_for(lambda: len(mails_to(smtp_sink, address)) == 1, timeout=30)
    svc.complaint_reply_by_staff(
        complaint_id=opened.complaint.pk,
        actor=tx_ref["users"]["pos.layanan"],
        text="Mohon maaf, kami ganti sampulnya.",
    )
    wait_for(lambda: len(mails_to(smtp_sink, address)) == 2, timeout=30)
    reply = mails_to(smtp_sink, address)[1].content.decode(errors="replace")
    assert ticket in reply
    assert opened.secret in reply  # the link back to the thread
