"""Group booking for travel agencies: one CSV, many passports, one delivery to the agency's office.

``group_booking_create`` reads every row first (billing code, date of birth, an optional name, the
member's own phone and an optional e-mail; columns named by the header line),
checks each with ``passports.services.application_find_for_booking(require_paid=True)`` and reports
each row's outcome. It is **all or nothing**: if any row fails, nothing is booked and the report
says why per row; when every row is good, all orders are booked in one transaction.

"One delivery" means: every order of the group goes to the agency's office address in one area, and
every power of attorney names the same Pos courier (the one serving that area), so the orders are put
on that courier's run together and go out together; ``group_booking_assign_courier`` moves the
whole group to another courier at once. Each order keeps its own tracking code and timeline.

Each member's order carries the member's own contact, so the news of every step, the personal link
and the one-time codes reach the member; the agency gets a copy of each mail (the notifications
add it). Each member signs their own power of attorney (``delivery.booking.group_members``) and
the agency pays the group's delivery fees once (``delivery.booking.group_fees``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.exceptions import DomainError, NotAllowed, ValidationFailed
from delivery.booking.services import delivery_order_book
from delivery.choices import DestinationKind
from delivery.courier.dispatch import delivery_order_assign_courier
from delivery.models import Area, Courier, DeliveryOrder, GroupBooking, GroupBookingItem
from delivery.permissions import is_administrator, is_travel_agency, may_book_groups, sees_office_groups
from organisations.models import Office
from organisations.offices import pos_office_serving
from passports.models import PassportApplication
from passports.services import application_find_for_booking
from passports.validators import validate_phone

MAX_BYTES = 200 * 1024
MAX_ROWS = 300
HEADER = ["billing_code", "birth_date", "name", "phone", "email"]
REQUIRED_COLUMNS = ("billing_code", "birth_date", "phone")
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")


@dataclass
class RowOutcome:
    row: int  # line number in the file (the header is line 1)
    billing_code: str
    name: str
    error: str = ""  # empty when the row is good
    order_code: str = ""
    phone: str = ""  # the member's own contact: the news of their order goes here
    email: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass
class GroupResult:
    rows: list[RowOutcome] = field(default_factory=list)
    group: GroupBooking | None = None
    file_error: str = ""

    @property
    def failed(self) -> list[RowOutcome]:
        return [r for r in self.rows if not r.ok]


def _parse_date(text: str) -> dt.date | None:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class CsvRow:
    number: int  # line number in the file (the header is line 1)
    cells: dict[str, str]  # by column name
    found: int  # how many cells the line has
    expected: int  # how many the header names


def group_csv_read(content: bytes) -> tuple[list[CsvRow], str]:
    """The file's data rows (cells by column name) with their line numbers, or a message about the
    whole file. The header names the columns, in any order; a row with another number of cells is
    reported on its line."""
    if len(content) > MAX_BYTES:
        return [], gettext("The file is too large (at most %(kb)s KB).") % {"kb": MAX_BYTES // 1024}
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], gettext("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.")
    lines = list(csv.reader(io.StringIO(text)))
    if not lines:
        return [], gettext("The file is empty.")
    header = [h.strip().lower() for h in lines[0]]
    if (
        any(column not in header for column in REQUIRED_COLUMNS)
        or any(column not in HEADER for column in header)
        or len(set(header)) != len(header)
    ):
        return [], gettext("The first line must be the header: billing_code,birth_date,name,phone,email")
    rows = [
        CsvRow(
            number=number,
            cells={column: value.strip() for column, value in zip(header, line, strict=False)},
            found=len(line),
            expected=len(header),
        )
        for number, line in enumerate(lines[1:], start=2)
        if any(c.strip() for c in line)
    ]
    if not rows:
        return [], gettext("The file has no rows below the header.")
    if len(rows) > MAX_ROWS:
        return [], gettext("At most %(n)s passports per group; split the file.") % {"n": MAX_ROWS}
    return rows, ""


def member_phone_check(value: str) -> str:
    """A member's phone as the notifications use it (spaces and dashes dropped), or ``ValidationError``."""
    phone = value.strip().replace(" ", "").replace("-", "")
    if not phone:
        raise ValidationError(gettext("the member's phone is missing: their news goes there"))
    validate_phone(phone)
    return phone


