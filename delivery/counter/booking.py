"""Step 3 at the Pos counter: once MPN G-2 confirmed the state fee, the officer books delivery and takes the delivery fee, a separate record from the state payment; both reconcile per order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TypedDict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from core.exceptions import InvalidTransition, ValidationFailed
from delivery.booking.services import delivery_order_book
from delivery.booking.windows import window_choice_check
from delivery.choices import OptInMethod
from delivery.models import Area, DeliveryFeePayment, DeliveryOrder
from delivery.money.fees import delivery_fee_take
from delivery.permissions import require_role
from ledger.choices import Channel
from ledger.services import delivery_money_of, state_money_of
from organisations.models import Office
from passports.models import PassportApplication


def counter_delivery_book(
    *,
    actor: User,
    application: PassportApplication,
    pos_office: Office | None,
    destination_kind: str,
    address: str,
    area: Area,
    recipient_phone: str,
    recipient_email: str = "",
    poa_grantee_name: str,
    poa_grantee_nippos: str,
    poa_grantee_place: str,
    fee_received: bool,
    at: dt.datetime | None = None,
    delivery_date: dt.date | None = None,
    window_id: int | str | None = None,
    news_channels: Iterable[str] | None = None,
) -> DeliveryOrder:
    """Step 3: book delivery, sign the power of attorney to the officer and take the fee.

    The applicant may choose a delivery day and window among the free ones of the area."""
    require_role(actor, Role.POS_SERVICE_OFFICER, Role.IMIGRASI_OFFICER)
    if pos_office is None:
        # An Imigrasi desk whose office no Pos office serves (yet): nobody could take the order.
        raise ValidationFailed(_("No PT Pos office takes bookings yet."))
    if not fee_received:
        raise ValidationFailed(
            _("Confirm that the delivery fee was received."),
            fields={"fee_received": [_("Confirm that the delivery fee was received.")]},
        )
    window = window_choice_check(
        area=area, delivery_date=delivery_date, window_id=window_id, today=timezone.localdate(at)
    )
    now = at or timezone.now()
    with transaction.atomic():
        existing = DeliveryOrder.objects.filter(application=application).first()
        if existing is not None:
            raise InvalidTransition(
                _("Delivery is already booked for this passport (%(code)s).") % {"code": existing.code},
                code="already_booked",
            )
        order = delivery_order_book(
            application=application,
            pos_office=pos_office,
            destination_kind=destination_kind,
            address=address,
            area=area,
            recipient_phone=recipient_phone,
            recipient_email=recipient_email,
            poa_grantee_name=poa_grantee_name,
            poa_grantee_nippos=poa_grantee_nippos,
            poa_grantee_place=poa_grantee_place,
            actor=actor,
            at=now,
            delivery_date=delivery_date,
            delivery_window=window,
            news_channels=news_channels,
            opt_in_method=OptInMethod.COUNTER,
        )
        delivery_fee_take(
            order=order,
            amount=order.delivery_fee,
            receipt_number=f"DF-{order.code}",
            actor=actor,
            channel=Channel.POS_COUNTER,
            at=now,
        )
    return order


class PaymentReconciliation(TypedDict):
    """The two fees of one order (rupiah), as the dossier receipt prints them."""

    state_fee: int
    state_paid: int
    ntpn: str
    delivery_fee: int
    delivery_paid: int
    delivery_receipt: str
    balanced: bool


def payment_reconciliation(*, order: DeliveryOrder) -> PaymentReconciliation:
    """State fee and delivery fee of one order, side by side."""
    application = order.application
    billing = getattr(application, "billing_code", None)
    payment = getattr(billing, "payment", None) if billing else None
    fee = DeliveryFeePayment.objects.filter(order=order).first()
    # The amounts paid come from the ledger: a receipt shows what was taken, net of refunds.
    state_paid = state_money_of(billing.pk) if billing else 0
    delivery_paid = delivery_money_of(order.pk)
    return {
        "state_fee": application.fee_amount,
        "state_paid": state_paid,
        "ntpn": payment.ntpn if payment else "",
        "delivery_fee": order.delivery_fee,
        "delivery_paid": delivery_paid,
        "delivery_receipt": fee.receipt_number if fee else "",
        "balanced": state_paid == application.fee_amount and delivery_paid == order.delivery_fee,
    }
