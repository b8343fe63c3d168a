"""The fee difference of an address change, paid online instead of at the door.

An address change to a dearer area leaves a difference open (``delivery.money.door``). Until the
courier sets out, the applicant may pay it online from "manage my delivery":

1. ``fee_difference_pay``: one payment row "paying" for the amount open now (a second press while
   one is in progress gets the same row), and the settling task enqueued after commit.
2. ``fee_difference_settle`` (the task): with the order locked, the amount is checked again (the
   courier may have set out, or another change moved the amount); then the payment adapter charges
   it, and the ledger row (``FEE_DIFFERENCE``, online) is written with the payment's "paid" step in
   one transaction, so the courier's app has nothing left to collect. A refused payment or a
   changed amount leaves the row "failed" with the reason; nothing is charged then.

Each step is an event row of ``FEE_DIFFERENCE_STATES``.
"""

from __future__ import annotations

import logging
import secrets

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.exceptions import InvalidTransition, NotAllowed, NotFound
from core.outbox import task_enqueue
from core.states import CREATED, SYSTEM, StateTable, Transition, state_created, transition_make
from delivery.choices import DeliveryStatus
from delivery.models import (
    DeliveryOrder,
    FeeDifferenceEvent,
    FeeDifferencePayment,
    FeeDifferenceStatus,
)
from delivery.money.door import door_amount_due
from ledger.choices import Channel, MovementKind, Revenue
from ledger.services import movement_record
from passports.gateways import PaymentDeclined, get_gateway

logger = logging.getLogger(__name__)

# Until the courier sets out with it; after that the difference is settled at the door.
PAYABLE_STATUSES = frozenset(
    {
        DeliveryStatus.BOOKED,
        DeliveryStatus.DOSSIER_HANDED,
        DeliveryStatus.PASSPORT_READY,
        DeliveryStatus.RECEIVED_BY_POS,
        DeliveryStatus.WITH_DELIVERY_SECTION,
        DeliveryStatus.FAILED_ATTEMPT,
    }
)

FEE_DIFFERENCE_STATES = StateTable(
    model=FeeDifferencePayment,
    event_model=FeeDifferenceEvent,
    event_field="payment",
    transitions=(
        Transition(name="pay", sources=frozenset({CREATED}), target=FeeDifferenceStatus.PAYING, roles=None),
        Transition(
            name="confirm",
            sources=frozenset({FeeDifferenceStatus.PAYING}),
            target=FeeDifferenceStatus.PAID,
            roles=frozenset({SYSTEM}),
        ),
        Transition(
            name="refuse",
            sources=frozenset({FeeDifferenceStatus.PAYING}),
            target=FeeDifferenceStatus.FAILED,
            roles=frozenset({SYSTEM}),
        ),
    ),
)

NOTHING_TO_PAY = _("There is no fee difference to pay for this delivery.")
COURIER_LEFT = _("The courier has already set out: pay the difference at the door.")


def fee_difference_open(order: DeliveryOrder) -> int:
    """The rupiah the applicant may pay online now: the difference open, while the courier has
    not set out; 0 otherwise (a lower fee is refunded at the door, never paid online)."""
    if order.status not in PAYABLE_STATUSES:
        return 0
    return max(door_amount_due(order), 0)


def fee_difference_latest(order: DeliveryOrder) -> FeeDifferencePayment | None:
    return FeeDifferencePayment.objects.filter(order=order).order_by("-created_at", "-pk").first()


def fee_difference_pay(*, order_id: int, actor: User) -> FeeDifferencePayment:
    """Ask the payment adapter to charge the open difference; the answer comes from a task.
    ``actor`` is the applicant's user (on the personal link, their shadow user)."""
    with transaction.atomic():
        order = (
            DeliveryOrder.objects.select_for_update(of=("self",))
            .select_related("application__applicant")
            .filter(pk=order_id)
            .first()
        )
        if order is None:
            raise NotFound(_("No such delivery order."))
        if order.application.applicant.user_id != actor.pk:
            raise NotAllowed(_("This order is not yours."), code="not_owner")
        paying = FeeDifferencePayment.objects.filter(order=order, status=FeeDifferenceStatus.PAYING).first()
        if paying is not None:
            return paying  # a second press waits for the same payment
        if order.status not in PAYABLE_STATUSES:
            raise InvalidTransition(COURIER_LEFT, code="courier_left")
        amount = fee_difference_open(order)
        if amount <= 0:
            raise InvalidTransition(NOTHING_TO_PAY, code="nothing_to_pay")
        payment = FeeDifferencePayment.objects.create(
            order=order, amount=amount, reference=f"FD-{order.code}-{secrets.token_hex(4).upper()}"
        )
        state_created(FEE_DIFFERENCE_STATES, "pay", obj=payment, actor=actor, payload={"amount": amount})
        task_enqueue("delivery.tasks.settle_fee_difference", payment.pk)
    logger.info("delivery.fee_difference.paying order_id=%s", order_id)
    return payment


def fee_difference_settle(*, payment_id: int) -> str:
    """The payment's answer: the ledger row, or the payment refused. A second run changes nothing.
    The reason of a refusal is kept in the applicant's language, as their page shows it."""
    language = (
        FeeDifferencePayment.objects.filter(pk=payment_id)
        .values_list("order__application__applicant__language", flat=True)
        .first()
    )
    with translation.override(language or "id"):
        return _settle(payment_id)


def _refuse(payment: FeeDifferencePayment, reason: str) -> str:
    transition_make(
        FEE_DIFFERENCE_STATES, "refuse", obj=payment, actor=None, changes={"failure": reason[:200]}
    )
    logger.info("delivery.fee_difference.refused payment_id=%s", payment.pk)
    return FeeDifferenceStatus.FAILED


def _settle(payment_id: int) -> str:
    with transaction.atomic():
        payment = FeeDifferencePayment.objects.select_for_update().filter(pk=payment_id).first()
        if payment is None or payment.status != FeeDifferenceStatus.PAYING:
            return payment.status if payment is not None else "missing"
        # The order's lock holds the courier's dispatch (and any change) until this is done.
        order = DeliveryOrder.objects.select_for_update(of=("self",)).get(pk=payment.order_id)
        if order.status not in PAYABLE_STATUSES:
            return _refuse(
                payment,
                gettext(
                    "The courier had already set out: nothing was charged; pay the difference at the door."
                ),
            )
        if fee_difference_open(order) != payment.amount:
            return _refuse(
                payment,
                gettext(
                    "The amount to pay has changed since you asked: nothing was charged; check it and pay again."
                ),
            )
        try:
            receipt = get_gateway().charge_online(
                reference=payment.reference, amount=payment.amount, payer_phone=order.recipient_phone
            )
        except PaymentDeclined:
            return _refuse(
                payment,
                gettext("The payment was refused by your bank. Nothing was charged; you can try again."),
            )
        now = timezone.now()
        event = transition_make(
            FEE_DIFFERENCE_STATES,
            "confirm",
            obj=payment,
            actor=None,
            at=now,
            changes={"receipt_number": receipt.receipt_number},
            payload={"receipt_number": receipt.receipt_number},
        )
        movement_record(
            kind=MovementKind.FEE_DIFFERENCE,
            revenue=Revenue.POS,
            amount=payment.amount,
            office_id=order.pos_office_id,
            channel=Channel.ONLINE,
            reference=receipt.receipt_number,
            at=event.occurred_at,
            order_id=order.pk,
        )
    logger.info("delivery.fee_difference.paid payment_id=%s", payment_id)
    return FeeDifferenceStatus.PAID
