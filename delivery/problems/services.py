"""The problems queue that supervisors of both agencies watch, filled by the deadline sweep.

A problem is (order, kind, key): ``key`` is the deadline or the moment of the last move, so a breach
is flagged once however often the sweep runs, and a new breach of a later step is a new problem.
Each new problem notifies the staff of the responsible role once, by email, after commit: its state
(``PROBLEM_STATES``) goes from "flagged" to "notified" when the mail is claimed, and back when the
mail server refused it, so that the task's retry sends it.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import cast

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from core.exceptions import ConcurrentChange
from core.outbox import task_enqueue
from core.states import CREATED, SYSTEM, StateTable, Transition, state_created, transition_make
from core.webhooks import webhook_emit
from delivery.choices import FINAL_STATUSES
from delivery.choices import DeliveryStatus as S
from delivery.models import DeliveryOrder, Problem, ProblemEvent, ProblemKind, ProblemStatus
from delivery.signals import problems_sweep_requested
from ledger.models import Statement

logger = logging.getLogger(__name__)

# A problem's life: flagged by a sweep, the responsible role told by mail (claimed before sending),
# back to flagged when the mail server refused the mail; a statement's dispute is closed by a
# manager who settles it.
PROBLEM_STATES = StateTable(
    model=Problem,
    event_model=ProblemEvent,
    event_field="problem",
    transitions=(
        Transition(
            name="flag", sources=frozenset({CREATED}), target=ProblemStatus.FLAGGED, roles=frozenset({SYSTEM})
        ),
        Transition(
            name="notify",
            sources=frozenset({ProblemStatus.FLAGGED}),
            target=ProblemStatus.NOTIFIED,
            roles=frozenset({SYSTEM}),
        ),
        Transition(
            name="notify_failed",
            sources=frozenset({ProblemStatus.NOTIFIED}),
            target=ProblemStatus.FLAGGED,
            roles=frozenset({SYSTEM}),
        ),
        Transition(
            name="close",
            sources=frozenset({ProblemStatus.FLAGGED, ProblemStatus.NOTIFIED}),
            target=ProblemStatus.CLOSED,
            roles=frozenset({Role.AGENCY_MANAGER}),
            refused=_("This dispute has already been settled."),
            refused_code="already_settled",
        ),
    ),
)


def problem_flagged(problem: Problem) -> None:
    """The first event of a problem just put on the queue, in the caller's transaction."""
    state_created(
        PROBLEM_STATES, "flag", obj=problem, actor=None, at=problem.flagged_at, payload={"kind": problem.kind}
    )


# Who has to act on an order in each state, and at which of the order's offices.
RESPONSIBLE: dict[str, tuple[str, str]] = {
    S.BOOKED: (Role.POS_SERVICE_OFFICER, "pos_office"),
    S.DOSSIER_HANDED: (Role.IMIGRASI_OFFICER, "imigrasi_office"),
    S.PASSPORT_READY: (Role.IMIGRASI_OFFICER, "imigrasi_office"),
    S.RECEIVED_BY_POS: (Role.POS_SERVICE_OFFICER, "pos_office"),
    S.WITH_DELIVERY_SECTION: (Role.POS_DISPATCHER, "pos_office"),
    S.OUT_FOR_DELIVERY: (Role.POS_DISPATCHER, "pos_office"),
    S.FAILED_ATTEMPT: (Role.POS_DISPATCHER, "pos_office"),
    # Not collected at the branch in time: the service section takes it back.
    S.AT_PICKUP_BRANCH: (Role.POS_SERVICE_OFFICER, "pos_office"),
}


def _flag(order: DeliveryOrder, kind: str, key: str, now: dt.datetime) -> Problem | None:
    role, office_field = RESPONSIBLE.get(order.status, (Role.POS_SERVICE_OFFICER, "pos_office"))
    try:
        with transaction.atomic():
            problem = Problem.objects.create(
                order=order,
                kind=kind,
                key=key,
                status_at_flag=order.status,
                responsible_role=role,
                responsible_office_id=getattr(order, f"{office_field}_id"),
                flagged_at=now,
            )
            problem_flagged(problem)
            if kind == ProblemKind.LATE:
                webhook_emit(
                    event="deadline.breached",
                    payload={
                        "order": order.code,
                        "state": order.status,
                        "deadline_at": order.deadline_at.isoformat() if order.deadline_at else None,
                        "flagged_at": now.isoformat(),
                    },
                    ordering_key=order.code,
                    office_ids=(order.imigrasi_office_id, order.pos_office_id),
                )
            # in the problem's own savepoint: a problem and its mail exist together or not at all
            task_enqueue("delivery.tasks.notify_problem", problem.pk)
    except IntegrityError:
        return None  # flagged before
    return problem


