"""Reads for the counter pages of both agencies."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from delivery.choices import DeliveryStatus as S
from delivery.models import Batch, DeliveryOrder, Manifest, Problem, VanStandby
from delivery.selectors import orders_visible_to
from passports.models import BillingCode, PassportApplication
from portal.choices import Role
from portal.exceptions import NotAllowed
from portal.models import User


def applications_of_office(user: User) -> QuerySet[PassportApplication]:
    return PassportApplication.objects.filter(office_id=user.office_id).select_related(
        "applicant", "passport_type", "billing_code"
    )


def application_for_counter(user: User, pk: int) -> PassportApplication | None:
    """Imigrasi sees its office's applications; Pos sees those whose billing code was paid or asked."""
    qs = PassportApplication.objects.select_related("applicant", "passport_type", "office")
    if user.role == Role.IMIGRASI_OFFICER:
        return qs.filter(office_id=user.office_id, pk=pk).first()
    if user.role == Role.POS_SERVICE_OFFICER:
        return qs.filter(pk=pk, billing_code__payment_request__isnull=False).first()
    return None


def booked_for_manifest(user: User) -> QuerySet[DeliveryOrder]:
    return orders_visible_to(user).filter(pos_office_id=user.office_id, status=S.BOOKED).order_by("pk")


def handed_for_printing(user: User) -> QuerySet[DeliveryOrder]:
    """Dossiers Pos handed to this Imigrasi office whose passports are not marked ready yet."""
    return (
        orders_visible_to(user).filter(imigrasi_office_id=user.office_id, status=S.DOSSIER_HANDED)
        .select_related("application__applicant", "area").order_by("pk")
    )


def ready_for_release(user: User) -> QuerySet[DeliveryOrder]:
    return (
        orders_visible_to(user)
        .filter(imigrasi_office_id=user.office_id, status=S.PASSPORT_READY, batch_item__isnull=True)
        .order_by("area__name", "pk")
    )


def batches_visible_to(user: User) -> QuerySet[Batch]:
    qs = Batch.objects.select_related("released_by", "acknowledged_by", "imigrasi_office", "pos_office")
    if user.role == Role.ADMINISTRATOR:
        return qs
    if user.office_id is None:
        return qs.none()
    from django.db.models import Q

    return qs.filter(Q(imigrasi_office_id=user.office_id) | Q(pos_office_id=user.office_id))


def manifests_visible_to(user: User) -> QuerySet[Manifest]:
    qs = Manifest.objects.select_related("handed_by", "pos_office", "imigrasi_office")
    if user.role == Role.ADMINISTRATOR:
        return qs
    if user.office_id is None:
        return qs.none()
    from django.db.models import Q

    return qs.filter(Q(imigrasi_office_id=user.office_id) | Q(pos_office_id=user.office_id))


def problems_visible_to(user: User) -> QuerySet[Problem]:
    """Supervisors of both agencies see the problems of every order their office takes part in, and
    the unanswered complaints routed to their office."""
    from django.db.models import Q

    if user.role not in (Role.AGENCY_MANAGER, Role.ADMINISTRATOR):
        return Problem.objects.none()
    visible = orders_visible_to(user).values("pk")
    complaints = Q(complaint__isnull=False) if user.role == Role.ADMINISTRATOR else Q(
        complaint__office_id=user.office_id
    )
    return (
        Problem.objects.filter(Q(order__in=visible) | complaints)
        .select_related("order__application__applicant", "responsible_office", "complaint")
        .order_by("-flagged_at", "-pk")
    )


# Who may read the van standby log and the problems queue, on the pages and over the API alike.
VAN_LOG_READERS = frozenset({Role.POS_SERVICE_OFFICER, Role.AGENCY_MANAGER, Role.ADMINISTRATOR})
PROBLEM_READERS = frozenset({Role.AGENCY_MANAGER, Role.ADMINISTRATOR})


def van_standby_log_all(user: User, *, limit: int = 30) -> list[VanStandby]:
    """Every office's van log (the API), for the roles that read it on the page."""
    if user.role not in VAN_LOG_READERS:
        raise NotAllowed(_("Your role may not read the van standby log."), code="wrong_role")
    return list(VanStandby.objects.order_by("-day")[:limit])


def problems_queue(user: User) -> QuerySet[Problem]:
    """The problems queue for its readers; anyone else is refused rather than shown an empty list."""
    if user.role not in PROBLEM_READERS:
        raise NotAllowed(_("Only the agencies' managers see the problems queue."), code="wrong_role")
    return problems_visible_to(user)


def van_standby_log(user: User, *, limit: int = 30) -> list[VanStandby]:
    return list(VanStandby.objects.filter(office_id=user.office_id).order_by("-day")[:limit])


def billing_code_by_code(code: str) -> BillingCode | None:
    return BillingCode.objects.filter(code=code).first()
