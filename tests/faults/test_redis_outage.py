"""Redis stops in the middle of a burst of bookings and courier updates, then starts again (empty,
as a Redis without persistence comes back): every order and event is there and every applicant's
notification is sent exactly once."""

import re
import time
import uuid

import pytest
from django.db import connection
from django.test import Client

from core.models import OutboxMessage
from delivery.choices import DeliveryStatus as S
from delivery.models import DeliveryEvent, DeliveryOrder, Notification
from delivery.notifications.services import notification_message_id
from tests.conftest import wait_for
from tests.factories import make_order, make_paid_application
from tests.faults.conftest import duplicates_and_lost, redis_start, redis_stop


def book(client: Client, application_id: int):
    return client.post(
        "/api/v1/counter/bookings/",
        {
            "application_id": application_id,
            "destination_kind": "home",
            "address": "Jl. Uji No. 9, Makassar",
            "area": "makassar",
            "recipient_phone": "081234567890",
            "poa_grantee_name": "Sri Wahyuni",
            "poa_grantee_nippos": "995100100",
            "poa_grantee_place": "PT Pos Indonesia Cabang Makassar",
            "fee_received": True,
        },
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )


def dispatch(client: Client, code: str):
    return client.post(
        f"/api/v1/courier/orders/{code}/dispatch/",
        {},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )


@pytest.mark.servers
@pytest.mark.django_db(transaction=True)
def test_bookings_and_courier_updates_go_on_through_a_redis_outage_and_every_mail_goes_once(
    tx_ref, processes, slow_smtp, settings
):
    assert connection.vendor == "postgresql"
    settings.OUTBOX_REDELIVER_AFTER = 4
    users = tx_ref["users"]
    counter, courier = Client(), Client()
    counter.force_login(users["imigrasi"])  # booking at the one-door desk
    courier.force_login(tx_ref["couriers"]["kurir"].user)
    to_dispatch = [make_order(tx_ref, S.WITH_DELIVERY_SECTION).code for _ in range(6)]
    to_book = [make_paid_application(tx_ref).pk for _ in range(6)]
    processes.worker("steady")
    processes.relay()
    answers, slowest, outage = [], 0.0, False

    def burst(n: int) -> None:
        nonlocal slowest
        for _ in range(n):
            for call, arg in ((book, to_book.pop()), (dispatch, to_dispatch.pop())):
                started = time.monotonic()
                answers.append(call(counter if call is book else courier, arg).status_code)
                if outage:
                    slowest = max(slowest, time.monotonic() - started)

    # given a burst while Redis is up
    burst(2)
    # when Redis goes away in the middle of it
    redis_stop()
    outage = True
    try:
        burst(2)
        tracked = Client().post(
            "/track/", {"code": DeliveryOrder.objects.first().code, "birth_date": "1990-05-17"}, follow=True
        )
        assert tracked.status_code == 200  # the tracking page without its cache
        # waiting, not lost: the rows that could not be published say why, for the relay
        assert OutboxMessage.objects.filter(sent_at__isnull=True).exclude(last_error="").exists()
    finally:
        redis_start()  # empty: whatever was queued in it is gone
        outage = False
    burst(2)

    # then every request was answered, at once during the outage, and nothing is lost or doubled
    assert answers == [201, 200] * 6
    assert slowest < 2.0
    events = list(DeliveryEvent.objects.values_list("pk", flat=True))
    wait_for(lambda: Notification.objects.filter(status="sent").count() >= len(events), timeout=60)
    wait_for(lambda: not OutboxMessage.objects.filter(done_at__isnull=True).exists(), timeout=30)
    time.sleep(1)  # a late duplicate would arrive now
    expected = [notification_message_id(pk) for pk in events]
    received = [re.search(r"Message-ID: (\S+)", m, re.I).group(1) for m in slow_smtp.messages]
    lost, duplicated = duplicates_and_lost(expected, received)
    print(
        f"\nredis outage: {DeliveryOrder.objects.count()} orders, {len(events)} events, {len(received)} mails;"
        f" lost {lost}, duplicated {duplicated}; slowest request during the outage {slowest:.2f}s"
    )
    assert DeliveryOrder.objects.count() == 12
    assert DeliveryEvent.objects.filter(to_status=S.OUT_FOR_DELIVERY).count() == 6
    assert (lost, duplicated) == (0, 0)
