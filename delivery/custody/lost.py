"""A passport lost or damaged in transit: the case, from the report to Imigrasi's decision.

Anyone who handles the passport on its way (Imigrasi's counter, PT Pos's service officers and
dispatchers, the courier who has it) can report it missing or damaged. The case records who had it
last (from the order's events), goes on both agencies' problems queue, takes the police report, and
ends with Imigrasi's decision: found (the delivery goes on) or cancelled and reissued (the delivery
ends with the handoff's ``cancel_lost`` move). The applicant is told at every step, by mail and SMS.

The case's life is ``LOST_PASSPORT_STATES``; every step writes a ``LostPassportEvent``.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from core.exceptions import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from core.images import image_decode
from core.outbox import task_enqueue
from core.states import CREATED, StateTable, Transition, state_created, transition_make
from delivery.choices import FINAL_STATUSES
from delivery.counter.numbers import numbered_create
from delivery.handoff import transitions as t
from delivery.handoff.selectors import orders_visible_to
from delivery.models import (
    DeliveryEvent,
    DeliveryOrder,
    LostPassportCase,
    LostPassportEvent,
    LostPassportKind,
    LostPassportNotice,
    LostPassportStatus,
    ProblemKind,
)
from delivery.notifications.sms import sms_send
from delivery.notifications.sms_texts import SmsMessage, sms_render
from delivery.permissions import LOST_CASE_DECIDERS, LOST_CASE_REPORTERS
from delivery.problems.services import order_problem_flag
from delivery.signals import lost_passport_found

logger = logging.getLogger(__name__)

LS = LostPassportStatus
OPEN = frozenset({LS.REPORTED, LS.POLICE_REPORT})

LOST_PASSPORT_STATES = StateTable(
    model=LostPassportCase,
    event_model=LostPassportEvent,
    event_field="case",
    transitions=(
        Transition(
            name="report", sources=frozenset({CREATED}), target=LS.REPORTED, roles=LOST_CASE_REPORTERS
        ),
        Transition(
            name="police_report",
            sources=frozenset({LS.REPORTED, LS.POLICE_REPORT}),
            target=LS.POLICE_REPORT,
            roles=LOST_CASE_REPORTERS,
            label=_("Upload the police report"),
            refused=_("The case is decided; the police report can no longer change."),
            refused_code="case_decided",
        ),
        Transition(
            name="found",
            sources=OPEN,
            target=LS.FOUND,
            roles=LOST_CASE_DECIDERS,
            label=_("Found: the delivery goes on"),
            refused=_("The case is already decided."),
            refused_code="case_decided",
        ),
        Transition(
            name="reissue",
            sources=frozenset({LS.POLICE_REPORT}),
            target=LS.REISSUED,
            roles=LOST_CASE_DECIDERS,
            label=_("Cancel and reissue the passport"),
            refused=_("A passport is cancelled and reissued only once the police report is uploaded."),
            refused_code="police_report_missing",
        ),
    ),
)

# The police report: a PDF scan or a photo, at most 5 MB.
POLICE_REPORT_MAX_BYTES = 5 * 1024 * 1024
_IMAGE_EXTENSIONS = {"JPEG": "jpg", "PNG": "png"}


def police_report_kind(raw: bytes) -> str:
    """The file's extension ("pdf", "jpg", "png") from its content, or a ``ValidationFailed``."""
    if raw.startswith(b"%PDF-"):
        return "pdf"
    checked = image_decode(
        raw,
        field="police_report",
        label=_("The police report"),
        max_pixels=40_000_000,
        formats=tuple(_IMAGE_EXTENSIONS),
        hint=_("Choose a PDF, JPEG or PNG file."),
    )
    return _IMAGE_EXTENSIONS[checked.format]


def _order_for(actor: User, code: str) -> DeliveryOrder:
    order = orders_visible_to(actor).filter(code=(code or "").strip().upper()).first()
    if order is None:
        raise NotFound(_("No such order."), code="unknown_order")
    return order


def _case_for(actor: User, number: str) -> LostPassportCase:
    case = (
        LostPassportCase.objects.select_related("order")
        .filter(number=number, order__in=orders_visible_to(actor))
        .first()
    )
    if case is None:
        raise NotFound(_("No such case."), code="unknown_case")
    return case


