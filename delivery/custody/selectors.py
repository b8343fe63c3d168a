"""Reads for lost passport cases: those of the orders a member of staff may see."""

from __future__ import annotations

from django.db.models import F, QuerySet

from accounts.models import User
from delivery.handoff.selectors import orders_visible_to
from delivery.models import LostPassportCase, LostPassportEvent, LostPassportStatus
from delivery.permissions import LOST_CASE_READERS

OPEN_STATUSES = (LostPassportStatus.REPORTED, LostPassportStatus.POLICE_REPORT)


def lost_cases_visible_to(user: User) -> QuerySet[LostPassportCase]:
    """The cases of the orders ``user`` sees, open ones first, oldest first among them; none for
    the roles that do not handle passports (the applicant hears of a case by email and SMS)."""
    if user.role not in LOST_CASE_READERS:
        return LostPassportCase.objects.none()
    return (
        LostPassportCase.objects.filter(order__in=orders_visible_to(user))
        .select_related("order", "last_holder", "last_holder_office")
        .order_by(F("decided_at").asc(nulls_first=True), "reported_at", "pk")
    )


def lost_case_events(case: LostPassportCase) -> QuerySet[LostPassportEvent]:
    return case.events.select_related("actor", "office").order_by("occurred_at", "pk")
