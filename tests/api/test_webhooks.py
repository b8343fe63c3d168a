"""Signed webhooks reach a real local HTTP receiver through a real Celery worker: in order, once,
retried through an outage, and switched off (owner told) when the receiver keeps failing."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from delivery.choices import DeliveryStatus as S
from delivery.handoff import transitions as t
from tests.conftest import wait_for
from tests.factories import make_order

pytestmark = pytest.mark.worker
SECRET = "receiver-shared-secret"


class Receiver:
    """A partner system's endpoint: verifies signatures, can be made to fail."""

    def __init__(self):
        self.accepted = []  # parsed bodies answered with 200
        self.bad_signatures = 0
        self.fail_next = 0
        self.hits = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.hits += 1
                expected = (
                    "sha256="
                    + hmac.new(
                        SECRET.encode(),
                        self.headers["X-Antar-Timestamp"].encode() + b"." + body,
                        hashlib.sha256,
                    ).hexdigest()
                )
                if not hmac.compare_digest(expected, self.headers["X-Antar-Signature"]):
                    receiver.bad_signatures += 1
                    self.send_response(401)
                elif receiver.fail_next > 0:
                    receiver.fail_next -= 1
                    self.send_response(503)
                else:
                    receiver.accepted.append(json.loads(body))
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def transitions_of(self, code):
        return [(b["data"]["from"], b["data"]["to"]) for b in self.accepted if b["data"]["order"] == code]


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()


def subscribe(ref, url, owner="manajer.pos"):
    return WebhookSubscription.objects.create(
        owner=ref["users"][owner], url=url, secret=SECRET, events=["order.status_changed"]
    )


def walk(ref, order, steps):
    users = ref["users"]
    actors = {
        "hand_dossier": users["pos.layanan"],
        "mark_ready": users["imigrasi"],
        "receive_at_pos": users["pos.layanan"],
        "hand_to_delivery": users["pos.layanan"],
    }
    for action in steps:
        t.ACTION_FUNCTIONS[action](order_id=order.pk, actor=actors[action])


@pytest.mark.django_db(transaction=True)
def test_signed_events_arrive_once_and_in_order(tx_ref, celery_worker_process, receiver):
    subscribe(tx_ref, receiver.url)
    order = make_order(tx_ref, S.BOOKED)

    walk(tx_ref, order, ["hand_dossier", "mark_ready", "receive_at_pos"])

    wait_for(lambda: len(receiver.transitions_of(order.code)) == 4, timeout=30)
    assert receiver.transitions_of(order.code) == [
        ("", "booked"),
        ("booked", "dossier_handed"),
        ("dossier_handed", "passport_ready"),
        ("passport_ready", "received_by_pos"),
    ]
    assert receiver.bad_signatures == 0
    # The worker records a delivery as sent once the receiver has answered: wait for the records,
    # then check nothing was sent a second time meanwhile.
    wait_for(lambda: WebhookDelivery.objects.filter(status="sent").count() == 4, timeout=15)
    assert len(receiver.transitions_of(order.code)) == 4


@pytest.mark.django_db(transaction=True)
def test_an_outage_is_retried_with_nothing_lost_doubled_or_reordered(tx_ref, celery_worker_process, receiver):
    subscribe(tx_ref, receiver.url)
    receiver.fail_next = 3  # the receiver is down for its next three calls
    order = make_order(tx_ref, S.BOOKED)
    walk(tx_ref, order, ["hand_dossier", "mark_ready"])

    wait_for(lambda: len(receiver.transitions_of(order.code)) == 3, timeout=45)
    assert receiver.transitions_of(order.code) == [
        ("", "booked"),
        ("booked", "dossier_handed"),
        ("dossier_handed", "passport_ready"),
    ]
    ids = [b["id"] for b in receiver.accepted]
    assert len(ids) == len(set(ids))
    failed_attempts = WebhookAttempt.objects.filter(status_code=503).count()
    assert failed_attempts == 3
    assert WebhookSubscription.objects.get().active


@pytest.mark.django_db(transaction=True)
def test_a_receiver_that_keeps_failing_is_switched_off_and_its_owner_told(
    tx_ref, celery_worker_process, receiver, smtp_sink
):
    subscription = subscribe(tx_ref, receiver.url)
    receiver.fail_next = 10_000
    order = make_order(tx_ref, S.BOOKED)

    wait_for(lambda: not WebhookSubscription.objects.get(pk=subscription.pk).active, timeout=45)
    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 4
    assert "HTTP 503" in subscription.disabled_reason
    owner_email = tx_ref["users"]["manajer.pos"].email
    wait_for(lambda: any(owner_email in m.rcpt_tos for m in smtp_sink.messages), timeout=20)
    assert receiver.accepted == []
    assert WebhookDelivery.objects.filter(ordering_key=order.code, status="abandoned").count() == 1


@pytest.mark.django_db(transaction=True)
def test_subscribers_of_another_office_get_nothing(tx_ref, receiver):
    from tests.factories import OfficeFactory, UserFactory

    stranger = UserFactory(role="agency_manager", office=OfficeFactory())
    WebhookSubscription.objects.create(
        owner=stranger, url=receiver.url, secret=SECRET, events=["order.status_changed"]
    )
    make_order(tx_ref, S.BOOKED)
    assert WebhookDelivery.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_batch_release_and_deadline_breach_are_offered_to_subscribers(tx_ref):
    import datetime as dt

    from delivery.counter.batches import batch_release
    from delivery.problems.services import deadline_sweep

    WebhookSubscription.objects.create(
        owner=tx_ref["users"]["manajer.imigrasi"],
        url="http://127.0.0.1:9/hooks",
        secret=SECRET,
        events=["batch.released", "deadline.breached"],
    )
    order = make_order(tx_ref, S.PASSPORT_READY)

    batch = batch_release(actor=tx_ref["users"]["imigrasi"], codes=[order.code])
    deadline_sweep(now=order.deadline_at + dt.timedelta(minutes=1))

    released = WebhookDelivery.objects.get(event="batch.released")
    assert released.payload["batch"] == batch.number and released.payload["orders"] == [order.code]
    breached = WebhookDelivery.objects.get(event="deadline.breached")
    assert breached.payload["order"] == order.code
    assert WebhookDelivery.objects.filter(event="order.status_changed").count() == 0  # not subscribed
