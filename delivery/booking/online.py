"""The applicant's own booking, on the web or through the API.

1. ``online_booking_prepare``: the application is found by billing code plus date of birth (or the
   applicant's account); destination, area (the fee comes from the tariff), contact and the power of
   attorney signed on the screen are kept in one ``OnlineBooking`` row per application. Preparing
   again edits the same row, so no application is ever booked twice.
2. ``online_booking_pay``: the row moves to "paying" and a Celery task is enqueued after commit.
3. ``online_booking_settle`` (the task): the payment adapter charges what is due (the billing
   code's fee if still unpaid, plus the delivery fee); in one transaction the state payment is
   recorded, the order is booked through ``delivery_order_book`` with its delivery fee payment, and
   the row points to the order. A refused payment leaves the row "failed": nothing else is written
   and the applicant may pay again.
4. After commit, ``online_booking_mail_documents`` mails the dossier receipt and the power of
   attorney once.

The booking's own state follows ``ONLINE_BOOKING_STATES``, each step with its event row. Address
change and cancel before the passport leaves Imigrasi are here too.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from core.exceptions import DomainError, InvalidTransition, NotAllowed, NotFound, ValidationFailed
from core.fields import ascii_digits
from core.outbox import task_enqueue
from core.states import CREATED, SYSTEM, StateTable, Transition, state_created, transition_make
from delivery.booking.services import DEFAULT_NEWS_CHANNELS, delivery_order_book, news_channels_check
from delivery.booking.windows import window_choice_check, window_place_hold, window_place_release
from delivery.choices import DeliveryStatus, DestinationKind, NotificationChannel, OptInMethod
from delivery.courier.proof import decode_image_checked
from delivery.manage.links import link_url
from delivery.models import (
    AddressChange,
    Area,
    BatchItem,
    DeliveryOrder,
    OnlineBooking,
    OnlineBookingEvent,
    OnlineBookingStatus,
)
from delivery.money.fees import delivery_fee_take
from delivery.permissions import is_logged_in_applicant
from ledger.choices import Channel
from organisations.models import Office
from organisations.offices import pos_office_serving
from passports.choices import BillingCodeStatus, PaymentPoint
from passports.gateways import PaymentDeclined, get_gateway
from passports.models import PassportApplication
from passports.services import application_find_for_booking, payment_confirm

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.utils.functional import _StrOrPromise as StrOrPromise

logger = logging.getLogger(__name__)

# A booking's life: the applicant gives the details (again, until it is paid) and pays; the payment's
# answer, in a task, books it or refuses it (and the applicant may change it and pay again). Anyone
# holding the application's billing code and date of birth, or the booking's link, acts for the
# applicant: the service found the booking by them.
ONLINE_BOOKING_STATES = StateTable(
    model=OnlineBooking,
    event_model=OnlineBookingEvent,
    event_field="booking",
    transitions=(
        Transition(
            name="start",
            sources=frozenset({CREATED}),
            target=OnlineBookingStatus.AWAITING_PAYMENT,
            roles=None,
        ),
        Transition(
            name="change",
            sources=frozenset({OnlineBookingStatus.AWAITING_PAYMENT, OnlineBookingStatus.FAILED}),
            target=OnlineBookingStatus.AWAITING_PAYMENT,
            roles=None,
            refused=_("This booking is being paid or already paid; it can no longer be changed here."),
            refused_code="booking_locked",
        ),
        Transition(
            name="pay",
            sources=frozenset({OnlineBookingStatus.AWAITING_PAYMENT, OnlineBookingStatus.FAILED}),
            target=OnlineBookingStatus.PAYING,
            roles=None,
        ),
        Transition(
            name="book",
            sources=frozenset({OnlineBookingStatus.PAYING}),
            target=OnlineBookingStatus.BOOKED,
            roles=frozenset({SYSTEM}),
        ),
        Transition(
            name="refuse",
            sources=frozenset({OnlineBookingStatus.PAYING}),
            target=OnlineBookingStatus.FAILED,
            roles=frozenset({SYSTEM}),
        ),
    ),
)


def _applicant(actor: User | AnonymousUser | None) -> tuple[User | None, str | None]:
    """Who acts for the applicant on an event: the account if logged in (with its role), else
    nobody in the applicant's role."""
    if actor is not None and actor.is_authenticated:
        return actor, None
    return None, Role.APPLICANT


