"""The applicant's notifications of a move: a mail, a short message and a WhatsApp message per event, on the channels the applicant chose at booking, each marked sent only after its channel took it."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.utils import write_when_database_back
from delivery.choices import (
    DeliveryStatus,
    NotificationChannel,
    NotificationStatus,
    WhatsAppStatus,
)
from delivery.manage.links import link_url
from delivery.models import DeliveryCodeAttempt, DeliveryEvent, DeliveryOrder, Notification, PickupChoice
from delivery.notifications.sms_texts import (
    SmsMessage,
    event_sms_message,
    sms_render,
    whatsapp_template,
)
from delivery.notifications.texts import mail_lines, pickup_branch_lines

logger = logging.getLogger(__name__)

# A message claimed by a run that has not finished with it after this long is taken for lost (its
# worker died) and is claimed again: longer than the batch task's time limit (5 minutes in
# delivery.tasks, when the pool kills a run that is still busy), and never longer than the outbox
# waits before it takes the whole task for lost (OUTBOX_REDELIVER_AFTER).
NOTIFY_CLAIM_LEASE = dt.timedelta(minutes=6)


def tracking_url(order: DeliveryOrder) -> str:
    """The public tracking page with the code filled in: for paper (a receipt outlives any link)."""
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/track/?code={order.code}"


def agency_copy_to(order: DeliveryOrder) -> str:
    """The travel agency that booked ``order`` in a group gets a copy of the member's mails (it
    receives the passports at its office, so it needs the delivery codes too): its booker's
    address, or "" for an order not booked in a group."""
    item = getattr(order, "group_item", None)  # reverse one-to-one: missing raises AttributeError
    return item.group.booked_by.email if item is not None else ""


def notification_message_id(event_id: int) -> str:
    return f"<delivery-event-{event_id}@antar-paspor.local>"


def _notification_text(event: DeliveryEvent) -> tuple[str, list[str]]:
    """Subject and lines of the message about ``event``, in the active language."""
    order = event.order
    status_label = DeliveryStatus(event.to_status).label
    subject = gettext("Your passport delivery %(code)s: %(status)s") % {
        "code": order.code,
        "status": status_label,
    }
    lines = [
        gettext("The delivery of your passport has a new status: %(status)s.") % {"status": status_label},
        gettext("Time: %(time)s WITA")
        % {"time": timezone.localtime(event.occurred_at).strftime("%d-%m-%Y %H:%M")},
        *mail_lines(event),
    ]
    return subject, lines


def notification_sms_reference(event: DeliveryEvent) -> str:
    """The short message's client reference, the same on every attempt: the gateway drops a message
    whose reference it already took. The event's time keeps it unique when a database made anew
    counts its ids from 1 again (the gateway still remembers the old ones)."""
    return f"ap-{event.pk}-{event.occurred_at:%Y%m%d%H%M%S%f}"


class NotificationsInFlight(OSError):
    """Messages of these events are claimed by another run that may still be sending them. An
    ``OSError`` like a mail server's, so the task is retried until they are sent or their claim has
    run out: never taken for done while a message may still be lost."""


def _notify_claim_lease() -> dt.timedelta:
    return min(NOTIFY_CLAIM_LEASE, dt.timedelta(seconds=settings.OUTBOX_REDELIVER_AFTER))


def delivery_event_notify(*, event_id: int) -> str:
    """Tell the applicant about one state change on every channel. Returns what became of the email
    ("sent", "skipped"; "missing" for an unknown event)."""
    return delivery_events_notify(event_ids=[event_id]).get(event_id, "missing")


def delivery_events_notify(*, event_ids: list[int]) -> dict[int, str]:
    """Tell the applicants about these state changes (one, or a whole batch step) on every channel:
    every message at least once, and never twice where the channel allows it.

    1. In one transaction for the whole batch, each event's row per channel is made (or read back
       on a retry) and the rows still to send are claimed for this run (``claimed_at``).
    2. Each claimed message is sent, and marked sent only once the channel took it: a mail at once
       (SMTP cannot drop a repeat; the same ``Message-ID`` on every attempt lets a mail program
       recognise one), the short messages in one statement at the end (each carries its client
       reference, by which the gateway drops a repeat of one sent before a worker died).
    3. The claims of a run that died stay; the redelivered task claims them again once they are
       older than the lease (``_notify_claim_lease``). Until then a run that finds them raises
       ``NotificationsInFlight``, so the task is retried rather than taken for done.

    A failure on one message does not stop the others; the first error is raised at the end so the
    task is retried, and a retry sends only what was not sent yet. Returns the email's outcome per
    event."""
    events = list(
        DeliveryEvent.objects.select_related(
            "order__application__applicant", "order__group_item__group__booked_by"
        )
        .filter(pk__in=event_ids)
        .order_by("pk")
    )
    rows, claimed, in_flight = _notifications_claim(events)
    outcomes: dict[int, str] = {}
    failure: OSError | None = None
    finished: set[int] = set()
    sms_sent: list[int] = []
    try:
        for event in events:
            email = rows.get((event.pk, NotificationChannel.EMAIL))
            if email is not None and email.pk in claimed:
                try:
                    outcomes[event.pk] = _notify_email(event, email)
                except OSError as error:
                    failure, outcomes[event.pk] = failure or error, NotificationStatus.FAILED
                finished.add(email.pk)
            elif email is not None:
                outcomes[event.pk] = email.status
            whatsapp = rows.get((event.pk, NotificationChannel.WHATSAPP))
            if whatsapp is not None and whatsapp.pk in claimed:
                try:
                    _notify_whatsapp(event, whatsapp)
                except OSError as error:
                    failure = failure or error
                finished.add(whatsapp.pk)
            sms = rows.get((event.pk, NotificationChannel.SMS))
            if sms is not None and sms.pk in claimed:
                try:
                    _notify_sms(event, sms)
                    sms_sent.append(sms.pk)
                except OSError as error:
                    failure = failure or error
                finished.add(sms.pk)
    finally:
        _notifications_settle(sms_sent=sms_sent, unfinished=claimed - finished)
    if failure is not None:
        raise failure
    if in_flight:
        raise NotificationsInFlight(f"{in_flight} messages of these events are claimed by another run")
    return outcomes


def _notifications_claim(
    events: list[DeliveryEvent],
) -> tuple[dict[tuple[int, str], Notification], set[int], int]:
    """In one transaction: each event's row per channel, made together on the first run (a channel
    without a recipient is skipped) and read back as they are on a retry; and the rows still to send
    claimed for this run in one statement (a claim older than the lease is a dead run's and is taken
    over). Returns the rows, the ids this run claimed, and how many messages another run holds
    (rows it has locked at this instant, or claimed within the lease)."""
    wanted: dict[tuple[int, str], str] = {}
    # WhatsApp did not reach these applicants: their news goes by SMS as well (whatsapp_fallback_to_sms)
    with_whatsapp = [event for event in events if event.order.notify_by_whatsapp]
    fallback = (
        set(
            Notification.objects.filter(
                event__in=with_whatsapp,
                channel=NotificationChannel.WHATSAPP,
                delivery_status=WhatsAppStatus.FAILED,
            ).values_list("event_id", flat=True)
        )
        if with_whatsapp  # no statement for a batch without WhatsApp
        else set()
    )
    for event in events:
        order, applicant = event.order, event.order.application.applicant
        phone = order.recipient_phone or applicant.phone
        wanted[event.pk, NotificationChannel.EMAIL] = (
            order.recipient_email or applicant.email or agency_copy_to(order) if order.notify_by_email else ""
        )
        wanted[event.pk, NotificationChannel.SMS] = (
            phone if order.notify_by_sms or event.pk in fallback else ""
        )
        if order.notify_by_whatsapp:
            wanted[event.pk, NotificationChannel.WHATSAPP] = phone
    to_send = (NotificationStatus.PENDING, NotificationStatus.FAILED)
    now = timezone.now()
    expired = now - _notify_claim_lease()
    with transaction.atomic():
        Notification.objects.bulk_create(
            [
                Notification(
                    event_id=event_id,
                    channel=channel,
                    recipient=recipient,
                    status=NotificationStatus.PENDING if recipient else NotificationStatus.SKIPPED,
                )
                for (event_id, channel), recipient in wanted.items()
            ],
            ignore_conflicts=True,
        )
        rows = {
            (row.event_id, row.channel): row
            for row in Notification.objects.select_for_update(skip_locked=True).filter(event__in=events)
        }
        lost = [row for key, row in rows.items() if not wanted.get(key) and row.status in to_send]
        if lost:  # the address was removed since the first run
            Notification.objects.filter(pk__in=[row.pk for row in lost]).update(
                status=NotificationStatus.SKIPPED
            )
            for row in lost:
                row.status = NotificationStatus.SKIPPED
        unsent = [row for row in rows.values() if row.status in to_send]
        ours = [row for row in unsent if row.claimed_at is None or row.claimed_at <= expired]
        if ours:
            Notification.objects.filter(pk__in=[row.pk for row in ours]).update(
                claimed_at=now, attempts=F("attempts") + 1
            )
            for row in ours:
                row.claimed_at, row.attempts = now, row.attempts + 1
    in_flight = (len(wanted) - len(rows)) + (len(unsent) - len(ours))
    return rows, {row.pk for row in ours}, in_flight


def _notifications_settle(*, sms_sent: list[int], unfinished: set[int]) -> None:
    """After the sending: the short messages the gateway took are marked sent, together (even while
    the database restarts: a retry would send them again, and only the gateway would know to drop
    them); claims this run could not finish (an unexpected error) are given back so the retry need
    not wait for the lease."""
    if sms_sent:
        write_when_database_back(
            lambda: Notification.objects.filter(pk__in=sms_sent).update(
                status=NotificationStatus.SENT, sent_at=timezone.now(), claimed_at=None
            )
        )
    if unfinished:
        try:
            Notification.objects.filter(pk__in=unfinished).update(claimed_at=None)
        except DatabaseError:  # the claims then run out with the lease
            logger.warning("delivery.notify.claims_kept count=%s", len(unfinished))


def _notification_failed(notification: Notification, error: OSError, what: str) -> None:
    """The channel refused or did not answer: the row is retryable (failed, claim given back)."""
    Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.FAILED, last_error=str(error)[:500], claimed_at=None
    )
    logger.warning("%s.failed event_id=%s", what, notification.event_id)


def _notify_sms(event: DeliveryEvent, notification: Notification) -> None:
    """The same news as a short message (SMS / WhatsApp adapter), for a row this run claimed; the
    caller marks it sent. The client reference is the same on every attempt."""
    from delivery.notifications.sms import sms_send

    applicant = event.order.application.applicant
    with translation.override(applicant.language or "id"):
        text = sms_render(event_sms_message(event))
    try:
        sms_send(to=notification.recipient, text=text, reference=notification_sms_reference(event))
    except OSError as error:
        _notification_failed(notification, error, "delivery.notify_sms")
        raise
    logger.info("delivery.notify_sms.sent event_id=%s", event.pk)


def _notify_whatsapp(event: DeliveryEvent, notification: Notification) -> None:
    """The news as an approved WhatsApp template, for a row this run claimed, marked sent with the
    provider's message id as soon as the API took it; its delivery is reported later to the status
    webhook. Without the applicant's opt-in for this number nothing is sent, and the news goes by SMS."""
    from delivery.notifications.whatsapp import (
        get_whatsapp_backend,
        whatsapp_fallback_to_sms,
        whatsapp_opted_in,
    )

    applicant = event.order.application.applicant
    if not whatsapp_opted_in(applicant_id=applicant.pk, phone=notification.recipient):
        with transaction.atomic():
            Notification.objects.filter(pk=notification.pk).update(
                status=NotificationStatus.SKIPPED,
                delivery_status=WhatsAppStatus.FAILED,
                last_error="no opt-in for this number",
                claimed_at=None,
            )
            whatsapp_fallback_to_sms(event_id=event.pk, phone=notification.recipient)
        logger.info("delivery.notify_whatsapp.no_opt_in event_id=%s", event.pk)
        return
    with translation.override(applicant.language or "id"):
        template, language, params = whatsapp_template(event_sms_message(event))
    try:
        wamid = get_whatsapp_backend().send(
            to=notification.recipient,
            template=template,
            language=language,
            params=params,
            reference=notification_sms_reference(event),
        )
    except OSError as error:
        _notification_failed(notification, error, "delivery.notify_whatsapp")
        raise
    write_when_database_back(
        lambda: Notification.objects.filter(pk=notification.pk).update(
            status=NotificationStatus.SENT, sent_at=timezone.now(), claimed_at=None, provider_message_id=wamid
        )
    )
    logger.info("delivery.notify_whatsapp.sent event_id=%s", event.pk)


