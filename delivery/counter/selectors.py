"""Reads for the counter pages of both agencies."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.exceptions import NotAllowed
from delivery.choices import DeliveryStatus as S
from delivery.handoff.selectors import orders_visible_to
from delivery.models import (
    Batch,
    BatchItemStatus,
    BatchStatus,
    DeliveryOrder,
    Manifest,
    ManifestStatus,
    VanStandby,
)
from delivery.permissions import (
    is_administrator,
    is_imigrasi_officer,
    is_pos_service_officer,
    may_read_van_log,
)
from passports.models import BillingCode, PassportApplication


def applications_of_office(user: User) -> QuerySet[PassportApplication]:
    qs = PassportApplication.objects.select_related("applicant", "passport_type", "billing_code")
    if user.office_id is None:
        return qs.none()  # every application belongs to an office
    return qs.filter(office_id=user.office_id)


def applications_visible_to(user: User) -> QuerySet[PassportApplication]:
    """Object-level scope of passport applications for counter staff, the one place it is decided:
    Imigrasi sees its own office's; a Pos service officer those of the Imigrasi office their Pos office
    serves (``Office.serves``) whose billing code was paid or asked at a counter; nobody else any."""
    qs = PassportApplication.objects.select_related("applicant", "passport_type", "office")
    if is_imigrasi_officer(user) and user.office_id is not None:
        return qs.filter(office_id=user.office_id)
    if (
        is_pos_service_officer(user)
        and user.office_id is not None
        and user.office is not None
        and user.office.serves_id
    ):
        return qs.filter(office_id=user.office.serves_id, billing_code__payment_request__isnull=False)
    return qs.none()


def application_for_counter(user: User, pk: int) -> PassportApplication | None:
    return applications_visible_to(user).filter(pk=pk).first()


def booked_for_manifest(user: User) -> QuerySet[DeliveryOrder]:
    return orders_visible_to(user).filter(pos_office_id=user.office_id, status=S.BOOKED).order_by("pk")


def handed_for_printing(user: User) -> QuerySet[DeliveryOrder]:
    """Dossiers Pos handed to this Imigrasi office whose passports are not marked ready yet."""
    return (
        orders_visible_to(user)
        .filter(imigrasi_office_id=user.office_id, status=S.DOSSIER_HANDED)
        .select_related("application__applicant", "area")
        .order_by("pk")
    )


def ready_for_release(user: User) -> QuerySet[DeliveryOrder]:
    return (
        orders_visible_to(user)
        .filter(imigrasi_office_id=user.office_id, status=S.PASSPORT_READY, batch_item__isnull=True)
        .order_by("area__name", "pk")
    )


def batches_visible_to(user: User) -> QuerySet[Batch]:
    qs = Batch.objects.select_related("released_by", "acknowledged_by", "imigrasi_office", "pos_office")
    if is_administrator(user):
        return qs
    if user.office_id is None:
        return qs.none()
    return qs.filter(Q(imigrasi_office_id=user.office_id) | Q(pos_office_id=user.office_id))


def batches_awaiting_acknowledgement(user: User) -> QuerySet[Batch]:
    """Batches released to this Pos service officer's office and still in handover, oldest first,
    each with ``total`` passports and ``waiting`` (neither acknowledged nor reported yet)."""
    if not is_pos_service_officer(user) or user.office_id is None:
        return Batch.objects.none()
    return (
        Batch.objects.filter(pos_office_id=user.office_id, status=BatchStatus.IN_HANDOVER)
        .select_related("imigrasi_office")
        .annotate(
            total=Count("items"),
            waiting=Count("items", filter=Q(items__status=BatchItemStatus.IN_HANDOVER)),
        )
        .order_by("released_at", "pk")
    )


def manifests_visible_to(user: User) -> QuerySet[Manifest]:
    qs = Manifest.objects.select_related("handed_by", "pos_office", "imigrasi_office")
    if is_administrator(user):
        return qs
    if user.office_id is None:
        return qs.none()
    return qs.filter(Q(imigrasi_office_id=user.office_id) | Q(pos_office_id=user.office_id))


def manifests_in_handover(user: User) -> QuerySet[Manifest]:
    """The manifests of the user's office still waiting for Imigrasi's acknowledgement, each with
    ``waiting_count`` (dossiers neither acknowledged nor refused) and ``dossier_count``."""
    return (
        manifests_visible_to(user)
        .filter(status=ManifestStatus.IN_HANDOVER)
        .annotate(
            waiting_count=Count(
                "items", filter=Q(items__received_at__isnull=True, items__refused_at__isnull=True)
            ),
            dossier_count=Count("items"),
        )
        .order_by("handed_at", "pk")
    )


def van_standby_visible_to(user: User) -> QuerySet[VanStandby]:
    """The van log of the user's own office (every office's for the administrator)."""
    qs = VanStandby.objects.select_related("office", "recorded_by")
    if is_administrator(user):
        return qs
    if not may_read_van_log(user) or user.office_id is None:
        return qs.none()
    return qs.filter(Q(office_id=user.office_id) | Q(office__serves_id=user.office_id))


def van_standby_log_all(user: User, *, limit: int = 30) -> list[VanStandby]:
    """The van log (the API), for the roles that read it on the page, scoped as on the page."""
    if not may_read_van_log(user):
        raise NotAllowed(_("Your role may not read the van standby log."), code="wrong_role")
    return list(van_standby_visible_to(user).order_by("-day")[:limit])


def billing_code_by_code(code: str) -> BillingCode | None:
    return BillingCode.objects.filter(code=code).first()
