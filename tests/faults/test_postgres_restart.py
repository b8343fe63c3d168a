"""PostgreSQL restarts while Pos clerks' systems post handoffs to a live server: the web and the
worker reconnect by themselves, /healthz is back to 200, and every handoff is recorded once and
mailed once (a request that failed during the restart is retried with its Idempotency-Key)."""

import json
import re
import threading
import time
import urllib.error
import urllib.request
import uuid

import pytest
from django.db import connection, connections

from accounts.tokens import api_token_issue
from core.models import OutboxMessage
from delivery.choices import DeliveryStatus as S
from delivery.models import DeliveryEvent, Notification
from delivery.notifications.services import notification_message_id
from tests.conftest import wait_for
from tests.factories import make_order
from tests.faults.conftest import duplicates_and_lost, postgres_restart


def post(url: str, token: str, key: str) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps({"action": "receive_at_pos"}).encode(),
        method="POST",
        headers={
            "Authorization": f"Token {token}",
            "Idempotency-Key": key,
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def health(base: str) -> int:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=20) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


@pytest.mark.servers
@pytest.mark.django_db(transaction=True)
def test_web_and_worker_come_back_after_a_postgres_restart_with_nothing_lost_or_doubled(
    tx_ref, processes, slow_smtp, live_server
):
    assert connection.vendor == "postgresql"
    _, token = api_token_issue(
        name="Pos counter system", user=tx_ref["users"]["pos.layanan"], scopes=["write_handoff"]
    )
    codes = [make_order(tx_ref, S.PASSPORT_READY).code for _ in range(8)]
    processes.worker("steady")
    processes.relay()
    base = live_server.url.replace("localhost", "127.0.0.1")
    wait_for(lambda: health(base) == 200, timeout=90)  # the first request also warms the server up
    keys = {code: str(uuid.uuid4()) for code in codes}
    restarted = threading.Event()

    def restart_soon():
        time.sleep(0.3)
        postgres_restart()
        restarted.set()

    # when PostgreSQL restarts in the middle of the clerks' posts
    first_answers = {}
    restarter = threading.Thread(target=restart_soon)
    restarter.start()
    for code in codes:
        first_answers[code] = post(f"{base}/api/v1/orders/{code}/moves/", token, keys[code])
        time.sleep(0.1)
    restarter.join()
    connections.close_all()  # this test's own connection died with the restart

    # then the web is healthy again by itself and the clerks' retries go through
    wait_for(lambda: health(base) == 200, timeout=20)
    retried = [code for code, status in first_answers.items() if status != 200]
    for code in retried:
        assert post(f"{base}/api/v1/orders/{code}/moves/", token, keys[code]) == 200
    events = list(DeliveryEvent.objects.values_list("pk", flat=True))
    wait_for(lambda: Notification.objects.filter(status="sent").count() >= len(events), timeout=60)
    wait_for(lambda: not OutboxMessage.objects.filter(done_at__isnull=True).exists(), timeout=30)
    time.sleep(1)
    expected = [notification_message_id(pk) for pk in events]
    received = [re.search(r"Message-ID: (\S+)", m, re.I).group(1) for m in slow_smtp.messages]
    lost, duplicated = duplicates_and_lost(expected, received)
    moved = DeliveryEvent.objects.filter(to_status=S.RECEIVED_BY_POS).count()
    print(
        f"\npostgres restart: {len(retried)} of {len(codes)} posts retried; {moved} handoffs recorded;"
        f" {len(received)} mails for {len(events)} events, lost {lost}, duplicated {duplicated}"
    )
    assert restarted.is_set()
    assert moved == len(codes)
    assert (lost, duplicated) == (0, 0)