def _notify_email(event: DeliveryEvent, notification: Notification) -> str:
    """Email the applicant about one state change, for a row this run claimed; marked sent as soon
    as the mail server took it."""
    order = event.order
    applicant = order.application.applicant
    recipient = notification.recipient
    with translation.override(applicant.language or "id"):
        subject, lines = _notification_text(event)
        body = "\n".join(
            [
                gettext("Dear %(name)s,") % {"name": applicant.full_name},
                "",
                *lines,
                "",
                gettext("Follow or change your delivery here: %(url)s") % {"url": link_url(order)},
                "",
                "Kantor Imigrasi Kelas I TPI Makassar & PT Pos Indonesia",
            ]
        )
    try:
        # The same Message-ID on every attempt: if a worker dies after the mail server took the
        # mail but before it was marked sent, the retry's copy is recognisable as the same mail.
        agency = agency_copy_to(order)
        EmailMessage(
            subject,
            body,
            None,
            [recipient],
            bcc=[agency] if agency and agency != recipient else None,
            headers={"Message-ID": notification_message_id(event.pk)},
        ).send()
    except OSError as error:
        _notification_failed(notification, error, "delivery.notify")
        raise
    # The mail is out: record it even if the database is restarting right now, or the retry
    # would send it again.
    write_when_database_back(
        lambda: Notification.objects.filter(pk=notification.pk).update(
            status=NotificationStatus.SENT, sent_at=timezone.now(), claimed_at=None
        )
    )
    logger.info("delivery.notify.sent event_id=%s", event.pk)
    return NotificationStatus.SENT


