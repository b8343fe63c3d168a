"""Who sees personal data, the record of every look, and what the portal shows of a NIK."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import PersonalDataAccess, User
from core.crypto import nik_mask
from core.utils import on_commit
from passports.models import Applicant, BillingCode, Payment

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db.models.fields.files import FieldFile

    from delivery.models import ProofOfDelivery

logger = logging.getLogger(__name__)


def personal_data_access_record(
    *, user: User | AnonymousUser, applicant_id: int, what: str, reference: str = ""
) -> None:
    """Append one row: who looked, when, at what, of which applicant."""
    PersonalDataAccess.objects.create(
        user=user if isinstance(user, User) and user.is_authenticated else None,
        role=getattr(user, "role", "") or "",
        what=what,
        applicant_id=applicant_id,
        reference=reference[:60],
    )
    logger.info(
        "personal_data.viewed what=%s applicant=%s user=%s", what, applicant_id, getattr(user, "pk", None)
    )


def personal_data_access_record_many(
    *, user: User, applicant_ids: Iterable[int], what: str, reference: str = ""
) -> None:
    """One row per applicant of a list (a manifest, a batch letter)."""
    PersonalDataAccess.objects.bulk_create(
        [
            PersonalDataAccess(
                user=user, role=user.role, what=what, applicant_id=pk, reference=reference[:60]
            )
            for pk in sorted(set(applicant_ids))
        ]
    )


def nik_for_viewer(*, user: User | AnonymousUser, nik: str, full_view: bool = False) -> str:
    """The Imigrasi officer checks the NIK against the KTP on the application page and sees it in
    full there; everyone else, and every other page, sees it masked."""
    if full_view and getattr(user, "role", None) == Role.IMIGRASI_OFFICER:
        return nik
    return nik_mask(nik)


# --- Retention -----------------------------------------------------------------------------------

# Orders in these states are finished; their personal data is kept PERSONAL_DATA_RETENTION_DAYS.
CLOSED_STATES = ("delivered", "returned_to_office", "cancelled")


def personal_data_retention_run(*, now: dt.datetime | None = None, days: int | None = None) -> int:
    """Anonymise the applicants whose every delivery order closed more than ``days`` ago.

    Removed: name, NIK, SIM number, place of birth, address, phone, email, the day and month of birth,
    the orders' addresses and contacts, new addresses asked for, proof-of-delivery receivers with
    their signature and photo files and location, receiver names and courier notes in the events,
    and the notification recipients. Kept, for the anonymous figures of the dashboard: dates,
    states, areas, fees, couriers, offices, the events' times and deadlines. Returns how many
    applicants were anonymised; running it again changes nothing.
    """
    from delivery.models import DeliveryOrder

    now = now or timezone.now()
    days = settings.PERSONAL_DATA_RETENTION_DAYS if days is None else days
    cutoff = now - dt.timedelta(days=days)
    open_or_recent = DeliveryOrder.objects.filter(application__applicant=OuterRef("pk")).exclude(
        status__in=CLOSED_STATES, status_changed_at__lte=cutoff
    )

    due = (
        Applicant.objects.filter(anonymised_at__isnull=True, applications__delivery_order__isnull=False)
        .exclude(Exists(open_or_recent))
        .values_list("pk", flat=True)
        .distinct()
        .order_by("pk")
    )
    done = 0
    for applicant_id in list(due):
        applicant_anonymise(applicant_id=applicant_id, now=now)
        done += 1
    logger.info("personal_data.retention.run anonymised=%s days=%s", done, days)
    return done


def applicant_anonymise(*, applicant_id: int, now: dt.datetime) -> None:
    from delivery.models import (
        DeliveryEventPersonal,
        DeliveryOrder,
        Notification,
        ProofOfDelivery,
        RescheduleRequest,
        SatisfactionRating,
        WhatsAppOptIn,
    )

    files: list[FieldFile] = []
    with transaction.atomic():
        applicant = Applicant.objects.select_for_update().get(pk=applicant_id)
        if applicant.anonymised_at is not None:
            return
        orders = DeliveryOrder.objects.filter(application__applicant_id=applicant_id)
        order_ids = list(orders.values_list("pk", flat=True))
        Applicant.objects.filter(pk=applicant_id).update(
            full_name=str(_("(anonymised)")),
            birth_place="",
            address="",
            nik="",
            nik_hash=None,
            sim_number="",
            phone="",
            email="",
            birth_date=applicant.birth_date.replace(month=1, day=1),
            anonymised_at=now,
        )
        orders.update(address="", recipient_phone="", recipient_email="")
        RescheduleRequest.objects.filter(order_id__in=order_ids).update(new_address="")
        for proof in ProofOfDelivery.objects.filter(order_id__in=order_ids):
            files += [f for f in (proof.signature, proof.photo, proof.authorisation_photo) if f]
        ProofOfDelivery.objects.filter(order_id__in=order_ids).update(
            receiver_name="",
            relation="",
            id_last_four="",
            authorisation_photo="",
            signature="",
            photo="",
            latitude=None,
            longitude=None,
        )
        Notification.objects.filter(event__order_id__in=order_ids).update(recipient="")
        # The rating keeps its score for the partnership's figures; the comment is the applicant's words.
        SatisfactionRating.objects.filter(order_id__in=order_ids).update(comment="")
        # The opt-in keeps when and how the applicant agreed, not the number.
        WhatsAppOptIn.objects.filter(applicant_id=applicant_id).update(phone="")
        # The events stay as written (the database refuses to change them); what is personal
        # about them sits beside them and goes.
        DeliveryEventPersonal.objects.filter(event__order_id__in=order_ids).update(location="", details={})
        on_commit(lambda: _files_delete(files))
    logger.info("personal_data.anonymised applicant=%s orders=%s", applicant_id, len(order_ids))


def _files_delete(files: list[FieldFile]) -> None:
    for field_file in files:
        if field_file.name:  # only files that exist are collected
            field_file.storage.delete(field_file.name)


# --- The applicant's own data --------------------------------------------------------------------


class AccountExport(TypedDict):
    username: str
    first_name: str
    last_name: str
    email: str
    phone: str
    language: str
    date_joined: str


class ApplicantExport(TypedDict):
    full_name: str
    birth_place: str
    birth_date: str
    address: str
    nik: str
    sim_number: str
    phone: str
    email: str
    language: str


class PaymentExport(TypedDict):
    ntpn: str
    amount: int
    paid_at: str


# "from" is a Python keyword, so this one is spelled the functional way.
TimelineEntryExport = TypedDict("TimelineEntryExport", {"from": str, "to": str, "at": str})


class ReceiverExport(TypedDict):
    name: str
    relation: str
    kind: str


class WhatsAppOptInExport(TypedDict):
    phone: str
    at: str
    how: str


class RatingExport(TypedDict):
    score: int
    comment: str
    rated_at: str


class DeliveryExport(TypedDict):
    tracking_code: str
    status: str
    address: str
    area: str
    phone: str
    email: str
    news_channels: list[str]
    whatsapp_opt_ins: list[WhatsAppOptInExport]
    delivery_fee: int
    timeline: list[TimelineEntryExport]
    received_by: ReceiverExport | None
    satisfaction: RatingExport | None


class ApplicationExport(TypedDict):
    recorded_at: str
    office: str
    passport_type: str
    fee: int
    billing_code: str | None
    payment: PaymentExport | None
    delivery: DeliveryExport | None


class DataExport(TypedDict):
    exported_at: str
    account: AccountExport
    applicant: ApplicantExport | None
    applications: list[ApplicationExport]


def applicant_data_export(*, user: User) -> DataExport:
    """Everything the portal holds about the logged-in applicant, as JSON-ready data. The export is
    itself recorded as an access."""
    from delivery.models import DeliveryOrder, SatisfactionRating, WhatsAppOptIn

    applicant = Applicant.objects.filter(user=user).first()
    data: DataExport = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "phone": user.phone,
            "language": user.language,
            "date_joined": user.date_joined.isoformat(),
        },
        "applicant": None,
        "applications": [],
    }
    if applicant is None:
        return data
    data["applicant"] = {
        "full_name": applicant.full_name,
        "birth_place": applicant.birth_place,
        "birth_date": applicant.birth_date.isoformat(),
        "address": applicant.address,
        "nik": applicant.nik,
        "sim_number": applicant.sim_number,
        "phone": applicant.phone,
        "email": applicant.email,
        "language": applicant.language,
    }
    for application in applicant.applications.select_related("passport_type", "office").order_by("pk"):
        billing: BillingCode | None = getattr(application, "billing_code", None)
        payment: Payment | None = getattr(billing, "payment", None) if billing else None
        item: ApplicationExport = {
            "recorded_at": application.created_at.isoformat(),
            "office": application.office.name,
            "passport_type": application.passport_type.name_id,
            "fee": application.fee_amount,
            "billing_code": billing.code if billing else None,
            "payment": {
                "ntpn": payment.ntpn,
                "amount": payment.amount,
                "paid_at": payment.paid_at.isoformat(),
            }
            if payment
            else None,
            "delivery": None,
        }
        order = DeliveryOrder.objects.filter(application=application).select_related("area").first()
        if order is not None:
            proof: ProofOfDelivery | None = getattr(order, "proof", None)
            rating = SatisfactionRating.objects.filter(order=order).first()
            item["delivery"] = {
                "tracking_code": order.code,
                "status": order.status,
                "address": order.address,
                "area": order.area.name,
                "phone": order.recipient_phone,
                "email": order.recipient_email,
                "news_channels": [
                    channel
                    for channel, chosen in (
                        ("sms", order.notify_by_sms),
                        ("whatsapp", order.notify_by_whatsapp),
                        ("email", order.notify_by_email),
                    )
                    if chosen
                ],
                "whatsapp_opt_ins": [
                    {"phone": o.phone, "at": o.opted_in_at.isoformat(), "how": o.method}
                    for o in WhatsAppOptIn.objects.filter(applicant_id=application.applicant_id)
                ],
                "delivery_fee": order.delivery_fee,
                "timeline": [
                    {"from": e.from_status, "to": e.to_status, "at": e.occurred_at.isoformat()}
                    for e in order.events.order_by("occurred_at", "pk")
                ],
                "received_by": {
                    "name": proof.receiver_name,
                    "relation": proof.relation,
                    "kind": proof.receiver_kind,
                }
                if proof
                else None,
                "satisfaction": {
                    "score": rating.score,
                    "comment": rating.comment,
                    "rated_at": rating.rated_at.isoformat(),
                }
                if rating
                else None,
            }
        data["applications"].append(item)
    personal_data_access_record(
        user=user,
        applicant_id=applicant.pk,
        what=PersonalDataAccess.What.OWN_DATA_EXPORT,
        reference="own-data.json",
    )
    return data