# Before the passport is released to Pos (step 5) the applicant may still move or cancel delivery.
CHANGEABLE_STATUSES = (DeliveryStatus.BOOKED, DeliveryStatus.DOSSIER_HANDED, DeliveryStatus.PASSPORT_READY)


def online_pos_office(application: PassportApplication) -> Office:
    """The Pos office that serves the application's Imigrasi office."""
    office = pos_office_serving(application.office_id)
    if office is None:
        raise NotFound(_("No PT Pos office takes online bookings yet."), code="no_pos_office")
    return office


def application_for_account(*, user: User, application_id: int) -> PassportApplication:
    """An applicant booking from their account: only their own applications."""
    if not is_logged_in_applicant(user):
        raise NotAllowed(_("Log in as the applicant to book from your account."), code="wrong_role")
    application = (
        PassportApplication.objects.select_related("applicant", "billing_code")
        .filter(pk=application_id, applicant__user=user)
        .first()
    )
    if application is None or not hasattr(application, "billing_code"):
        raise NotFound(_("No such application of yours."), code="unknown_application")
    if DeliveryOrder.objects.filter(application=application).exists():
        raise InvalidTransition(_("Delivery is already booked for this passport."), code="already_booked")
    return application


def applications_bookable_by(user: User | AnonymousUser) -> list[PassportApplication]:
    """The applicant's own applications with a billing code and no delivery yet."""
    if not is_logged_in_applicant(user):
        return []
    return list(
        PassportApplication.objects.select_related("billing_code", "passport_type")
        .filter(applicant__user=user, billing_code__isnull=False, delivery_order__isnull=True)
        .exclude(billing_code__status=BillingCodeStatus.EXPIRED)
        .order_by("-created_at")
    )


def signature_png_check(data: str) -> bytes:
    """The signature drawn on the screen: a PNG of sane size, checked by content."""
    if not data:
        raise ValidationFailed(
            _("Sign the power of attorney in the box."),
            fields={"signature": [_("Sign the power of attorney in the box.")]},
        )
    raw, image = decode_image_checked(
        data, field="signature", max_bytes=settings.POA_SIGNATURE_MAX_BYTES, formats=("PNG",)
    )
    width, height = image.width, image.height
    side = settings.POA_SIGNATURE_MAX_SIDE
    if not (50 <= width <= side and 20 <= height <= side):
        raise ValidationFailed(
            _("The signature image has an unusual size; sign again in the box."),
            fields={"signature": [_("Unusual image size.")]},
        )
    return raw


def _area(area_id: int | str) -> Area:
    area = Area.objects.filter(pk=area_id).first() if ascii_digits(str(area_id or "")) else None
    if area is None:
        raise ValidationFailed(
            _("Choose one of the areas the office serves."),
            fields={"area": [_("Choose one of the areas the office serves.")]},
        )
    return area