def last_holder(order: DeliveryOrder) -> DeliveryEvent | None:
    """The order's last handoff: who received the passport last, in which role and office, when."""
    return DeliveryEvent.objects.filter(order=order).select_related("actor", "office").order_by("-pk").first()


def lost_case_open(
    *, actor: User, order_code: str, kind: str, report: str, at: dt.datetime | None = None
) -> LostPassportCase:
    """Report the passport of an order missing or damaged. Refused for an order that has ended, or
    that already has an open case; the order goes on both agencies' problems queue."""
    if actor.role not in LOST_CASE_REPORTERS:
        raise NotAllowed(_("Your role may not report a lost passport."), code="wrong_role")
    if kind not in LostPassportKind.values:
        raise ValidationFailed(
            _("Say whether the passport is missing or damaged."), fields={"kind": [_("Required.")]}
        )
    report = (report or "").strip()
    if not report:
        raise ValidationFailed(
            _("Say what was found or not found, where and when."), fields={"report": [_("Required.")]}
        )
    now = at or timezone.now()
    with transaction.atomic():
        order = _order_for(actor, order_code)
        order = DeliveryOrder.objects.select_for_update().get(pk=order.pk)
        if order.status in FINAL_STATUSES:
            raise InvalidTransition(
                _("This delivery has ended (“%(status)s”); a lost passport is reported to Imigrasi directly.")
                % {"status": order.get_status_display()},
                code="order_closed",
            )
        if actor.role == Role.COURIER and (order.courier is None or order.courier.user_id != actor.pk):
            raise NotAllowed(_("A courier reports only passports on their own run."), code="not_your_order")
        holder = last_holder(order)
        try:
            with transaction.atomic():
                case = numbered_create(
                    "KHL",
                    LostPassportCase,
                    now,
                    order=order,
                    kind=kind,
                    report=report[:2000],
                    reported_at=now,
                    last_holder=holder.actor if holder else None,
                    last_holder_role=holder.actor_role if holder else "",
                    last_holder_office=holder.office if holder else None,
                    last_moved_at=holder.occurred_at if holder else None,
                )
        except IntegrityError as error:
            raise InvalidTransition(
                _("This passport already has an open lost passport case."), code="case_open"
            ) from error
        event = state_created(
            LOST_PASSPORT_STATES, "report", obj=case, actor=actor, at=now, payload={"kind": kind}
        )
        order_problem_flag(order=order, kind=ProblemKind.LOST_PASSPORT, key=case.number, now=now)
        task_enqueue("delivery.tasks.notify_lost_passport", event.pk)
    logger.info("custody.lost.reported case=%s order_id=%s", case.number, order.pk)
    return case


def lost_case_police_report(
    *, actor: User, number: str, report_number: str, upload: UploadedFile[bytes] | None
) -> LostPassportCase:
    """Attach the police report (its number and a scan or photo); may be replaced until decided."""
    report_number = (report_number or "").strip()
    errors: dict[str, list[str]] = {}
    if not report_number:
        errors["police_report_number"] = [str(_("Required."))]
    extension = ""
    if upload is None:
        errors["police_report"] = [str(_("Attach the police report (PDF, JPEG or PNG)."))]
    elif upload.size is None or upload.size > POLICE_REPORT_MAX_BYTES:
        errors["police_report"] = [str(_("The file is larger than 5 MB."))]
    if errors:
        raise ValidationFailed(_("The police report is incomplete."), fields=errors)
    assert upload is not None
    extension = police_report_kind(upload.read())
    upload.seek(0)
    with transaction.atomic():
        case = _case_for(actor, number)
        case = LostPassportCase.objects.select_for_update().get(pk=case.pk)
        name = f"{case.number}-{uuid.uuid4().hex[:8]}.{extension}"
        stored = case.police_report.storage.save(f"police-reports/{name}", upload)
        event = transition_make(
            LOST_PASSPORT_STATES,
            "police_report",
            obj=case,
            actor=actor,
            changes={"police_report": stored, "police_report_number": report_number[:60]},
        )
        task_enqueue("delivery.tasks.notify_lost_passport", event.pk)
    return case


