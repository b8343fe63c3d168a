"""What the applicant gets back when a delivery ends early: the one rule, shown before they confirm
and written on the move's event.

An applicant may cancel only before the passport leaves Imigrasi for PT Pos (the table of moves):
nothing was carried yet, so the delivery fee paid is refunded in full, where it was paid (at the Pos
counter against the receipt, or to the account an online payment came from). The passport fee is
state revenue for a passport that is still issued: it is not refunded, and the passport is collected
at the Imigrasi office.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from delivery.models import DeliveryFeePayment, DeliveryOrder


@dataclass(frozen=True)
class Refund:
    amount: int  # rupiah
    where: Promise | str
    rule: Promise | str


def cancellation_refund(order: DeliveryOrder) -> Refund:
    """The refund of cancelling ``order`` now, by the rule above."""
    payment = DeliveryFeePayment.objects.filter(order_id=order.pk).only("amount", "received_by_id").first()
    if payment is None:
        return Refund(amount=0, where="", rule=_("No delivery fee was paid, so nothing is refunded."))
    where = (
        _("at the Pos counter, against your receipt")
        if payment.received_by_id is not None
        else _("to the account the online payment came from")
    )
    return Refund(
        amount=payment.amount,
        where=where,
        rule=_(
            "Before the passport leaves Imigrasi the delivery fee is refunded in full. The passport fee "
            "is state revenue and is not refunded; collect your passport at the Imigrasi office."
        ),
    )