def online_booking_prepare(
    *,
    application: PassportApplication,
    destination_kind: str,
    address: str,
    area_id: int | str,
    recipient_phone: str,
    recipient_email: str,
    signature: str,
    actor: User | AnonymousUser | None = None,
    at: dt.datetime | None = None,
    delivery_date: dt.date | None = None,
    window_id: int | str | None = None,
    news_channels: Iterable[str] | None = None,
) -> OnlineBooking:
    """Keep the booking's details and signed power of attorney until it is paid.

    A chosen delivery day and window must be offered and free now; the place is taken at payment.
    ``news_channels``: how the applicant wants the news of each step (SMS and email when not given);
    ticking WhatsApp is their opt-in, whose moment is kept and recorded with the order."""
    from django.core.exceptions import ValidationError

    now = at or timezone.now()
    channels = news_channels_check(
        DEFAULT_NEWS_CHANNELS if news_channels is None else news_channels, email=recipient_email or ""
    )
    if destination_kind not in DestinationKind.values:
        raise ValidationFailed(
            _("Choose home or office as the destination."),
            fields={"destination_kind": [_("Choose home or office as the destination.")]},
        )
    area = _area(area_id)
    address = (address or "").strip()
    if len(address) < 10:
        raise ValidationFailed(
            _("Enter the full delivery address (street, number, district)."),
            fields={"address": [_("Enter the full delivery address (street, number, district).")]},
        )
    window = window_choice_check(area=area, delivery_date=delivery_date, window_id=window_id)
    png = signature_png_check(signature)
    billing = application.billing_code
    pos_office = online_pos_office(application)
    with transaction.atomic():
        booking = OnlineBooking.objects.select_for_update().filter(application=application).first()
        who, role = _applicant(actor)
        created = booking is None
        if booking is None:
            booking = OnlineBooking(application=application, token=secrets.token_urlsafe(24))
        else:
            transition_make(
                ONLINE_BOOKING_STATES,
                "change",
                obj=booking,
                actor=who,
                role=role,
                at=now,
                changes={"error": ""},
            )
        booking.pos_office = pos_office
        booking.destination_kind = destination_kind
        booking.address = address
        booking.area = area
        booking.delivery_fee = area.delivery_fee
        booking.delivery_date = delivery_date if window is not None else None
        booking.delivery_window = window
        booking.state_fee_due = 0 if billing.status == BillingCodeStatus.PAID else billing.amount
        booking.recipient_phone = (recipient_phone or "").strip().replace(" ", "").replace("-", "")
        booking.recipient_email = (recipient_email or "").strip()
        if NotificationChannel.WHATSAPP not in channels:
            booking.whatsapp_opt_in_at = None
        elif booking.whatsapp_opt_in_at is None:  # ticked now (kept from an earlier ticking)
            booking.whatsapp_opt_in_at = now
        booking.news_channels = ",".join(c for c in NotificationChannel.values if c in channels)
        booking.poa_signed_at = now
        booking.booked_by = who
        try:
            booking.full_clean(
                exclude=[
                    "application",
                    "pos_office",
                    "area",
                    "booked_by",
                    "poa_signature",
                    "order",
                    "token",
                    "delivery_window",
                ]
            )
        except ValidationError as error:
            raise ValidationFailed(
                _("Please correct the marked fields."), fields=error.message_dict
            ) from error
        booking.poa_signature.save(f"{booking.token[:16]}.png", ContentFile(png), save=False)
        booking.save()
        if created:
            state_created(ONLINE_BOOKING_STATES, "start", obj=booking, actor=who, role=role, at=now)
    return booking


def online_booking_start(
    *,
    billing_code: str,
    birth_date: dt.date,
    destination_kind: str,
    address: str,
    area_id: int | str,
    recipient_phone: str,
    recipient_email: str,
    signature: str,
    client: str,
    actor: User | AnonymousUser | None = None,
    delivery_date: dt.date | None = None,
    window_id: int | str | None = None,
    news_channels: Iterable[str] | None = None,
) -> OnlineBooking:
    """The API's one call: find the application by billing code and date of birth, then prepare."""
    application = application_find_for_booking(
        billing_code=billing_code, birth_date=birth_date, client=client
    )
    return online_booking_prepare(
        application=application,
        destination_kind=destination_kind,
        address=address,
        area_id=area_id,
        recipient_phone=recipient_phone,
        recipient_email=recipient_email,
        signature=signature,
        actor=actor,
        delivery_date=delivery_date,
        window_id=window_id,
        news_channels=news_channels,
    )


