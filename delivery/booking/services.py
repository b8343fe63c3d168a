"""Delivery orders: booking, courier assignment, deadline flags and notifications.

State changes themselves are in ``delivery.handoff.transitions``.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.exceptions import InvalidTransition, NotAllowed, ValidationFailed
from core.utils import model_text_check
from delivery.booking.windows import window_place_take
from delivery.choices import (
    DeliveryStatus,
    DestinationKind,
    NotificationChannel,
    OptInMethod,
)
from delivery.handoff.transitions import record_booking_event
from delivery.models import Area, DeliveryOrder, DeliveryWindow
from delivery.notifications.whatsapp import whatsapp_opt_in_record
from delivery.permissions import books_for_own_office_only, may_book_delivery
from organisations.choices import OrganisationKind
from organisations.models import Office
from passports.choices import BillingCodeStatus
from passports.models import BillingCode, PassportApplication

logger = logging.getLogger(__name__)

# No 0/O, 1/I/L: a code read aloud over the phone must not be misheard.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_tracking_code() -> str:
    return "AP" + "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(8))


# A booking that does not ask (group bookings, the demo): the news by SMS and by email, as before the
# choice; a channel without an address is skipped when sending.
DEFAULT_NEWS_CHANNELS = (NotificationChannel.SMS, NotificationChannel.EMAIL)


def news_channels_check(channels: Iterable[str], *, email: str) -> frozenset[str]:
    """The channels the applicant chose for the news of each step: at least one of SMS, WhatsApp and
    email, and email only with an address. The one rule behind every booking form and API."""
    chosen = frozenset(channels)
    if not chosen or not chosen <= set(NotificationChannel.values):
        message = _("Choose at least one way to receive news: SMS, WhatsApp or email.")
        raise ValidationFailed(message, fields={"news_channels": [message]})
    if NotificationChannel.EMAIL in chosen and not email.strip():
        message = _("Enter an email address to receive news by email.")
        raise ValidationFailed(message, fields={"news_channels": [message]})
    return chosen


def delivery_order_book(
    *,
    application: PassportApplication,
    pos_office: Office,
    destination_kind: str,
    address: str,
    area: Area,
    recipient_phone: str,
    recipient_email: str = "",
    poa_grantee_name: str,
    poa_grantee_nippos: str,
    poa_grantee_place: str,
    actor: User | None = None,
    at: dt.datetime | None = None,
    code: str | None = None,
    delivery_date: dt.date | None = None,
    delivery_window: DeliveryWindow | None = None,
    news_channels: Iterable[str] | None = None,
    opt_in_method: str = OptInMethod.COUNTER,
    opt_in_at: dt.datetime | None = None,
    delivery_fee: int | None = None,
) -> DeliveryOrder:
    """Step 3: the applicant has paid and signed the power of attorney; the order starts.

    The order's fee is ``delivery_fee``, the fee the applicant was quoted and paid (an online
    booking pays before the order exists, and the area's tariff may change meanwhile); the area's
    tariff by default.

    A chosen day and window (checked by ``window_choice_check``) takes its place in the same
    transaction as the order. With WhatsApp among ``news_channels`` the applicant's opt-in for the
    contact phone is recorded (when: ``opt_in_at``, the moment they ticked it, or now; how:
    ``opt_in_method``)."""
    now = at or timezone.now()
    channels = (
        frozenset(DEFAULT_NEWS_CHANNELS)
        if news_channels is None  # a door that does not ask: as before the choice
        else news_channels_check(news_channels, email=recipient_email or application.applicant.email)
    )
    if pos_office.kind != OrganisationKind.POS:
        raise ValidationFailed(_("Delivery is booked with a PT Pos office."))
    if pos_office.serves_id != application.office_id:
        # The one rule behind every booking door: a Pos office books only for the Imigrasi office
        # it serves, and its staff act only for their own office.
        raise NotAllowed(
            _("This passport belongs to an Imigrasi office your Pos office does not serve."),
            code="other_office",
        )
    if (
        actor is not None
        and actor.office_id is not None
        and books_for_own_office_only(actor)
        and actor.office_id not in (pos_office.pk, application.office_id)
    ):
        raise NotAllowed(_("You may book only for your own office."), code="other_office")
    if destination_kind not in DestinationKind.values:
        raise ValidationFailed(_("Choose home or office as the destination."))
    billing = BillingCode.objects.filter(application=application).first()
    if billing is None or billing.status != BillingCodeStatus.PAID:
        raise InvalidTransition(_("The passport fee has not been paid yet."), code="billing_code_unpaid")
    if actor is not None and not may_book_delivery(actor):
        raise NotAllowed(_("Your role may not book delivery."))
    order = DeliveryOrder(
        code=code or new_tracking_code(),
        application=application,
        imigrasi_office=application.office,
        pos_office=pos_office,
        destination_kind=destination_kind,
        address=address,
        area=area,
        delivery_fee=area.delivery_fee if delivery_fee is None else delivery_fee,
        recipient_phone=recipient_phone,
        recipient_email=recipient_email,
        poa_grantee_name=poa_grantee_name,
        poa_grantee_nippos=poa_grantee_nippos,
        poa_grantee_place=poa_grantee_place,
        poa_signed_at=now,
        status=DeliveryStatus.BOOKED,
        status_changed_at=now,
        booked_by=actor,
        delivery_date=delivery_date if delivery_window is not None else None,
        delivery_window=delivery_window,
        notify_by_sms=NotificationChannel.SMS in channels,
        notify_by_whatsapp=NotificationChannel.WHATSAPP in channels,
        notify_by_email=NotificationChannel.EMAIL in channels,
    )
    model_text_check(order)
    try:
        order.full_clean(exclude=["application", "imigrasi_office", "pos_office", "area", "booked_by"])
    except ValidationError as error:
        raise ValidationFailed(_("Please correct the marked fields."), fields=error.message_dict) from error
    try:
        with transaction.atomic():
            if delivery_window is not None and delivery_date is not None:
                window_place_take(window=delivery_window, day=delivery_date)
            order.save()
            if order.notify_by_whatsapp:
                whatsapp_opt_in_record(
                    applicant_id=application.applicant_id,
                    phone=order.recipient_phone,
                    method=opt_in_method,
                    recorded_by_id=actor.pk if actor is not None else None,
                    at=opt_in_at or now,
                )
            record_booking_event(order=order, actor=actor, at=now)
    except IntegrityError:
        if DeliveryOrder.objects.filter(application=application).exists():
            raise InvalidTransition(
                _("Delivery is already booked for this passport."), code="already_booked"
            ) from None
        raise
    return order
