"""The dashboard page, its exports and PDF report, its figures from events, and its query count."""

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
from delivery.choices import DeliveryStatus as S
from delivery.handoff import transitions as t
from delivery.models import DeliveryEvent, DeliveryOrder
from demo.partnership import partnership_demo_load
from partners import selectors
from passports.models import Applicant, PassportApplication, PassportType
from tests.factories import make_order

STUDY_PERIOD = {"start": "2018-01", "end": "2019-12"}


@pytest.fixture
def manager_client(client, ref):
    partnership_demo_load()
    client.force_login(ref["users"]["manajer.pos"])
    return client


def test_the_dashboard_page_shows_the_study_tables(manager_client):
    response = manager_client.get("/partners/dashboard/", STUDY_PERIOD)
    html = response.content.decode()
    assert response.status_code == 200
    assert "62.518" in html and "1,23%" in html
    assert "65.630" in html and "2,30%" in html and "1.516" in html
    assert html.count('class="plot"') >= 1


def test_the_csv_export_carries_the_year_totals(manager_client):
    response = manager_client.get("/partners/dashboard/export.csv", STUDY_PERIOD)
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    totals = [r for r in rows if r[1] not in ("", *[str(m) for m in range(1, 13)]) and r[0] != rows[0][0]]
    assert [r[0] for r in totals] == ["2018", "2019"]
    assert [(r[2], r[4], r[5]) for r in totals] == [("62518", "775", "1.23"), ("65630", "1516", "2.30")]
    assert rows[1][:5] == ["2018", "1", "8122", "", ""]  # January 2018: "–" in the study


def test_the_xlsx_export_has_one_sheet_per_section(manager_client):
    response = manager_client.get("/partners/dashboard/export.xlsx", STUDY_PERIOD)
    book = load_workbook(io.BytesIO(response.content))
    # uptake, deadlines, failed attempts, couriers, complaints, conversion, satisfaction, its comments,
    # money
    assert len(book.sheetnames) == 9
    uptake = list(book.worksheets[0].iter_rows(values_only=True))
    assert uptake[13][2:6] == (62518, None, 775, 1.23)


def test_the_pdf_report_holds_the_period_figures(manager_client):
    response = manager_client.get("/partners/dashboard/report.pdf", STUDY_PERIOD)
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "62.518" in text and "1,23%" in text and "2,30%" in text


def test_a_bad_filter_shows_a_message_not_an_error(manager_client):
    response = manager_client.get("/partners/dashboard/", {"start": "2019-13", "end": "x"})
    assert response.status_code == 200
    assert "YYYY-MM" in response.content.decode()


def test_other_roles_are_sent_home(client, ref):
    client.force_login(ref["users"]["kurir"])
    assert client.get("/partners/dashboard/").url == "/"


def test_compliance_failed_reasons_and_couriers_come_from_events(ref):
    now = timezone.now()
    make_order(ref, S.DELIVERED, at=now - dt.timedelta(hours=2))
    make_order(ref, S.FAILED_ATTEMPT, at=now - dt.timedelta(hours=2))
    late = make_order(ref, S.PASSPORT_READY, at=now - dt.timedelta(days=6))
    # The 3-day leg of this one was received by Pos only after its deadline.
    t.delivery_order_receive_at_pos(
        order_id=late.pk, actor=ref["users"]["pos.layanan"], at=now - dt.timedelta(hours=1)
    )
    late_event = DeliveryEvent.objects.get(order=late, to_status=S.RECEIVED_BY_POS)
    assert late_event.leg_on_time is False
    today = timezone.localdate()
    period = selectors.Period(
        start=dt.date(today.year, today.month, 1) - dt.timedelta(days=1),
        end=dt.date(today.year, today.month, 1),
    )
    period = selectors.Period(start=dt.date(period.start.year, period.start.month, 1), end=period.end)

    board = selectors.dashboard(period=period)

    legs = {leg.key: (leg.done, leg.on_time) for leg in board.compliance}
    assert legs == {"step5": (3, 2), "step6": (2, 2), "step7": (1, 1)}
    assert [(reason, n) for reason, _label, n in board.failed] == [("not_at_home", 1)]
    assert [(c.name, c.delivered, c.failed) for c in board.couriers] == [("Irfan Syam", 1, 1)]