def online_booking_pay(*, token: str, actor: User | AnonymousUser | None = None) -> OnlineBooking:
    """Ask the payment adapter to charge what is due; the answer comes from a Celery task.
    ``actor``: the user who clicked, if logged in (the event names them)."""
    with transaction.atomic():
        booking = OnlineBooking.objects.select_for_update().filter(token=token).first()
        if booking is None:
            raise NotFound(_("No such booking."), code="unknown_booking")
        if booking.status in (OnlineBookingStatus.PAYING, OnlineBookingStatus.BOOKED):
            return booking  # a second click waits for the same payment
        who, role = _applicant(actor)
        transition_make(
            ONLINE_BOOKING_STATES, "pay", obj=booking, actor=who, role=role, changes={"error": ""}
        )
        booking_id = booking.pk

        task_enqueue("delivery.tasks.settle_online_booking", booking_id)
    booking.refresh_from_db()
    return booking


def _fail(booking: OnlineBooking, message: StrOrPromise) -> str:
    transition_make(
        ONLINE_BOOKING_STATES, "refuse", obj=booking, actor=None, changes={"error": str(message)[:300]}
    )
    logger.info("delivery.online_booking.failed booking_id=%s", booking.pk)
    return OnlineBookingStatus.FAILED


def online_booking_settle(*, booking_id: int) -> str:
    """The payment's answer: book the order, or leave the booking failed. A second run changes nothing.

    A refusal is kept in the applicant's language, as the booking page shows it."""
    language = (
        OnlineBooking.objects.filter(pk=booking_id)
        .values_list("application__applicant__language", flat=True)
        .first()
    )
    with translation.override(language or "id"):
        return _settle(booking_id)


def _settle(booking_id: int) -> str:
    with transaction.atomic():
        booking = (
            OnlineBooking.objects.select_for_update(of=("self",))
            .select_related("application__billing_code", "area", "pos_office", "booked_by", "delivery_window")
            .filter(pk=booking_id)
            .first()
        )
        if booking is None or booking.status != OnlineBookingStatus.PAYING:
            return booking.status if booking else "missing"
        OnlineBooking.objects.filter(pk=booking.pk).update(attempts=booking.attempts + 1)
        application = booking.application
        billing = application.billing_code
        now = timezone.now()
        if DeliveryOrder.objects.filter(application=application).exists():
            return _fail(booking, gettext("Delivery is already booked for this passport."))
        if billing.status != BillingCodeStatus.PAID and billing.expires_at < now:
            return _fail(booking, gettext("This billing code has expired."))
        state_due = 0 if billing.status == BillingCodeStatus.PAID else billing.amount
        window, day = booking.delivery_window, booking.delivery_date
        if window is not None and day is not None:
            # Locked until this transaction ends: a second payer for the last place waits here and
            # is refused before anything is charged.
            try:
                window_place_hold(window=window, day=day)
            except DomainError:
                return _fail(
                    booking,
                    gettext(
                        "The delivery window you chose is now full. Nothing was charged; "
                        "choose another day or window and pay again."
                    ),
                )
        gateway = get_gateway()
        try:
            receipt = gateway.charge_online(
                reference=f"{billing.code}-{booking.pk}",
                amount=state_due + booking.delivery_fee,
                payer_phone=booking.recipient_phone,
            )
        except PaymentDeclined:
            return _fail(
                booking,
                gettext("The payment was refused by your bank. Nothing was charged; you can try again."),
            )
        try:
            with transaction.atomic():
                if state_due:
                    confirmation = gateway.confirm_payment(billing_code=billing.code, amount=state_due)
                    payment_confirm(
                        billing_code_id=billing.pk,
                        ntpn=confirmation.ntpn,
                        amount=confirmation.amount,
                        payment_point=PaymentPoint.POS,
                        at=now,
                        channel=Channel.ONLINE,
                    )
                order = delivery_order_book(
                    application=application,
                    pos_office=booking.pos_office,
                    destination_kind=booking.destination_kind,
                    address=booking.address,
                    area=booking.area,
                    recipient_phone=booking.recipient_phone,
                    recipient_email=booking.recipient_email,
                    poa_grantee_name=settings.POA_GRANTEE_NAME,
                    poa_grantee_nippos=settings.POA_GRANTEE_NIPPOS,
                    poa_grantee_place=booking.pos_office.name,
                    actor=booking.booked_by,
                    at=now,
                    delivery_date=day,
                    delivery_window=window,
                    news_channels=booking.news_channels.split(","),
                    opt_in_method=OptInMethod.ONLINE_BOOKING,
                    opt_in_at=booking.whatsapp_opt_in_at,
                    delivery_fee=booking.delivery_fee,
                )
                delivery_fee_take(
                    order=order,
                    amount=booking.delivery_fee,
                    receipt_number=receipt.receipt_number,
                    actor=None,
                    channel=Channel.ONLINE,
                    at=now,
                )
                transition_make(
                    ONLINE_BOOKING_STATES,
                    "book",
                    obj=booking,
                    actor=None,
                    at=now,
                    changes={"order": order, "error": "", "updated_at": now},
                    payload={"order": order.code},
                )
                task_enqueue("delivery.tasks.mail_online_booking_documents", booking_id)
        except DomainError as error:
            return _fail(booking, error.message)
    logger.info("delivery.online_booking.booked booking_id=%s", booking_id)
    return OnlineBookingStatus.BOOKED