def group_rows_check(
    rows: list[CsvRow], *, client: str
) -> list[tuple[RowOutcome, PassportApplication | None]]:
    """Each row's outcome and, for a good row, the application it books."""
    checked: list[tuple[RowOutcome, PassportApplication | None]] = []
    seen: dict[str, int] = {}
    for csv_row in rows:
        number, cells = csv_row.number, csv_row.cells
        code = cells.get("billing_code", "").replace(" ", "")
        outcome = RowOutcome(
            row=number, billing_code=code, name=cells.get("name", ""), email=cells.get("email", "")
        )
        application: PassportApplication | None = None
        birth = _parse_date(cells.get("birth_date", ""))
        if csv_row.found != csv_row.expected:
            outcome.error = gettext("expected %(expected)s columns as in the header, found %(n)s") % {
                "expected": csv_row.expected,
                "n": csv_row.found,
            }
        elif birth is None:
            outcome.error = gettext("“%(value)s” is not a date; write it as YYYY-MM-DD") % {
                "value": cells.get("birth_date", "")
            }
        elif code in seen:
            outcome.error = gettext("this billing code is already in row %(row)s") % {"row": seen[code]}
        else:
            try:
                outcome.phone = member_phone_check(cells.get("phone", ""))
                if outcome.email:
                    validate_email(outcome.email)
            except ValidationError as error:
                outcome.error = str(error.messages[0])
        if not outcome.error and birth is not None:
            seen[code] = number
            try:
                application = application_find_for_booking(
                    billing_code=code, birth_date=birth, client=client, require_paid=True
                )
            except DomainError as error:
                outcome.error = str(error.message)
        checked.append((outcome, application))
    return checked


def _pos_office(application: PassportApplication) -> Office:
    """The Pos office serving the group's Imigrasi office (a group is of one office: a row of another
    is refused by ``delivery_order_book``, and then the whole group)."""
    office = pos_office_serving(application.office_id)
    if office is None:
        raise ValidationFailed(_("No PT Pos office takes bookings yet."))
    return office


def _courier_for(area: Area, pos_office: Office) -> Courier:
    courier = (
        Courier.objects.filter(office=pos_office, areas=area, active=True, is_third_party=False)
        .order_by("name")
        .first()
    )
    if courier is None:
        raise ValidationFailed(
            _("No PT Pos courier serves this area yet; choose another area."),
            fields={"area": [_("No courier serves this area.")]},
        )
    return courier