def _bulk_orders(ref, count: int, start: dt.datetime, *, offset: int = 0) -> None:
    """``count`` delivered orders with their events, written in bulk to keep the test fast."""
    users, offices = ref["users"], ref["offices"]
    passport_type = PassportType.objects.get(code="biasa-48")
    applicants = Applicant.objects.bulk_create(
        [
            Applicant(
                full_name=f"Massal {i}",
                birth_place="Makassar",
                birth_date=dt.date(1990, 1, 1),
                address="Jl. Massal",
                phone="081234567890",
                nik=f"7371{offset + i:012d}",
            )
            for i in range(count)
        ]
    )
    applications = PassportApplication.objects.bulk_create(
        [
            PassportApplication(
                applicant=a, office=offices["imigrasi"], passport_type=passport_type, fee_amount=300_000
            )
            for a in applicants
        ]
    )
    areas = list(ref["areas"].values())
    couriers = list(ref["couriers"].values())
    orders = DeliveryOrder.objects.bulk_create(
        [
            DeliveryOrder(
                code=f"BULK{offset + i:07d}",
                application=app,
                imigrasi_office=offices["imigrasi"],
                pos_office=offices["pos"],
                destination_kind="home",
                address="Jl. Massal",
                area=areas[i % len(areas)],
                delivery_fee=20_000,
                recipient_phone="081234567890",
                poa_grantee_name="Sri Wahyuni",
                poa_grantee_nippos="995100100",
                poa_grantee_place="Pos",
                poa_signed_at=start,
                courier=couriers[i % 2],
                status=S.DELIVERED,
                status_changed_at=start,
                booked_by=users["pos.layanan"],
            )
            for i, app in enumerate(applications)
        ]
    )
    steps = [
        ("", S.BOOKED, 0, None),
        (S.BOOKED, S.DOSSIER_HANDED, 1, 72),
        (S.PASSPORT_READY, S.RECEIVED_BY_POS, 30, 8),
        (S.RECEIVED_BY_POS, S.WITH_DELIVERY_SECTION, 31, 24),
        (S.OUT_FOR_DELIVERY, S.DELIVERED, 40 + 0, None),
        (S.OUT_FOR_DELIVERY, S.FAILED_ATTEMPT, 35, None),
    ]
    events = []
    for i, order in enumerate(orders):
        for from_s, to_s, hours, due in steps:
            at = start + dt.timedelta(hours=hours, minutes=i % 50)
            events.append(
                DeliveryEvent(
                    order=order,
                    from_status=from_s,
                    to_status=to_s,
                    actor_role=Role.POS_SERVICE_OFFICER,
                    occurred_at=at,
                    deadline_at=at + dt.timedelta(hours=due) if due else None,
                    leg_on_time=True
                    if to_s in (S.RECEIVED_BY_POS, S.WITH_DELIVERY_SECTION, S.DELIVERED)
                    else None,
                    payload={"reason": "wrong_address"} if to_s == S.FAILED_ATTEMPT else {},
                )
            )
    DeliveryEvent.objects.bulk_create(events, batch_size=5000)
    if connection.vendor == "postgresql":
        # What autovacuum does after a big load in production: give the planner fresh statistics.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE delivery_deliveryevent, delivery_deliveryorder, delivery_courier")


def _dashboard_queries(client) -> int:
    # The first request of a session also notes its last activity (idle timeout); count a later one.
    client.get("/partners/dashboard/", {"start": "2026-01", "end": "2026-12"})
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/partners/dashboard/", {"start": "2026-01", "end": "2026-12"})
    assert response.status_code == 200
    return len(queries)