def lost_case_decide(*, actor: User, number: str, decision: str, note: str) -> LostPassportCase:
    """Imigrasi's decision: "found" (the delivery goes on where it was) or "reissue" (the passport
    is cancelled and reissued; the delivery ends with ``cancel_lost``)."""
    if actor.role not in LOST_CASE_DECIDERS:
        raise NotAllowed(_("Only Imigrasi decides on a lost passport."), code="wrong_role")
    if decision not in ("found", "reissue"):
        raise ValidationFailed(_("Choose a decision."), fields={"decision": [_("Required.")]})
    note = (note or "").strip()
    if decision == "reissue" and not note:
        raise ValidationFailed(
            _("Say why the passport is cancelled and what the applicant must do."),
            fields={"note": [_("Required.")]},
        )
    now = timezone.now()
    with transaction.atomic():
        case = _case_for(actor, number)
        case = LostPassportCase.objects.select_for_update().get(pk=case.pk)
        if actor.office_id != case.order.imigrasi_office_id:
            raise NotAllowed(
                _("Only the Imigrasi office that issued the passport decides."), code="wrong_office"
            )
        event = transition_make(
            LOST_PASSPORT_STATES,
            decision,
            obj=case,
            actor=actor,
            at=now,
            changes={"decided_at": now, "decision_note": note[:2000]},
        )
        if decision == "found":
            lost_passport_found.send(sender=LostPassportCase, case=case, actor=actor, at=now)
        if decision == "reissue":
            t.delivery_order_cancel_lost(
                order_id=case.order_id, actor=actor, reason="lost_in_transit", at=now
            )
        task_enqueue("delivery.tasks.notify_lost_passport", event.pk)
    logger.info("custody.lost.decided case=%s decision=%s", case.number, decision)
    return case


def _notice_text(event: LostPassportEvent) -> tuple[str, str, str]:
    """(mail subject, mail body, SMS of one GSM-7 part) about one step, in the active language."""
    case = event.case
    if event.to_status == LS.REPORTED:
        lines = [
            gettext(
                "We are sorry: the passport of delivery %(code)s cannot be found, or arrived damaged, on its way to you."
            ),
            gettext(
                "Case %(number)s is open. PT Pos and Imigrasi are looking for it, and we will tell you each step."
            ),
        ]
    elif event.to_status == LS.POLICE_REPORT:
        lines = [
            gettext(
                "A police report about the passport of delivery %(code)s has been filed (case %(number)s)."
            ),
            gettext(
                "Imigrasi decides next whether the passport is cancelled and reissued; we will tell you."
            ),
        ]
    elif event.to_status == LS.FOUND:
        lines = [
            gettext("Good news: the passport of delivery %(code)s has been found. Its delivery goes on.")
        ]
    else:
        lines = [
            gettext(
                "The passport of delivery %(code)s has been cancelled and will be reissued free of charge."
            ),
            gettext("Imigrasi says: %(note)s"),
        ]
    values = {"code": case.order.code, "number": case.number, "note": case.decision_note}
    subject = gettext("Your passport delivery %(code)s: case %(number)s") % values
    body = "\n".join(line % values for line in lines)
    kinds: dict[str, str] = {
        LS.REPORTED: "lost_reported",
        LS.POLICE_REPORT: "lost_police_report",
        LS.FOUND: "lost_found",
    }
    kind = kinds.get(event.to_status, "lost_reissue")
    return subject, body, sms_render(SmsMessage(kind, case.order.code, {"number": case.number}))


def lost_case_applicant_notify(*, event_id: int) -> str:
    """Tell the applicant about one step of their case, once per channel: a notice row is claimed
    before sending and released when the channel refused, so a retry sends what is missing."""
    event = (
        LostPassportEvent.objects.select_related("case__order__application__applicant")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return "missing"
    order = event.case.order
    applicant = order.application.applicant
    targets = {
        "email": order.recipient_email or applicant.email,
        "sms": order.recipient_phone or applicant.phone,
    }
    with translation.override(applicant.language or "id"):
        subject, body, sms = _notice_text(event)
    sent = []
    for channel, to in targets.items():
        if not to:
            continue
        try:
            with transaction.atomic():
                notice = LostPassportNotice.objects.create(event=event, channel=channel)
        except IntegrityError:
            continue  # sent before
        try:
            if channel == "email":
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
            else:
                sms_send(to=to, text=sms, reference=f"lost-{event.pk}")
        except Exception:
            LostPassportNotice.objects.filter(pk=notice.pk).delete()
            raise
        sent.append(channel)
    return ",".join(sent) or "nothing_to_send"
