"""Complaints, 24 hours a day: filing, routing, the thread, closing, and the 24-hour first response.

``complaint_open`` routes a complaint by its category (``ROUTING``, the one table of who answers
what) to an office of Imigrasi or PT Pos; a tracking code narrows it to that order's office. The
complainant gets a ticket number and a secret link: the secret is an HMAC of the ticket and a random
nonce under the server's key, so mails can repeat the link while the database never holds it.
Staff of the routed office reply (the complainant is mailed once per reply, after commit, by a Celery
task) and close. A complaint still without a first response after
``COMPLAINT_FIRST_RESPONSE_HOURS`` goes onto the problems queue (``delivery.problems.services``), once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from complaints.choices import ComplaintAuthor, ComplaintCategory, ComplaintStatus
from complaints.models import Complaint, ComplaintEvent, ComplaintMessage
from complaints.permissions import (
    HANDLER_ROLES,
    complaint_queue_office_id,
    may_answer_complaint,
    may_see_every_complaint,
)
from core.exceptions import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from core.fields import secret_equals
from core.images import image_decode
from core.lookups import lookup_failed, lookup_refuse_if_locked, lookup_subject
from core.outbox import task_enqueue
from core.states import CREATED, StateTable, Transition, state_created, transition_make
from core.webhooks import webhook_emit
from delivery.models import DeliveryOrder, Problem, ProblemKind
from delivery.problems.services import problem_flagged
from organisations.choices import OrganisationKind
from organisations.models import Office
from passports.validators import validate_phone

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

logger = logging.getLogger(__name__)

# Who answers which category. Delivery, the courier and the Pos counter (payment of the billing
# code and the delivery fee, booking) are PT Pos's; the passport itself and anything else Imigrasi's,
# as the commitment-making official of the service.
ROUTING: dict[str, str] = {
    ComplaintCategory.LATE: OrganisationKind.POS,
    ComplaintCategory.DAMAGED_OR_LOST: OrganisationKind.POS,
    ComplaintCategory.COURIER_CONDUCT: OrganisationKind.POS,
    ComplaintCategory.PAYMENT: OrganisationKind.POS,
    ComplaintCategory.BOOKING: OrganisationKind.POS,
    ComplaintCategory.PASSPORT_DATA: OrganisationKind.IMIGRASI,
    ComplaintCategory.OTHER: OrganisationKind.IMIGRASI,
}

# A complaint's life: filed (by anyone), answered by the routed office, closed by it.
COMPLAINT_STATES = StateTable(
    model=Complaint,
    event_model=ComplaintEvent,
    event_field="complaint",
    transitions=(
        # Anyone files, with or without an account (the complainant's role is the applicant's).
        Transition(name="file", sources=frozenset({CREATED}), target=ComplaintStatus.OPEN, roles=None),
        Transition(
            name="answer",
            sources=frozenset({ComplaintStatus.OPEN}),
            target=ComplaintStatus.ANSWERED,
            roles=HANDLER_ROLES | {Role.ADMINISTRATOR},
        ),
        Transition(
            name="close",
            sources=frozenset({ComplaintStatus.OPEN, ComplaintStatus.ANSWERED}),
            target=ComplaintStatus.CLOSED,
            roles=HANDLER_ROLES | {Role.ADMINISTRATOR},
            refused=_("This complaint is already closed."),
        ),
    ),
)
TICKET_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
PHOTO_TYPES = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}


@dataclass(frozen=True)
class OpenedComplaint:
    complaint: Complaint
    secret: str


def complaint_secret(complaint: Complaint) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(),
        f"complaint:{complaint.ticket}:{complaint.nonce}".encode(),
        hashlib.sha256,
    ).hexdigest()
    return digest[:32]


def complaint_link(complaint: Complaint) -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/complaints/t/{complaint.ticket}/{complaint_secret(complaint)}/"


def complaint_by_secret(*, ticket: str, secret: str, client: str) -> Complaint:
    """The complaint a complainant's link opens; a wrong secret answers like an unknown ticket, and
    counts in the lookup lock (``core.lookups``) for ``client`` and the ticket."""
    subject = lookup_subject("complaint", ticket)
    lookup_refuse_if_locked(client=client, subject=subject)
    complaint = (
        Complaint.objects.select_related("order", "office").filter(ticket=(ticket or "").upper()).first()
    )
    if complaint is None or not secret_equals(secret, complaint_secret(complaint)):
        lookup_failed(client=client, subject=subject)
        raise NotFound(_("No complaint with this ticket number and link."), code="unknown_complaint")
    return complaint


def complaint_may_handle(user: User, complaint: Complaint) -> bool:
    return may_answer_complaint(user, complaint)


def complaints_for_staff(user: User) -> QuerySet[Complaint]:
    """The complaints queue of a handler: those routed to their office (all for administrators)."""
    from django.db.models import Exists, OuterRef

    qs = Complaint.objects.select_related("order", "office").annotate(
        on_problems_queue=Exists(Problem.objects.filter(complaint=OuterRef("pk")))
    )
    if may_see_every_complaint(user):
        return qs
    office_id = complaint_queue_office_id(user)
    if office_id is None:
        return qs.none()
    return qs.filter(office_id=office_id)


def complaint_for_staff(user: User, ticket: str) -> Complaint:
    complaint = complaints_for_staff(user).filter(ticket=(ticket or "").upper()).first()
    if complaint is None:
        raise NotFound(_("No complaint with this ticket number in your queue."), code="unknown_complaint")
    return complaint


def complaints_overdue(*, now: dt.datetime) -> QuerySet[Complaint]:
    """Complaints still without a first response after their due time (closed ones aside)."""
    return Complaint.objects.filter(first_response_at__isnull=True, first_response_due_at__lt=now).exclude(
        status=ComplaintStatus.CLOSED
    )


def is_overdue(complaint: Complaint, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        complaint.first_response_at is None
        and complaint.first_response_due_at < now
        and (complaint.status != ComplaintStatus.CLOSED)
    )


def complaint_photo_check(raw: bytes) -> tuple[str, str]:
    """(content type, extension) of a photo, judged by its content with Pillow, never by its name."""
    limit = settings.COMPLAINT_PHOTO_MAX_BYTES
    if len(raw) > limit:
        raise ValidationFailed(
            _("The photo is too large (at most %(mb)s MB).") % {"mb": limit // (1024 * 1024)},
            code="too_large",
            fields={"photo": [_("Too large.")]},
        )
    checked = image_decode(
        raw,
        field="photo",
        label=_("The photo"),
        max_pixels=settings.PHOTO_MAX_PIXELS,
        formats=tuple(PHOTO_TYPES),
        hint=_("Choose a JPEG, PNG or WebP photo."),
    )
    return PHOTO_TYPES[checked.format]


def _new_ticket() -> str:
    while True:
        ticket = "KP" + "".join(secrets.choice(TICKET_ALPHABET) for _ in range(8))
        if not Complaint.objects.filter(ticket=ticket).exists():
            return ticket


def _clean_text(text: str, *, field: str = "text") -> str:
    text = (text or "").strip()
    if len(text) < 5:
        raise ValidationFailed(
            _("Please describe the problem in a few words."),
            fields={field: [_("Write at least 5 characters.")]},
        )
    limit = settings.COMPLAINT_TEXT_MAX_CHARS
    if len(text) > limit:
        raise ValidationFailed(
            _("The text is too long (at most %(n)s characters).") % {"n": limit},
            fields={field: [_("At most %(n)s characters.") % {"n": limit}]},
        )
    return text


def complaint_route(*, category: str, order: DeliveryOrder | None = None) -> tuple[str, Office]:
    """The agency and office that answer a complaint of this category (about this order)."""
    agency = ROUTING[category]
    if order is not None:
        return agency, order.pos_office if agency == OrganisationKind.POS else order.imigrasi_office
    office = Office.objects.filter(organisation__kind=agency).order_by("pk").first()
    if office is None:
        raise ValidationFailed(_("No office can take this complaint yet. Please call the office."))
    return agency, office


def complaint_open(
    *,
    category: str,
    text: str,
    client: str,
    contact_email: str = "",
    contact_phone: str = "",
    tracking_code: str = "",
    photo: bytes | None = None,
    filed_by: User | AnonymousUser | None = None,
    language: str = "id",
    now: dt.datetime | None = None,
    ticket: str | None = None,
) -> OpenedComplaint:
    """File a complaint (anyone, at any hour); returns it with the secret of the complainant's link.

    A tracking code is looked up only once everything else is right, and through the lookup lock
    (``core.lookups``, per ``client`` and per code): the answer tells whether a code exists, so it
    must not be had for free with a deliberately wrong text, nor during the lock."""
    now = now or timezone.now()
    errors: dict[str, list[_StrOrPromise]] = {}
    if category not in ComplaintCategory.values:
        errors["category"] = [_("Choose a category from the list.")]
    try:
        text = _clean_text(text)
    except ValidationFailed as error:
        errors.update(error.fields)
    contact_email = (contact_email or "").strip()
    contact_phone = (contact_phone or "").strip().replace(" ", "").replace("-", "")
    if filed_by is not None and filed_by.is_authenticated and not contact_email:
        contact_email = filed_by.email
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError:
            errors["contact_email"] = [_("Enter a valid email address.")]
    if contact_phone:
        try:
            validate_phone(contact_phone)
        except ValidationError as error:
            errors["contact_phone"] = list(error.messages)
    if not contact_email and not contact_phone:
        errors["contact_email"] = [_("Give an email address or a phone number so that we can answer you.")]
    photo_type = None
    if photo:
        try:
            photo_type = complaint_photo_check(photo)
        except ValidationFailed as error:
            errors.update(error.fields)
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    order = None
    code = (tracking_code or "").strip().upper()
    if code:
        subject = lookup_subject("track", code)
        lookup_refuse_if_locked(client=client, subject=subject)
        order = DeliveryOrder.objects.filter(code=code).first()
        if order is None:
            lookup_failed(client=client, subject=subject)
            message = _("No delivery has this tracking code. Check it or leave it empty.")
            raise ValidationFailed(
                _("Please correct the marked fields."), fields={"tracking_code": [message]}
            )
    agency, office = complaint_route(category=category, order=order)
    language = language if language in dict(settings.LANGUAGES) else "id"
    with transaction.atomic():
        complaint = Complaint(
            ticket=ticket or _new_ticket(),
            nonce=secrets.token_hex(16),
            category=category,
            text=text,
            order=order,
            agency=agency,
            office=office,
            contact_email=contact_email,
            contact_phone=contact_phone,
            language=language,
            filed_by=filed_by if filed_by is not None and filed_by.is_authenticated else None,
            filed_at=now,
            first_response_due_at=now + dt.timedelta(hours=settings.COMPLAINT_FIRST_RESPONSE_HOURS),
        )
        if photo_type is not None:
            complaint.photo_type = photo_type[0]
            complaint.photo.save(f"{uuid.uuid4().hex}.{photo_type[1]}", ContentFile(photo), save=False)
        complaint.save()
        state_created(
            COMPLAINT_STATES,
            "file",
            obj=complaint,
            actor=complaint.filed_by,
            role=None if complaint.filed_by is not None else Role.APPLICANT,
            at=now,
            payload={"category": category},
        )
        ComplaintMessage.objects.create(
            complaint=complaint,
            author_kind=ComplaintAuthor.APPLICANT,
            author=complaint.filed_by,
            text=text,
            created_at=now,
            notified_at=now,
        )
        office_ids = (office.pk,) if order is None else (order.imigrasi_office_id, order.pos_office_id)
        webhook_emit(
            event="complaint.opened",
            payload={
                "ticket": complaint.ticket,
                "category": category,
                "agency": agency,
                "office_id": office.pk,
                "order": order.code if order else None,
                "filed_at": now.isoformat(),
                "first_response_due_at": complaint.first_response_due_at.isoformat(),
            },
            ordering_key=complaint.ticket,
            office_ids=office_ids,
        )
        if contact_email:
            complaint_id = complaint.pk

            task_enqueue("partners.tasks.send_complaint_receipt", complaint_id)
    logger.info("partners.complaint.opened complaint_id=%s category=%s", complaint.pk, category)
    return OpenedComplaint(complaint=complaint, secret=complaint_secret(complaint))


def _locked(complaint_id: int) -> Complaint:
    complaint = Complaint.objects.select_for_update().filter(pk=complaint_id).first()
    if complaint is None:
        raise NotFound(_("No such complaint."), code="unknown_complaint")
    return complaint


def complaint_reply_by_staff(
    *, complaint_id: int, actor: User, text: str, now: dt.datetime | None = None
) -> ComplaintMessage:
    """An answer from the routed agency; the first one stops the 24-hour clock."""
    now = now or timezone.now()
    text = _clean_text(text)
    with transaction.atomic():
        complaint = _locked(complaint_id)
        if not complaint_may_handle(actor, complaint):
            raise NotAllowed(_("This complaint is answered by another office."))
        if complaint.status == ComplaintStatus.CLOSED:
            raise InvalidTransition(_("This complaint is closed; it takes no more replies."))
        message = ComplaintMessage.objects.create(
            complaint=complaint, author_kind=ComplaintAuthor.STAFF, author=actor, text=text, created_at=now
        )
        Complaint.objects.filter(pk=complaint.pk, first_response_at__isnull=True).update(
            first_response_at=now
        )
        if complaint.status == ComplaintStatus.OPEN:
            transition_make(COMPLAINT_STATES, "answer", obj=complaint, actor=actor, at=now)
        if complaint.contact_email:
            message_id = message.pk

            task_enqueue("partners.tasks.send_complaint_reply", message_id)
    logger.info("partners.complaint.replied complaint_id=%s message_id=%s", complaint_id, message.pk)
    return message


def complaint_reply_by_complainant(
    *, complaint_id: int, text: str, now: dt.datetime | None = None
) -> ComplaintMessage:
    now = now or timezone.now()
    text = _clean_text(text)
    with transaction.atomic():
        complaint = _locked(complaint_id)
        if complaint.status == ComplaintStatus.CLOSED:
            raise InvalidTransition(_("This complaint is closed; it takes no more replies."))
        message = ComplaintMessage.objects.create(
            complaint=complaint,
            author_kind=ComplaintAuthor.APPLICANT,
            author=complaint.filed_by,
            text=text,
            created_at=now,
            notified_at=now,
        )
    return message


def complaint_close(*, complaint_id: int, actor: User, now: dt.datetime | None = None) -> Complaint:
    now = now or timezone.now()
    with transaction.atomic():
        complaint = _locked(complaint_id)
        if not complaint_may_handle(actor, complaint):
            raise NotAllowed(_("This complaint is answered by another office."))
        transition_make(
            COMPLAINT_STATES,
            "close",
            obj=complaint,
            actor=actor,
            at=now,
            changes={"closed_at": now, "closed_by": actor},
        )
    complaint.refresh_from_db()
    logger.info("partners.complaint.closed complaint_id=%s", complaint.pk)
    return complaint


# Mails to the complainant, each sent once: claimed with one conditional UPDATE, released on failure.


def _mail_once(
    model: type[Complaint] | type[ComplaintMessage], pk: int, field: str, compose: Callable[[], None]
) -> str:
    claimed = model.objects.filter(pk=pk, **{f"{field}__isnull": True}).update(**{field: timezone.now()})
    if not claimed:
        return "already_sent"
    try:
        compose()
    except OSError:
        model.objects.filter(pk=pk).update(**{field: None})
        raise
    return "sent"


def complaint_receipt_notify(*, complaint_id: int) -> str:
    complaint = Complaint.objects.filter(pk=complaint_id).first()
    if complaint is None or not complaint.contact_email:
        return "nobody"

    def compose() -> None:
        with translation.override(complaint.language or "id"):
            subject = gettext("Your complaint %(ticket)s was received") % {"ticket": complaint.ticket}
            body = "\n\n".join(
                [
                    gettext("We received your complaint. Your ticket number is %(ticket)s.")
                    % {"ticket": complaint.ticket},
                    gettext("The first response is due by %(time)s WITA. Follow the thread and reply here:")
                    % {
                        "time": timezone.localtime(complaint.first_response_due_at).strftime("%d-%m-%Y %H:%M")
                    },
                    complaint_link(complaint),
                ]
            )
        send_mail(subject, body, None, [complaint.contact_email])

    return _mail_once(Complaint, complaint.pk, "receipt_sent_at", compose)


def complaint_reply_notify(*, message_id: int) -> str:
    message = (
        ComplaintMessage.objects.select_related("complaint", "author__office").filter(pk=message_id).first()
    )
    if message is None or not message.complaint.contact_email:
        return "nobody"
    complaint = message.complaint

    def compose() -> None:
        with translation.override(complaint.language or "id"):
            subject = gettext("Reply to your complaint %(ticket)s") % {"ticket": complaint.ticket}
            office = message.author.office.name if message.author and message.author.office else ""
            body = "\n\n".join(
                [
                    gettext("%(office)s replied to your complaint %(ticket)s:")
                    % {"office": office or complaint.office.name, "ticket": complaint.ticket},
                    message.text,
                    gettext("See the whole thread and reply here:"),
                    complaint_link(complaint),
                ]
            )
        send_mail(subject, body, None, [complaint.contact_email])

    result = _mail_once(ComplaintMessage, message.pk, "notified_at", compose)
    logger.info("partners.complaint.reply_notified message_id=%s result=%s", message_id, result)
    return result


def complaint_problems_sweep(*, now: dt.datetime) -> int:
    """Complaints without a first response in time go on the queue once, for the managers of the
    office they were routed to; a complaint may have no order at all."""
    new = 0
    for complaint in complaints_overdue(now=now).select_related("order").order_by("pk"):
        try:
            with transaction.atomic():
                problem = Problem.objects.create(
                    complaint=complaint,
                    kind=ProblemKind.COMPLAINT_UNANSWERED,
                    key=complaint.first_response_due_at.isoformat(),
                    status_at_flag=complaint.order.status if complaint.order else "",
                    responsible_role=Role.AGENCY_MANAGER,
                    responsible_office_id=complaint.office_id,
                    flagged_at=now,
                )
                problem_flagged(problem)
                task_enqueue("delivery.tasks.notify_problem", problem.pk)
        except IntegrityError:
            continue  # flagged before
        new += 1
    return new


def complaint_problems_sweep_receiver(sender: object, *, now: dt.datetime, **_: object) -> int:
    return complaint_problems_sweep(now=now)
