"""The fee difference settled at the door, after an address change to an area with another fee.

What is due at the door is the order's fee now less what the ledger holds for its delivery: a
positive amount is collected by the courier (against a receipt), a negative one refunded. The
courier's app shows it on the order and asks the courier to confirm it with the delivery; the
collection is a ledger row written in the delivery's transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.exceptions import ValidationFailed
from delivery.models import DeliveryOrder
from ledger.choices import Channel, MovementKind, Revenue
from ledger.services import delivery_money_of_orders, movement_record


def door_amount_due(order: DeliveryOrder) -> int:
    """Rupiah to collect at the door (negative: to refund there); 0 when nothing is open, and for an
    order whose fee was never taken through the portal (nothing of it is in the ledger)."""
    return door_amounts_due([order])[order.pk]


def door_amounts_due(orders: Iterable[DeliveryOrder]) -> dict[int, int]:
    """The same for a run's orders, in one query."""
    orders = list(orders)
    paid = delivery_money_of_orders(order.pk for order in orders)
    return {order.pk: order.delivery_fee - paid[order.pk] if order.pk in paid else 0 for order in orders}


def door_amount_check(order: DeliveryOrder, confirmed: int) -> int:
    """The amount due, if the courier confirmed exactly it; refused otherwise (nothing written)."""
    due = door_amount_due(order)
    if confirmed != due:
        message = (
            _("Collect %(amount)s at the door and tick it before recording the delivery.")
            if due > 0
            else _("Refund %(amount)s at the door and tick it before recording the delivery.")
        ) % {"amount": f"Rp {abs(due):,}".replace(",", ".")}
        raise ValidationFailed(message, code="door_amount", fields={"door_amount": [message]})
    return due


def door_settle(*, order: DeliveryOrder, amount: int, actor: User, at: dt.datetime, event_id: int) -> None:
    """The collection (or refund) at the door in the ledger, with the delivery."""
    if amount == 0:
        return
    movement_record(
        kind=MovementKind.DOOR_COLLECTION if amount > 0 else MovementKind.REFUND,
        revenue=Revenue.POS,
        amount=amount,
        office_id=order.pos_office_id,
        channel=Channel.DOOR,
        reference=f"DC-{order.code}-{event_id}",
        actor=actor,
        at=at,
        order_id=order.pk,
    )
