"""Delivery orders: booking, courier assignment, deadline flags and notifications.

State changes themselves are in ``delivery.transitions``.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from delivery.choices import (
    FINAL_STATUSES,
    DeliveryStatus,
    DestinationKind,
    NotificationChannel,
    NotificationStatus,
)
from delivery.models import Area, Courier, DeliveryEvent, DeliveryOrder, Notification
from delivery.proof import mail_lines
from delivery.transitions import record_booking_event
from partners.choices import OrganisationKind
from partners.models import Office
from passports.choices import BillingCodeStatus
from passports.models import BillingCode, PassportApplication
from portal.choices import Role
from portal.exceptions import InvalidTransition, NotAllowed, ValidationFailed
from portal.utils import model_text_check, write_when_database_back

logger = logging.getLogger(__name__)

# No 0/O, 1/I/L: a code read aloud over the phone must not be misheard.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_tracking_code() -> str:
    return "AP" + "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(8))


def delivery_order_book(
    *, application: PassportApplication, pos_office: Office, destination_kind: str, address: str,
    area: Area, recipient_phone: str, recipient_email: str = "", poa_grantee_name: str,
    poa_grantee_nippos: str, poa_grantee_place: str, actor=None, at: dt.datetime | None = None,
    code: str | None = None,
) -> DeliveryOrder:
    """Step 3: the applicant has paid and signed the power of attorney; the order starts."""
    now = at or timezone.now()
    if pos_office.kind != OrganisationKind.POS:
        raise ValidationFailed(_("Delivery is booked with a PT Pos office."))
    if destination_kind not in DestinationKind.values:
        raise ValidationFailed(_("Choose home or office as the destination."))
    billing = BillingCode.objects.filter(application=application).first()
    if billing is None or billing.status != BillingCodeStatus.PAID:
        raise InvalidTransition(
            _("The passport fee has not been paid yet."), code="billing_code_unpaid"
        )
    if actor is not None and actor.role not in (
        Role.APPLICANT, Role.POS_SERVICE_OFFICER, Role.IMIGRASI_OFFICER, Role.TRAVEL_AGENCY
    ):
        raise NotAllowed(_("Your role may not book delivery."))
    order = DeliveryOrder(
        code=code or new_tracking_code(), application=application,
        imigrasi_office=application.office, pos_office=pos_office,
        destination_kind=destination_kind, address=address, area=area,
        delivery_fee=area.delivery_fee, recipient_phone=recipient_phone,
        recipient_email=recipient_email, poa_grantee_name=poa_grantee_name,
        poa_grantee_nippos=poa_grantee_nippos, poa_grantee_place=poa_grantee_place,
        poa_signed_at=now, status=DeliveryStatus.BOOKED, status_changed_at=now, booked_by=actor,
    )
    model_text_check(order)
    try:
        order.full_clean(exclude=["application", "imigrasi_office", "pos_office", "area", "booked_by"])
    except ValidationError as error:
        raise ValidationFailed(_("Please correct the marked fields."), fields=error.message_dict) from error
    try:
        with transaction.atomic():
            order.save()
            record_booking_event(order=order, actor=actor, at=now)
    except IntegrityError:
        if DeliveryOrder.objects.filter(application=application).exists():
            raise InvalidTransition(
                _("Delivery is already booked for this passport."), code="already_booked"
            ) from None
        raise
    return order


def delivery_order_assign_courier(*, order_id: int, courier: Courier, actor) -> DeliveryOrder:
    """The dispatcher (or the service section at step 6) puts the order on a courier's run."""
    if actor.role not in (Role.POS_DISPATCHER, Role.POS_SERVICE_OFFICER):
        raise NotAllowed(_("Your role may not assign couriers."))
    if not courier.active:
        message = _("This courier is no longer active.")
        raise ValidationFailed(message, fields={"courier": [message]})
    with transaction.atomic():
        order = DeliveryOrder.objects.select_for_update().get(pk=order_id)
        if order.pos_office_id != actor.office_id or courier.office_id != actor.office_id:
            raise NotAllowed(_("This order belongs to another office."), code="wrong_office")
        if order.status not in (DeliveryStatus.RECEIVED_BY_POS, DeliveryStatus.WITH_DELIVERY_SECTION,
                                DeliveryStatus.FAILED_ATTEMPT):
            raise InvalidTransition(_("A courier can only be changed before the passport goes out."))
        if courier.is_third_party:
            from partners.services import third_party_transfer_check

            third_party_transfer_check()
        DeliveryOrder.objects.filter(pk=order.pk).update(courier=courier, updated_at=timezone.now())
    order.refresh_from_db()
    return order


def deadline_sweep(*, now: dt.datetime | None = None) -> int:
    """Flag orders whose current step ran past its deadline; each breach is flagged once.

    Late orders, failed attempts and orders without movement also go on the problems queue,
    and the responsible role is told once (``delivery.problems``).
    """
    from delivery.problems import problems_sweep

    now = now or timezone.now()
    with transaction.atomic():
        flagged = (
            DeliveryOrder.objects.filter(deadline_at__lt=now, deadline_breached_at__isnull=True)
            .exclude(status__in=FINAL_STATUSES)
            .update(deadline_breached_at=now)
        )
        problems_sweep(now=now)
    return flagged