def online_booking_mail_documents(*, booking_id: int) -> str:
    """Mail the dossier receipt and the power of attorney as PDFs, once."""
    from delivery.counter.documents import dossier_receipt_pdf, power_of_attorney_pdf

    booking = (
        OnlineBooking.objects.select_related("order__application__applicant").filter(pk=booking_id).first()
    )
    if booking is None or booking.order is None:
        return "missing"
    claimed = OnlineBooking.objects.filter(pk=booking.pk, documents_mailed_at__isnull=True).update(
        documents_mailed_at=timezone.now()
    )
    if not claimed:
        return "already_sent"
    order = booking.order
    applicant = order.application.applicant
    try:
        with translation.override(applicant.language or "id"):
            subject = gettext("Passport delivery booked: %(code)s") % {"code": order.code}
            body = "\n".join(
                [
                    gettext("Dear %(name)s,") % {"name": applicant.full_name},
                    "",
                    gettext("Your passport delivery is booked and paid. Tracking code: %(code)s.")
                    % {"code": order.code},
                    gettext("Attached: the dossier receipt and the power of attorney you signed."),
                    gettext("Follow or change your delivery here: %(url)s") % {"url": link_url(order)},
                    "",
                    "Kantor Imigrasi Kelas I TPI Makassar & PT Pos Indonesia",
                ]
            )
        message = EmailMessage(subject, body, None, [order.recipient_email or applicant.email])
        message.attach(f"tanda-terima-{order.code}.pdf", dossier_receipt_pdf(order=order), "application/pdf")
        message.attach(f"surat-kuasa-{order.code}.pdf", power_of_attorney_pdf(order=order), "application/pdf")
        message.send()
    except Exception:
        # Not sent: let the task's retry claim it again.
        OnlineBooking.objects.filter(pk=booking.pk).update(documents_mailed_at=None)
        raise
    logger.info("delivery.online_booking.documents_sent booking_id=%s", booking_id)
    return "sent"


# After booking: address change and cancel, before the passport leaves Imigrasi.


@dataclass(frozen=True)
class AddressQuote:
    old_fee: int
    new_fee: int

    @property
    def difference(self) -> int:
        return self.new_fee - self.old_fee

    @property
    def amount(self) -> int:
        return abs(self.difference)


