"""What "manage my delivery" shows and allows for one order, in one place: the pages and the API
read it from here, and each change is made by the service that owns it (a new day by
``delivery.booking.reschedule``, the address by ``delivery.booking.online``, the cancel by the table
of moves, a pickup branch by ``delivery.pickup``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.functional import Promise

from accounts.models import User
from core.exceptions import DomainError
from delivery.booking.online import address_change_quote
from delivery.booking.reschedule import reschedule_allowed
from delivery.choices import DeliveryStatus
from delivery.handoff import transitions as t
from delivery.handoff.tokens import DeliveryToken, delivery_token_issue, delivery_token_qr
from delivery.models import DeliveryOrder, FeeDifferencePayment, PickupBranch, ProofOfDelivery
from delivery.money.difference import fee_difference_latest, fee_difference_open
from delivery.money.refunds import Refund, cancellation_refund
from delivery.pickup.services import (
    delivery_order_choose_pickup,
    pickup_branches,
    pickup_choice_allowed,
)


@dataclass(frozen=True)
class Overview:
    can_change_day: bool
    can_change_address: bool
    can_cancel: bool
    cancel_refused: Promise | str
    refund: Refund | None
    proof: ProofOfDelivery | None
    token: DeliveryToken | None
    token_qr: str
    delivery_date: dt.date | None
    window: str
    # The fee difference of an address change that may be paid online now (0: none), and the
    # latest online payment of one (its state: in progress, paid, refused).
    difference_to_pay: int
    difference_payment: FeeDifferencePayment | None
    # Collecting the passport at a Pos branch instead: whether it may be chosen now, and where.
    can_choose_pickup: bool = False
    pickup_branches: tuple[PickupBranch, ...] = ()


def manage_overview(*, order: DeliveryOrder, actor: User) -> Overview:
    """What the applicant may do with ``order`` now, and what they may see (proof, QR code)."""
    try:
        address_change_quote(order=order, actor=actor, area_id=order.area_id)
        can_change_address = True
    except DomainError:
        can_change_address = False
    cancel_refused: Promise | str = ""
    try:
        t.check_move("cancel", order, actor)
        can_cancel = True
    except DomainError as error:
        can_cancel, cancel_refused = False, error.message
    window = order.delivery_window
    token = delivery_token_issue(order=order)
    can_choose_pickup = pickup_choice_allowed(order, actor)
    return Overview(
        can_change_day=reschedule_allowed(order),
        can_change_address=can_change_address,
        can_cancel=can_cancel,
        cancel_refused=cancel_refused,
        refund=cancellation_refund(order) if can_cancel else None,
        proof=ProofOfDelivery.objects.filter(order=order).first()
        if order.status == DeliveryStatus.DELIVERED
        else None,
        token=token,
        token_qr=delivery_token_qr(token.token) if token is not None else "",
        delivery_date=order.delivery_date if window is not None else None,
        window=f"{window.starts_at:%H.%M}\u2013{window.ends_at:%H.%M}" if window is not None else "",
        difference_to_pay=fee_difference_open(order),
        difference_payment=fee_difference_latest(order),
        can_choose_pickup=can_choose_pickup,
        pickup_branches=tuple(pickup_branches(order)) if can_choose_pickup else (),
    )


def manage_cancel(*, order_id: int, actor: User, reason: str = "") -> t.MoveResult:
    """The applicant's cancel through the table of moves (the refund rule on its event)."""
    return t.delivery_order_cancel(order_id=order_id, actor=actor, reason=reason[:300])


def manage_choose_pickup(*, order_id: int, actor: User, branch_id: int | str) -> None:
    """The applicant collects the passport at a Pos branch instead (``delivery.pickup``)."""
    delivery_order_choose_pickup(order_id=order_id, actor=actor, branch_id=branch_id)
