"""Group booking for travel agencies: one CSV, many passports, one delivery to the agency's office.

``group_booking_create`` reads every row first (billing code, date of birth, an optional name),
checks each with ``passports.services.application_find_for_booking(require_paid=True)`` and reports
each row's outcome. It is **all or nothing**: if any row fails, nothing is booked and the report
says why per row; when every row is good, all orders are booked in one transaction.

"One delivery" means: every order of the group goes to the agency's office address in one area, and
every power of attorney names the same Pos courier (the one serving that area), so the orders are put
on that courier's run together and go out together; ``group_booking_assign_courier`` moves the
whole group to another courier at once. Each order keeps its own tracking code and timeline.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
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
HEADER = ["billing_code", "birth_date", "name"]
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")


@dataclass
class RowOutcome:
    row: int  # line number in the file (the header is line 1)
    billing_code: str
    name: str
    error: str = ""  # empty when the row is good
    order_code: str = ""

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


def group_csv_read(content: bytes) -> tuple[list[tuple[int, list[str]]], str]:
    """The file's data rows with their line numbers, or a message about the whole file."""
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
    if header[:2] != HEADER[:2]:
        return [], gettext("The first line must be the header: billing_code,birth_date,name")
    rows = [(number, line) for number, line in enumerate(lines[1:], start=2) if any(c.strip() for c in line)]
    if not rows:
        return [], gettext("The file has no rows below the header.")
    if len(rows) > MAX_ROWS:
        return [], gettext("At most %(n)s passports per group; split the file.") % {"n": MAX_ROWS}
    return rows, ""


def group_rows_check(
    rows: list[tuple[int, list[str]]], *, client: str
) -> list[tuple[RowOutcome, PassportApplication | None]]:
    """Each row's outcome and, for a good row, the application it books."""
    checked: list[tuple[RowOutcome, PassportApplication | None]] = []
    seen: dict[str, int] = {}
    for number, cells in rows:
        cells = [c.strip() for c in cells]
        code = cells[0].replace(" ", "") if cells else ""
        outcome = RowOutcome(row=number, billing_code=code, name=cells[2] if len(cells) > 2 else "")
        application: PassportApplication | None = None
        if len(cells) not in (2, 3):
            outcome.error = gettext(
                "expected 2 or 3 columns (billing code, date of birth, name), found %(n)s"
            ) % {"n": len(cells)}
        elif (birth := _parse_date(cells[1])) is None:
            outcome.error = gettext("“%(value)s” is not a date; write it as YYYY-MM-DD") % {"value": cells[1]}
        elif code in seen:
            outcome.error = gettext("this billing code is already in row %(row)s") % {"row": seen[code]}
        else:
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
                recipient_phone=contact_phone.strip(),
                recipient_email=actor.email,
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