def test_the_dashboard_query_count_does_not_grow_with_orders(manager_client, ref):
    start = dt.datetime(2026, 3, 2, 8, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    _bulk_orders(ref, 10, start)
    at_10 = _dashboard_queries(manager_client)
    board = selectors.dashboard(period=selectors.Period(dt.date(2026, 3, 1), dt.date(2026, 3, 1)))
    assert board.uptake[0].rows[0].delivered == 10

    _bulk_orders(ref, 9_990, start, offset=10)
    at_10000 = _dashboard_queries(manager_client)
    board = selectors.dashboard(period=selectors.Period(dt.date(2026, 3, 1), dt.date(2026, 3, 1)))

    assert board.uptake[0].rows[0].delivered == 10_000
    assert {c.key: c.done for c in board.compliance} == {"step5": 10_000, "step6": 10_000, "step7": 10_000}
    assert at_10 == at_10000


def test_the_van_standby_log_feeds_the_dashboard(manager_client, ref):
    from delivery.models import VanStandby

    tz = dt.timezone(dt.timedelta(hours=8))
    for day, minute, late in [(2, 25, 0), (3, 50, 20), (4, 40, 10)]:
        VanStandby.objects.create(
            office=ref["offices"]["pos"],
            day=dt.date(2026, 3, day),
            arrived_at=dt.datetime(2026, 3, day, 7, minute, tzinfo=tz),
            minutes_late=late,
            recorded_by=ref["users"]["pos.layanan"],
        )
    board = selectors.dashboard(period=selectors.Period(dt.date(2026, 3, 1), dt.date(2026, 3, 1)))
    assert (
        board.van.days,
        board.van.late_days,
        board.van.average_minutes_late,
        board.van.worst_minutes_late,
    ) == (3, 2, 15.0, 20)
    page = manager_client.get("/partners/dashboard/", {"start": "2026-03", "end": "2026-03"}).content.decode()
    assert "Kesiagaan mobil Pos di kantor" in page and "<td>15,0</td>" in page  # Indonesian decimal comma


def test_a_plot_follows_its_figures_and_is_drawn_once_for_the_same_ones(manager_client, ref):
    import re

    today = timezone.localdate()
    month = {"start": f"{today:%Y-%m}", "end": f"{today:%Y-%m}"}
    make_order(ref, S.DELIVERED)

    def plots():
        html = manager_client.get("/partners/dashboard/", month).content.decode()
        return re.findall(r'src="(data:image/svg\+xml;base64,[^"]+)"', html)

    first = plots()
    assert len(first) == 2  # uptake and compliance (no failed attempt yet)
    assert plots() == first
    make_order(ref, S.FAILED_ATTEMPT)
    second = plots()
    assert len(second) == 3 and second[1] != first[1]  # the compliance plot shows the new legs


def test_open_lost_passport_cases_show_on_the_dashboard_with_their_age(manager_client, ref):
    from delivery.custody.lost import lost_case_decide, lost_case_open

    now = timezone.now()
    imigrasi = ref["users"]["imigrasi"]
    old = lost_case_open(
        actor=imigrasi,
        order_code=make_order(ref, S.RECEIVED_BY_POS).code,
        kind="missing",
        report="Tidak ada di amplop.",
        at=now - dt.timedelta(days=9, hours=1),
    )
    found = lost_case_open(
        actor=ref["users"]["pos.layanan"],
        order_code=make_order(ref, S.RECEIVED_BY_POS).code,
        kind="damaged",
        report="Sampul basah.",
    )
    lost_case_decide(actor=imigrasi, number=found.number, decision="found", note="")
    first = timezone.localtime(old.reported_at).date().replace(day=1)  # the period holds both reports

    board = selectors.dashboard(period=selectors.Period(first, timezone.localdate()))
    assert [(case.number, case.age_days) for case in board.lost.open] == [(old.number, 9)]
    assert board.lost.open[0].last_holder.startswith("Petugas")  # the Pos officer who received it last
    period = {"start": f"{first:%Y-%m}", "end": f"{timezone.localdate():%Y-%m}"}
    page = manager_client.get("/partners/dashboard/", period).content.decode()
    assert "Paspor hilang atau rusak dalam pengiriman" in page
    assert old.number in page and found.number not in page  # a decided case leaves the open list
    assert "Dalam periode ini: 2 dilaporkan, 1 ditemukan, 0 dibatalkan dan diterbitkan ulang." in page


def test_the_uptake_plot_over_years_names_its_ticks_by_year(manager_client, ref):
    """Over nine years a tick every year or so: named by the year, not by a month name that would
    read as the months of one year."""
    import base64
    import re

    html = manager_client.get("/partners/dashboard/", {"start": "2018-01", "end": "2026-12"}).content.decode()
    uri = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)[0]  # the uptake plot first
    svg = base64.b64decode(uri).decode()
    ticks = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    years = [tick for tick in ticks if re.fullmatch(r"20\d\d", tick)]
    assert years[:2] == ["2018", "2020"] and years[-1] == "2026"
    assert not {"Feb", "Mar", "Apr", "Mei", "Jun", "Jul"} & set(ticks)
