"""A worker killed in the middle of sending notifications: a new worker runs the task again and
the applicant gets every message, each mail and each short message exactly once."""

import re
import signal
import time

import pytest
from django.db import connection
from rest_framework.test import APIClient

from core.models import OutboxMessage
from delivery.choices import DeliveryStatus as S
from delivery.handoff import transitions as t
from delivery.models import DeliveryEvent, Notification
from delivery.notifications.services import notification_message_id, notification_sms_reference
from tests.conftest import sms_for, wait_for
from tests.factories import make_order
from tests.faults.conftest import duplicates_and_lost


def _kill_and_restart(worker, processes, slow_smtp) -> None:
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    slow_smtp.slow, slow_smtp.hold_from = False, None
    # The broker gives an unacknowledged message back when a worker starts once the message's
    # visibility timeout has passed (later only every ~100 s): a worker that started sooner found
    # nothing to take back and the test waited in vain.
    time.sleep(float(processes.env()["CELERY_VISIBILITY_TIMEOUT"]) + 0.5)
    processes.worker("second")
    processes.relay()  # as in production: publishes again what is not done after a while


def _sms_key(order, line: dict) -> tuple[str, str]:
    """Which event of ``order`` a short message is about: its client reference names the event
    (``notification_sms_reference``)."""
    match = re.match(r"ap-(\d+)-", line.get("reference", ""))
    event = DeliveryEvent.objects.filter(pk=match.group(1), order=order).first() if match else None
    return (order.code, event.to_status) if event else (order.code, "?")


def _count_per_event(orders, slow_smtp) -> dict[str, tuple[int, int]]:
    """Lost and duplicated messages per channel over every event of ``orders``."""
    events = list(DeliveryEvent.objects.filter(order__in=orders).select_related("order").order_by("pk"))
    mails = [notification_message_id(e.pk) for e in events]
    mails_received = [re.search(r"Message-ID: (\S+)", m, re.I).group(1) for m in slow_smtp.messages]
    sms = [(e.order.code, e.to_status) for e in events]
    sms_received = [_sms_key(o, line) for o in orders for line in sms_for(o.code)]
    return {"mail": duplicates_and_lost(mails, mails_received), "sms": duplicates_and_lost(sms, sms_received)}


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_mail_leaves_the_mail_to_the_next_worker_sent_once(tx_ref, processes, slow_smtp):
    assert connection.vendor == "postgresql"
    order = make_order(tx_ref, S.BOOKED)  # its booking mail is published too; let it through first
    worker = processes.worker("first")
    wait_for(lambda: len(slow_smtp.messages) == 1)

    # given a mail server that keeps the next mail waiting
    slow_smtp.slow = True
    result = t.delivery_order_hand_dossier(order_id=order.pk, actor=tx_ref["users"]["pos.layanan"])
    wait_for(lambda: slow_smtp.held > 0, timeout=15, interval=0.05)

    # when the worker dies in the middle of sending it, and another worker starts
    _kill_and_restart(worker, processes, slow_smtp)

    # then the mail and the short message are each sent exactly once
    wait_for(lambda: len(slow_smtp.messages) == 2, timeout=60)
    wait_for(
        lambda: not Notification.objects.filter(event=result.event).exclude(status="sent").exists(),
        timeout=30,
    )
    wait_for(
        lambda: not OutboxMessage.objects.filter(done_at__isnull=True).exists(), timeout=30
    )  # every task ran
    counts = _count_per_event([order], slow_smtp)
    print(f"\nworker killed mid-task: {counts} (lost, duplicated) per channel")
    assert counts == {"mail": (0, 0), "sms": (0, 0)}
    mail = Notification.objects.get(event=result.event, channel="email")
    assert mail.attempts == 2  # tried, killed, tried again


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_a_batch_leaves_no_message_lost_and_no_sms_twice(
    tx_ref, processes, slow_smtp
):
    assert connection.vendor == "postgresql"
    # given 20 dossiers at Imigrasi whose earlier messages (booked, handed) are all out
    orders = [make_order(tx_ref, S.DOSSIER_HANDED) for _ in range(20)]
    worker = processes.worker("first")
    wait_for(lambda: len(slow_smtp.messages) == 40, timeout=90)
    wait_for(lambda: Notification.objects.filter(status="sent").count() == 80, timeout=30)
    # and a mail server that takes 7 mails of the coming batch, then keeps the 8th waiting
    slow_smtp.hold_from = len(slow_smtp.messages) + 7

    # when Imigrasi marks the 20 printed passports ready at once
    client = APIClient()
    client.force_login(tx_ref["users"]["imigrasi"])
    response = client.post(
        "/api/v1/counter/ready/",
        {
            "orders": [o.code for o in orders],
            "passport_numbers": {o.code: f"E{1000000 + o.pk}" for o in orders},
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    ready = DeliveryEvent.objects.filter(order__in=orders, to_status=S.PASSPORT_READY)
    assert ready.count() == 20
    # and the worker dies while it sends their messages: some short messages are out, not all
    wait_for(lambda: slow_smtp.held > 0, timeout=30, interval=0.05)
    written = [line for o in orders for line in sms_for(o.code) if _sms_key(o, line)[1] == S.PASSPORT_READY]
    assert 0 < len(written) < 20
    _kill_and_restart(worker, processes, slow_smtp)

    # then every applicant gets each message of each event: none lost, none twice
    wait_for(lambda: len(slow_smtp.messages) >= 60, timeout=90)
    wait_for(
        lambda: not Notification.objects.filter(event__in=ready).exclude(status="sent").exists(), timeout=60
    )
    wait_for(lambda: not OutboxMessage.objects.filter(done_at__isnull=True).exists(), timeout=60)
    counts = _count_per_event(orders, slow_smtp)
    dropped = sum(p.log_path.read_text().count("sms.repeat_dropped") for p in processes.started)
    print(
        f"\nworker killed mid-batch after {len(written)} of 20 short messages: {counts} (lost, duplicated); "
        f"{dropped} repeats dropped by their reference"
    )
    assert counts == {"mail": (0, 0), "sms": (0, 0)}
    # the short messages out before the kill were not marked sent yet: the redelivered task sent
    # them again with the same reference, and the gateway dropped each repeat
    assert dropped == len(written)
    for event in ready.select_related("order"):
        [line] = [
            line for line in sms_for(event.order.code) if _sms_key(event.order, line)[1] == S.PASSPORT_READY
        ]
        assert line["reference"] == notification_sms_reference(event)
    assert not Notification.objects.filter(event__in=ready, claimed_at__isnull=False).exists()
