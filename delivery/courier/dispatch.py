"""Putting orders on a courier's run: the dispatcher's choice, checked against the office and the partnership."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.exceptions import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from delivery.choices import (
    DeliveryStatus,
)
from delivery.models import Courier, DeliveryOrder
from delivery.permissions import require_courier_assigner
from delivery.signals import third_party_transfer_requested


def delivery_order_assign_courier(*, order_id: int, courier: Courier, actor: User) -> DeliveryOrder:
    """The dispatcher (or the service section at step 6) puts the order on a courier's run."""
    delivery_orders_assign_couriers(assignments={order_id: courier}, actor=actor)
    return DeliveryOrder.objects.get(pk=order_id)


def delivery_orders_assign_couriers(*, assignments: dict[int, Courier], actor: User) -> None:
    """Put each order on its courier's run, all or none (one UPDATE per courier)."""
    require_courier_assigner(actor)
    couriers = {courier.pk: courier for courier in assignments.values()}
    if not all(courier.active for courier in couriers.values()):
        message = _("This courier is no longer active.")
        raise ValidationFailed(message, fields={"courier": [message]})
    with transaction.atomic():
        orders = list(
            DeliveryOrder.objects.select_for_update().filter(pk__in=sorted(assignments)).order_by("pk")
        )
        if len(orders) != len(assignments):
            raise NotFound(_("No such delivery order."))
        for order in orders:
            courier = assignments[order.pk]
            if order.pos_office_id != actor.office_id or courier.office_id != actor.office_id:
                raise NotAllowed(_("This order belongs to another office."), code="wrong_office")
            if order.status not in (
                DeliveryStatus.RECEIVED_BY_POS,
                DeliveryStatus.WITH_DELIVERY_SECTION,
                DeliveryStatus.FAILED_ATTEMPT,
            ):
                raise InvalidTransition(_("A courier can only be changed before the passport goes out."))
        if any(courier.is_third_party for courier in couriers.values()):
            third_party_transfer_requested.send(sender=Courier)
        now = timezone.now()
        for courier_id, courier in couriers.items():
            ids = [order_id for order_id, chosen in assignments.items() if chosen.pk == courier_id]
            DeliveryOrder.objects.filter(pk__in=ids).update(courier=courier, updated_at=now)
