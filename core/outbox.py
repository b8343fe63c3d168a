"""The transactional outbox: a broker outage delays background work but never loses it.

1. ``task_enqueue("delivery.tasks.notify_delivery_event", event.pk)``, called inside the transaction
   of the change, inserts one ``OutboxMessage`` row: the change and its messages commit or roll
   back together.
2. Right after commit the row is published to Celery (no retries, short timeouts). A publication
   that worked writes nothing more: the row's task is on its way, and the worker marks it done.
   If the broker cannot be reached, the row keeps the error (``last_error``) and this process stops
   trying for ``BREAKER_SECONDS``, so a booking or a courier update never waits on a dead broker.
3. The worker marks the row done when the task has run (``outbox_mark_done``, from Celery's
   ``task_postrun`` signal, the row's id travels in the message headers).
4. ``outbox_relay`` publishes, a few seconds later, what could not be published after commit; and
   again whatever is not done ``OUTBOX_REDELIVER_AFTER`` seconds after it was published (a Redis
   restart without persistence empties its queues; a process that died between its commit and the
   publication left its rows in the same state). Rows the relay publishes are marked sent. Rows are
   locked ``FOR UPDATE SKIP LOCKED`` so two relays never publish the same row together. It runs in
   ``manage.py relay_outbox --loop`` (a small process next to the worker; ``make run`` starts it)
   and as the beat task ``core.tasks.relay_outbox`` every minute as a second line.

A row can be published twice (a slow task looked lost), so every task is idempotent: re-running it
changes nothing and sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from core.models import OutboxMessage

if TYPE_CHECKING:
    from celery import Task

logger = logging.getLogger(__name__)

BREAKER_SECONDS = 5.0
HEADER = "outbox_id"
# The relay leaves a row whose publication after commit failed alone for this long (the failure is
# being written).
RELAY_GRACE = dt.timedelta(seconds=3)
BROKER_DOWN = "broker unreachable"
_broker_down_until = 0.0
# A task that keeps failing is published again at most this many times (then it waits for a person).
MAX_PUBLICATIONS = 20


_local = threading.local()


def _publish(message: OutboxMessage) -> None:
    """One attempt on this thread's own broker connection: no retry loop, at most
    ``CELERY_BROKER_CONNECTION_TIMEOUT`` to connect (Celery's shared producer pool would keep
    retrying a dead broker for seconds inside a request)."""
    from celery import current_app as app

    connection = getattr(_local, "connection", None)
    if connection is None:
        connection = _local.connection = app.connection_for_write()
    try:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)
        app.send_task(
            message.task_name,
            args=list(message.args),
            headers={HEADER: message.pk},
            connection=connection,
            retry=False,
        )
    except Exception:
        outbox_forget_connection()
        raise


def outbox_forget_connection() -> None:
    """Drop this thread's broker connection (after an error, or when the broker URL changed)."""
    connection = getattr(_local, "connection", None)
    _local.connection = None
    if connection is not None:
        try:
            connection.release()
        except Exception:  # noqa: BLE001 - it is broken anyway
            pass


def _error_text(error: Exception) -> str:
    return (str(error) or error.__class__.__name__)[:300]


def _publish_after_commit(message: OutboxMessage) -> None:
    """Publish the committed row. Success writes nothing (one statement and one commit fewer for
    every change); a failure is written on the row so that the relay sends it within seconds."""
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        _note_unpublished(message, BROKER_DOWN, tried=False)  # the relay sends it once the broker is back
        return
    try:
        _publish(message)
    except Exception as error:  # noqa: BLE001 - any transport error: leave it to the relay
        _broker_down_until = time.monotonic() + BREAKER_SECONDS
        logger.warning("outbox.publish.failed message_id=%s task=%s", message.pk, message.task_name)
        _note_unpublished(message, _error_text(error), tried=True)


def _note_unpublished(message: OutboxMessage, error: str, *, tried: bool) -> None:
    changes: dict[str, object] = {"last_error": error}
    if tried:
        changes["attempts"] = F("attempts") + 1
    try:
        OutboxMessage.objects.filter(pk=message.pk, sent_at__isnull=True).update(**changes)
    except Exception:  # noqa: BLE001 - the database is away too: the relay finds the row later
        logger.warning("outbox.note.failed message_id=%s", message.pk)


def task_enqueue(task: Task | str, *args: Any) -> OutboxMessage:
    """Run Celery ``task`` (a task or its dotted name) with ``args`` once the current transaction
    commits; the one way the portal starts background work after a change."""
    name = getattr(task, "name", task)
    message = OutboxMessage.objects.create(task_name=name, args=list(args))
    transaction.on_commit(lambda: _publish_after_commit(message), robust=True)
    return message


def outbox_mark_done(*, message_id: int) -> None:
    OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True).update(done_at=timezone.now())


def outbox_relay(
    *, limit: int = 500, grace: dt.timedelta = RELAY_GRACE, now: dt.datetime | None = None
) -> int:
    """Publish, oldest first, the messages not done that: failed to be published after commit,
    ``grace`` ago or more; or were published after commit (or by the relay) more than
    ``OUTBOX_REDELIVER_AFTER`` seconds ago. Returns how many went out.

    Stops at the first broker error (the rest waits for the next round)."""
    global _broker_down_until
    now = now or timezone.now()
    lost_before = now - dt.timedelta(seconds=settings.OUTBOX_REDELIVER_AFTER)
    sent = 0
    with transaction.atomic():
        batch = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(done_at__isnull=True)
            .filter(
                Q(sent_at__isnull=True, created_at__lte=now - grace) & ~Q(last_error="")
                | Q(sent_at__isnull=True, created_at__lt=lost_before, attempts__lt=MAX_PUBLICATIONS)
                | Q(sent_at__lt=lost_before, attempts__lt=MAX_PUBLICATIONS)
            )
            .order_by("pk")[:limit]
        )
        for message in batch:
            try:
                _publish(message)
            except Exception as error:  # noqa: BLE001 - broker down: try again next round
                OutboxMessage.objects.filter(pk=message.pk).update(
                    attempts=F("attempts") + 1, last_error=_error_text(error)
                )
                logger.warning("outbox.relay.failed message_id=%s sent=%s", message.pk, sent)
                return sent
            OutboxMessage.objects.filter(pk=message.pk).update(
                sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
            )
            sent += 1
    if sent:
        _broker_down_until = 0.0
        logger.info("outbox.relay.sent count=%s", sent)
    return sent


def outbox_backlog() -> int:
    """Messages whose task has not run yet (unsent, queued or running)."""
    return OutboxMessage.objects.filter(done_at__isnull=True).count()


def outbox_prune(*, older_than: dt.timedelta = dt.timedelta(days=7)) -> int:
    """Drop done messages after a week (from the relay task); returns how many."""
    deleted, _ = OutboxMessage.objects.filter(done_at__lt=timezone.now() - older_than).delete()
    return deleted
