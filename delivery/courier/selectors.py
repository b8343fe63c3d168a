"""Reads for the courier app and the dispatcher's board."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias, TypedDict
from urllib.parse import quote

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from core.models import IdempotencyRecord
from delivery.choices import DeliveryStatus as S
from delivery.models import (
    Courier,
    DeliveryCode,
    DeliveryEvent,
    DeliveryOrder,
    GroupBookingItem,
    RescheduleRequest,
)
from delivery.money.door import door_amounts_due

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _Attempts(TypedDict):
    failed_attempts: int


# An order with its count of failed attempts (``_with_attempts``).
RunOrder: TypeAlias = "WithAnnotations[DeliveryOrder, _Attempts]"

ON_RUN = (S.WITH_DELIVERY_SECTION, S.OUT_FOR_DELIVERY, S.FAILED_ATTEMPT)
REASSIGNABLE = (S.RECEIVED_BY_POS, S.WITH_DELIVERY_SECTION, S.FAILED_ATTEMPT)


def _start_of_today(now: dt.datetime | None = None) -> dt.datetime:
    local = timezone.localtime(now or timezone.now())
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _with_attempts(qs: QuerySet[DeliveryOrder]) -> QuerySet[RunOrder]:
    return qs.annotate(
        failed_attempts=Count("events", filter=Q(events__to_status=S.FAILED_ATTEMPT), distinct=True)
    )


def maps_url(address: str) -> str:
    return "https://www.google.com/maps/search/?api=1&query=" + quote(address)


@dataclass
class AreaGroup:
    """The orders of one delivery window (day and time) in one area; ``window`` is "" for orders
    booked without a window, which come last."""

    name: str
    orders: list[RunOrder] = field(default_factory=list)
    window: str = ""


def window_sort_key(order: DeliveryOrder) -> tuple[int, dt.date, dt.time]:
    """Orders by their chosen window: the earliest day and time first, those without one last."""
    window = order.delivery_window
    if window is None or order.delivery_date is None:
        return (1, dt.date.max, dt.time.max)
    return (0, order.delivery_date, window.starts_at)


def window_heading(order: DeliveryOrder) -> str:
    """The chosen day and window as the run and the board show it, e.g. "08-12-2026, 08.00–12.00"."""
    window = order.delivery_window
    if window is None or order.delivery_date is None:
        return ""
    return f"{order.delivery_date:%d-%m-%Y}, {window.label}"


class OfflineCode(TypedDict):
    """What the run page knows of an order's delivery code: whether its last digit is a Damm check
    digit ("damm"; "" for a code from before) and whether it was used. Nothing derived from the
    code itself: only the server can tell a right code from a wrong one."""

    check: str
    used: bool


@dataclass
class CourierRun:
    groups: list[AreaGroup]
    to_deliver: int
    delivered: int
    failed: int
    codes: dict[str, OfflineCode]


def group_contact_phones(orders: Sequence[DeliveryOrder]) -> dict[int, str]:
    """The phone the courier calls for each group order: the travel agency's office, where the group
    is delivered (the member's own phone is for the member's news). One query."""
    return dict(
        GroupBookingItem.objects.filter(order__in=orders).values_list("order_id", "group__contact_phone")
    )


def courier_run(*, courier: Courier, now: dt.datetime | None = None) -> CourierRun:
    """Today's run: open orders plus those delivered today, grouped and ordered by area."""
    today = _start_of_today(now)
    orders = list(
        _with_attempts(
            DeliveryOrder.objects.select_related("application__applicant", "area", "delivery_window")
            .filter(courier=courier)
            .filter(Q(status__in=ON_RUN) | Q(status=S.DELIVERED, status_changed_at__gte=today))
        ).order_by("area__name", "deadline_at", "pk")
    )
    orders.sort(key=window_sort_key)  # stable: by area and deadline within each window
    requests: dict[int, RescheduleRequest] = {}
    for request in RescheduleRequest.objects.filter(order__in=orders).order_by("after_attempt"):
        requests[request.order_id] = request
    agency_phones = group_contact_phones(orders)
    groups: list[AreaGroup] = []
    due = door_amounts_due(o for o in orders if o.status != S.DELIVERED)
    for order in orders:
        # Read by templates/courier/run.html on each order, beside the model's fields.
        order.maps_url = maps_url(order.address)  # type: ignore[attr-defined]  # see above
        # The fee difference to collect (or refund, negative) at the door, after an address change.
        order.door_amount = due.get(order.pk, 0)  # type: ignore[attr-defined]  # see above
        order.door_amount_abs = abs(order.door_amount)  # type: ignore[attr-defined]  # see above
        order.door_phone = agency_phones.get(order.pk, order.recipient_phone)  # type: ignore[attr-defined]  # see above
        asked = requests.get(order.pk)
        order.reschedule = (  # type: ignore[attr-defined]  # see above
            asked
            if asked and order.status == S.FAILED_ATTEMPT and asked.after_attempt == order.failed_attempts
            else None
        )
        heading = window_heading(order)
        if not groups or (groups[-1].window, groups[-1].name) != (heading, order.area.name):
            groups.append(AreaGroup(name=order.area.name, window=heading))
        groups[-1].orders.append(order)
    codes: dict[str, OfflineCode] = {
        row.order.code: {
            "check": row.check_digit,
            "used": row.used_at is not None,
        }
        for row in DeliveryCode.objects.select_related("order").filter(order__in=orders)
    }
    return CourierRun(
        groups=groups,
        to_deliver=sum(o.status in (S.WITH_DELIVERY_SECTION, S.OUT_FOR_DELIVERY) for o in orders),
        delivered=sum(o.status == S.DELIVERED for o in orders),
        failed=sum(o.status == S.FAILED_ATTEMPT for o in orders),
        codes=codes,
    )


