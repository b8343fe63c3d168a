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
from django.db.models import F
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
from portal.exceptions import InvalidTransition, NotAllowed, NotFound, ValidationFailed
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
    delivery_orders_assign_couriers(assignments={order_id: courier}, actor=actor)
    return DeliveryOrder.objects.get(pk=order_id)


def delivery_orders_assign_couriers(*, assignments: dict[int, Courier], actor) -> None:
    """Put each order on its courier's run, all or none (one UPDATE per courier)."""
    if actor.role not in (Role.POS_DISPATCHER, Role.POS_SERVICE_OFFICER):
        raise NotAllowed(_("Your role may not assign couriers."))
    couriers = {courier.pk: courier for courier in assignments.values()}
    if not all(courier.active for courier in couriers.values()):
        message = _("This courier is no longer active.")
        raise ValidationFailed(message, fields={"courier": [message]})
    with transaction.atomic():
        orders = list(DeliveryOrder.objects.select_for_update().filter(pk__in=sorted(assignments)).order_by("pk"))
        if len(orders) != len(assignments):
            raise NotFound(_("No such delivery order."))
        for order in orders:
            courier = assignments[order.pk]
            if order.pos_office_id != actor.office_id or courier.office_id != actor.office_id:
                raise NotAllowed(_("This order belongs to another office."), code="wrong_office")
            if order.status not in (DeliveryStatus.RECEIVED_BY_POS, DeliveryStatus.WITH_DELIVERY_SECTION,
                                    DeliveryStatus.FAILED_ATTEMPT):
                raise InvalidTransition(_("A courier can only be changed before the passport goes out."))
        if any(courier.is_third_party for courier in couriers.values()):
            from partners.services import third_party_transfer_check

            third_party_transfer_check()
        now = timezone.now()
        for courier_id, courier in couriers.items():
            ids = [order_id for order_id, chosen in assignments.items() if chosen.pk == courier_id]
            DeliveryOrder.objects.filter(pk__in=ids).update(courier=courier, updated_at=now)


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
    """Tell the applicant about one state change on every channel, each at most once. Returns what
    became of the email ("sent", "skipped"; "missing" for an unknown event, or one another run of
    the task holds at this instant)."""
    return delivery_events_notify(event_ids=[event_id]).get(event_id, "missing")


def delivery_events_notify(*, event_ids: list[int]) -> dict[int, str]:
    """Tell the applicants about these state changes (one, or a whole batch step) on every
    channel, each message at most once however often this runs. The events are read, their
    message rows made and the short messages claimed in a few statements for the whole batch.

    A failure on one message does not stop the others; the first error is raised at the end so the
    task is retried, and a retry sends only what was not sent yet. Returns the email's outcome per
    event."""
    events = list(
        DeliveryEvent.objects.select_related("order__application__applicant")
        .filter(pk__in=event_ids).order_by("pk")
    )
    rows, claimed = _notifications_open(events)
    outcomes: dict[int, str] = {}
    failure: OSError | None = None
    for event in events:
        email = rows.get((event.pk, NotificationChannel.EMAIL))
        if email is None:  # another run of the same task holds it at this instant
            continue
        try:
            outcomes[event.pk] = _notify_email(event, email)
        except OSError as error:
            failure, outcomes[event.pk] = failure or error, NotificationStatus.FAILED
        sms = rows.get((event.pk, NotificationChannel.SMS))
        if sms is not None and sms.pk in claimed:
            try:
                _notify_sms(event, sms)
            except OSError as error:
                failure = failure or error
    if failure is not None:
        raise failure
    return outcomes


def _notifications_open(events: list[DeliveryEvent]) -> tuple[dict[tuple[int, str], Notification], set[int]]:
    """In one transaction: each event's row per channel, made together on the first run (a channel
    without a recipient is skipped) and read back as they are on a retry; and the short messages
    still to send claimed before they are sent, so a retried or doubled task finds them sent and
    sends nothing twice. Rows another run holds at this instant are left to it. Returns the rows
    and the ids of the short messages this run claimed."""
    wanted = {}
    for event in events:
        order, applicant = event.order, event.order.application.applicant
        wanted[event.pk, NotificationChannel.EMAIL] = order.recipient_email or applicant.email
        wanted[event.pk, NotificationChannel.SMS] = order.recipient_phone or applicant.phone
    to_send = (NotificationStatus.PENDING, NotificationStatus.FAILED)
    with transaction.atomic():
        Notification.objects.bulk_create(
            [
                Notification(event_id=event_id, channel=channel, recipient=recipient,
                             status=NotificationStatus.PENDING if recipient else NotificationStatus.SKIPPED)
                for (event_id, channel), recipient in wanted.items()
            ],
            ignore_conflicts=True,
        )
        rows = {
            (row.event_id, row.channel): row
            for row in Notification.objects.select_for_update(skip_locked=True).filter(event__in=events)
        }
        lost = [row for key, row in rows.items() if not wanted[key] and row.status in to_send]
        if lost:  # the address was removed since the first run
            Notification.objects.filter(pk__in=[row.pk for row in lost]).update(status=NotificationStatus.SKIPPED)
            for row in lost:
                row.status = NotificationStatus.SKIPPED
        claimed = {row.pk for row in rows.values() if row.channel == NotificationChannel.SMS and row.status in to_send}
        if claimed:
            Notification.objects.filter(pk__in=claimed).update(
                status=NotificationStatus.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1
            )
    return rows, claimed


def _notification_failed(notification: Notification, error: OSError, what: str) -> None:
    Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.FAILED, last_error=str(error)[:500]
    )
    logger.warning("%s.failed event_id=%s", what, notification.event_id)


def _notify_sms(event: DeliveryEvent, notification: Notification) -> None:
    """The same news as a short message (SMS / WhatsApp adapter), for a row this run claimed."""
    from delivery.sms import sms_send

    order = event.order
    applicant = order.application.applicant
    with translation.override(applicant.language or "id"):
        _subject, lines = _notification_text(event)
        text = " ".join(line for line in [f"antar-paspor {order.code}:", *lines] if line) + " " + (
            gettext("Track: %(url)s") % {"url": tracking_url(order)}
        )
    try:
        sms_send(to=notification.recipient, text=text)
    except OSError as error:
        _notification_failed(notification, error, "delivery.notify_sms")
        raise
    logger.info("delivery.notify_sms.sent event_id=%s", event.pk)


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