def _new_number() -> str:
    while True:
        number = "GB" + "".join(secrets.choice("23456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(8))
        if not GroupBooking.objects.filter(number=number).exists():
            return number


def group_booking_create(
    *,
    actor: User,
    content: bytes,
    area: Area,
    contact_phone: str,
    client: str,
    now: dt.datetime | None = None,
) -> GroupResult:
    """Book every row of the CSV for delivery to the agency's office, or none of them."""
    if not may_book_groups(actor):
        raise NotAllowed(_("Group booking is for travel agencies with an office address."))
    assert actor.office is not None  # may_book_groups asks for it
    try:
        validate_phone((contact_phone or "").strip())
    except ValidationError as error:
        raise ValidationFailed(error.messages[0], fields={"contact_phone": error.messages}) from None
    now = now or timezone.now()
    rows, file_error = group_csv_read(content)
    if file_error:
        return GroupResult(file_error=file_error)
    checked = group_rows_check(rows, client=client)
    result = GroupResult(rows=[outcome for outcome, _app in checked])
    if result.failed:
        return result  # all or nothing: the report says what to fix
    # Every row is good, and a good row has found its application.
    first_application = checked[0][1]
    assert first_application is not None
    pos_office = _pos_office(first_application)
    courier = _courier_for(area, pos_office)
    address = actor.office.address or actor.office.name
    with transaction.atomic():
        group = GroupBooking.objects.create(
            number=_new_number(),
            agency_office=actor.office,
            booked_by=actor,
            address=address,
            area=area,
            courier=courier,
            contact_phone=contact_phone.strip(),
        )
        for outcome, application in checked:
            assert application is not None
            order = delivery_order_book(
                application=application,
                pos_office=pos_office,
                destination_kind=DestinationKind.OFFICE,
                address=f"{actor.office.name}, {address}"[:300],
                area=area,
                # The member's own contact: their news, personal link and codes go to them.
                recipient_phone=outcome.phone,
                recipient_email=outcome.email,
                poa_grantee_name=courier.name,
                poa_grantee_nippos=courier.nippos,
                poa_grantee_place=pos_office.name,
                actor=actor,
                at=now,
            )
            GroupBookingItem.objects.create(
                group=group, order=order, row=outcome.row, name=outcome.name[:200]
            )
            outcome.order_code = order.code
    result.group = group
    return result


def groups_visible_to(user: User) -> QuerySet[GroupBooking]:
    qs = GroupBooking.objects.select_related("area", "courier", "agency_office")
    if is_administrator(user):
        return qs
    if is_travel_agency(user):
        return qs.filter(booked_by=user)
    if sees_office_groups(user):
        from django.db.models import Q

        return qs.filter(
            Q(items__order__pos_office_id=user.office_id) | Q(items__order__imigrasi_office_id=user.office_id)
        ).distinct()
    return qs.none()


def group_orders(group: GroupBooking) -> list[DeliveryOrder]:
    return [
        item.order for item in group.items.select_related("order__application__applicant", "order__courier")
    ]


@dataclass(frozen=True)
class MemberRow:
    """One member of a group as its page and API show them."""

    order: DeliveryOrder
    item: GroupBookingItem
    phone: str  # masked: the page passes through the counter too
    email: str  # masked
    waiting_signature: bool  # the dossier waits for the member's own power of attorney
    fee: int
    receipt_number: str


def _masked_phone(phone: str) -> str:
    return f"{phone[:4]}•••{phone[-3:]}" if len(phone) > 7 else ("•••" if phone else "")


def _masked_email(email: str) -> str:
    name, _at, domain = email.partition("@")
    return f"{name[:1]}•••@{domain}" if domain else ""


def group_members(group: GroupBooking) -> list[MemberRow]:
    """Every member of the group with their contact, power of attorney and fee, in one query."""
    items = group.items.select_related(
        "order__application__applicant", "order__courier", "order__area", "order__fee_payment"
    ).order_by("row", "pk")
    rows = []
    for item in items:
        order = item.order
        payment = getattr(order, "fee_payment", None)
        rows.append(
            MemberRow(
                order=order,
                item=item,
                phone=_masked_phone(order.recipient_phone),
                email=_masked_email(order.recipient_email),
                waiting_signature=item.poa_signed_at is None,
                fee=payment.amount if payment is not None else order.delivery_fee,
                receipt_number=payment.receipt_number if payment is not None else "",
            )
        )
    return rows


def group_status_counts(orders: list[DeliveryOrder]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for order in orders:
        label = str(order.get_status_display())
        counts[label] = counts.get(label, 0) + 1
    return sorted(counts.items())


def group_booking_assign_courier(*, group_id: int, courier: Courier, actor: User) -> int:
    """Put the whole group on one courier's run; orders already out keep theirs. Returns how many."""
    moved = 0
    with transaction.atomic():
        group = GroupBooking.objects.select_for_update().get(pk=group_id)
        for item in group.items.order_by("order_id"):
            try:
                delivery_order_assign_courier(order_id=item.order_id, courier=courier, actor=actor)
            except DomainError as error:
                if error.code == "invalid_transition":
                    continue  # not at the Pos yet, or already out: the others still move together
                raise
            moved += 1
        GroupBooking.objects.filter(pk=group.pk).update(courier=courier)
    return moved
