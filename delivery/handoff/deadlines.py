"""The handoff clocks of the SOP: 3 days to get the passport to Pos, same day to the delivery
section, 1 day to the applicant. Days are calendar or working days by setting (WITA).

An order booked with a delivery day and window gets, instead of the 1-day clock of step 7, the end of
its window on its day (if that is still ahead when the passport reaches the delivery section).

A passport sent to a pickup branch waits there ``DELIVERY_PICKUP_HOLD_DAYS``; past that, the order
is late (the problems queue of the Pos service section, which takes it back)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from delivery.choices import DeliveryStatus

WITA = ZoneInfo("Asia/Makassar")


def _holidays() -> set[dt.date]:
    return {dt.date.fromisoformat(day) for day in settings.DELIVERY_HOLIDAYS}


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _holidays()


def add_days(start: dt.datetime, days: int, *, kind: str | None = None) -> dt.datetime:
    """``start`` plus ``days``; with working days, weekends and holidays are not counted."""
    kind = kind or settings.DELIVERY_DEADLINE_DAYS_KIND
    local = start.astimezone(WITA)
    if kind == "calendar":
        return local + dt.timedelta(days=days)
    day = local.date()
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return dt.datetime.combine(day, local.timetz())


def end_of_day(moment: dt.datetime) -> dt.datetime:
    local = moment.astimezone(WITA)
    return dt.datetime.combine(local.date(), dt.time(23, 59, 59), tzinfo=WITA)


def window_end(day: dt.date | None, ends_at: dt.time | None) -> dt.datetime | None:
    """The end of a chosen delivery window on its day (WITA); ``None`` for an order without one."""
    if day is None or ends_at is None:
        return None
    return dt.datetime.combine(day, ends_at, tzinfo=WITA)


def deadline_after(
    target: str,
    *,
    at: dt.datetime,
    current_deadline: dt.datetime | None,
    window_deadline: dt.datetime | None = None,
) -> dt.datetime | None:
    """The deadline of the step that starts when an order enters ``target`` at ``at``.

    ``window_deadline``: the end of the order's chosen window (``window_end``), if it has one."""
    if target == DeliveryStatus.DOSSIER_HANDED:
        return add_days(at, settings.DELIVERY_STEP5_DAYS)
    if target == DeliveryStatus.PASSPORT_READY:
        return current_deadline  # the 3-day clock of step 5 keeps running until Pos has it
    if target == DeliveryStatus.RECEIVED_BY_POS:
        return end_of_day(at)
    if target == DeliveryStatus.WITH_DELIVERY_SECTION:
        if window_deadline is not None and window_deadline > at:
            return window_deadline
        return add_days(at, settings.DELIVERY_STEP7_DAYS)
    if target == DeliveryStatus.AT_PICKUP_BRANCH:
        # The branch keeps the passport this long; then the service section takes it back.
        return add_days(at, settings.DELIVERY_PICKUP_HOLD_DAYS)
    if target in (DeliveryStatus.OUT_FOR_DELIVERY, DeliveryStatus.FAILED_ATTEMPT):
        return current_deadline
    return None
