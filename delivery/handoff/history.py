"""An order's history that cannot be rewritten quietly.

Three guards, each catching what the one before it cannot:

- ``AppendOnlyModel`` refuses to save an existing event or delete one through the ORM;
- the database refuses every UPDATE and DELETE on ``delivery_deliveryevent`` whoever issues it
  (``QuerySet.update()``, raw SQL, a job): triggers created by migration ``delivery.0017`` on
  PostgreSQL and SQLite, on every monthly partition since ``delivery.0036`` (``partitions``);
- every event carries ``chain_hash``, a SHA-256 over the previous event of the same order and its
  own fields, so an edit made with the triggers switched off, or a removed event, breaks the chain
  (``events_chain_verify``; ``manage.py verify_event_chains``).

What is personal about an event (where the courier stood, who received the passport, the courier's
note) lives in ``DeliveryEventPersonal``, which retention may clear; the event itself stays as written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import connection
from django.db.models import Max

from delivery.models import DeliveryEvent, DeliveryEventPersonal

# Keys of an event's payload that say something about a person; they go to DeliveryEventPersonal.
PERSONAL_KEYS = frozenset({"receiver_name", "relation", "note"})

TRIGGER_NAMES = ("delivery_event_no_update", "delivery_event_no_delete")


class ChainedEvent(Protocol):
    """The fields the hash covers (a ``DeliveryEvent``, or the historical model in a migration)."""

    order_id: int
    from_status: str
    to_status: str
    actor_id: int | None
    actor_role: str
    office_id: int | None
    location: str
    occurred_at: dt.datetime
    device_time: dt.datetime | None
    deadline_at: dt.datetime | None
    leg_on_time: bool | None
    payload: dict[str, Any]


def payload_split(payload: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(what the event keeps, what is personal) of a move's payload."""
    payload = payload or {}
    kept = {key: value for key, value in payload.items() if key not in PERSONAL_KEYS}
    personal = {key: value for key, value in payload.items() if key in PERSONAL_KEYS and value}
    return kept, personal


def _instant(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def event_digest(event: ChainedEvent, previous: str) -> str:
    """The chain hash of ``event`` after the event whose chain hash is ``previous`` ("" for the
    first event of an order). The format is fixed: changing it breaks every stored chain."""
    fields = [
        previous,
        event.order_id,
        event.from_status,
        event.to_status,
        event.actor_id,
        event.actor_role,
        event.office_id,
        event.location,
        _instant(event.occurred_at),
        _instant(event.device_time),
        _instant(event.deadline_at),
        event.leg_on_time,
        event.payload,
    ]
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def events_chain(events: Sequence[DeliveryEvent]) -> None:
    """Set ``chain_hash`` on new, unsaved events, in the order they will be inserted, each
    continuing its order's chain. Called with the orders locked (after the move's conditional
    UPDATE), so no other move of the same order writes between this read and the insert."""
    order_ids = {event.order_id for event in events}
    last_ids = (
        DeliveryEvent.objects.filter(order_id__in=order_ids)
        .values("order_id")
        .annotate(last=Max("pk"))
        .values("last")
    )
    previous = dict(DeliveryEvent.objects.filter(pk__in=last_ids).values_list("order_id", "chain_hash"))
    for event in events:
        event.chain_hash = event_digest(event, previous.get(event.order_id, ""))
        previous[event.order_id] = event.chain_hash


def personal_details_write(events: Iterable[tuple[DeliveryEvent, str, dict[str, Any]]]) -> None:
    """Keep (event, where the courier was, personal payload) beside saved events, where there is any."""
    rows = [
        DeliveryEventPersonal(event=event, location=location, details=details)
        for event, location, details in events
        if location or details
    ]
    DeliveryEventPersonal.objects.bulk_create(rows)


def personal_details(event: DeliveryEvent) -> dict[str, Any]:
    """The personal part of an event's payload ({} once retention cleared it)."""
    try:
        return dict(event.personal.details)
    except DeliveryEventPersonal.DoesNotExist:
        return {}


@dataclass(frozen=True, kw_only=True)
class ChainBreak:
    order_id: int
    order_code: str
    event_id: int
    occurred_at: dt.datetime

    def __str__(self) -> str:
        return (
            f"order {self.order_code}: event {self.event_id} ({self.occurred_at:%Y-%m-%d %H:%M}) does not "
            "follow from the events before it: it was changed, or an event before it was removed"
        )


@dataclass(frozen=True, kw_only=True)
class ChainReport:
    orders: int
    events: int
    first_break: ChainBreak | None
    triggers_present: bool

    @property
    def intact(self) -> bool:
        return self.first_break is None and self.triggers_present


def triggers_present() -> bool:
    """Whether the database still refuses UPDATE and DELETE on the event table (on PostgreSQL, on
    the table and on every one of its monthly partitions)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A partition whose copy of a trigger is disabled counts the table as unguarded.
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'delivery_deliveryevent'::regclass "
                "AND tgname = ANY(%s) AND tgenabled <> 'D' AND NOT EXISTS (SELECT 1 FROM pg_inherits i "
                "WHERE i.inhparent = 'delivery_deliveryevent'::regclass AND NOT EXISTS (SELECT 1 FROM "
                "pg_trigger p WHERE p.tgrelid = i.inhrelid AND p.tgparentid = pg_trigger.oid "
                "AND p.tgenabled <> 'D'))",
                [list(TRIGGER_NAMES)],
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = "
                "'delivery_deliveryevent' AND name IN (%s, %s)",
                list(TRIGGER_NAMES),
            )
        row = cursor.fetchone()
    return bool(row) and row[0] == len(TRIGGER_NAMES)


def events_chain_verify(*, day: dt.date | None = None) -> ChainReport:
    """Recompute the chains of every order (or of the orders with an event on ``day``, local time,
    each from its first event) and report the first break."""
    events = DeliveryEvent.objects.order_by("order_id", "pk")
    if day is not None:
        events = events.filter(
            order_id__in=DeliveryEvent.objects.filter(occurred_at__date=day).values("order_id")
        )
    orders = checked = 0
    current_order: int | None = None
    previous = ""
    for event in events.select_related("order").only("order__code", *_HASHED_FIELDS).iterator(2000):
        if event.order_id != current_order:
            current_order, previous, orders = event.order_id, "", orders + 1
        checked += 1
        if event.chain_hash != event_digest(event, previous):
            found = ChainBreak(
                order_id=event.order_id,
                order_code=event.order.code,
                event_id=event.pk,
                occurred_at=event.occurred_at,
            )
            return ChainReport(
                orders=orders, events=checked, first_break=found, triggers_present=triggers_present()
            )
        previous = event.chain_hash
    return ChainReport(orders=orders, events=checked, first_break=None, triggers_present=triggers_present())


_HASHED_FIELDS = (
    "order_id",
    "from_status",
    "to_status",
    "actor_id",
    "actor_role",
    "office_id",
    "location",
    "occurred_at",
    "device_time",
    "deadline_at",
    "leg_on_time",
    "payload",
    "chain_hash",
)
