"""The courier's run sheet: the paper the courier and the delivery section sign for the passports
the courier took on one day. Printed for the courier themself, or for the dispatcher of the
courier's office; each print is recorded as an export of the applicants' data."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from accounts.models import PersonalDataAccess, User
from core.exceptions import NotAllowed, NotFound, ValidationFailed
from delivery.counter.documents import courier_run_sheet_pdf
from delivery.courier.selectors import run_sheet, today_local
from delivery.models import Courier
from delivery.permissions import is_courier, is_office_dispatcher
from delivery.privacy.services import personal_data_access_record_many


def run_sheet_courier_for(*, viewer: User, courier_id: int | None = None) -> Courier:
    """The courier whose run sheet ``viewer`` may print: a courier their own, the dispatcher a
    courier of their office (``courier_id``). Another courier, or another office's: not found."""
    couriers = Courier.objects.select_related("office", "user")
    found: Courier | None
    if is_courier(viewer):
        found = couriers.filter(user=viewer).first()
        if found is not None and courier_id is not None and courier_id != found.pk:
            found = None
    elif is_office_dispatcher(viewer) and viewer.office_id is not None:
        if courier_id is None:
            raise ValidationFailed(_("Choose the courier."), fields={"courier": [_("Required.")]})
        found = couriers.filter(pk=courier_id, office_id=viewer.office_id).first()
    else:
        raise NotAllowed(_("Your role may not do this."), code="wrong_role")
    if found is None:
        raise NotFound(_("No such run sheet."))
    return found


def courier_run_sheet_print(*, viewer: User, courier: Courier, day: dt.date | None = None) -> bytes:
    """The run sheet of ``courier`` for ``day`` (today by default) as a PDF."""
    sheet = run_sheet(courier=courier, day=day or today_local())
    personal_data_access_record_many(
        user=viewer,
        what=PersonalDataAccess.What.EXPORT,
        reference=f"run-sheet:{courier.nippos}:{sheet.day.isoformat()}",
        applicant_ids=sheet.applicant_ids,
    )
    return courier_run_sheet_pdf(sheet=sheet)


def run_sheet_filename(courier: Courier, day: dt.date) -> str:
    return f"lembar-jalan-{courier.nippos}-{day.isoformat()}.pdf"


def run_sheet_day(text: str | None) -> dt.date:
    """The day asked for (``YYYY-MM-DD``); today when none is given."""
    if not text:
        return today_local()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(_("Give the day as YYYY-MM-DD."), fields={"day": [_("Not a date.")]}) from None