def tracking_url(order: DeliveryOrder) -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/track/?code={order.code}"


def notification_message_id(event_id: int) -> str:
    return f"<delivery-event-{event_id}@antar-paspor.local>"


def _notification_text(event: DeliveryEvent) -> tuple[str, list[str]]:
    """Subject and lines of the message about ``event``, in the active language."""
    order = event.order
    status_label = DeliveryStatus(event.to_status).label
    subject = gettext("Your passport delivery %(code)s: %(status)s") % {
        "code": order.code, "status": status_label,
    }
    lines = [
        gettext("The delivery of your passport has a new status: %(status)s.") % {"status": status_label},
        gettext("Time: %(time)s WITA") % {
            "time": timezone.localtime(event.occurred_at).strftime("%d-%m-%Y %H:%M")
        },
        *mail_lines(event),
    ]
    return subject, lines


def delivery_event_notify(*, event_id: int) -> str:
    """Tell the applicant about one state change on every channel, each at most once."""
    event = (
        DeliveryEvent.objects.select_related("order__application__applicant")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return "missing"
    order, applicant = event.order, event.order.application.applicant
    rows = _notifications_open(event, {
        NotificationChannel.EMAIL: order.recipient_email or applicant.email,
        NotificationChannel.SMS: order.recipient_phone or applicant.phone,
    })
    email = _notify_email(event, rows[NotificationChannel.EMAIL])
    _notify_sms(event, rows[NotificationChannel.SMS])
    return email


def _notifications_open(event: DeliveryEvent, recipients: dict[str, str]) -> dict[str, Notification]:
    """The event's row per channel: made together on the first run (a channel without a recipient
    is skipped), read back as they are on a retry."""
    Notification.objects.bulk_create(
        [
            Notification(event=event, channel=channel, recipient=recipient,
                         status=NotificationStatus.PENDING if recipient else NotificationStatus.SKIPPED)
            for channel, recipient in recipients.items()
        ],
        ignore_conflicts=True,
    )
    rows = {row.channel: row for row in Notification.objects.filter(event=event)}
    for channel, row in rows.items():
        if not recipients.get(channel) and row.status not in (NotificationStatus.SENT, NotificationStatus.SKIPPED):
            Notification.objects.filter(pk=row.pk).update(status=NotificationStatus.SKIPPED)
            row.status = NotificationStatus.SKIPPED
    return rows


def _notification_failed(notification: Notification, error: OSError, what: str) -> None:
    Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.FAILED, last_error=str(error)[:500]
    )
    logger.warning("%s.failed event_id=%s", what, notification.event_id)


def _notify_sms(event: DeliveryEvent, notification: Notification) -> str:
    """The same news as a short message (SMS / WhatsApp adapter), once per event."""
    from delivery.sms import sms_send

    order = event.order
    applicant = order.application.applicant
    if notification.status in (NotificationStatus.SENT, NotificationStatus.SKIPPED):
        return notification.status
    recipient = notification.recipient
    # Claim the row first: a retried task finds it sent and sends nothing twice.
    claimed = Notification.objects.filter(
        pk=notification.pk, status__in=(NotificationStatus.PENDING, NotificationStatus.FAILED)
    ).update(status=NotificationStatus.SENT, sent_at=timezone.now(), attempts=notification.attempts + 1)
    if not claimed:
        return NotificationStatus.SENT
    with translation.override(applicant.language or "id"):
        _subject, lines = _notification_text(event)
        text = " ".join(line for line in [f"antar-paspor {order.code}:", *lines] if line) + " " + (
            gettext("Track: %(url)s") % {"url": tracking_url(order)}
        )
    try:
        sms_send(to=recipient, text=text)
    except OSError as error:
        _notification_failed(notification, error, "delivery.notify_sms")
        raise
    logger.info("delivery.notify_sms.sent event_id=%s", event.pk)
    return NotificationStatus.SENT


def _notify_email(event: DeliveryEvent, notification: Notification) -> str:
    """Email the applicant about one state change, at most once however often it is called."""
    order = event.order
    applicant = order.application.applicant
    if notification.status in (NotificationStatus.SENT, NotificationStatus.SKIPPED):
        return notification.status
    recipient = notification.recipient
    with translation.override(applicant.language or "id"):
        subject, lines = _notification_text(event)
        body = "\n".join([
            gettext("Dear %(name)s,") % {"name": applicant.full_name},
            "",
            *lines,
            "",
            gettext("Track it here: %(url)s") % {"url": tracking_url(order)},
            "",
            "Kantor Imigrasi Kelas I TPI Makassar & PT Pos Indonesia",
        ])
    Notification.objects.filter(pk=notification.pk).update(attempts=notification.attempts + 1)
    try:
        # The same Message-ID on every attempt: if a worker dies after the mail server took the
        # mail but before it was marked sent, the retry's copy is recognisable as the same mail.
        EmailMessage(subject, body, None, [recipient],
                     headers={"Message-ID": notification_message_id(event.pk)}).send()
    except OSError as error:
        _notification_failed(notification, error, "delivery.notify")
        raise
    # The mail is out: record it even if the database is restarting right now, or the retry
    # would send it again.
    write_when_database_back(lambda: Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.SENT, sent_at=timezone.now()
    ))
    logger.info("delivery.notify.sent event_id=%s", event.pk)
    return NotificationStatus.SENT
