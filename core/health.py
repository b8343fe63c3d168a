"""What /healthz reports: can the portal reach its database and its broker right now, and does every
queue have a worker taking it.

A worker says which queues it takes by writing one cache key per queue when it starts and every
``QUEUE_HEARTBEAT_SECONDS`` after (``QueueHeartbeat``, a step of the worker's start-up). The key
lives three beats: a queue whose workers all stopped, or that none was started for, is missing from
the cache within that time, and /healthz reports it as without a worker.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

from celery import bootsteps
from celery import current_app as app
from django.conf import settings
from django.core.cache import cache
from django.db import connection

_QUEUE_KEY = "health:queue:{}"
logger = logging.getLogger(__name__)


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            row = cursor.fetchone()
            return row is not None and row[0] == 1
    except Exception:  # any driver error means "down"
        return False


def broker_ok() -> bool:
    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            return True
    except Exception:  # any transport error means "down"
        return False


def queues_heard(queues: Iterable[str]) -> None:
    """A worker takes ``queues``: say so for three heartbeats."""
    cache.set_many(
        {_QUEUE_KEY.format(queue): time.time() for queue in queues},
        timeout=3 * settings.QUEUE_HEARTBEAT_SECONDS,
    )


def queues_without_worker() -> list[str]:
    """The portal's queues no worker has said it takes in the last three heartbeats."""
    queues = list(settings.TASKS_BY_QUEUE)
    heard = cache.get_many([_QUEUE_KEY.format(queue) for queue in queues])
    return [queue for queue in queues if _QUEUE_KEY.format(queue) not in heard]


class QueueHeartbeat(bootsteps.StartStopStep):  # type: ignore[misc]  # Celery ships no types
    """The worker's step that says, now and every ``QUEUE_HEARTBEAT_SECONDS``, which queues it
    takes (``-Q``, or every queue without it)."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.timer_entry: Any = None

    def start(self, parent: Any) -> None:
        queues = sorted(parent.app.amqp.queues.consume_from)

        def beat() -> None:
            try:
                queues_heard(queues)
            except Exception as error:  # a cache away for a moment: the next beat tries again
                logger.warning("queue heartbeat not written: %s", type(error).__name__)

        beat()
        self.timer_entry = parent.timer.call_repeatedly(settings.QUEUE_HEARTBEAT_SECONDS, beat)

    def stop(self, parent: Any) -> None:
        if self.timer_entry is not None:
            self.timer_entry.cancel()