@dataclass
class CourierBoardRow:
    courier: Courier
    pending: int
    out: int
    delivered: int
    failed: int
    last_sync: dt.datetime | None
    orders: list[RunOrder]


def dispatcher_board(*, office_id: int, now: dt.datetime | None = None) -> list[CourierBoardRow]:
    """Every courier of the office: what is pending, out, delivered today and failed; last sync."""
    today = _start_of_today(now)
    couriers = list(Courier.objects.filter(office_id=office_id, active=True).select_related("user"))
    user_ids = [c.user_id for c in couriers]
    # The last time the courier's phone reached the server: a move, or any update it sent (refused too).
    last_sync = dict(
        DeliveryEvent.objects.filter(actor__in=user_ids)
        .values("actor")
        .annotate(last=Max("occurred_at"))
        .values_list("actor", "last")
    )
    for user_id, last in (
        IdempotencyRecord.objects.filter(user__in=user_ids)
        .values("user")
        .annotate(last=Max("created_at"))
        .values_list("user", "last")
    ):
        if user_id not in last_sync or last > last_sync[user_id]:
            last_sync[user_id] = last
    orders = list(
        _with_attempts(
            DeliveryOrder.objects.select_related("application__applicant", "area", "delivery_window")
            .filter(pos_office_id=office_id, courier__in=couriers)
            .filter(
                Q(status__in=(*ON_RUN, S.RECEIVED_BY_POS))
                | Q(status=S.DELIVERED, status_changed_at__gte=today)
            )
        ).order_by("area__name", "pk")
    )
    orders.sort(key=window_sort_key)  # each courier's orders by window, then area
    rows = []
    for courier in couriers:
        mine = [o for o in orders if o.courier_id == courier.pk]
        for order in mine:
            # Read by templates/courier/board_rows.html on each order, beside the model's fields.
            order.reassignable = order.status in REASSIGNABLE  # type: ignore[attr-defined]  # see above
            order.window_heading = window_heading(order)  # type: ignore[attr-defined]  # see above
        rows.append(
            CourierBoardRow(
                courier=courier,
                pending=sum(o.status in (S.WITH_DELIVERY_SECTION, S.RECEIVED_BY_POS) for o in mine),
                out=sum(o.status == S.OUT_FOR_DELIVERY for o in mine),
                delivered=sum(o.status == S.DELIVERED for o in mine),
                failed=sum(o.status == S.FAILED_ATTEMPT for o in mine),
                last_sync=last_sync.get(courier.user_id),
                orders=mine,
            )
        )
    return rows


