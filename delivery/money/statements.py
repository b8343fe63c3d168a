"""The daily statement of a Pos office and the Imigrasi office it serves, and its two approvals.

1. Building (``statement_build``): at the end of each working day (``delivery.tasks.build_statements``,
   beat at 20:00 WITA), from the statements page or ``manage.py build_statements``. The statement
   copies the day's ledger rows (``ledger.Movement``, by ``business_day``) of the Imigrasi office's
   state revenue and of the Pos office's delivery money into lines, one per row with the order or
   billing code behind it, adds them up by section and by channel, and matches every NTPN against
   MPN G-2's settlement report of the day (``passports.gateways``: missing in the report, extra in
   the report, amounts differ).
2. Building again replaces the lines, totals and differences from the ledger as it is now: the same
   ledger gives the same statement. It is refused once either agency has approved: an approved day
   stays as it was signed. A correction is a reversing row in the ledger, which belongs to the day
   it is made and so shows on that day's statement; nothing rewrites a signed day.
3. Approving (``statement_approve``): the agency manager of the Pos office for PT Pos and the one
   of the Imigrasi office for Imigrasi, in either order; each approval is a step of
   ``STATEMENT_STATES`` with its event row. Twice, another office's statement, or the other agency's
   approval are refused.
4. Disputing (``statement_dispute``): either manager names a line (or an NTPN difference) and a
   reason. The statement becomes "disputed", the approvals given so far are withdrawn (their event
   rows stay), and the dispute goes on both agencies' problems queue. Once the ledger or MPN G-2's
   report is put right, a build makes the statement open again for both approvals.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from core.exceptions import ConcurrentChange, InvalidTransition, NotAllowed, NotFound, ValidationFailed
from core.states import CREATED, SYSTEM, StateTable, Transition, state_created, transition_make
from delivery.handoff.deadlines import WITA, is_working_day
from delivery.problems.services import (
    statement_problem_flag,
    statement_problems_close,
    statement_problems_open,
)
from ledger.choices import (
    Agency,
    DifferenceKind,
    MovementKind,
    Revenue,
    SettlementCheck,
    StatementSection,
    StatementStatus,
)
from ledger.models import Movement, Statement, StatementDifference, StatementEvent, StatementLine
from organisations.choices import OrganisationKind
from organisations.models import Office
from passports.gateways import SettlementUnavailable, get_gateway
from passports.selectors import billing_code_offices

if TYPE_CHECKING:
    from collections.abc import Iterable

logger = logging.getLogger(__name__)

S = StatementStatus
BUILDERS = frozenset({SYSTEM, Role.AGENCY_MANAGER, Role.ADMINISTRATOR})
APPROVERS = frozenset({Role.AGENCY_MANAGER})
# Who may read statements: the agency managers of the two offices, and the administrator.
STATEMENT_READERS = frozenset({Role.AGENCY_MANAGER, Role.ADMINISTRATOR})

STATEMENT_STATES = StateTable(
    model=Statement,
    event_model=StatementEvent,
    event_field="statement",
    transitions=(
        Transition(name="build", sources=frozenset({CREATED}), target=S.OPEN, roles=BUILDERS),
        Transition(
            name="rebuild",
            sources=frozenset({S.OPEN, S.DISPUTED}),
            target=S.OPEN,
            roles=BUILDERS,
            refused=_(
                "This statement has been approved: it is not built again. A correction is a reversing row on today's statement."
            ),
            refused_code="statement_approved",
        ),
        Transition(name="approve_pos", sources=frozenset({S.OPEN}), target=S.POS_APPROVED, roles=APPROVERS),
        Transition(
            name="approve_pos_second",
            sources=frozenset({S.IMIGRASI_APPROVED}),
            target=S.APPROVED,
            roles=APPROVERS,
        ),
        Transition(
            name="approve_imigrasi", sources=frozenset({S.OPEN}), target=S.IMIGRASI_APPROVED, roles=APPROVERS
        ),
        Transition(
            name="approve_imigrasi_second",
            sources=frozenset({S.POS_APPROVED}),
            target=S.APPROVED,
            roles=APPROVERS,
        ),
        Transition(
            name="settle",
            sources=frozenset({S.DISPUTED}),
            target=S.DISPUTED,
            roles=APPROVERS,
            refused=_("This statement has no open dispute."),
            refused_code="not_disputed",
        ),
        Transition(
            name="dispute",
            sources=frozenset({S.OPEN, S.POS_APPROVED, S.IMIGRASI_APPROVED}),
            target=S.DISPUTED,
            roles=APPROVERS,
            refused=_("A statement approved by both agencies is no longer disputed here."),
            refused_code="statement_approved",
        ),
    ),
)

SECTION_OF_KIND = {
    MovementKind.STATE_FEE: StatementSection.STATE_FEE,
    MovementKind.DELIVERY_FEE: StatementSection.DELIVERY_FEE,
    MovementKind.FEE_DIFFERENCE: StatementSection.DELIVERY_FEE,
    MovementKind.DOOR_COLLECTION: StatementSection.DOOR_COLLECTION,
    MovementKind.REFUND: StatementSection.REFUND,
    MovementKind.REVERSAL: StatementSection.CORRECTION,
}
TOTAL_FIELD = {
    StatementSection.STATE_FEE: "state_fees",
    StatementSection.DELIVERY_FEE: "delivery_fees",
    StatementSection.DOOR_COLLECTION: "door_collections",
    StatementSection.REFUND: "refunds",
    StatementSection.CORRECTION: "corrections",
}

# The fields a build writes beside the lines and differences.
FIGURES = (*TOTAL_FIELD.values(), "by_channel", "settlement")


@dataclass(frozen=True)
class BuildRun:
    """What one end-of-day run did: statements built, and those left as approved."""

    built: int
    kept: int


def today() -> dt.date:
    return timezone.now().astimezone(WITA).date()


def statements_visible_to(user: User) -> QuerySet[Statement]:
    """The administrator sees every statement; an agency manager those of their office."""
    rows = Statement.objects.select_related("pos_office", "imigrasi_office")
    if user.role == Role.ADMINISTRATOR:
        return rows
    if user.role not in STATEMENT_READERS or user.office_id is None:
        return rows.none()
    return rows.filter(Q(pos_office_id=user.office_id) | Q(imigrasi_office_id=user.office_id))


def statement_agency_of(user: User, statement: Statement) -> str | None:
    """For which agency this user approves this statement (None: for neither)."""
    if user.office_id is not None and user.office_id == statement.pos_office_id:
        return Agency.POS
    if user.office_id is not None and user.office_id == statement.imigrasi_office_id:
        return Agency.IMIGRASI
    return None


def pos_office_of(user: User) -> Office | None:
    """The Pos office whose statements a user builds: their own, or the one serving their Imigrasi
    office."""
    office = user.office
    if office is None:
        return None
    if office.organisation.kind == OrganisationKind.POS:
        return office
    return (
        Office.objects.filter(organisation__kind=OrganisationKind.POS, serves_id=office.pk)
        .order_by("pk")
        .first()
    )


def _pos_office(pos_office_id: int) -> Office:
    office = (
        Office.objects.select_related("organisation")
        .filter(pk=pos_office_id, organisation__kind=OrganisationKind.POS, serves__isnull=False)
        .first()
    )
    if office is None:
        raise NotFound(_("No Pos office serving an Imigrasi office has this number."), code="unknown_office")
    return office


def _builder_check(actor: User | None, office: Office) -> None:
    if actor is None or actor.role == Role.ADMINISTRATOR:
        return
    if actor.role != Role.AGENCY_MANAGER:
        raise NotAllowed(_("Only the agencies' managers build statements."), code="wrong_role")
    if actor.office_id not in (office.pk, office.serves_id):
        raise NotFound(_("No such statement."), code="unknown_statement")


def statement_build(*, pos_office_id: int, day: dt.date, actor: User | None = None) -> Statement:
    """Build (or build again, before the first approval) one office's statement of one day."""
    if day > today():
        raise ValidationFailed(
            _("A statement is built for a day that has begun, not a later one."),
            fields={"day": [_("Not a future day.")]},
        )
    office = _pos_office(pos_office_id)
    _builder_check(actor, office)
    assert office.serves_id is not None  # filtered on above
    now = timezone.now()
    try:
        with transaction.atomic():
            statement = Statement.objects.select_for_update().filter(pos_office=office, day=day).first()
            if statement is None:
                statement = Statement.objects.create(
                    pos_office=office, imigrasi_office_id=office.serves_id, day=day, built_at=now
                )
                _fill(statement)
                statement.save(update_fields=[*FIGURES])
                state_created(
                    STATEMENT_STATES, "build", obj=statement, actor=actor, payload=_summary(statement)
                )
            else:
                if statement.status not in (S.OPEN, S.DISPUTED):
                    raise InvalidTransition(
                        STATEMENT_STATES.by_name["rebuild"].refused or "", code="statement_approved"
                    )
                if statement.status == S.DISPUTED and statement_problems_open(statement).exists():
                    raise InvalidTransition(DISPUTE_OPEN, code="dispute_open")
                statement.imigrasi_office_id = office.serves_id
                _fill(statement)
                transition_make(
                    STATEMENT_STATES,
                    "rebuild",
                    obj=statement,
                    actor=actor,
                    changes={
                        "built_at": now,
                        "builds": statement.builds + 1,
                        "imigrasi_office_id": office.serves_id,
                        **{f: getattr(statement, f) for f in FIGURES},
                    },
                    payload=_summary(statement),
                )
    except IntegrityError:
        # Two builds of a new statement at the same moment: the other one made it.
        raise ConcurrentChange(_("This statement was built by someone else at the same moment.")) from None
    logger.info("ledger.statement.built statement_id=%s builds=%s", statement.pk, statement.builds)
    return statement


