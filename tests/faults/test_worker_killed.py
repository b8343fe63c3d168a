"""A worker killed in the middle of sending a notification: a new worker runs the task again and
the applicant gets the mail exactly once."""

import re
import signal
import time

import pytest
from django.db import connection

from delivery import transitions as t
from delivery.choices import DeliveryStatus as S
from delivery.models import DeliveryEvent, Notification
from delivery.services import notification_message_id
from portal.models import OutboxMessage
from tests.conftest import wait_for
from tests.factories import make_order
from tests.faults.conftest import duplicates_and_lost


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
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    slow_smtp.slow = False
    # The broker gives an unacknowledged message back when a worker starts once the message's
    # visibility timeout has passed (later only every ~100 s): a worker that started sooner found
    # nothing to take back and the test waited in vain.
    time.sleep(float(processes.env()["CELERY_VISIBILITY_TIMEOUT"]) + 0.5)
    processes.worker("second")

    # then the notification is sent exactly once
    wait_for(lambda: len(slow_smtp.messages) == 2, timeout=60)
    wait_for(lambda: Notification.objects.filter(event=result.event, channel="email", status="sent").exists())
    expected = [notification_message_id(e.pk) for e in DeliveryEvent.objects.filter(order=order)]
    received = [re.search(r"Message-ID: (\S+)", m, re.I).group(1) for m in slow_smtp.messages]
    lost, duplicated = duplicates_and_lost(expected, received)
    print(f"\nworker killed mid-task: {len(expected)} mails expected, lost {lost}, duplicated {duplicated}")
    assert (lost, duplicated) == (0, 0)
    assert not OutboxMessage.objects.filter(done_at__isnull=True).exists()  # every task ran
    mail = Notification.objects.get(event=result.event, channel="email")
    assert mail.attempts == 2  # tried, killed, tried again
