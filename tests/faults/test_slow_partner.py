"""A partner system that hangs on a webhook holds up its own worker pool only: with the portal's
queues served by two pools, as in production (deploy/systemd/antar-paspor-worker@.service), the
applicant's mail of the next move goes out within seconds while the webhook is still waiting."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.models import WebhookDelivery, WebhookSubscription
from delivery.choices import DeliveryStatus as S
from delivery.handoff import transitions as t
from delivery.notifications.services import notification_message_id
from tests.conftest import wait_for
from tests.factories import make_order

HANG_SECONDS = 20


class HangingReceiver:
    """A partner system's endpoint that keeps every call waiting ``HANG_SECONDS`` (or until
    ``release``) before it answers 200."""

    def __init__(self):
        self.waiting = 0
        self.answered = 0
        self.released = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                receiver.waiting += 1
                receiver.released.wait(HANG_SECONDS)
                receiver.waiting -= 1
                receiver.answered += 1
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # Handler threads are joined on close, so stopping the server leaves nothing running.
        self.server.daemon_threads = False
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever)
        self.thread.start()

    def stop(self):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def hanging_receiver():
    receiver = HangingReceiver()
    yield receiver
    receiver.stop()
    assert not receiver.thread.is_alive()


def _mail_ids(slow_smtp) -> list[str]:
    return [
        line.split(":", 1)[1].strip()
        for m in slow_smtp.messages
        for line in m.splitlines()
        if line.lower().startswith("message-id:")
    ]


@pytest.mark.django_db(transaction=True)
def test_a_hanging_partner_system_does_not_delay_the_applicants_mail(
    tx_ref, processes, slow_smtp, hanging_receiver
):
    # given a partner system subscribed to every move, which keeps each call waiting, and the two
    # worker pools of production: one for webhooks, one for messages (the receiver gets 30 seconds
    # to answer, so the call is still open when the mail of the next move is due)
    WebhookSubscription.objects.create(
        owner=tx_ref["users"]["manajer.pos"],
        url=hanging_receiver.url,
        secret="receiver-shared-secret",
        events=["order.status_changed"],
    )
    processes.worker("webhooks", queues="webhooks", WEBHOOK_TIMEOUT="30")
    processes.worker("notify", queues="notify")
    order = make_order(tx_ref, S.BOOKED)
    wait_for(lambda: hanging_receiver.waiting == 1, timeout=15, interval=0.05)
    wait_for(lambda: len(slow_smtp.messages) == 1, timeout=15)  # the booking's mail

    # when the order moves while the partner system still holds the booking's webhook
    started = time.monotonic()
    result = t.delivery_order_hand_dossier(order_id=order.pk, actor=tx_ref["users"]["pos.layanan"])

    # then the applicant's mail of that move arrives within seconds, the webhook still hanging
    wait_for(
        lambda: notification_message_id(result.event.pk) in _mail_ids(slow_smtp), timeout=5, interval=0.05
    )
    took = time.monotonic() - started
    print(f"\nmail sent {took:.1f} s after the move, the partner's call open for {HANG_SECONDS} s")
    assert hanging_receiver.waiting == 1
    assert hanging_receiver.answered == 0
    assert WebhookDelivery.objects.filter(status="sent").count() == 0

    # and once the partner system answers, both moves reach it, in order
    hanging_receiver.released.set()
    wait_for(lambda: WebhookDelivery.objects.filter(status="sent").count() == 2, timeout=30)
    assert hanging_receiver.answered == 2