def _summary(statement: Statement) -> dict[str, object]:
    return {
        "total": statement.total,
        "lines": statement.lines.count(),
        "differences": statement.differences.count(),
        "settlement": statement.settlement,
    }


def _movements(statement: Statement) -> QuerySet[Movement]:
    return (
        Movement.objects.filter(business_day=statement.day)
        .filter(
            Q(office_id=statement.imigrasi_office_id, revenue=Revenue.STATE)
            | Q(office_id=statement.pos_office_id, revenue=Revenue.POS)
        )
        .select_related("order", "billing_code")
        .order_by("occurred_at", "pk")
    )


def _fill(statement: Statement) -> None:
    """Replace the statement's lines, totals and NTPN differences from the ledger (in memory and in
    its tables; the caller saves the totals through the state table)."""
    StatementLine.objects.filter(statement=statement).delete()
    StatementDifference.objects.filter(statement=statement).delete()
    totals = dict.fromkeys(TOTAL_FIELD.values(), 0)
    by_channel: dict[str, int] = {}
    lines = []
    ntpns: dict[str, int] = {}
    ntpn_codes: dict[str, str] = {}
    for row in _movements(statement):
        section = SECTION_OF_KIND[MovementKind(row.kind)]
        totals[TOTAL_FIELD[section]] += row.amount
        by_channel[row.channel] = by_channel.get(row.channel, 0) + row.amount
        billing_code = row.billing_code.code if row.billing_code is not None else ""
        lines.append(
            StatementLine(
                statement=statement,
                movement=row,
                section=section,
                revenue=row.revenue,
                kind=row.kind,
                amount=row.amount,
                channel=row.channel,
                reference=row.reference,
                order_code=row.order.code if row.order is not None else "",
                billing_code=billing_code,
                occurred_at=row.occurred_at,
            )
        )
        if row.revenue == Revenue.STATE:  # a state fee and its reversal, netted by NTPN
            ntpns[row.reference] = ntpns.get(row.reference, 0) + row.amount
            ntpn_codes.setdefault(row.reference, billing_code)
    StatementLine.objects.bulk_create(lines)
    for field, value in totals.items():
        setattr(statement, field, value)
    statement.by_channel = dict(sorted(by_channel.items()))
    statement.settlement = _settlement_check(statement, ntpns, ntpn_codes)