def phone_last_digits(phone: str, digits: int = 4) -> str:
    """A phone number as the run sheet prints it: its last digits only."""
    kept = "".join(ch for ch in phone if ch.isdigit())[-digits:]
    return f"•••• {kept}" if kept else ""


@dataclass
class RunSheetRow:
    """One passport on the courier's run sheet: what a courier needs at the door, no more (no
    NIK, the phone number's last digits only)."""

    code: str
    passport_number: str
    receiver: str
    area: str
    address: str
    phone_end: str
    taken_at: dt.datetime
    window: str = ""  # the chosen day and window (``window_heading``); "" without one
    window_key: tuple[int, dt.date, dt.time] = (1, dt.date.max, dt.time.max)


@dataclass(frozen=True)
class RunSheetGroup:
    """The rows of one delivery window, numbered on from the groups before (``first_number``)."""

    window: str
    rows: list[RunSheetRow]
    first_number: int


@dataclass
class RunSheet:
    courier: Courier
    day: dt.date
    rows: list[RunSheetRow]
    applicant_ids: list[int]

    @property
    def groups(self) -> list[RunSheetGroup]:
        """The rows by delivery window, as the run page groups them: the earliest window first,
        those without a window last; in the order taken within each."""
        groups: list[RunSheetGroup] = []
        number = 1
        for row in sorted(self.rows, key=lambda row: row.window_key):  # stable: order taken
            if not groups or groups[-1].window != row.window:
                groups.append(RunSheetGroup(window=row.window, rows=[], first_number=number))
            groups[-1].rows.append(row)
            number += 1
        return groups


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The start and end of a day in the offices' time (WITA)."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())
    return start, start + dt.timedelta(days=1)


def today_local(now: dt.datetime | None = None) -> dt.date:
    return timezone.localtime(now or timezone.now()).date()


def run_sheet(*, courier: Courier, day: dt.date) -> RunSheet:
    """The passports ``courier`` took out for delivery on ``day`` (their ``dispatch`` moves), each
    once, in the order taken (``RunSheet.groups``: by delivery window)."""
    start, end = day_bounds(day)
    events = (
        DeliveryEvent.objects.filter(
            actor_id=courier.user_id,
            to_status=S.OUT_FOR_DELIVERY,
            occurred_at__gte=start,
            occurred_at__lt=end,
        )
        .select_related("order__area", "order__application__applicant", "order__delivery_window")
        .order_by("occurred_at", "pk")
    )
    rows: dict[int, RunSheetRow] = {}
    applicant_ids: list[int] = []
    taken = list(events)
    agency_phones = group_contact_phones([event.order for event in taken])
    for event in taken:
        order = event.order
        if order.pk in rows:
            continue
        applicant_ids.append(order.application.applicant_id)
        rows[order.pk] = RunSheetRow(
            code=order.code,
            passport_number=order.passport_number,
            receiver=order.application.applicant.full_name,
            area=order.area.name,
            address=order.address,
            phone_end=phone_last_digits(agency_phones.get(order.pk, order.recipient_phone)),
            taken_at=event.occurred_at,
            window=window_heading(order),
            window_key=window_sort_key(order),
        )
    return RunSheet(courier=courier, day=day, rows=list(rows.values()), applicant_ids=applicant_ids)


def taken_today_count(*, courier: Courier, now: dt.datetime | None = None) -> int:
    """How many passports the courier took out today (for the run sheet's link)."""
    start, end = day_bounds(today_local(now))
    return (
        DeliveryEvent.objects.filter(
            actor_id=courier.user_id,
            to_status=S.OUT_FOR_DELIVERY,
            occurred_at__gte=start,
            occurred_at__lt=end,
        )
        .values("order_id")
        .distinct()
        .count()
    )
