"""A state change reaches the applicant by email, sent by a real Celery worker through SMTP; and
each message is marked sent only once its channel took it, so a failure or a dead worker leaves it
to the retry, which sends no short message twice."""

import json
from email import message_from_bytes

import pytest
from django.core import mail
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from delivery.choices import DeliveryStatus as S
from delivery.handoff import transitions as t
from delivery.models import DeliveryEvent, Notification
from delivery.notifications.services import (
    NOTIFY_CLAIM_LEASE,
    NotificationsInFlight,
    _notifications_claim,
    delivery_event_notify,
    delivery_events_notify,
    notification_sms_reference,
)
from delivery.notifications.sms import LogFileSmsBackend
from tests.conftest import wait_for
from tests.factories import make_order, personal_link_in


@pytest.mark.worker
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
    personal_link_in(body, order)
    # and the rows say so, each marked just after its channel took the message
    wait_for(lambda: not Notification.objects.filter(event=result.event).exclude(status="sent").exists())

    # and running the task again (a retry) sends nothing more
    assert delivery_event_notify(event_id=result.event.pk) == "sent"
    assert len(mails_for_order()) == 2


class FlakyGateway(LogFileSmsBackend):
    """The log-file sandbox with a gateway's bad moments: it refuses the next ``refuse`` messages
    (before taking them), or takes the next ``lose_answer`` and never answers."""

    refuse = 0
    lose_answer = 0

    def send(self, *, to: str, text: str, reference: str = "") -> None:
        if FlakyGateway.refuse:
            FlakyGateway.refuse -= 1
            raise ConnectionRefusedError("gateway refused the connection")
        super().send(to=to, text=text, reference=reference)
        if FlakyGateway.lose_answer:
            FlakyGateway.lose_answer -= 1
            raise TimeoutError("gateway did not answer")


@pytest.fixture
def gateway(settings, tmp_path):
    settings.SMS_BACKEND = "tests.delivery.test_notifications.FlakyGateway"
    settings.SMS_LOG_FILE = str(tmp_path / "sms.log")
    FlakyGateway.refuse = FlakyGateway.lose_answer = 0
    yield tmp_path / "sms.log"
    FlakyGateway.refuse = FlakyGateway.lose_answer = 0


def _lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _booked(ref, count: int = 1) -> list[DeliveryEvent]:
    orders = [make_order(ref, S.BOOKED) for _ in range(count)]
    return list(DeliveryEvent.objects.filter(order__in=orders).select_related("order").order_by("pk"))


@pytest.mark.django_db
@pytest.mark.parametrize("trouble", ["refuse", "lose_answer"])
def test_a_short_message_the_gateway_failed_stays_retryable_and_the_retry_sends_it_once(
    ref, gateway, trouble
):
    [event] = _booked(ref)
    mail.outbox.clear()
    setattr(FlakyGateway, trouble, 1)

    # when the gateway refuses the message, or takes it and never answers
    with pytest.raises(OSError):
        delivery_event_notify(event_id=event.pk)

    # then the row is not marked sent: failed, its claim given back, for the task's retry
    sms = Notification.objects.get(event=event, channel="sms")
    assert (sms.status, sms.attempts, sms.claimed_at, sms.sent_at) == ("failed", 1, None, None)
    assert sms.last_error
    assert len(_lines(gateway)) == (1 if trouble == "lose_answer" else 0)
    assert Notification.objects.get(event=event, channel="email").status == "sent"  # the mail went

    # when the task's retry runs
    assert delivery_event_notify(event_id=event.pk) == "sent"

    # then the message reaches the applicant once: a repeat of one taken is dropped by its reference
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.claimed_at) == ("sent", 2, None)
    [line] = _lines(gateway)
    assert line["reference"] == notification_sms_reference(event)
    assert line["to"] == event.order.recipient_phone
    # and yet another run sends nothing
    delivery_event_notify(event_id=event.pk)
    assert len(_lines(gateway)) == 1 and len(mail.outbox) == 1


@pytest.mark.django_db
def test_messages_a_dead_run_claimed_are_not_done_and_are_sent_once_after_the_lease(ref, gateway):
    events = _booked(ref, 3)
    ids = [e.pk for e in events]
    mail.outbox.clear()
    # given a run that claimed the batch's messages, and whose worker died before sending any
    _rows, claimed, in_flight = _notifications_claim(events)
    assert (len(claimed), in_flight) == (6, 0)

    # when the task runs again while the claim is fresh: it sends nothing and does not count as done
    with pytest.raises(NotificationsInFlight):
        delivery_events_notify(event_ids=ids)
    assert (len(mail.outbox), _lines(gateway)) == (0, [])

    # when it runs again once the claim has outlived the lease
    Notification.objects.update(claimed_at=F("claimed_at") - NOTIFY_CLAIM_LEASE)
    assert delivery_events_notify(event_ids=ids) == dict.fromkeys(ids, "sent")

    # then every message went once, and the rows say so
    assert sorted(m.to[0] for m in mail.outbox) == sorted(e.order.recipient_email for e in events)
    assert sorted(line["reference"] for line in _lines(gateway)) == sorted(
        notification_sms_reference(e) for e in events
    )
    rows = Notification.objects.filter(event__in=events)
    assert {(r.status, r.attempts, r.claimed_at) for r in rows} == {("sent", 2, None)}


@pytest.mark.django_db
def test_a_short_message_already_taken_is_not_sent_after_a_worker_died_before_marking_it(ref, gateway):
    # given a run whose worker died after the gateway took the short message, before marking it
    [event] = _booked(ref)
    _notifications_claim([event])
    order = event.order
    LogFileSmsBackend().send(
        to=order.recipient_phone,
        text=f"antar-paspor {order.code}: ...",
        reference=notification_sms_reference(event),
    )
    Notification.objects.update(claimed_at=F("claimed_at") - NOTIFY_CLAIM_LEASE)
    LogFileSmsBackend._taken.clear()  # the redelivered task runs in another process

    # when the redelivered task runs
    assert delivery_event_notify(event_id=event.pk) == "sent"

    # then the gateway dropped the repeat and the row is sent
    assert len(_lines(gateway)) == 1
    assert Notification.objects.get(event=event, channel="sms").status == "sent"


def test_the_sandbox_gateway_drops_a_message_whose_reference_it_already_took(settings, tmp_path):
    settings.SMS_LOG_FILE = str(tmp_path / "sms.log")
    backend = LogFileSmsBackend()
    for reference in ("ap-1-x", "ap-1-x", "ap-2-x", "", ""):
        backend.send(to="+6281100000000", text="antar-paspor AP2345678: hi", reference=reference)
    LogFileSmsBackend._taken.clear()  # another process reads the file afresh
    LogFileSmsBackend().send(to="+6281100000000", text="antar-paspor AP2345678: hi", reference="ap-2-x")
    assert [line["reference"] for line in _lines(tmp_path / "sms.log")] == ["ap-1-x", "ap-2-x", "", ""]


@pytest.mark.django_db
def test_a_batch_is_claimed_together_and_costs_one_statement_per_mail(ref, gateway):
    def statements(count: int) -> int:
        ids = [e.pk for e in _booked(ref, count)]
        with CaptureQueriesContext(connection) as queries:
            delivery_events_notify(event_ids=ids)
        return len(queries)

    small, large = statements(2), statements(6)
    # per event only its mail marked sent, as soon as the server took it; per batch the events
    # read, the rows made, read and claimed in one transaction, the short messages marked together
    assert large - small == 4
    assert small - 2 <= 7  # 5 statements and the test's savepoint around the transaction