def _settlement_check(statement: Statement, ntpns: dict[str, int], codes: dict[str, str]) -> str:
    """Match the ledger's NTPNs of the day against MPN G-2's settlement report."""
    try:
        report = get_gateway().settlement_report(statement.day)
    except (SettlementUnavailable, OSError):
        logger.warning("ledger.statement.settlement_unavailable statement_id=%s", statement.pk)
        return SettlementCheck.UNAVAILABLE
    # The report covers every office: an NTPN the ledger lacks is this statement's when its billing
    # code belongs to this Imigrasi office, or to no application the portal knows.
    offices = billing_code_offices(line.billing_code for line in report)
    differences = []
    reported = {line.ntpn: line for line in report}
    for ntpn, amount in sorted(ntpns.items()):
        line = reported.get(ntpn)
        if line is None:
            if amount != 0:
                differences.append(
                    StatementDifference(
                        statement=statement,
                        kind=DifferenceKind.MISSING_IN_REPORT,
                        ntpn=ntpn,
                        billing_code=codes.get(ntpn, ""),
                        ledger_amount=amount,
                    )
                )
        elif line.amount != amount:
            differences.append(
                StatementDifference(
                    statement=statement,
                    kind=DifferenceKind.AMOUNT_DIFFERS,
                    ntpn=ntpn,
                    billing_code=line.billing_code,
                    ledger_amount=amount,
                    report_amount=line.amount,
                )
            )
    for line in report:
        office_id = offices.get(line.billing_code)
        if line.ntpn not in ntpns and office_id in (None, statement.imigrasi_office_id):
            differences.append(
                StatementDifference(
                    statement=statement,
                    kind=DifferenceKind.EXTRA_IN_REPORT,
                    ntpn=line.ntpn,
                    billing_code=line.billing_code,
                    report_amount=line.amount,
                )
            )
    StatementDifference.objects.bulk_create(differences)
    return SettlementCheck.DIFFERENCES if differences else SettlementCheck.MATCHED


