"""A group's delivery fees: each member's order carries its area's fee, and the agency pays the
group's total once, at the Pos counter.

``group_fees_pay`` (the Pos service officer of the group's Pos office) records that one payment as
one ``DeliveryFeePayment`` per member order still under way, numbered ``<group receipt>-<n>`` (n:
the member's place in the group), so every order keeps its one payment and refunds follow the same
rule as any order's. ``group_receipt`` lists each member (name shortened), tracking code, area and
fee with the total: the group receipt PDF prints it (``delivery.counter.documents``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from core.exceptions import InvalidTransition, NotAllowed
from delivery.choices import DeliveryStatus
from delivery.models import GroupBooking, GroupBookingItem
from delivery.money.fees import delivery_fee_take
from ledger.choices import Channel

# The member's delivery is over before the agency paid: nothing to pay for it.
NOT_CHARGED = (DeliveryStatus.CANCELLED,)


def name_shortened(full_name: str) -> str:
    """A member's name on paper that passes through many hands: the first name and initials
    ("Hajjah Siti Maryam" → "Hajjah S. M.")."""
    words = full_name.split()
    if not words:
        return ""
    return " ".join([words[0], *(f"{word[0]}." for word in words[1:])])


@dataclass(frozen=True)
class ReceiptRow:
    n: int
    name: str  # shortened
    code: str
    area: str
    fee: int
    receipt_number: str  # "" until paid
    charged: bool  # False for a delivery cancelled before the agency paid


@dataclass(frozen=True)
class GroupReceipt:
    group: GroupBooking
    rows: list[ReceiptRow]
    total: int  # rupiah, of the charged rows
    paid: bool
    receipt_number: str
    paid_at: dt.datetime | None
    received_by: str


def _items(group: GroupBooking) -> list[GroupBookingItem]:
    return list(
        group.items.select_related(
            "order__area", "order__application__applicant", "order__fee_payment"
        ).order_by("row", "pk")
    )


def group_receipt(group: GroupBooking) -> GroupReceipt:
    """Every member's fee and the group's total, paid or still due."""
    rows = []
    for n, item in enumerate(_items(group), start=1):
        order = item.order
        payment = getattr(order, "fee_payment", None)
        charged = payment is not None if group.fees_paid_at else order.status not in NOT_CHARGED
        rows.append(
            ReceiptRow(
                n=n,
                name=name_shortened(order.application.applicant.full_name),
                code=order.code,
                area=order.area.name,
                fee=payment.amount if payment is not None else order.delivery_fee,
                receipt_number=payment.receipt_number if payment is not None else "",
                charged=charged,
            )
        )
    received_by = group.fees_received_by
    return GroupReceipt(
        group=group,
        rows=rows,
        total=sum(row.fee for row in rows if row.charged),
        paid=group.fees_paid_at is not None,
        receipt_number=group.fee_receipt_number,
        paid_at=group.fees_paid_at,
        received_by=received_by.get_full_name() or received_by.username if received_by is not None else "",
    )


def group_fees_pay(*, group_id: int, actor: User, at: dt.datetime | None = None) -> GroupReceipt:
    """The agency paid the group's total at the Pos counter: one payment per member order."""
    if actor.role != Role.POS_SERVICE_OFFICER:
        raise NotAllowed(_("Your role may not do this."), code="wrong_role")
    now = at or timezone.now()
    with transaction.atomic():
        group = GroupBooking.objects.select_for_update().get(pk=group_id)
        if group.fees_paid_at is not None:
            raise InvalidTransition(
                _("The group's delivery fees are already paid (receipt %(number)s).")
                % {"number": group.fee_receipt_number},
                code="already_paid",
            )
        items = _items(group)
        if any(item.order.pos_office_id != actor.office_id for item in items):
            raise NotAllowed(_("This group belongs to another office."), code="wrong_office")
        number = f"DF-{group.number}"
        charged = [
            (n, item)
            for n, item in enumerate(items, start=1)
            if item.order.status not in NOT_CHARGED and getattr(item.order, "fee_payment", None) is None
        ]
        if not charged:
            raise InvalidTransition(_("No delivery of this group is left to pay for."), code="nothing_to_pay")
        # Each member's receipt and its ledger row, in this transaction (delivery/money/fees.py).
        for n, item in charged:
            delivery_fee_take(
                order=item.order,
                amount=item.order.delivery_fee,
                receipt_number=f"{number}-{n}",
                actor=actor,
                channel=Channel.POS_COUNTER,
                at=now,
                group_id=group.pk,
            )
        GroupBooking.objects.filter(pk=group.pk).update(
            fee_receipt_number=number, fees_paid_at=now, fees_received_by=actor, updated_at=now
        )
        group.refresh_from_db()
    return group_receipt(group)
