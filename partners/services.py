"""The partnership's rules: agreements (article 7 consent, amendments, expiry reminders), evaluation
meetings (article 12), disputes (article 14) and the monthly uptake figures (entered or CSV).

Every write runs in one transaction; a refusal raises a ``core.exceptions`` error before anything
is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from core.exceptions import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from core.states import CREATED, StateTable, Transition, state_created, transition_make
from organisations.models import Office
from partners.choices import (
    ActionItemStatus,
    DisputeStatus,
    Indicator,
    MeetingStatus,
    ObligationStatus,
    Party,
    UptakeSource,
)
from partners.models import (
    ActionItem,
    Agreement,
    AgreementAmendment,
    AgreementArticle,
    AgreementAttachment,
    AgreementReminder,
    Dispute,
    DisputeEvent,
    DisputeNote,
    EvaluationMeeting,
    IndicatorScore,
    Obligation,
    TransferConsent,
    UptakeMonth,
)
from partners.permissions import MANAGERS, party_of, require_manager, require_uptake_enterer
from partners.scopes import own_office

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from organisations.models import Organisation

logger = logging.getLogger(__name__)

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
REMINDER_DAYS = (90, 30)
AMENDABLE_FIELDS = ("title", "number_imigrasi", "number_pos", "valid_from", "valid_until", "summary")


class AgreementChanges(TypedDict, total=False):
    """What an amendment may change (``AMENDABLE_FIELDS``), each with its new value."""

    title: str
    number_imigrasi: str
    number_pos: str
    valid_from: dt.date
    valid_until: dt.date | None
    summary: str


# Agreements ------------------------------------------------------------------------------------


def agreement_in_force(*, on: dt.date) -> Agreement | None:
    return (
        Agreement.objects.filter(valid_from__lte=on)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .order_by("-valid_from", "-pk")
        .first()
    )


def _check_no_overlap(
    *, valid_from: dt.date, valid_until: dt.date | None, exclude_pk: int | None = None
) -> None:
    if valid_until is not None and valid_until < valid_from:
        raise ValidationFailed(
            _("The end of validity is before its start."),
            fields={"valid_until": [_("The end of validity is before its start.")]},
        )
    others = (
        Agreement.objects.all() if exclude_pk is None else Agreement.objects.exclude(pk=exclude_pk)
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=valid_from))
    if valid_until is not None:
        others = others.filter(valid_from__lte=valid_until)
    clash = others.first()
    if clash is not None:
        message = _("The validity overlaps the agreement “%(title)s” (from %(start)s).") % {
            "title": clash.title,
            "start": clash.valid_from.strftime("%d-%m-%Y"),
        }
        raise ValidationFailed(message, fields={"valid_from": [message]})


def agreement_create(
    *,
    title: str,
    number_imigrasi: str = "",
    number_pos: str = "",
    signed_on: dt.date,
    valid_from: dt.date,
    valid_until: dt.date | None = None,
    summary: str = "",
    parties: Iterable[Organisation] = (),
    actor: User | None = None,
) -> Agreement:
    if actor is not None:
        require_manager(actor)
    if not title.strip():
        raise ValidationFailed(_("Give the agreement a title."), fields={"title": [_("Required.")]})
    with transaction.atomic():
        _check_no_overlap(valid_from=valid_from, valid_until=valid_until)
        agreement = Agreement.objects.create(
            title=title.strip(),
            number_imigrasi=number_imigrasi,
            number_pos=number_pos,
            signed_on=signed_on,
            valid_from=valid_from,
            valid_until=valid_until,
            summary=summary,
        )
        if parties:
            agreement.parties.set(parties)
    return agreement


def agreement_article_add(
    *, agreement: Agreement, number: str, title: str, text: str = "", actor: User | None = None
) -> AgreementArticle:
    if actor is not None:
        require_manager(actor)
    if AgreementArticle.objects.filter(agreement=agreement, number=number).exists():
        message = _("This article number already exists.")
        raise ValidationFailed(message, fields={"number": [message]})
    position = agreement.articles.count() + 1
    return AgreementArticle.objects.create(
        agreement=agreement, number=number, title=title, text=text, position=position
    )


def obligation_add(
    *,
    agreement: Agreement,
    party: str,
    text: str,
    article: AgreementArticle | None = None,
    actor: User | None = None,
) -> Obligation:
    if actor is not None:
        require_manager(actor)
    if party not in Party.values:
        raise ValidationFailed(_("Choose Imigrasi or PT Pos."))
    return Obligation.objects.create(agreement=agreement, party=party, text=text, article=article)


def obligation_set_status(*, obligation_id: int, status: str, note: str = "", actor: User) -> Obligation:
    require_manager(actor)
    if status not in ObligationStatus.values:
        raise ValidationFailed(_("Unknown status."), fields={"status": [_("Unknown status.")]})
    updated = Obligation.objects.filter(pk=obligation_id).update(
        status=status, status_note=note[:500], updated_at=timezone.now()
    )
    if not updated:
        raise ValidationFailed(_("No such obligation."))
    return Obligation.objects.get(pk=obligation_id)


def agreement_attachment_add(
    *, agreement: Agreement, title: str, upload: UploadedFile | None, actor: User
) -> AgreementAttachment:
    """Only real PDFs up to 10 MB: the content is checked, not the name the browser sends."""
    require_manager(actor)
    if upload is None or upload.size is None or upload.name is None:  # no file, or one without content
        raise ValidationFailed(_("Choose a PDF file."), fields={"file": [_("Choose a PDF file.")]})
    if upload.size > MAX_ATTACHMENT_BYTES:
        message = _("The file is larger than 10 MB.")
        raise ValidationFailed(message, fields={"file": [message]})
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        message = _("The file is not a PDF document.")
        raise ValidationFailed(message, fields={"file": [message]})
    return AgreementAttachment.objects.create(
        agreement=agreement,
        title=title or upload.name,
        file=upload,
        size=upload.size,
        uploaded_by=actor,
    )


def agreement_amend(
    *, agreement_id: int, signed_on: dt.date, summary: str, changes: AgreementChanges, actor: User
) -> AgreementAmendment:
    """Apply an amendment and keep the values it replaced."""
    require_manager(actor)
    unknown = set(changes) - set(AMENDABLE_FIELDS)
    if unknown:
        raise ValidationFailed(_("These fields cannot be amended: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if not summary.strip():
        raise ValidationFailed(_("Describe the amendment."), fields={"summary": [_("Required.")]})
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=agreement_id)
        new_from = changes.get("valid_from", agreement.valid_from)
        new_until = changes.get("valid_until", agreement.valid_until)
        if "valid_from" in changes or "valid_until" in changes:
            _check_no_overlap(valid_from=new_from, valid_until=new_until, exclude_pk=agreement.pk)
        before: dict[str, object] = {}
        after: dict[str, object] = {}
        for field, value in changes.items():
            old = getattr(agreement, field)
            if old != value:
                before[field] = old.isoformat() if isinstance(old, dt.date) else old
                after[field] = value.isoformat() if isinstance(value, dt.date) else value
                setattr(agreement, field, value)
        agreement.save()
        number = agreement.amendments.count() + 1
        return AgreementAmendment.objects.create(
            agreement=agreement,
            number=number,
            signed_on=signed_on,
            summary=summary,
            before=before,
            after=after,
            recorded_by=actor,
        )


def transfer_consent_record(
    *,
    agreement: Agreement,
    given_by: str,
    third_party: str,
    scope: str,
    letter_reference: str,
    given_on: dt.date,
    actor: User,
) -> TransferConsent:
    require_manager(actor)
    if given_by not in Party.values:
        raise ValidationFailed(_("Choose Imigrasi or PT Pos."))
    if not letter_reference.strip():
        message = _("A written consent needs the number of its letter.")
        raise ValidationFailed(message, fields={"letter_reference": [message]})
    return TransferConsent.objects.create(
        agreement=agreement,
        given_by=given_by,
        third_party=third_party,
        scope=scope,
        letter_reference=letter_reference,
        given_on=given_on,
        recorded_by=actor,
    )


def third_party_transfer_check(*, on: dt.date | None = None) -> None:
    """Article 7: handing work to a third party needs a written consent under the agreement in force.

    Called before an order is put on a third-party courier's run.
    """
    on = on or timezone.localdate()
    agreement = agreement_in_force(on=on)
    has_consent = (
        agreement is not None
        and agreement.consents.filter(given_on__lte=on)
        .filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=on))
        .exists()
    )
    if not has_consent:
        raise NotAllowed(
            _(
                "Article 7 of the agreement: a third-party courier needs a written consent of the "
                "other party, and none is recorded for the agreement in force."
            ),
            code="article_7_consent_missing",
        )


def third_party_transfer_receiver(sender: object, **_: object) -> None:
    third_party_transfer_check()


def agreement_expiry_remind(*, today: dt.date | None = None) -> int:
    """Mail the agency managers 90 and 30 days before an agreement ends; each reminder once."""
    today = today or timezone.localdate()
    sent = 0
    for agreement in Agreement.objects.filter(valid_until__gte=today):
        valid_until = agreement.valid_until
        assert valid_until is not None  # the filter leaves only agreements with an end
        days_left = (valid_until - today).days
        due = [d for d in REMINDER_DAYS if days_left <= d]
        if not due:
            continue
        step = min(due)
        managers = list(
            User.objects.filter(role=Role.AGENCY_MANAGER, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        try:
            with transaction.atomic():
                AgreementReminder.objects.create(
                    agreement=agreement, days_before=step, recipients=",".join(managers)
                )
                with translation.override(settings.LANGUAGE_CODE):  # the portal's language, Indonesian
                    subject = gettext("The agreement “%(title)s” ends on %(date)s") % {
                        "title": agreement.title,
                        "date": valid_until.strftime("%d-%m-%Y"),
                    }
                    body = gettext("%(days)s days are left. Prepare its renewal with the other party.") % {
                        "days": days_left,
                    }
                if managers:
                    send_mail(subject, body, None, managers)
        except IntegrityError:
            continue  # this reminder went out on an earlier run
        sent += 1
        logger.info("partners.agreement.reminded agreement_id=%s days=%s", agreement.pk, step)
    return sent


# Evaluation meetings (article 12) --------------------------------------------------------------


def evaluation_meeting_save(
    *,
    meeting: EvaluationMeeting | None = None,
    held_on: dt.date,
    status: str,
    place: str = "",
    participants_imigrasi: str = "",
    participants_pos: str = "",
    agenda: str = "",
    minutes: str = "",
    decisions: str = "",
    actor: User,
    today: dt.date | None = None,
) -> EvaluationMeeting:
    require_manager(actor)
    today = today or timezone.localdate()
    if status not in MeetingStatus.values:
        raise ValidationFailed(_("Unknown status."))
    if status == MeetingStatus.HELD and held_on > today:
        message = _("A meeting in the future cannot be marked as held.")
        raise ValidationFailed(message, fields={"status": [message]})
    if status == MeetingStatus.HELD and not (participants_imigrasi.strip() and participants_pos.strip()):
        message = _("A held meeting needs participants from both sides.")
        raise ValidationFailed(message, fields={"participants_pos": [message]})
    meeting = meeting or EvaluationMeeting()
    meeting.agreement = meeting.agreement or agreement_in_force(on=held_on)
    for name, value in {
        "held_on": held_on,
        "status": status,
        "place": place,
        "participants_imigrasi": participants_imigrasi,
        "participants_pos": participants_pos,
        "agenda": agenda,
        "minutes": minutes,
        "decisions": decisions,
    }.items():
        setattr(meeting, name, value)
    meeting.save()
    return meeting


def action_item_add(
    *,
    meeting: EvaluationMeeting,
    description: str,
    owner: str,
    owner_party: str,
    due_on: dt.date,
    actor: User,
) -> ActionItem:
    require_manager(actor)
    if owner_party not in Party.values:
        raise ValidationFailed(_("Choose Imigrasi or PT Pos."))
    return ActionItem.objects.create(
        meeting=meeting, description=description, owner=owner, owner_party=owner_party, due_on=due_on
    )


def action_item_complete(*, action_item_id: int, actor: User, meeting_id: int | None = None) -> ActionItem:
    """Mark an action item done; with ``meeting_id`` only an item of that meeting."""
    require_manager(actor)
    items = ActionItem.objects.filter(pk=action_item_id)
    if meeting_id is not None:
        items = items.filter(meeting_id=meeting_id)
    if not items.update(status=ActionItemStatus.DONE, updated_at=timezone.now()):
        raise NotFound(_("No such action item."))
    return ActionItem.objects.get(pk=action_item_id)


def scorecard_save(
    *, meeting: EvaluationMeeting, scores: dict[str, tuple[int, str]], actor: User
) -> list[IndicatorScore]:
    """All seven indicators at once, 1 to 5 each; any bad score refuses the whole card."""
    require_manager(actor)
    errors = {
        indicator: [_("Give a score from 1 to 5.")]
        for indicator in Indicator.values
        if indicator not in scores
    }
    for indicator, (score, _notes) in scores.items():
        if indicator not in Indicator.values:
            errors[indicator] = [_("Unknown indicator.")]
        elif not isinstance(score, int) or not 1 <= score <= 5:
            errors[indicator] = [_("A score is a whole number from 1 to 5.")]
    if errors:
        raise ValidationFailed(_("A score is a whole number from 1 to 5."), fields=errors)
    saved = []
    with transaction.atomic():
        for indicator, (score, notes) in scores.items():
            row, _created = IndicatorScore.objects.update_or_create(
                meeting=meeting, indicator=indicator, defaults={"score": score, "notes": notes[:500]}
            )
            saved.append(row)
    return saved


# Disputes (article 14) --------------------------------------------------------------------------

# A dispute's life: raised by one side, deliberated (the first note), settled by consensus, closed.
DISPUTE_STATES = StateTable(
    model=Dispute,
    event_model=DisputeEvent,
    event_field="dispute",
    transitions=(
        Transition(name="open", sources=frozenset({CREATED}), target=DisputeStatus.OPEN, roles=MANAGERS),
        Transition(
            name="deliberate",
            sources=frozenset({DisputeStatus.OPEN}),
            target=DisputeStatus.DELIBERATION,
            roles=MANAGERS,
        ),
        Transition(
            name="record_consensus",
            sources=frozenset({DisputeStatus.OPEN, DisputeStatus.DELIBERATION}),
            target=DisputeStatus.CONSENSUS,
            roles=MANAGERS,
            refused=_("A consensus is already recorded."),
        ),
        Transition(
            name="close",
            sources=frozenset({DisputeStatus.CONSENSUS}),
            target=DisputeStatus.CLOSED,
            roles=MANAGERS,
            refused=_("A dispute is closed once a consensus is recorded."),
        ),
    ),
)


def dispute_open(*, agreement: Agreement, subject: str, description: str, actor: User) -> Dispute:
    require_manager(actor)
    party = party_of(actor)
    if not subject.strip() or not description.strip():
        raise ValidationFailed(_("Give the dispute a subject and a description."))
    with transaction.atomic():
        dispute = Dispute.objects.create(
            agreement=agreement,
            opened_by_party=party,
            opened_by=actor,
            subject=subject.strip(),
            description=description.strip(),
        )
        state_created(DISPUTE_STATES, "open", obj=dispute, actor=actor)
    return dispute


def dispute_add_note(*, dispute_id: int, text: str, actor: User) -> DisputeNote:
    require_manager(actor)
    if not text.strip():
        raise ValidationFailed(_("The note is empty."), fields={"text": [_("Required.")]})
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().get(pk=dispute_id)
        if dispute.status == DisputeStatus.CLOSED:
            raise InvalidTransition(_("This dispute is closed."))
        if dispute.status == DisputeStatus.OPEN:
            transition_make(DISPUTE_STATES, "deliberate", obj=dispute, actor=actor)
        return DisputeNote.objects.create(dispute=dispute, author=actor, text=text.strip())


def dispute_record_consensus(*, dispute_id: int, consensus: str, actor: User) -> Dispute:
    require_manager(actor)
    if not consensus.strip():
        raise ValidationFailed(
            _("Write down what both sides agreed."), fields={"consensus": [_("Required.")]}
        )
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().get(pk=dispute_id)
        transition_make(
            DISPUTE_STATES,
            "record_consensus",
            obj=dispute,
            actor=actor,
            changes={"consensus": consensus.strip()},
        )
    return dispute


def dispute_close(*, dispute_id: int, actor: User) -> Dispute:
    require_manager(actor)
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().get(pk=dispute_id)
        transition_make(
            DISPUTE_STATES, "close", obj=dispute, actor=actor, changes={"closed_at": timezone.now()}
        )
    return dispute


# Uptake ------------------------------------------------------------------------------------------


def uptake_month_enter(*, year: int, month: int, issued: int, actor: User) -> UptakeMonth:
    """Imigrasi enters the passports it issued in a month; entering again corrects the figure."""
    uptake_month_check_actor(actor)
    errors = _uptake_errors(year, month, issued)
    if errors:
        raise ValidationFailed(" ".join(str(e) for e in errors), fields={"issued": errors})
    row, _created = UptakeMonth.objects.update_or_create(
        office=own_office(actor),
        year=year,
        month=month,
        defaults={"issued": issued, "source": UptakeSource.ENTERED, "entered_by": actor},
    )
    return row


def _uptake_errors(year: object, month: object, issued: object) -> list[_StrPromise]:
    """What is wrong with a month's figures, whatever was sent: each value must be a whole number."""
    errors: list[_StrPromise] = []
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors.append(_("The year must be between 2000 and 2100."))
    if not isinstance(month, int) or not 1 <= month <= 12:
        errors.append(_("The month must be from 1 to 12."))
    if not isinstance(issued, int) or issued < 0:
        errors.append(_("Passports issued must be a whole number, zero or more."))
    return errors


