"""Conversion on the dashboard: deliveries booked / billing codes issued, per office, per counter
officer and per day, from billing codes issued at the counters and deliveries really booked."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.choices import Role
from delivery.booking.online import online_booking_pay, online_booking_settle
from partners import selectors
from passports.models import BillingCode, PassportType
from tests.applicant.test_online_booking import start
from tests.counter.test_payments import book, paid_application, register
from tests.factories import UserFactory, second_office_ref

pytestmark = pytest.mark.django_db


def _period() -> tuple[selectors.Period, dict[str, str]]:
    today = timezone.localdate()
    before = today - dt.timedelta(days=3)
    period = selectors.Period(dt.date(before.year, before.month, 1), dt.date(today.year, today.month, 1))
    return period, {"start": f"{period.start:%Y-%m}", "end": f"{period.end:%Y-%m}"}


def _issued_days_ago(billing: BillingCode, days: int) -> None:
    BillingCode.objects.filter(pk=billing.pk).update(created_at=timezone.now() - dt.timedelta(days=days))


@pytest.fixture
def issued(ref):
    """Makassar: Rahmat (ref's officer) 3 codes, two of them booked (at the Pos counter to Maros, online
    to Makassar's own area); a second officer 1 code, not booked. Parepare: 2 codes, none booked."""
    users = ref["users"]
    rahmat = users["imigrasi"]
    dewi = UserFactory(
        username="imigrasi.dewi",
        role=Role.IMIGRASI_OFFICER,
        office=ref["offices"]["imigrasi"],
        first_name="Dewi",
    )
    at_counter = paid_application(ref)  # Rahmat, booked at the Pos counter (area Maros)
    book(ref, at_counter)
    online = register(ref, nik="7371000000000098", birth_date=dt.date(1991, 3, 14))  # booked online
    other_area = next(a for key, a in ref["areas"].items() if key != "maros")
    booking = start(online.application, area_id=other_area.pk)
    online_booking_pay(token=booking.token)
    assert online_booking_settle(booking_id=booking.pk) == "booked"
    not_booked = register(ref, nik="7371000000000097")
    _issued_days_ago(not_booked, 3)
    register(ref, actor=dewi, nik="7371000000000096")
    parepare = second_office_ref(ref)
    for n in (95, 94):
        register(ref, actor=parepare["users"]["imigrasi"], nik=f"73710000000000{n}")
    return {"rahmat": rahmat, "dewi": dewi, "parepare": parepare, "other_area": other_area}


def _name(user) -> str:
    return f"{user.first_name} {user.last_name}".strip()


def test_conversion_per_office_officer_and_day_from_real_bookings(ref, issued):
    period, _query = _period()
    figures = selectors.booking_conversion(period=period)

    assert (figures.total.issued, figures.total.booked, str(figures.total.percent)) == (6, 2, "33.33")
    offices = {r.label: (r.issued, r.booked, str(r.percent)) for r in figures.offices}
    assert offices == {
        ref["offices"]["imigrasi"].name: (4, 2, "50.00"),
        issued["parepare"]["offices"]["imigrasi"].name: (2, 0, "0.00"),
    }
    officers = {r.label: (r.issued, r.booked) for r in figures.officers}
    assert officers == {
        _name(issued["rahmat"]): (3, 2),
        "Dewi": (1, 0),
        _name(issued["parepare"]["users"]["imigrasi"]): (2, 0),
    }
    today, three_days_ago = timezone.localdate(), timezone.localdate() - dt.timedelta(days=3)
    days = {r.key: (r.issued, r.booked) for r in figures.days}
    assert days == {f"{three_days_ago:%Y-%m-%d}": (1, 0), f"{today:%Y-%m-%d}": (5, 2)}

    # with an area, every billing code counts and only deliveries to that area count as booked
    maros = selectors.booking_conversion(period=period, area=ref["areas"]["maros"])
    assert (maros.total.issued, maros.total.booked) == (6, 1)
    # a period before the codes were issued has none
    empty = selectors.booking_conversion(period=selectors.Period(dt.date(2020, 1, 1), dt.date(2020, 1, 1)))
    assert empty.total.issued == 0 and empty.offices == [] and empty.total.percent is None


@pytest.fixture
def manager(client, ref):
    client.force_login(ref["users"]["manajer.pos"])
    return client


def test_the_dashboard_and_its_exports_show_the_conversion(manager, ref, issued):
    _period_, query = _period()
    page = manager.get("/partners/dashboard/", query).content.decode()
    assert "Konversi: pemesanan antar per kode billing yang diterbitkan" in page
    assert 'id="conversion-total">33,33%' in page
    for table in ("conversion-offices", "conversion-officers", "conversion-days"):
        assert f'id="{table}"' in page
    assert (
        f'<tr><th scope="row">{ref["offices"]["imigrasi"].name}</th><td>4</td><td>2</td><td>50,00%</td></tr>'
        in page
    )
    assert "table=conversion" in page and "Konversi (%)" in page

    rows = list(
        csv.reader(
            io.StringIO(
                manager.get(
                    "/partners/dashboard/export.csv", {**query, "table": "conversion"}
                ).content.decode()
            )
        )
    )
    assert rows[0] == [
        "menurut",
        "kantor, petugas atau hari",
        "kode billing diterbitkan",
        "pengiriman dipesan",
        "konversi (%)",
    ]
    assert ["office", ref["offices"]["imigrasi"].name, "4", "2", "50.00"] in rows
    assert ["officer", "Dewi", "1", "0", "0.00"] in rows
    assert ["day", f"{timezone.localdate():%Y-%m-%d}", "5", "2", "40.00"] in rows
    assert rows[-1] == ["total", "", "6", "2", "33.33"]

    book_ = load_workbook(io.BytesIO(manager.get("/partners/dashboard/export.xlsx", query).content))
    sheet = book_["Konversi"]
    xlsx_rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert [str(v) if v is not None else "" for v in xlsx_rows[-1]] == ["total", "", "6", "2", "33.33"]
    assert len(xlsx_rows) == len(rows)

    pdf = manager.get("/partners/dashboard/report.pdf", query)
    with open("/tmp/dashboard-conversion-report.pdf", "wb") as out:  # kept to be looked at
        out.write(pdf.content)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Konversi" in text and "33,33%" in text and "Dewi" in text

    api = manager.get("/api/v1/partners/dashboard/", query).json()["conversion"]
    assert api["total"] == {
        "key": "",
        "label": "Semua kode billing",
        "issued": 6,
        "booked": 2,
        "percent": "33.33",
    }
    assert {r["label"]: r["booked"] for r in api["officers"]}["Dewi"] == 0


def test_the_conversion_query_count_does_not_grow_with_billing_codes(manager, ref):
    from delivery.models import DeliveryOrder
    from passports.models import Applicant, PassportApplication

    officers = [ref["users"]["imigrasi"]] + [
        UserFactory(username=f"imigrasi.{n}", role=Role.IMIGRASI_OFFICER, office=ref["offices"]["imigrasi"])
        for n in range(3)
    ]
    passport_type = PassportType.objects.get(code="biasa-48")
    expires = timezone.now() + dt.timedelta(days=7)

    def bulk(count: int, offset: int) -> None:
        applicants = Applicant.objects.bulk_create(
            Applicant(
                full_name=f"Massal {i}",
                birth_place="Makassar",
                birth_date=dt.date(1990, 1, 1),
                address="Jl. Massal",
                phone="081234567890",
                nik=f"7372{offset + i:012d}",
            )
            for i in range(count)
        )
        applications = PassportApplication.objects.bulk_create(
            PassportApplication(
                applicant=a,
                office=ref["offices"]["imigrasi"],
                passport_type=passport_type,
                fee_amount=300_000,
                created_by=officers[i % len(officers)],
            )
            for i, a in enumerate(applicants)
        )
        codes = BillingCode.objects.bulk_create(
            BillingCode(application=app, code=f"9{offset + i:014d}", amount=300_000, expires_at=expires)
            for i, app in enumerate(applications)
        )
        for i, code in enumerate(codes):  # spread over the last days
            if i % 3:
                _issued_days_ago(code, i % 3)
        DeliveryOrder.objects.bulk_create(
            DeliveryOrder(
                code=f"CONV{offset + i:07d}",
                application=app,
                imigrasi_office=ref["offices"]["imigrasi"],
                pos_office=ref["offices"]["pos"],
                destination_kind="home",
                address="Jl. Massal",
                area=ref["areas"]["maros"],
                delivery_fee=20_000,
                recipient_phone="081234567890",
                poa_grantee_name="Sri Wahyuni",
                poa_grantee_nippos="995100100",
                poa_grantee_place="Pos",
                poa_signed_at=timezone.now(),
                status="booked",
                status_changed_at=timezone.now(),
                booked_by=ref["users"]["pos.layanan"],
            )
            for i, app in enumerate(applications)
            if i % 2 == 0
        )

    _period_, query = _period()

    def queries() -> int:
        manager.get("/partners/dashboard/", query)
        with CaptureQueriesContext(connection) as captured:
            assert manager.get("/partners/dashboard/", query).status_code == 200
        return len(captured)

    bulk(8, 0)
    at_8 = queries()
    bulk(792, 8)
    at_800 = queries()
    figures = selectors.booking_conversion(period=_period()[0])
    assert (figures.total.issued, figures.total.booked) == (800, 4 + 396)
    assert len(figures.officers) == 4 and len(figures.days) == 3
    assert at_8 == at_800
