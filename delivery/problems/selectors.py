"""Reads for the problems queue."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.exceptions import NotAllowed
from delivery.handoff.selectors import orders_visible_to
from delivery.models import Problem, ProblemStatus
from delivery.permissions import is_administrator, may_read_problems


def problems_visible_to(user: User) -> QuerySet[Problem]:
    """Supervisors of both agencies see the problems of every order their office takes part in, the
    unanswered complaints routed to their office and the disputes of their office's statements
    (until they are settled)."""
    if not may_read_problems(user):
        return Problem.objects.none()
    visible = orders_visible_to(user).values("pk")
    complaints = (
        Q(complaint__isnull=False) if is_administrator(user) else Q(complaint__office_id=user.office_id)
    )
    # A disputed statement is on each agency's queue as its own problem.
    statements = (
        Q(statement__isnull=False)
        if is_administrator(user)
        else Q(statement__isnull=False, responsible_office_id=user.office_id)
    )
    return (
        Problem.objects.filter(Q(order__in=visible) | complaints | statements)
        .exclude(status=ProblemStatus.CLOSED)
        .select_related(
            "order__application__applicant", "responsible_office", "complaint", "statement__pos_office"
        )
        .order_by("-flagged_at", "-pk")
    )


def problems_queue(user: User) -> QuerySet[Problem]:
    """The problems queue for its readers; anyone else is refused rather than shown an empty list."""
    if not may_read_problems(user):
        raise NotAllowed(_("Only the agencies' managers see the problems queue."), code="wrong_role")
    return problems_visible_to(user)
