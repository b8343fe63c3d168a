"""The event history in one partition per month (PostgreSQL only).

Migration ``delivery.0036`` made ``delivery_deliveryevent`` a table partitioned by range on
``occurred_at``: one partition per month of the portal's time zone (``delivery_deliveryevent_y2027m01``)
and a DEFAULT partition that takes any row no month partition takes, so an insert never fails.

- ``event_partitions_create`` (beat, daily) makes sure the current month and the next three have
  their partitions. Should rows of such a month already wait in the DEFAULT partition, they move into
  the new partition in the same transaction (PostgreSQL will not create a partition whose range the
  DEFAULT partition holds rows of).
- ``event_partition_detach`` takes a closed month out of the live table for the archive
  (``manage.py detach_event_partition YYYY-MM``): the oldest attached month first, never the current
  or a future one, and only when every order with an event in it has ended and has no event in a
  later month, so no open order loses its history and every chain of hashes still attached starts
  at an order's first event. The detached table keeps refusing UPDATE and DELETE until it is dumped
  and dropped.

SQLite keeps one plain table: both functions do nothing there.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core.exceptions import DomainError
from delivery.choices import FINAL_STATUSES
from delivery.models import DeliveryEvent, DeliveryEventPersonal, DeliveryOrder, Notification, ProofOfDelivery

logger = logging.getLogger(__name__)

PARENT = "delivery_deliveryevent"
DEFAULT_PARTITION = "delivery_deliveryevent_default"
MONTHS_AHEAD = 3
# A detached month keeps refusing changes under these names (not the parent's: attaching the table
# again clones the parent's triggers onto it, which must not meet triggers of the same name).
ARCHIVE_TRIGGERS = (
    ("delivery_event_archive_no_update", "UPDATE"),
    ("delivery_event_archive_no_delete", "DELETE"),
)
# pg_advisory_xact_lock key: one partition maintenance at a time ("event partitions" in ASCII).
_LOCK_KEY = 0x6576_7061_7274
_NAME = re.compile(rf"^{PARENT}_y(\d{{4}})m(\d{{2}})$")


class PartitionRefused(DomainError):
    code = "partition_refused"


@dataclass(frozen=True, kw_only=True)
class DetachedMonth:
    table: str
    month: dt.date
    events: int
    notifications: int
    proofs: int
    personal_details: int


def month_add(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def month_of(value: dt.datetime) -> dt.date:
    """The month (its first day) of an instant, in the portal's time zone."""
    return timezone.localtime(value).date().replace(day=1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = ZoneInfo(settings.TIME_ZONE)
    following = month_add(month, 1)
    return (
        dt.datetime(month.year, month.month, 1, tzinfo=zone),
        dt.datetime(following.year, following.month, 1, tzinfo=zone),
    )


def partition_name(month: dt.date) -> str:
    return f"{PARENT}_y{month.year:04d}m{month.month:02d}"


def partitioned() -> bool:
    """Whether the event table is partitioned (PostgreSQL after migration 0035)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass", [PARENT])
        return cursor.fetchone() is not None


def event_partitions() -> dict[str, dt.date | None]:
    """The attached partitions: table name -> month (None for the DEFAULT partition)."""
    if not partitioned():
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass ORDER BY c.relname",
            [PARENT],
        )
        names = [row[0] for row in cursor.fetchall()]
    months: dict[str, dt.date | None] = {}
    for name in names:
        found = _NAME.match(name)
        months[name] = dt.date(int(found[1]), int(found[2]), 1) if found else None
    return months


def event_partitions_create(*, now: dt.datetime | None = None, ahead: int = MONTHS_AHEAD) -> list[str]:
    """Create the partitions of the current month and the next ``ahead`` months that do not exist
    yet; returns the names created. Safe to run any number of times."""
    if not partitioned():
        return []
    current = month_of(now or timezone.now())
    created = []
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        existing = event_partitions()
        for month in (month_add(current, count) for count in range(ahead + 1)):
            name = partition_name(month)
            if name not in existing:
                _partition_create(month)
                created.append(name)
    for name in created:
        logger.info("delivery.event_partition.created table=%s", name)
    return created


def _partition_create(month: dt.date) -> None:
    start, end = month_bounds(month)
    name = partition_name(month)
    create = (
        f"CREATE TABLE {name} PARTITION OF {PARENT} "
        f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
    )
    waiting = DeliveryEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end).exists()
    with connection.cursor() as cursor:
        if not waiting:
            cursor.execute(create)
            return
        # The DEFAULT partition holds rows of this month. Detached, it is a plain table without the
        # parent's triggers: its rows move into the new partition (copied, then removed from it), and
        # it is attached again (which checks it holds no row of any month partition).
        cursor.execute(f"ALTER TABLE {PARENT} DETACH PARTITION {DEFAULT_PARTITION}")
        cursor.execute(create)
        where = "WHERE occurred_at >= %s AND occurred_at < %s"
        cursor.execute(f"INSERT INTO {name} SELECT * FROM {DEFAULT_PARTITION} {where}", [start, end])
        moved = cursor.rowcount
        cursor.execute(f"DELETE FROM {DEFAULT_PARTITION} {where}", [start, end])
        cursor.execute(f"ALTER TABLE {PARENT} ATTACH PARTITION {DEFAULT_PARTITION} DEFAULT")
    logger.warning("delivery.event_partition.moved_from_default table=%s rows=%s", name, moved)


def event_partition_detach(*, month: dt.date, now: dt.datetime | None = None) -> DetachedMonth:
    """Detach the partition of ``month`` (its first day) from the event table, for the archive."""
    month = month.replace(day=1)
    if not partitioned():
        raise PartitionRefused("The event table is not partitioned here (SQLite, or before migration 0035).")
    if month >= month_of(now or timezone.now()):
        raise PartitionRefused(
            f"{month:%Y-%m} is the current month or a future one: only closed months are detached."
        )
    name = partition_name(month)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Taken now rather than by DETACH, so no event is written between the checks and it.
            cursor.execute(f"LOCK TABLE {PARENT} IN ACCESS EXCLUSIVE MODE")
        attached = {name: at for name, at in event_partitions().items() if at is not None}
        if name not in attached:
            raise PartitionRefused(f"No partition of {month:%Y-%m} is attached ({name}).")
        older = sorted(at for at in attached.values() if at < month)
        if older:
            raise PartitionRefused(
                f"{older[0]:%Y-%m} is older and still attached: detach the oldest month first."
            )
        start, end = month_bounds(month)
        events = DeliveryEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
        orders = events.values("order_id")
        open_orders = DeliveryOrder.objects.filter(pk__in=orders).exclude(status__in=FINAL_STATUSES).count()
        if open_orders:
            raise PartitionRefused(f"{open_orders} order(s) with events in {month:%Y-%m} have not ended yet.")
        carried_on = (
            DeliveryEvent.objects.filter(occurred_at__gte=end, order_id__in=orders)
            .values("order_id")
            .distinct()
            .count()
        )
        if carried_on:
            raise PartitionRefused(
                f"{carried_on} order(s) with events in {month:%Y-%m} have events in a later month: "
                "their history would be cut in two."
            )
        detached = DetachedMonth(
            table=name,
            month=month,
            events=events.count(),
            notifications=Notification.objects.filter(event__in=events).count(),
            proofs=ProofOfDelivery.objects.filter(event__in=events).count(),
            personal_details=DeliveryEventPersonal.objects.filter(event__in=events).count(),
        )
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {PARENT} DETACH PARTITION {name}")
            for trigger, operation in ARCHIVE_TRIGGERS:
                cursor.execute(
                    f"CREATE TRIGGER {trigger} BEFORE {operation} ON {name} "
                    "FOR EACH ROW EXECUTE FUNCTION delivery_event_refuse_change()"
                )
    logger.info("delivery.event_partition.detached table=%s events=%s", name, detached.events)
    return detached