def order_problem_flag(*, order: DeliveryOrder, kind: str, key: str, now: dt.datetime) -> Problem | None:
    """Put an order on the problems queue now (e.g. its delivery code locked); once per key."""
    return _flag(order, kind, key, now)


def statement_problem_flag(
    *, statement: Statement, office_id: int, key: str, now: dt.datetime
) -> Problem | None:
    """Put a disputed daily statement on one agency's problems queue (its manager is told); once
    per key and office."""
    try:
        with transaction.atomic():
            problem = Problem.objects.create(
                statement=statement,
                kind=ProblemKind.STATEMENT_DISPUTED,
                key=key,
                responsible_role=Role.AGENCY_MANAGER,
                responsible_office_id=office_id,
                flagged_at=now,
            )
            problem_flagged(problem)
            task_enqueue("delivery.tasks.notify_problem", problem.pk)
    except IntegrityError:
        return None
    return problem


def statement_problems_open(statement: Statement, key: str | None = None) -> QuerySet[Problem]:
    """The problems of a disputed statement still on the queues (of one dispute: ``key``)."""
    problems = Problem.objects.filter(statement=statement, kind=ProblemKind.STATEMENT_DISPUTED).exclude(
        status=ProblemStatus.CLOSED
    )
    return problems.filter(key=key) if key is not None else problems


def statement_problems_close(*, statement: Statement, key: str, actor: User, note: str) -> int:
    """Take one dispute of a statement off both agencies' queues, with how it was settled; in the
    caller's transaction. Returns how many problems it closed."""
    closed = 0
    for problem in statement_problems_open(statement, key).select_for_update().order_by("pk"):
        transition_make(PROBLEM_STATES, "close", obj=problem, actor=actor, payload={"note": note})
        closed += 1
    return closed


def problems_sweep(*, now: dt.datetime | None = None) -> int:
    """Flag late orders, failed attempts and orders without movement; returns how many are new."""
    now = now or timezone.now()
    live = DeliveryOrder.objects.exclude(status__in=FINAL_STATUSES)
    new = 0
    for order in live.filter(deadline_at__lt=now).order_by("pk"):
        assert order.deadline_at is not None  # filtered on above
        new += _flag(order, ProblemKind.LATE, order.deadline_at.isoformat(), now) is not None
    for order in live.filter(status=S.FAILED_ATTEMPT).order_by("pk"):
        new += _flag(order, ProblemKind.FAILED_ATTEMPT, order.status_changed_at.isoformat(), now) is not None
    stalled_since = now - dt.timedelta(hours=settings.DELIVERY_STALLED_HOURS)
    # A passport waiting at a pickup branch is expected to wait: its hold deadline flags it.
    waiting = live.filter(status_changed_at__lt=stalled_since).exclude(status=S.AT_PICKUP_BRANCH)
    for order in waiting.order_by("pk"):
        new += _flag(order, ProblemKind.STALLED, order.status_changed_at.isoformat(), now) is not None
    for _receiver, flagged in problems_sweep_requested.send(sender=Problem, now=now):
        new += cast(int, flagged)  # a receiver returns how many of its problems are new
    return new