@dataclass(frozen=True)
class UptakeImportResult:
    imported: int
    errors: list[tuple[int, str]]


def uptake_csv_import(*, content: bytes, actor: User) -> UptakeImportResult:
    """Columns year, month, issued. Every bad row is reported by its line; one bad row imports nothing."""
    uptake_month_check_actor(actor)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed(_("The file is not UTF-8 text (CSV).")) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not {"year", "month", "issued"} <= set(header):
        raise ValidationFailed(_("The first line must name the columns year, month, issued."))
    reader.fieldnames = header
    rows: list[tuple[int, int, int]] = []  # year, month, issued
    errors: list[tuple[int, str]] = []
    seen: set[tuple[int, int]] = set()
    for line, raw in enumerate(reader, start=2):
        values: dict[str, int | None] = {}
        for key in ("year", "month", "issued"):
            cell = (raw.get(key) or "").strip().replace(".", "").replace(",", "")
            try:
                values[key] = int(cell)
            except ValueError:
                values[key] = None
        problems = []
        for key, label in (("year", _("year")), ("month", _("month")), ("issued", _("issued"))):
            if values[key] is None:
                problems.append(gettext("%(col)s is not a whole number") % {"col": label})
        if not problems:
            problems = [str(e) for e in _uptake_errors(values["year"], values["month"], values["issued"])]
        if not problems and (values["year"], values["month"]) in seen:
            problems.append(gettext("this month appears twice"))
        year, month, issued = values["year"], values["month"], values["issued"]
        if problems or year is None or month is None or issued is None:  # a None is among the problems
            errors.append((line, "; ".join(str(p) for p in problems)))
            continue
        seen.add((year, month))
        rows.append((year, month, issued))
    if errors:
        return UptakeImportResult(imported=0, errors=errors)
    if not rows:
        raise ValidationFailed(_("The file has no rows."))
    with transaction.atomic():
        for year, month, issued in rows:
            UptakeMonth.objects.update_or_create(
                office=own_office(actor),
                year=year,
                month=month,
                defaults={"issued": issued, "source": UptakeSource.CSV, "entered_by": actor},
            )
    return UptakeImportResult(imported=len(rows), errors=[])


def uptake_month_check_actor(actor: User) -> None:
    require_uptake_enterer(actor)


def uptake_study_figures_load(
    *, figures: dict[int, list[tuple[int, int | None]]], office: Office | None = None
) -> int:
    """The study's tables of ``office`` (Makassar's): per year, twelve (issued, delivered or None
    for "–")."""
    count = 0
    for year, months in figures.items():
        for month, (issued, delivered) in enumerate(months, start=1):
            UptakeMonth.objects.update_or_create(
                office=office,
                year=year,
                month=month,
                defaults={
                    "issued": issued,
                    "delivered_reported": delivered,
                    "reported_missing": delivered is None,
                    "source": UptakeSource.STUDY,
                },
            )
            count += 1
    return count
