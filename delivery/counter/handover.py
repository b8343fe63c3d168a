"""Step 6: the Pos service section hands the day's passports to the delivery section, each on a courier's run."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from core.exceptions import ValidationFailed
from delivery.handoff.transitions import delivery_orders_move
from delivery.models import Courier, DeliveryOrder
from delivery.permissions import require_role


def suggested_courier(order: DeliveryOrder) -> Courier | None:
    """The first active courier of the order's Pos office who serves its area."""
    qs = Courier.objects.filter(office_id=order.pos_office_id, active=True).order_by("name", "pk")
    return qs.filter(areas=order.area_id).first() or qs.first()


def delivery_section_hand_over(
    *, actor: User, assignments: dict[int, int], at: dt.datetime | None = None
) -> int:
    """Step 6: the service section hands received passports to the delivery section, each on a
    courier's run, all in one transaction. Returns how many passports were handed over."""
    from delivery.courier.dispatch import delivery_orders_assign_couriers

    require_role(actor, Role.POS_SERVICE_OFFICER)
    if not assignments:
        raise ValidationFailed(_("Choose at least one passport."))
    now = at or timezone.now()
    couriers = {c.pk: c for c in Courier.objects.filter(pk__in=set(assignments.values()), active=True)}
    if not all(courier_id in couriers for courier_id in assignments.values()):
        raise ValidationFailed(_("Choose a courier for every passport."))
    with transaction.atomic():
        delivery_orders_assign_couriers(
            assignments={order_id: couriers[courier_id] for order_id, courier_id in assignments.items()},
            actor=actor,
        )
        delivery_orders_move("hand_to_delivery", order_ids=list(assignments), actor=actor, at=now)
    return len(assignments)