def _statement_for(actor: User, statement_id: int) -> Statement:
    statement = statements_visible_to(actor).select_for_update(of=("self",)).filter(pk=statement_id).first()
    if statement is None:
        raise NotFound(_("No such statement."), code="unknown_statement")
    return statement


def statement_approve(*, actor: User, statement_id: int, agency: str) -> StatementEvent:
    """One agency's approval: the manager of the statement's office of that agency, once."""
    if actor.role not in APPROVERS:
        raise NotAllowed(_("Only the agencies' managers approve statements."), code="wrong_role")
    if agency not in Agency.values:
        raise ValidationFailed(
            _("Choose the agency you approve for."), fields={"agency": [_("Pos or Imigrasi.")]}
        )
    with transaction.atomic():
        statement = _statement_for(actor, statement_id)
        own = statement_agency_of(actor, statement)
        if own != agency:
            raise NotAllowed(
                _("You approve for your own agency only: %(agency)s.")
                % {"agency": Agency(own).label if own else "-"},
                code="wrong_agency",
            )
        approved_at = statement.pos_approved_at if agency == Agency.POS else statement.imigrasi_approved_at
        if approved_at is not None:
            raise InvalidTransition(
                _("Your agency has already approved this statement."), code="already_approved"
            )
        if statement.status == S.DISPUTED:
            raise InvalidTransition(
                _(
                    "This statement is disputed: it is built again once the dispute is settled, then approved."
                ),
                code="statement_disputed",
            )
        second = S.IMIGRASI_APPROVED if agency == Agency.POS else S.POS_APPROVED
        name = f"approve_{agency}_second" if statement.status == second else f"approve_{agency}"
        now = timezone.now()
        changes = {f"{agency}_approved_by": actor, f"{agency}_approved_at": now}
        event = transition_make(
            STATEMENT_STATES,
            name,
            obj=statement,
            actor=actor,
            changes=changes,
            payload={"agency": agency, "total": statement.total},
        )
    logger.info("ledger.statement.approved statement_id=%s agency=%s", statement.pk, agency)
    return event


