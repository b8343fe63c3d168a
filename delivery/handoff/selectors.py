"""Reads for pages: each role's work queue and who may see an order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from delivery.choices import FINAL_STATUSES
from delivery.choices import DeliveryStatus as S
from delivery.models import DeliveryOrder
from organisations.choices import OrganisationKind
from organisations.models import Office
from passports.models import PassportType


@dataclass
class QueueSection:
    key: str
    title: object
    help: object
    orders: list[DeliveryOrder] = field(default_factory=list)


def _orders() -> QuerySet[DeliveryOrder]:
    return DeliveryOrder.objects.select_related(
        "application__applicant", "area", "courier", "delivery_window"
    )


def orders_visible_to(user: User) -> QuerySet[DeliveryOrder]:
    """Object-level scope: staff see their office's orders, others only their own."""
    qs = _orders()
    if not user.is_authenticated:
        return qs.none()
    role = user.role
    if role == Role.ADMINISTRATOR:
        return qs
    if role == Role.COURIER:
        return qs.filter(courier__user=user)
    if role in (Role.IMIGRASI_OFFICER, Role.POS_SERVICE_OFFICER, Role.POS_DISPATCHER, Role.AGENCY_MANAGER):
        # An office is either Imigrasi's or Pos's: one condition on one column, which its
        # (office, status) index answers (an OR of both would scan the table of a busy office).
        kind = cast(Office, user.office).kind if user.office_id else None
        if kind == OrganisationKind.IMIGRASI:
            return qs.filter(imigrasi_office_id=user.office_id)
        if kind == OrganisationKind.POS:
            return qs.filter(pos_office_id=user.office_id)
        return qs.filter(Q(imigrasi_office_id=user.office_id) | Q(pos_office_id=user.office_id))
    if role == Role.TRAVEL_AGENCY:
        return qs.filter(booked_by=user)
    return qs.filter(application__applicant__user=user)


_QUEUES: dict[str, list[tuple[str, object, object, dict[str, object]]]] = {
    Role.IMIGRASI_OFFICER: [
        (
            "to_produce",
            _("Dossiers received: produce the passport"),
            _("Pos has handed these dossiers over; the 3-day clock is running."),
            {"imigrasi_office": True, "status__in": [S.DOSSIER_HANDED]},
        ),
        (
            "ready",
            _("Ready: waiting for Pos to receive"),
            _("Release these to the Pos service section."),
            {"imigrasi_office": True, "status__in": [S.PASSPORT_READY]},
        ),
        (
            "returned",
            _("Returned after failed deliveries: receive the passport back"),
            _("The applicant collects these at the office."),
            {"imigrasi_office": True, "status__in": [S.RETURNED_TO_POS]},
        ),
    ],
    Role.POS_SERVICE_OFFICER: [
        (
            "to_hand_over",
            _("Booked: hand the dossier to Imigrasi"),
            _("Paid bookings whose dossier Imigrasi has not received yet."),
            {"pos_office": True, "status__in": [S.BOOKED]},
        ),
        (
            "to_receive",
            _("Ready at Imigrasi: receive the passport"),
            _("Step 5: collect these passports with the surat tugas."),
            {"pos_office": True, "status__in": [S.PASSPORT_READY]},
        ),
        (
            "to_delivery",
            _("Received: hand to the delivery section today"),
            _("Step 6 must happen on the same day."),
            {"pos_office": True, "status__in": [S.RECEIVED_BY_POS]},
        ),
        (
            "returns",
            _("Failed deliveries: receive the passport back from the courier"),
            _("After the last failed attempt the passport goes back to Imigrasi."),
            {"pos_office": True, "status__in": [S.FAILED_ATTEMPT]},
        ),
        (
            "at_branch",
            _("Waiting at the pickup branches: hand over against the delivery code"),
            _("The applicant collects these at the branch counter; past the deadline, take them back."),
            {"pos_office": True, "status__in": [S.AT_PICKUP_BRANCH]},
        ),
    ],
    Role.POS_DISPATCHER: [
        (
            "to_dispatch",
            _("In the delivery section: assign and send out"),
            _("Step 7: deliver within 1 day."),
            {"pos_office": True, "status__in": [S.WITH_DELIVERY_SECTION], "pickup_branch__isnull": True},
        ),
        (
            "to_branch",
            _("To be collected at a branch: send to the branch"),
            _("The applicant chose a Pos branch: send it there today."),
            {"pos_office": True, "status__in": [S.WITH_DELIVERY_SECTION], "pickup_branch__isnull": False},
        ),
        (
            "failed",
            _("Failed attempts"),
            _("Try again or return the passport to the office."),
            {"pos_office": True, "status__in": [S.FAILED_ATTEMPT]},
        ),
    ],
    Role.COURIER: [
        (
            "run",
            _("Today's run"),
            _("Passports on your run, by area."),
            {
                "courier_self": True,
                "status__in": [S.WITH_DELIVERY_SECTION, S.OUT_FOR_DELIVERY, S.FAILED_ATTEMPT],
            },
        ),
    ],
    Role.AGENCY_MANAGER: [
        (
            "breached",
            _("Deadlines breached"),
            _("Orders whose current step is late."),
            {"any_office": True, "deadline_breached_at__isnull": False},
        ),
    ],
    Role.APPLICANT: [
        ("mine", _("My passport deliveries"), _("Where your passport is now."), {"own": True}),
    ],
    Role.TRAVEL_AGENCY: [
        (
            "group",
            _("Deliveries booked by your agency"),
            _("Every passport you booked."),
            {"booked_by_self": True},
        ),
    ],
    Role.ADMINISTRATOR: [
        (
            "breached",
            _("Deadlines breached"),
            _("Across all offices."),
            {"deadline_breached_at__isnull": False},
        ),
    ],
}


def work_queue(user: User, *, limit: int = 50) -> list[QueueSection]:
    sections = []
    for key, title, help_text, spec in _QUEUES.get(user.role, []):
        filters = dict(spec)
        qs = orders_visible_to(user)
        for marker in (
            "imigrasi_office",
            "pos_office",
            "courier_self",
            "any_office",
            "own",
            "booked_by_self",
        ):
            filters.pop(marker, None)
        if spec.get("imigrasi_office"):
            qs = qs.filter(imigrasi_office_id=user.office_id)
        if spec.get("pos_office"):
            qs = qs.filter(pos_office_id=user.office_id)
        if "deadline_breached_at__isnull" in filters:
            qs = qs.exclude(status__in=FINAL_STATUSES)
        orders = list(qs.filter(**filters).order_by("area__name", "deadline_at", "pk")[:limit])
        sections.append(QueueSection(key=key, title=title, help=help_text, orders=orders))
    return sections


def status_counts(user: User) -> list[tuple[str, object, int]]:
    """(state, its label, number of orders) for every state, in the order of the handoff."""
    # COUNT(*), not COUNT(id): the (office, status) index alone answers it.
    rows = orders_visible_to(user).order_by().values("status").annotate(n=Count("*"))
    counts = {row["status"]: row["n"] for row in rows}
    return [(status.value, status.label, counts.get(status.value, 0)) for status in S]


def landing_facts() -> dict[str, object]:
    """What the public landing page shows: fee table, delivery tariff and the office's contacts."""
    from delivery.models import Area

    return {
        "passport_types": list(PassportType.objects.filter(active=True).order_by("pages", "fee", "code")),
        "areas": list(Area.objects.order_by("name")),
        "office": Office.objects.filter(organisation__kind=OrganisationKind.IMIGRASI).order_by("pk").first(),
    }
