"""The paper of the handoff, rendered from templates with WeasyPrint (PDF) or as CSV.

Each function takes the rows it prints and returns bytes (or text), so the counter pages, the API
and the applicant's own pages all print the same documents. Documents about one order carry a QR
code linking to its public tracking page.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from typing import TYPE_CHECKING, TypedDict

import segno
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.choices import Role
from accounts.models import User
from delivery.handoff.deadlines import WITA
from delivery.models import Batch, DeliveryOrder, Manifest, ManifestItem
from delivery.notifications.services import tracking_url
from passports.models import Applicant, PassportApplication

if TYPE_CHECKING:
    from delivery.booking.group_fees import GroupReceipt
    from delivery.counter.booking import PaymentReconciliation
    from delivery.courier.selectors import RunSheet

DAYS_ID = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
MONTHS_ID = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def indonesian_day_and_date(moment: dt.datetime) -> str:
    local = moment.astimezone(WITA)
    return f"{DAYS_ID[local.weekday()]}, {local.day} {MONTHS_ID[local.month - 1]} {local.year}"


def _pdf(template: str, context: Mapping[str, object]) -> bytes:
    from weasyprint import HTML  # heavy: loaded only when a document is printed

    with translation.override("id"):
        html = render_to_string(template, {**context, "printed_at": timezone.now()})
    return HTML(string=html).write_pdf()


class OrderDocumentContext(TypedDict):
    """What the receipt and the power of attorney print about one order."""

    order: DeliveryOrder
    applicant: Applicant
    application: PassportApplication
    money: PaymentReconciliation
    day_and_date: str
    qr: str
    tracking_url: str
    signature: str


def _order_context(order: DeliveryOrder) -> OrderDocumentContext:
    from delivery.counter.booking import payment_reconciliation

    application = order.application
    return {
        "order": order,
        "applicant": application.applicant,
        "application": application,
        "money": payment_reconciliation(order=order),
        "day_and_date": indonesian_day_and_date(order.poa_signed_at),
        "qr": qr_data_uri(tracking_url(order)),
        "tracking_url": tracking_url(order),
        "signature": _signature_data_uri(order),
    }


def _signature_data_uri(order: DeliveryOrder) -> str:
    """The grantor's signature drawn on the screen: when the applicant booked online, or when a
    group member signed through their personal link."""
    import base64

    from delivery.models import GroupBookingItem, OnlineBooking

    booking = OnlineBooking.objects.filter(order=order).first()
    member = GroupBookingItem.objects.filter(order=order).first() if booking is None else None
    signature = booking.poa_signature if booking is not None else member.poa_signature if member else None
    if not signature:
        return ""
    with signature.open("rb") as image:
        return "data:image/png;base64," + base64.b64encode(image.read()).decode()


def dossier_receipt_pdf(*, order: DeliveryOrder) -> bytes:
    """Tanda terima berkas: day and date; BPN, KTP/SIM copy, delivery fee; two signatures."""
    return _pdf("documents/dossier_receipt.html", _order_context(order))


def power_of_attorney_pdf(*, order: DeliveryOrder) -> bytes:
    """Surat kuasa permohonan antar kiriman: the applicant authorises the named Pos officer."""
    return _pdf("documents/power_of_attorney.html", _order_context(order))


def group_receipt_pdf(*, receipt: GroupReceipt) -> bytes:
    """The group's delivery fees on one page: each member (name shortened), tracking code, area and
    fee, and the total the agency paid once (or still owes, before the counter records it)."""
    group = receipt.group
    first = group.items.select_related("order__pos_office").first()
    return _pdf(
        "documents/group_receipt.html",
        {
            "group": group,
            "receipt": receipt,
            "pos_office": first.order.pos_office if first is not None else None,
            "day_and_date": indonesian_day_and_date(timezone.now()),
            "paid_day": indonesian_day_and_date(receipt.paid_at) if receipt.paid_at else "",
        },
    )


def batch_officers(batch: Batch) -> list[User]:
    """The PT Pos officers a surat tugas assigns: the active service officers of the batch's Pos
    office (none: the letter assigns the office itself)."""
    return list(
        User.objects.filter(office=batch.pos_office, role=Role.POS_SERVICE_OFFICER, is_active=True).order_by(
            "first_name", "last_name", "username"
        )
    )


def batch_letter_pdf(*, batch: Batch) -> bytes:
    """Imigrasi's surat tugas and surat kuasa for one batch, in one PDF listing every passport with
    its tracking code and passport number, naming the Pos officers assigned, signed on behalf of the
    head of the Imigrasi office by the officer who released it."""
    items = batch.items.select_related(
        "order__application__applicant", "order__application__passport_type", "order__area"
    ).order_by("pk")
    return _pdf(
        "documents/batch_letter.html",
        {
            "batch": batch,
            "orders": [item.order for item in items],
            "officers": batch_officers(batch),
            "day_and_date": indonesian_day_and_date(batch.released_at),
        },
    )


def _manifest_rows(manifest: Manifest) -> list[DeliveryOrder]:
    return list(
        manifest.orders.select_related(
            "application__applicant",
            "application__passport_type",
            "application__billing_code__payment",
            "area",
        ).order_by("pk")
    )


def manifest_pdf(*, manifest: Manifest) -> bytes:
    """Step 4: the list of applicants who booked delivery, handed to Imigrasi with the dossiers."""
    items = {
        item.order_id: item
        for item in ManifestItem.objects.filter(manifest=manifest).select_related("received_by", "refused_by")
    }
    orders = _manifest_rows(manifest)
    # Who signed for the dossiers at Imigrasi: each receiver once, with the last time they received.
    receivers: dict[int, tuple[str, dt.datetime]] = {}
    for item in items.values():
        if item.received_by is not None and item.received_at is not None:
            last = receivers.get(item.received_by.pk)
            if last is None or last[1] < item.received_at:
                receivers[item.received_by.pk] = (item.received_by.get_full_name(), item.received_at)
    return _pdf(
        "documents/manifest.html",
        {
            "manifest": manifest,
            "rows": [(order, items.get(order.pk)) for order in orders],
            "receivers": sorted(receivers.values(), key=lambda who: who[1]),
            "refused_count": sum(1 for item in items.values() if item.refused_at is not None),
            "waiting_count": sum(1 for item in items.values() if item.waiting),
            "day_and_date": indonesian_day_and_date(manifest.handed_at),
        },
    )


MANIFEST_CSV_HEADER = [
    "no",
    "kode_pelacakan",
    "nama_pemohon",
    "jenis_paspor",
    "kode_billing",
    "ntpn",
    "alamat_tujuan",
    "wilayah",
    "biaya_antar",
    "telepon",
]


def manifest_csv(*, manifest: Manifest) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(MANIFEST_CSV_HEADER)
    for n, order in enumerate(_manifest_rows(manifest), start=1):
        billing = order.application.billing_code
        payment = getattr(billing, "payment", None)
        writer.writerow(
            [
                n,
                order.code,
                order.application.applicant.full_name,
                order.application.passport_type.name_id,
                billing.code,
                payment.ntpn if payment else "",
                order.address,
                order.area.name,
                order.delivery_fee,
                order.recipient_phone,
            ]
        )
    return out.getvalue()


def courier_run_sheet_pdf(*, sheet: RunSheet) -> bytes:
    """The courier's run sheet: the passports the courier took from the delivery section on one day,
    with what the courier needs at the door (street and area, the phone's last digits) and the
    signatures of the courier and of the delivery section."""
    day = dt.datetime.combine(sheet.day, dt.time(12), tzinfo=WITA)
    return _pdf(
        "documents/run_sheet.html",
        {
            "sheet": sheet,
            "courier": sheet.courier,
            "office": sheet.courier.office,
            "day_and_date": indonesian_day_and_date(day),
        },
    )