def statement_dispute(
    *,
    actor: User,
    statement_id: int,
    reason: str,
    line_id: int | None = None,
    difference_id: int | None = None,
) -> StatementEvent:
    """A manager of either agency disputes a line or an NTPN difference, with the reason."""
    if actor.role not in APPROVERS:
        raise NotAllowed(_("Only the agencies' managers dispute statements."), code="wrong_role")
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(_("Say what is wrong."), fields={"reason": [_("Required.")]})
    with transaction.atomic():
        statement = _statement_for(actor, statement_id)
        payload: dict[str, object] = {"reason": reason[:500], "agency": statement_agency_of(actor, statement)}
        if line_id is not None:
            line = statement.lines.filter(pk=line_id).first()
            if line is None:
                raise ValidationFailed(
                    _("This line is not on this statement."), fields={"line": [_("Not on this statement.")]}
                )
            payload |= {"line": line.pk, "reference": line.reference, "amount": line.amount}
        elif difference_id is not None:
            difference = statement.differences.filter(pk=difference_id).first()
            if difference is None:
                raise ValidationFailed(
                    _("This difference is not on this statement."),
                    fields={"difference": [_("Not on this statement.")]},
                )
            payload |= {"difference": difference.pk, "reference": difference.ntpn}
        else:
            raise ValidationFailed(
                _("Choose the line you dispute."), fields={"line": [_("Choose the line you dispute.")]}
            )
        now = timezone.now()
        event = transition_make(
            STATEMENT_STATES,
            "dispute",
            obj=statement,
            actor=actor,
            at=now,
            changes={
                "pos_approved_by": None,
                "pos_approved_at": None,
                "imigrasi_approved_by": None,
                "imigrasi_approved_at": None,
            },
            payload=payload,
        )
        for office_id in (statement.pos_office_id, statement.imigrasi_office_id):
            statement_problem_flag(
                statement=statement, office_id=office_id, key=f"dispute-{event.pk}", now=now
            )
    logger.info("ledger.statement.disputed statement_id=%s event_id=%s", statement.pk, event.pk)
    return event


DISPUTE_OPEN = _(
    "This statement is disputed: settle the dispute (say how it was put right) and it is built again."
)


def statement_dispute_settle(*, actor: User, statement_id: int, dispute_id: int, note: str) -> Statement:
    """A manager of either agency settles one dispute, saying how it was put right (a reversing row,
    a corrected NTPN, nothing was wrong): its problem leaves both queues, and once no dispute is
    left the statement is built again from the ledger, open for both approvals."""
    if actor.role not in APPROVERS:
        raise NotAllowed(_("Only the agencies' managers settle disputes."), code="wrong_role")
    note = note.strip()
    if not note:
        message = _("Say how the dispute was settled.")
        raise ValidationFailed(message, fields={"note": [message]})
    with transaction.atomic():
        statement = _statement_for(actor, statement_id)
        dispute = statement.events.filter(pk=dispute_id, transition="dispute").first()
        if dispute is None:
            raise NotFound(_("This statement has no such dispute."), code="no_such_dispute")
        if not statement_problems_close(
            statement=statement, key=f"dispute-{dispute.pk}", actor=actor, note=note[:500]
        ):
            raise InvalidTransition(_("This dispute has already been settled."), code="already_settled")
        transition_make(
            STATEMENT_STATES,
            "settle",
            obj=statement,
            actor=actor,
            payload={
                "dispute": dispute.pk,
                "note": note[:500],
                "agency": statement_agency_of(actor, statement),
            },
        )
        if not statement_problems_open(statement).exists():
            statement = statement_build(pos_office_id=statement.pos_office_id, day=statement.day, actor=actor)
    logger.info("ledger.statement.dispute_settled statement_id=%s dispute=%s", statement_id, dispute_id)
    return statement


@dataclass(frozen=True)
class Dispute:
    event: StatementEvent
    settled: StatementEvent | None


def statement_disputes(statement: Statement) -> list[Dispute]:
    """The statement's disputes, each with its settlement (None while it is open)."""
    events = list(
        statement.events.filter(transition__in=("dispute", "settle")).select_related("actor", "office")
    )
    settled = {event.payload.get("dispute"): event for event in events if event.transition == "settle"}
    return [Dispute(event, settled.get(event.pk)) for event in events if event.transition == "dispute"]


def statements_build_day(*, day: dt.date | None = None, offices: Iterable[int] | None = None) -> BuildRun:
    """The end-of-day run: every Pos office's statement of ``day`` (today, WITA), unless it is not a
    working day; an approved statement is kept as it is. Safe to run again."""
    day = day or today()
    if not is_working_day(day):
        return BuildRun(built=0, kept=0)
    built = kept = 0
    pos_offices = Office.objects.filter(organisation__kind=OrganisationKind.POS, serves__isnull=False)
    if offices is not None:
        pos_offices = pos_offices.filter(pk__in=list(offices))
    for office_id in pos_offices.order_by("pk").values_list("pk", flat=True):
        try:
            statement_build(pos_office_id=office_id, day=day)
            built += 1
        except InvalidTransition:
            kept += 1
    return BuildRun(built=built, kept=kept)