def _own_order_for_change(order: DeliveryOrder, actor: User) -> None:
    if not is_logged_in_applicant(actor) or order.application.applicant.user_id != actor.pk:
        raise NotAllowed(_("This order is not yours."), code="not_owner")
    if order.status not in CHANGEABLE_STATUSES or BatchItem.objects.filter(order_id=order.pk).exists():
        raise InvalidTransition(
            _(
                "The passport has already left Imigrasi for PT Pos; the address can no longer be changed. "
                "Contact the Pos office if needed."
            ),
            code="already_released",
        )
    if order.pickup_branch_id is not None:
        raise InvalidTransition(
            _("You collect this passport at a Pos branch: there is no delivery address to change."),
            code="pickup_at_branch",
        )


def address_change_quote(*, order: DeliveryOrder, actor: User, area_id: int | str) -> AddressQuote:
    """What the new area would cost, shown before the applicant confirms."""
    _own_order_for_change(order, actor)
    area = _area(area_id)
    return AddressQuote(old_fee=order.delivery_fee, new_fee=area.delivery_fee)


def delivery_order_change_address(
    *,
    order_id: int,
    actor: User,
    destination_kind: str,
    address: str,
    area_id: int | str,
    expected_fee: int | None = None,
    at: dt.datetime | None = None,
) -> AddressChange:
    """Move the delivery to another address (perhaps another area) before release to Pos.

    The fee follows the new area's tariff. A difference is settled with the courier at the door: a
    higher fee is paid on delivery against the courier's receipt, a lower one is refunded there.
    ``expected_fee`` is the fee the applicant saw; if the tariff changed meanwhile, the change is
    refused so the applicant confirms the new amount.
    """
    now = at or timezone.now()
    if destination_kind not in DestinationKind.values:
        raise ValidationFailed(
            _("Choose home or office as the destination."),
            fields={"destination_kind": [_("Choose home or office as the destination.")]},
        )
    address = (address or "").strip()
    if len(address) < 10:
        raise ValidationFailed(
            _("Enter the full delivery address (street, number, district)."),
            fields={"address": [_("Enter the full delivery address (street, number, district).")]},
        )
    area = _area(area_id)
    with transaction.atomic():
        order = (
            DeliveryOrder.objects.select_for_update(of=("self",))
            .select_related("application__applicant")
            .filter(pk=order_id)
            .first()
        )
        if order is None:
            raise NotFound(_("No such delivery order."))
        _own_order_for_change(order, actor)
        if expected_fee is not None and expected_fee != area.delivery_fee:
            raise InvalidTransition(
                _("The delivery fee of this area has changed; check the new amount and confirm again."),
                code="fee_changed",
            )
        change = AddressChange.objects.create(
            order=order,
            old_destination_kind=order.destination_kind,
            old_address=order.address,
            old_area_id=order.area_id,
            old_fee=order.delivery_fee,
            new_destination_kind=destination_kind,
            new_address=address,
            new_area=area,
            new_fee=area.delivery_fee,
            actor=actor,
            occurred_at=now,
        )
        window_changes: dict[str, object] = {}
        if area.pk != order.area_id and order.delivery_window_id is not None:
            # The chosen window belongs to the old area: its place is given back, and the order
            # keeps the 1-day clock until a day is chosen again.
            window_place_release(window_id=order.delivery_window_id, day=order.delivery_date)
            window_changes = {"delivery_window": None, "delivery_date": None}
        changed = DeliveryOrder.objects.filter(pk=order.pk, status__in=CHANGEABLE_STATUSES).update(
            destination_kind=destination_kind,
            address=address,
            area=area,
            delivery_fee=area.delivery_fee,
            updated_at=now,
            **window_changes,
        )
        if changed != 1:
            raise InvalidTransition(
                _("The passport has already left Imigrasi for PT Pos."), code="already_released"
            )
    logger.info("delivery.address_changed order_id=%s", order_id)
    return change
