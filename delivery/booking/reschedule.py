"""The applicant picks another day: before the courier sets out (another day and window, in an area
with delivery windows), or after a failed attempt (another day, or another address in the same area).

One request per failed attempt: sending the form again replaces it, never adds a second one. A new
address replaces the order's delivery address (the area, and so the fee, stays the same).

In an area with delivery windows the new day comes with a window, offered and free like at booking:
its place is taken, the old one given back, and the step's deadline becomes the new window's end.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.exceptions import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from delivery.booking.windows import (
    area_has_windows,
    window_choice_check,
    window_place_release,
    window_place_take,
)
from delivery.choices import DeliveryStatus
from delivery.handoff import transitions as t
from delivery.handoff.deadlines import window_end
from delivery.models import DeliveryOrder, RescheduleRequest

MAX_DAYS_AHEAD = 14


# Before the courier sets out, an order in an area with delivery windows may move to another day
# and window (the address changes on its own page, with its fee).
BEFORE_DISPATCH = (
    DeliveryStatus.BOOKED,
    DeliveryStatus.DOSSIER_HANDED,
    DeliveryStatus.PASSPORT_READY,
    DeliveryStatus.RECEIVED_BY_POS,
    DeliveryStatus.WITH_DELIVERY_SECTION,
)


def reschedule_allowed(order: DeliveryOrder) -> bool:
    if order.pickup_branch_id is not None:
        return False  # collected at a branch: no courier comes
    if order.status in BEFORE_DISPATCH:
        return area_has_windows(order.area)
    return (
        order.status == DeliveryStatus.FAILED_ATTEMPT
        and t.failed_attempts(order) < settings.DELIVERY_MAX_FAILED_ATTEMPTS
    )


def delivery_order_reschedule(
    *,
    order_id: int,
    actor: User,
    preferred_date: dt.date,
    new_address: str = "",
    window_id: int | str | None = None,
) -> RescheduleRequest:
    today = timezone.localdate()
    new_address = (new_address or "").strip()
    errors = {}
    # A day with a window follows the area's offered days (window_choice_check) instead.
    if not window_id and not today <= preferred_date <= today + dt.timedelta(days=MAX_DAYS_AHEAD):
        errors["preferred_date"] = [_("Choose a day from today to 14 days ahead.")]
    if new_address and len(new_address) < 10:
        errors["new_address"] = [_("Write the full address: street, number, district.")]
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    with transaction.atomic():
        order = (
            DeliveryOrder.objects.select_for_update(of=("self",))
            .select_related("application__applicant", "area")
            .filter(pk=order_id)
            .first()
        )
        if order is None:
            raise NotFound(_("No such delivery order."))
        if order.application.applicant.user_id != actor.pk:
            raise NotAllowed(_("This order is not yours."), code="not_owner")
        if not reschedule_allowed(order):
            raise InvalidTransition(
                _(
                    "Another day can be chosen before the courier sets out (in an area with delivery "
                    "windows) or after a failed attempt, while attempts are left."
                ),
            )
        before_dispatch = order.status in BEFORE_DISPATCH
        if before_dispatch and (new_address or not window_id):
            raise ValidationFailed(
                _("Choose a delivery day and window; the address changes on its own page."),
                fields={"delivery_date": [_("Choose a delivery day and window.")]},
            )
        window = window_choice_check(
            area=order.area,
            delivery_date=preferred_date if window_id else None,
            window_id=window_id,
            today=today,
        )
        request, _created = RescheduleRequest.objects.update_or_create(
            order=order,
            after_attempt=t.failed_attempts(order),
            defaults={
                "preferred_date": preferred_date,
                "new_address": new_address,
                "requested_by": actor,
                "delivery_window": window,
            },
        )
        changes: dict[str, object] = {}
        if new_address and new_address != order.address:
            changes["address"] = new_address
        if window is not None and (window.pk, preferred_date) != (
            order.delivery_window_id,
            order.delivery_date,
        ):
            window_place_take(window=window, day=preferred_date)
            window_place_release(window_id=order.delivery_window_id, day=order.delivery_date)
            changes.update(delivery_window=window, delivery_date=preferred_date)
            # The step-7 clock follows the window once the passport is with the delivery section
            # (or back there after a failed attempt); earlier steps keep their own clocks.
            if order.status in (DeliveryStatus.FAILED_ATTEMPT, DeliveryStatus.WITH_DELIVERY_SECTION):
                changes.update(
                    deadline_at=window_end(preferred_date, window.ends_at), deadline_breached_at=None
                )
        if changes:
            DeliveryOrder.objects.filter(pk=order.pk).update(**changes, updated_at=timezone.now())
    return request