def code_refused_sms_text(order: DeliveryOrder) -> str:
    """The short message about a refused code, in the active language: one 160-character part."""
    return sms_render(SmsMessage("code_refused", order.code))


def code_refused_notify(*, attempt_id: int) -> str:
    """Tell the applicant at once that the server refused a delivery code for their passport: by
    mail, and by short message when a phone number is on file. The mail's Message-ID and the short
    message's client reference are the same on every attempt, so a retry reaches them once. Neither
    the code nor the applicant's details go into the log."""
    attempt = (
        DeliveryCodeAttempt.objects.select_related("order__application__applicant")
        .filter(pk=attempt_id)
        .first()
    )
    if attempt is None:
        return "missing"
    order = attempt.order
    applicant = order.application.applicant
    email = order.recipient_email or applicant.email
    phone = order.recipient_phone or applicant.phone
    with translation.override(applicant.language or "id"):
        subject = gettext("Your passport delivery %(code)s: a wrong delivery code was entered") % {
            "code": order.code
        }
        when = timezone.localtime(attempt.occurred_at).strftime("%d-%m-%Y %H:%M")
        body = "\n".join(
            [
                gettext("Dear %(name)s,") % {"name": applicant.full_name},
                "",
                gettext(
                    "At %(time)s WITA a courier entered a wrong delivery code for your passport, and the "
                    "portal refused it."
                )
                % {"time": when},
                gettext(
                    "If you are not receiving your passport right now, do not give your code to anyone "
                    "and call the Pos office: Imigrasi and PT Pos have been told."
                ),
                "",
                gettext("Follow or change your delivery here: %(url)s") % {"url": link_url(order)},
                "",
                "Kantor Imigrasi Kelas I TPI Makassar & PT Pos Indonesia",
            ]
        )
        sms_text = code_refused_sms_text(order)
    _mail_and_sms(
        email=email,
        subject=subject,
        body=body,
        message_id=f"code-refused-{attempt.pk}",
        phone=phone,
        sms_text=sms_text,
        sms_reference=f"ap-code-{attempt.pk}-{attempt.occurred_at:%Y%m%d%H%M%S%f}",
    )
    logger.info("delivery.notify_code_refused.sent attempt_id=%s", attempt.pk)
    return "sent"


