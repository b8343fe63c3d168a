"""Reads for the courier app and the dispatcher's board."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
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
    RescheduleRequest,
)

ON_RUN = (S.WITH_DELIVERY_SECTION, S.OUT_FOR_DELIVERY, S.FAILED_ATTEMPT)
REASSIGNABLE = (S.RECEIVED_BY_POS, S.WITH_DELIVERY_SECTION, S.FAILED_ATTEMPT)


def _start_of_today(now: dt.datetime | None = None) -> dt.datetime:
    local = timezone.localtime(now or timezone.now())
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _with_attempts(qs: QuerySet[DeliveryOrder]) -> QuerySet[DeliveryOrder]:
    return qs.annotate(
        failed_attempts=Count("events", filter=Q(events__to_status=S.FAILED_ATTEMPT), distinct=True)
    )


def maps_url(address: str) -> str:
    return "https://www.google.com/maps/search/?api=1&query=" + quote(address)


@dataclass
class AreaGroup:
    name: str
    orders: list = field(default_factory=list)


@dataclass
class CourierRun:
    groups: list[AreaGroup]
    to_deliver: int
    delivered: int
    failed: int
    codes: dict[str, dict]


def courier_run(*, courier: Courier, now: dt.datetime | None = None) -> CourierRun:
    """Today's run: open orders plus those delivered today, grouped and ordered by area."""
    today = _start_of_today(now)
    orders = list(
        _with_attempts(
            DeliveryOrder.objects.select_related("application__applicant", "area")
            .filter(courier=courier)
            .filter(Q(status__in=ON_RUN) | Q(status=S.DELIVERED, status_changed_at__gte=today))
        ).order_by("area__name", "deadline_at", "pk")
    )
    requests = {}
    for request in RescheduleRequest.objects.filter(order__in=orders).order_by("after_attempt"):
        requests[request.order_id] = request
    groups: list[AreaGroup] = []
    for order in orders:
        order.maps_url = maps_url(order.address)
        request = requests.get(order.pk)
        order.reschedule = (
            request
            if request and order.status == S.FAILED_ATTEMPT and request.after_attempt == order.failed_attempts
            else None
        )
        if not groups or groups[-1].name != order.area.name:
            groups.append(AreaGroup(name=order.area.name))
        groups[-1].orders.append(order)
    codes = {
        row.order.code: {
            "salt": row.salt,
            "hash": row.code_hash,
            "iterations": row.iterations,
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
    orders: list


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
            DeliveryOrder.objects.select_related("application__applicant", "area")
            .filter(pos_office_id=office_id, courier__in=couriers)
            .filter(
                Q(status__in=(*ON_RUN, S.RECEIVED_BY_POS))
                | Q(status=S.DELIVERED, status_changed_at__gte=today)
            )
        ).order_by("area__name", "pk")
    )
    rows = []
    for courier in couriers:
        mine = [o for o in orders if o.courier_id == courier.pk]
        for order in mine:
            order.reassignable = order.status in REASSIGNABLE
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
