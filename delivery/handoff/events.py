"""Everything that follows a move of the handoff, in one place.

The state machine (``delivery.handoff.transitions``) changes the state, writes the event rows and then calls
``moves_follow_up`` inside the same transaction. From here: the applicants' notifications (outbox
tasks, sent after commit; one task per ``NOTIFY_BATCH`` events of a batch step), the tracking pages
forgotten after commit, and the partner systems' webhooks written with the events. Orders written as
history (the demo's back-dated orders) notify nobody.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from core.outbox import task_enqueue
from core.utils import on_commit
from core.webhooks import webhooks_emit
from delivery.models import DeliveryEvent, DeliveryOrder
from delivery.tracking.services import tracking_pages_forget

# The events of a batch step are notified by one background task per this many.
NOTIFY_BATCH = 50

_recording_history: ContextVar[bool] = ContextVar("recording_history", default=False)


@contextmanager
def history_recorded() -> Iterator[None]:
    """Orders written as history (the demo's back-dated orders): every event is recorded as usual,
    but nobody is notified today about changes that happened days ago."""
    token = _recording_history.set(True)
    try:
        yield
    finally:
        _recording_history.reset(token)


def notifications_wanted() -> bool:
    """False while orders are written as history (``history_recorded``): nobody is told."""
    return not _recording_history.get()


def moves_follow_up(moved: list[tuple[DeliveryOrder, DeliveryEvent]]) -> None:
    """Inside the move's transaction: the applicants' notifications after commit (one task for a
    batch), and the partner systems' webhooks written in the same transaction as the events."""
    if not _recording_history.get():
        if len(moved) == 1:
            task_enqueue("delivery.tasks.notify_delivery_event", moved[0][1].pk)
        else:  # a task per few dozen, so one slow mail server cannot hold a whole day's batch
            event_ids = [event.pk for _order, event in moved]
            for start in range(0, len(event_ids), NOTIFY_BATCH):
                task_enqueue("delivery.tasks.notify_delivery_events", event_ids[start : start + NOTIFY_BATCH])
    codes = [order.code for order, _event in moved]
    on_commit(lambda: tracking_pages_forget(codes))
    webhooks_emit(
        event="order.status_changed",
        messages=[
            (
                {
                    "order": order.code,
                    "from": event.from_status,
                    "to": event.to_status,
                    "at": event.occurred_at.isoformat(),
                    "deadline_at": event.deadline_at.isoformat() if event.deadline_at else None,
                    "actor_role": event.actor_role,
                    "office_id": event.office_id,
                },
                order.code,
                (order.imigrasi_office_id, order.pos_office_id),
            )
            for order, event in moved
        ],
    )
