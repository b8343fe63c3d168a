"""The transactional outbox: a broker outage delays background work but never loses it.

1. ``task_enqueue(notify_delivery_event, event.pk)``, called inside the transaction of the change,
   inserts one ``OutboxMessage`` row: the change and its messages commit or roll back together.
2. Right after commit the row is published to Celery (no retries, short timeouts) and marked sent.
   If the broker cannot be reached the row simply stays unsent and this process stops trying for
   ``BREAKER_SECONDS``, so a booking or a courier update never waits on a dead broker.
3. ``outbox_relay`` publishes whatever is still unsent, oldest first, rows locked
   ``FOR UPDATE SKIP LOCKED`` so two relays never publish the same row together. It runs in
   ``manage.py relay_outbox --loop`` (a small process next to the worker; ``make run`` starts it)
   and as the beat task ``portal.tasks.relay_outbox`` every minute as a second line.

A row can be published twice (the broker took it, then the process died before marking it sent),
so every task is idempotent: re-running it changes nothing and sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from portal.models import OutboxMessage

logger = logging.getLogger(__name__)

BREAKER_SECONDS = 5.0
# The relay leaves fresh rows to the after-commit publisher for this long, to avoid double sends.
RELAY_GRACE = dt.timedelta(seconds=3)
_broker_down_until = 0.0


def _publish(message: OutboxMessage) -> None:
    from portal.celery import app

    app.send_task(message.task_name, args=list(message.args), retry=False)


def _mark(message_id: int, error: Exception | None) -> None:
    if error is None:
        OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True).update(
            sent_at=timezone.now(), last_error=""
        )
    else:
        OutboxMessage.objects.filter(pk=message_id).update(
            attempts=F("attempts") + 1,
            last_error=(str(error) or error.__class__.__name__)[:300],
        )


def _publish_after_commit(message: OutboxMessage) -> None:
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        return  # the relay will send it once the broker is back
    try:
        _publish(message)
    except Exception as error:  # noqa: BLE001 - any transport error: leave it to the relay
        _broker_down_until = time.monotonic() + BREAKER_SECONDS
        logger.warning("outbox.publish.failed message_id=%s task=%s", message.pk, message.task_name)
        try:
            _mark(message.pk, error)
        except Exception:  # noqa: BLE001 - the row stays unsent either way
            pass
        return
    try:
        _mark(message.pk, None)
    except Exception:  # noqa: BLE001 - published; at worst the relay sends it again (tasks are idempotent)
        logger.warning("outbox.mark.failed message_id=%s", message.pk)


def task_enqueue(task, *args) -> OutboxMessage:
    """Run Celery ``task`` (a task or its dotted name) with ``args`` once the current transaction
    commits; the one way the portal starts background work after a change."""
    name = getattr(task, "name", task)
    message = OutboxMessage.objects.create(task_name=name, args=list(args))
    transaction.on_commit(lambda: _publish_after_commit(message), robust=True)
    return message


def outbox_relay(*, limit: int = 500, grace: dt.timedelta = RELAY_GRACE) -> int:
    """Publish unsent messages older than ``grace``, oldest first; returns how many went out.

    Stops at the first broker error (the rest waits for the next round)."""
    global _broker_down_until
    sent = 0
    cutoff = timezone.now() - grace
    with transaction.atomic():
        batch = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True, created_at__lte=cutoff).order_by("pk")[:limit]
        )
        for message in batch:
            try:
                _publish(message)
            except Exception as error:  # noqa: BLE001 - broker down: try again next round
                OutboxMessage.objects.filter(pk=message.pk).update(
                    attempts=message.attempts + 1, last_error=(str(error) or error.__class__.__name__)[:300]
                )
                logger.warning("outbox.relay.failed message_id=%s sent=%s", message.pk, sent)
                return sent
            OutboxMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now(), last_error="")
            sent += 1
    if sent:
        _broker_down_until = 0.0
        logger.info("outbox.relay.sent count=%s", sent)
    return sent


def outbox_backlog() -> int:
    return OutboxMessage.objects.filter(sent_at__isnull=True).count()