def problem_notify(*, problem_id: int) -> str:
    """Email the staff of the responsible role at the responsible office, once per problem.

    The problem is claimed with one conditional UPDATE (no long transaction, so the worker never
    holds locks while it talks to the mail server); a failed send releases the claim for a retry.
    """
    problem = (
        Problem.objects.select_related("order", "complaint", "statement__pos_office")
        .filter(pk=problem_id)
        .first()
    )
    if problem is None:
        return "missing"
    if problem.status != ProblemStatus.FLAGGED:
        return "already_notified"
    try:
        transition_make(
            PROBLEM_STATES, "notify", obj=problem, actor=None, changes={"notified_at": timezone.now()}
        )
    except ConcurrentChange:
        return "already_notified"  # another run claimed it first
    recipients = sorted(
        User.objects.filter(
            role=problem.responsible_role, office_id=problem.responsible_office_id, is_active=True
        )
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if problem.complaint_id is not None:
        subject, body = _complaint_problem_mail(problem)
    elif problem.statement_id is not None:
        subject, body = _statement_problem_mail(problem)
    else:
        subject, body = _order_problem_mail(problem)
    if recipients:
        try:
            send_mail(subject, body, None, recipients)
        except OSError:
            transition_make(
                PROBLEM_STATES, "notify_failed", obj=problem, actor=None, changes={"notified_at": None}
            )
            logger.warning("delivery.problem.notify_failed problem_id=%s", problem_id)
            raise
    Problem.objects.filter(pk=problem.pk).update(notified_to=", ".join(recipients)[:500])
    logger.info("delivery.problem.notified problem_id=%s", problem_id)
    return "sent" if recipients else "nobody"


def _complaint_problem_mail(problem: Problem) -> tuple[str, str]:
    complaint = problem.complaint
    assert complaint is not None  # a complaint's problem
    with translation.override("id"):
        subject = gettext("Complaint %(ticket)s has had no first response for 24 hours") % {
            "ticket": complaint.ticket
        }
        body = "\n".join(
            [
                gettext(
                    "Complaint %(ticket)s (%(category)s) was filed %(time)s WITA and nobody has answered it yet."
                )
                % {
                    "ticket": complaint.ticket,
                    "category": complaint.get_category_display(),
                    "time": timezone.localtime(complaint.filed_at).strftime("%d-%m-%Y %H:%M"),
                },
                f"{settings.PUBLIC_BASE_URL.rstrip('/')}/complaints/staff/{complaint.ticket}/",
            ]
        )
    return subject, body


def _statement_problem_mail(problem: Problem) -> tuple[str, str]:
    statement = problem.statement
    assert statement is not None  # a statement's problem
    with translation.override("id"):
        subject = gettext("The daily statement of %(day)s is disputed") % {"day": f"{statement.day:%d-%m-%Y}"}
        body = "\n".join(
            [
                gettext("A manager disputed a line of the daily statement of %(office)s, %(day)s.")
                % {"office": statement.pos_office.name, "day": f"{statement.day:%d-%m-%Y}"},
                f"{settings.PUBLIC_BASE_URL.rstrip('/')}/money/statements/{statement.pk}/",
            ]
        )
    return subject, body


def _order_problem_mail(problem: Problem) -> tuple[str, str]:
    order = problem.order
    assert order is not None  # an order's problem
    with translation.override("id"):
        subject = gettext("Problem with delivery %(code)s: %(kind)s") % {
            "code": order.code,
            "kind": ProblemKind(problem.kind).label,
        }
        body = "\n".join(
            [
                gettext("Order %(code)s is “%(status)s”.")
                % {
                    "code": order.code,
                    "status": S(problem.status_at_flag).label,
                },
                gettext("Problem: %(kind)s, flagged %(time)s WITA.")
                % {
                    "kind": ProblemKind(problem.kind).label,
                    "time": timezone.localtime(problem.flagged_at).strftime("%d-%m-%Y %H:%M"),
                },
                f"{settings.PUBLIC_BASE_URL.rstrip('/')}/orders/{order.code}/",
            ]
        )
    return subject, body


def deadline_sweep(*, now: dt.datetime | None = None) -> int:
    """Flag orders whose current step ran past its deadline; each breach is flagged once.

    Late orders, failed attempts and orders without movement also go on the problems queue,
    and the responsible role is told once (``delivery.problems.services``).
    """
    from delivery.problems.services import problems_sweep

    now = now or timezone.now()
    with transaction.atomic():
        flagged = (
            DeliveryOrder.objects.filter(deadline_at__lt=now, deadline_breached_at__isnull=True)
            .exclude(status__in=FINAL_STATUSES)
            .update(deadline_breached_at=now)
        )
        problems_sweep(now=now)
    return flagged
