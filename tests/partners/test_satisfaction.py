"""The applicants' satisfaction on the partnership dashboard (by month: ratings, average, share of
4-5, the latest comments with their month only), in its exports and API, and as the measured line
of an evaluation meeting's scorecard."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from delivery.choices import DeliveryStatus as S
from delivery.manage.rating import rating_record
from partners import selectors
from partners.choices import MeetingStatus
from partners.models import EvaluationMeeting
from tests.factories import make_order

pytestmark = pytest.mark.django_db


def _last_month_noon() -> dt.datetime:
    first = timezone.localdate().replace(day=1)
    day = first - dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_current_timezone())


def _period() -> tuple[selectors.Period, dict[str, str]]:
    last = _last_month_noon().date()
    today = timezone.localdate()
    period = selectors.Period(dt.date(last.year, last.month, 1), dt.date(today.year, today.month, 1))
    return period, {"start": f"{period.start:%Y-%m}", "end": f"{period.end:%Y-%m}"}


@pytest.fixture
def rated(ref):
    """Last month: 5 and 2 (Makassar). This month: 4 "Kurirnya ramah" (Gowa), 5, 3 (Makassar)."""
    now = timezone.now()
    last = _last_month_noon()
    given = [
        ("makassar", 5, "Cepat dan rapi.", last),
        ("makassar", 2, "", last + dt.timedelta(minutes=5)),
        ("gowa", 4, "Kurirnya ramah.", now - dt.timedelta(minutes=3)),
        ("makassar", 5, "", now - dt.timedelta(minutes=2)),
        ("makassar", 3, "Paspor tiba, tapi terlambat satu jam.", now - dt.timedelta(minutes=1)),
    ]
    orders = []
    for area, score, comment, at in given:
        order = make_order(ref, S.DELIVERED, area=area)
        rating_record(order_id=order.pk, score=score, comment=comment, now=at)
        orders.append(order)
    return orders


def test_satisfaction_by_month_with_the_latest_comments(ref, rated):
    period, _query = _period()
    with CaptureQueriesContext(connection) as queries:
        figures = selectors.satisfaction(period=period)
    assert len(queries) == 2  # whatever the number of ratings

    last, this = _last_month_noon(), timezone.localtime()
    months = [(m.key, m.ratings, str(m.average), str(m.good_percent)) for m in figures.months]
    assert months == [
        (f"{last:%Y-%m}", 2, "3.50", "50.00"),
        (f"{this:%Y-%m}", 3, "4.00", "66.66"),  # 2 of 3, truncated
    ]
    total = figures.total
    assert (total.ratings, str(total.average), str(total.good_percent)) == (5, "3.80", "60.00")
    assert [(c.month, c.text) for c in figures.comments] == [
        (f"{this:%Y-%m}", "Paspor tiba, tapi terlambat satu jam."),
        (f"{this:%Y-%m}", "Kurirnya ramah."),
        (f"{last:%Y-%m}", "Cepat dan rapi."),
    ]

    gowa = selectors.satisfaction(period=period, area=ref["areas"]["gowa"])
    assert (gowa.total.ratings, gowa.total.average) == (1, 4) and len(gowa.comments) == 1
    empty = selectors.satisfaction(period=selectors.Period(dt.date(2020, 1, 1), dt.date(2020, 1, 1)))
    assert empty.months == [] and empty.total.average is None and empty.total.good_percent is None


@pytest.fixture
def manager(client, ref):
    client.force_login(ref["users"]["manajer.imigrasi"])
    return client


def test_the_dashboard_its_exports_and_api_show_the_satisfaction(manager, ref, rated):
    _p, query = _period()
    this = f"{timezone.localtime():%Y-%m}"
    page = manager.get("/partners/dashboard/", query).content.decode()
    assert "Kepuasan pemohon" in page and 'id="satisfaction"' in page
    assert 'id="satisfaction-good">60,00% memberi nilai 4 atau 5' in page
    assert "<td>5</td><td>3,80</td><td>60,00%</td>" in page  # the total row
    assert "Kurirnya ramah." in page and "Paspor tiba, tapi terlambat satu jam." in page
    for order in rated:  # the comments carry no order
        assert order.code not in page
    assert "table=satisfaction" in page

    rows = list(
        csv.reader(
            io.StringIO(
                manager.get(
                    "/partners/dashboard/export.csv", {**query, "table": "satisfaction"}
                ).content.decode()
            )
        )
    )
    assert rows[0] == ["bulan", "penilaian", "nilai rata-rata (1-5)", "bernilai 4 atau 5 (%)"]
    assert [this, "3", "4.00", "66.66"] in rows and rows[-1] == ["total", "5", "3.80", "60.00"]

    book = load_workbook(io.BytesIO(manager.get("/partners/dashboard/export.xlsx", query).content))
    sheet = [list(r) for r in book["Kepuasan"].iter_rows(values_only=True)]
    assert sheet[-1] == ["total", 5, 3.8, 60.0] and len(sheet) == len(rows)
    comments = [list(r) for r in book["Komentar"].iter_rows(values_only=True)]
    assert comments[1] == [this, "Paspor tiba, tapi terlambat satu jam."] and len(comments) == 4

    pdf = manager.get("/partners/dashboard/report.pdf", query)
    with open("/tmp/dashboard-satisfaction-report.pdf", "wb") as out:  # kept to be looked at
        out.write(pdf.content)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Kepuasan pemohon" in text and "3,80" in text and "Kurirnya ramah." in text

    api = manager.get("/api/v1/partners/dashboard/", query).json()["satisfaction"]
    assert api["total"] == {"month": None, "ratings": 5, "average": "3.80", "good_percent": "60.00"}
    assert api["months"][-1] == {"month": this, "ratings": 3, "average": "4.00", "good_percent": "66.66"}
    assert api["comments"][0] == {"month": this, "text": "Paspor tiba, tapi terlambat satu jam."}


def test_the_evaluation_scorecard_gets_the_period_satisfaction(manager, ref, rated):
    today = timezone.localdate()
    earlier = EvaluationMeeting.objects.create(
        held_on=_last_month_noon().date(),
        status=MeetingStatus.HELD,
    )
    meeting = EvaluationMeeting.objects.create(held_on=today, status=MeetingStatus.PLANNED)

    # since the day after the previous meeting held: this month's three ratings only
    line = selectors.meeting_satisfaction(meeting=meeting)
    assert line.start == earlier.held_on + dt.timedelta(days=1) and line.end == today
    assert (line.ratings, str(line.average), str(line.good_percent)) == (3, "4.00", "66.66")
    # a first meeting looks back half a year, to its own day: last month's two
    first = selectors.meeting_satisfaction(meeting=earlier)
    assert first.ratings == 2 and str(first.average) == "3.50"

    page = manager.get(f"/partners/evaluations/{meeting.pk}/").content.decode()
    assert 'id="scorecard-satisfaction"' in page and "Kepuasan pemohon, terukur" in page
    assert "<td>4,00</td>" in page and "3 penilaian; 66,66% memberi nilai 4 atau 5" in page

    api = manager.get(f"/api/v1/partners/evaluations/{meeting.pk}/").json()["satisfaction"]
    assert api == {
        "start": f"{line.start:%Y-%m-%d}",
        "end": f"{today:%Y-%m-%d}",
        "ratings": 3,
        "average": "4.00",
        "good_percent": "66.66",
    }
