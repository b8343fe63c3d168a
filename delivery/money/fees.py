"""Taking the delivery fee: the Pos receipt (``DeliveryFeePayment``) and its ledger row, together.

Every way of booking goes through ``delivery_fee_take`` (the counter, online, a travel agency's
group), so an order's fee is in the ledger exactly when a receipt was given for it."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.exceptions import ValidationFailed
from delivery.models import DeliveryFeePayment, DeliveryOrder
from ledger.choices import MovementKind, Revenue
from ledger.services import movement_record


def delivery_fee_take(
    *,
    order: DeliveryOrder,
    amount: int,
    receipt_number: str,
    actor: User | None,
    channel: str,
    at: dt.datetime | None = None,
    group_id: int | None = None,
) -> DeliveryFeePayment:
    """The fee of ``order`` received: refused when it is not the order's tariff."""
    if amount != order.delivery_fee:
        raise ValidationFailed(
            _("The amount differs from the delivery fee of the area."),
            fields={"amount": [_("The amount differs from the delivery fee of the area.")]},
        )
    now = at or timezone.now()
    taken = _("The delivery fee of this order is already recorded.")
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: two clerks taking the same fee, one wins
                payment = DeliveryFeePayment.objects.create(
                    order=order,
                    receipt_number=receipt_number,
                    amount=amount,
                    received_by=actor,
                    received_at=now,
                )
        except IntegrityError:
            raise ValidationFailed(taken, fields={"amount": [taken]}) from None
        movement_record(
            kind=MovementKind.DELIVERY_FEE,
            revenue=Revenue.POS,
            amount=amount,
            office_id=order.pos_office_id,
            channel=channel,
            reference=receipt_number,
            actor=actor,
            at=now,
            order_id=order.pk,
            group_id=group_id,
        )
    return payment
