"""Delivery days and time windows: which are offered, which still have places, and taking a place.

An area's first delivery day is its lead time in working days after today (Makassar 1, Selayar
4); the days after it are offered for ``DELIVERY_WINDOW_DAYS_AHEAD`` working days. Each of the
area's windows (08.00-12.00, 13.00-17.00, set in the admin) has its places per day. A place is
taken by one conditional ``UPDATE`` of the window's counter for that day (``DeliveryWindowDay``):
of two bookings for the last place exactly one raises the counter, the other is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.exceptions import ValidationFailed
from core.fields import ascii_digits
from delivery.handoff.deadlines import is_working_day
from delivery.handoff.transitions import window_place_release
from delivery.models import Area, DeliveryWindow, DeliveryWindowDay

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise


@dataclass(frozen=True)
class WindowOffer:
    window: DeliveryWindow
    free: int

    @property
    def value(self) -> str:
        return str(self.window.pk)


@dataclass(frozen=True)
class DayOffer:
    day: dt.date
    windows: tuple[WindowOffer, ...]

    @property
    def has_free(self) -> bool:
        return any(offer.free > 0 for offer in self.windows)


def first_delivery_day(area: Area, *, today: dt.date | None = None) -> dt.date:
    """The area's lead time in working days after ``today``."""
    day = today or timezone.localdate()
    counted = 0
    while counted < max(area.lead_days, 1):
        day += dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def delivery_days(area: Area, *, today: dt.date | None = None, start: dt.date | None = None) -> list[dt.date]:
    """The working days offered for ``area``: from its first delivery day (or ``start`` if later)."""
    first = first_delivery_day(area, today=today)
    day = max(first, start) if start else first
    last = first
    for _step in range(settings.DELIVERY_WINDOW_DAYS_AHEAD - 1):
        last += dt.timedelta(days=1)
        while not is_working_day(last):
            last += dt.timedelta(days=1)
    days = []
    while day <= last:
        if is_working_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def area_windows(area: Area) -> list[DeliveryWindow]:
    return list(DeliveryWindow.objects.filter(area=area, active=True).order_by("starts_at"))


def area_has_windows(area: Area) -> bool:
    return DeliveryWindow.objects.filter(area=area, active=True).exists()


def windows_offered(
    area: Area, *, today: dt.date | None = None, start: dt.date | None = None
) -> list[DayOffer]:
    """Every offered day with each window and its free places (0 when full)."""
    windows = area_windows(area)
    days = delivery_days(area, today=today, start=start)
    if not windows or not days:
        return []
    taken = {
        (row.window_id, row.day): row.taken
        for row in DeliveryWindowDay.objects.filter(window__in=windows, day__in=days)
    }
    return [
        DayOffer(
            day=day,
            windows=tuple(
                WindowOffer(window=window, free=max(window.capacity - taken.get((window.pk, day), 0), 0))
                for window in windows
            ),
        )
        for day in days
    ]


def _refuse(field: str, message: StrOrPromise) -> ValidationFailed:
    return ValidationFailed(message, fields={field: [message]}, code="window_not_offered")


def window_choice_check(
    *,
    area: Area,
    delivery_date: dt.date | None,
    window_id: int | str | None,
    today: dt.date | None = None,
) -> DeliveryWindow | None:
    """The chosen day and window, checked against what the area offers and has free.

    Choosing is optional: without a day and window the order keeps the 1-day clock of step 7 (and
    older API clients keep working). Either both are given or neither."""
    if delivery_date is None and not window_id:
        return None
    if not area_has_windows(area):
        raise _refuse("window", _("This area has no delivery windows to choose from."))
    if delivery_date is None:
        raise _refuse("delivery_date", _("Choose a delivery day for the window."))
    window = (
        DeliveryWindow.objects.filter(pk=str(window_id), area=area, active=True).first()
        if ascii_digits(str(window_id or ""))
        else None
    )
    if window is None:
        raise _refuse("window", _("Choose one of the delivery windows offered for this area."))
    if delivery_date not in delivery_days(area, today=today):
        raise _refuse(
            "delivery_date",
            _("Deliveries to %(area)s can be booked from %(day)s, on working days only.")
            % {"area": area.name, "day": first_delivery_day(area, today=today).strftime("%d-%m-%Y")},
        )
    if window_free(window=window, day=delivery_date) <= 0:
        raise window_full_error()
    return window


def window_full_error() -> ValidationFailed:
    message = _("This delivery window is full on that day; choose another window or day.")
    return ValidationFailed(message, fields={"window": [message]}, code="window_full")


def window_free(*, window: DeliveryWindow, day: dt.date) -> int:
    taken = DeliveryWindowDay.objects.filter(window=window, day=day).values_list("taken", flat=True).first()
    return max(window.capacity - (taken or 0), 0)


def _counter(window: DeliveryWindow, day: dt.date) -> DeliveryWindowDay:
    """The window's counter for the day, created at 0 the first time (two creators: one wins, the
    other reads the winner's row)."""
    row = DeliveryWindowDay.objects.filter(window=window, day=day).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return DeliveryWindowDay.objects.create(window=window, day=day, taken=0)
    except IntegrityError:
        return DeliveryWindowDay.objects.get(window=window, day=day)


def window_place_hold(*, window: DeliveryWindow, day: dt.date) -> None:
    """Lock the window's counter for the day until the transaction ends, and refuse if it is full.

    Online booking calls this before charging, so a second payer for the last place waits here and
    is refused before anything is charged."""
    row = _counter(window, day)
    row = DeliveryWindowDay.objects.select_for_update().get(pk=row.pk)
    if row.taken >= window.capacity:
        raise window_full_error()


def window_place_take(*, window: DeliveryWindow, day: dt.date) -> None:
    """Take one place: a conditional UPDATE, so two bookings for the last place never both win."""
    row = _counter(window, day)
    capacity = DeliveryWindow.objects.filter(pk=window.pk).values_list("capacity", flat=True).get()
    raised = DeliveryWindowDay.objects.filter(pk=row.pk, taken__lt=capacity).update(taken=F("taken") + 1)
    if raised != 1:
        raise window_full_error()


def slot_value(day: dt.date, window: DeliveryWindow) -> str:
    """One choice of the booking pages: the day and the window in one radio button's value."""
    return f"{day.isoformat()}_{window.pk}"


def slot_split(value: str) -> tuple[dt.date | None, str | None]:
    """The day and window id of a page's choice; ``(None, None)`` for nothing or nonsense."""
    day_text, _sep, window_id = (value or "").partition("_")
    try:
        day = dt.date.fromisoformat(day_text)
    except ValueError:
        return None, None
    return day, window_id


__all__ = [
    "DayOffer",
    "WindowOffer",
    "area_has_windows",
    "delivery_days",
    "first_delivery_day",
    "slot_split",
    "slot_value",
    "window_choice_check",
    "window_free",
    "window_full_error",
    "window_place_hold",
    "window_place_release",
    "window_place_take",
    "windows_offered",
]
