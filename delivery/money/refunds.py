"""What the applicant gets back when a delivery ends early: one rule per situation, set in the admin
(``RefundRule``), shown before the applicant confirms, written on the move's event and in the ledger
in the move's transaction.

- Cancelled by the applicant, which the table of moves allows only before the passport leaves
  Imigrasi for PT Pos: by default the delivery fee paid comes back in full (nothing was carried).
- Returned to the office after the failed attempts (nobody received it): by default nothing.

The passport fee is state revenue for a passport that is still issued: never refunded here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from delivery.models import DeliveryOrder, RefundRule, RefundSituation
from ledger.choices import Channel, MovementKind, Revenue
from ledger.models import Movement
from ledger.services import delivery_money_of, movement_record

# The agreement's rule where the admin has set none.
DEFAULT_PERCENT = {
    RefundSituation.CANCELLED_BEFORE_RELEASE: 100,
    RefundSituation.RETURNED_AFTER_FAILED_ATTEMPTS: 0,
}


@dataclass(frozen=True)
class Refund:
    amount: int  # rupiah
    where: Promise | str
    rule: Promise | str
    channel: str = ""


def _percent(situation: str) -> tuple[int, str]:
    row = RefundRule.objects.filter(situation=situation).values_list("percent", "note").first()
    return row if row is not None else (DEFAULT_PERCENT[RefundSituation(situation)], "")


def refund_for(order: DeliveryOrder, situation: str) -> Refund:
    """The refund of ``order`` ending in ``situation`` now: the rule's share of what was paid."""
    paid = delivery_money_of(order.pk)
    percent, note = _percent(situation)
    if paid <= 0:
        return Refund(amount=0, where="", rule=_("No delivery fee was paid, so nothing is refunded."))
    fee = (
        Movement.objects.filter(order_id=order.pk, kind=MovementKind.DELIVERY_FEE)
        .values_list("channel", flat=True)
        .first()
    )
    channel = fee or Channel.POS_COUNTER
    where = (
        _("to the account the online payment came from")
        if channel == Channel.ONLINE
        else _("at the Pos counter, against your receipt")
    )
    if situation == RefundSituation.CANCELLED_BEFORE_RELEASE:
        rule: Promise | str = note or (
            _(
                "Before the passport leaves Imigrasi the delivery fee is refunded in full. The passport fee "
                "is state revenue and is not refunded; collect your passport at the Imigrasi office."
            )
            if percent == 100
            else _("Before the passport leaves Imigrasi, %(percent)s%% of the delivery fee is refunded.")
            % {"percent": percent}
        )
    else:
        rule = note or _("After failed attempts, %(percent)s%% of the delivery fee is refunded.") % {
            "percent": percent
        }
    return Refund(amount=paid * percent // 100, where=where, rule=rule, channel=channel)


def cancellation_refund(order: DeliveryOrder) -> Refund:
    return refund_for(order, RefundSituation.CANCELLED_BEFORE_RELEASE)


def refund_record(
    *, order: DeliveryOrder, refund: Refund, actor: User | None, at: dt.datetime, event_id: int
) -> None:
    """The refund in the ledger, in the transaction of the move that ended the delivery."""
    if refund.amount <= 0:
        return
    movement_record(
        kind=MovementKind.REFUND,
        revenue=Revenue.POS,
        amount=-refund.amount,
        office_id=order.pos_office_id,
        channel=refund.channel,
        reference=f"RF-{order.code}-{event_id}",
        actor=actor,
        at=at,
        order_id=order.pk,
    )
