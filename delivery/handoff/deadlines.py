"""The handoff clocks of the SOP: 3 days to get the passport to Pos, same day to the delivery
section, 1 day to the applicant. Days are calendar or working days by setting (WITA)."""

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


def deadline_after(
    target: str, *, at: dt.datetime, current_deadline: dt.datetime | None
) -> dt.datetime | None:
    """The deadline of the step that starts when an order enters ``target`` at ``at``."""
    if target == DeliveryStatus.DOSSIER_HANDED:
        return add_days(at, settings.DELIVERY_STEP5_DAYS)
    if target == DeliveryStatus.PASSPORT_READY:
        return current_deadline  # the 3-day clock of step 5 keeps running until Pos has it
    if target == DeliveryStatus.RECEIVED_BY_POS:
        return end_of_day(at)
    if target == DeliveryStatus.WITH_DELIVERY_SECTION:
        return add_days(at, settings.DELIVERY_STEP7_DAYS)
    if target in (DeliveryStatus.OUT_FOR_DELIVERY, DeliveryStatus.FAILED_ATTEMPT):
        return current_deadline
    return None