def _mail_and_sms(
    *, email: str, subject: str, body: str, message_id: str, phone: str, sms_text: str, sms_reference: str
) -> None:
    """One message to the applicant by mail and by short message, each where an address is on file;
    the same Message-ID and client reference on every attempt, so a retry reaches them once."""
    if email:
        EmailMessage(
            subject, body, None, [email], headers={"Message-ID": f"<{message_id}@antar-paspor.local>"}
        ).send()
    if phone:
        from delivery.notifications.sms import sms_send

        sms_send(to=phone, text=sms_text, reference=sms_reference)


def pickup_chosen_notify(*, choice_id: int) -> str:
    """Confirm to the applicant the branch they chose to collect the passport at: by mail, and by
    short message when a phone number is on file. The mail's Message-ID and the short message's
    client reference are the same on every run, so a retry reaches them once."""
    choice = (
        PickupChoice.objects.select_related("order__application__applicant", "order__pickup_branch", "branch")
        .filter(pk=choice_id)
        .first()
    )
    if choice is None:
        return "missing"
    order = choice.order
    applicant = order.application.applicant
    email = order.recipient_email or applicant.email
    phone = order.recipient_phone or applicant.phone
    with translation.override(applicant.language or "id"):
        subject = gettext("Your passport delivery %(code)s: you collect it at %(branch)s") % {
            "code": order.code,
            "branch": choice.branch.name,
        }
        body = "\n".join(
            [
                gettext("Dear %(name)s,") % {"name": applicant.full_name},
                "",
                gettext(
                    "You chose to collect your passport at a Pos branch instead of home delivery. We will "
                    "tell you when it is there."
                ),
                *pickup_branch_lines(order),
                "",
                gettext("Follow your delivery here: %(url)s") % {"url": link_url(order)},
                "",
                "Kantor Imigrasi Kelas I TPI Makassar & PT Pos Indonesia",
            ]
        )
        sms_text = sms_render(
            SmsMessage("pickup_chosen", order.code, {"branch": choice.branch.name, "url": link_url(order)})
        )
    _mail_and_sms(
        email=email,
        subject=subject,
        body=body,
        message_id=f"pickup-chosen-{choice.pk}",
        phone=phone,
        sms_text=sms_text,
        sms_reference=f"ap-pickup-{choice.pk}",
    )
    logger.info("delivery.notify_pickup_chosen.sent choice_id=%s", choice.pk)
    return "sent"
