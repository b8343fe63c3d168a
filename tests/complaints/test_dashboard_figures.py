"""The partnership dashboard's complaints by category: counts, median and mean hours to the first
response, breaches of 24 hours; the same numbers on the page, in the exports and over the API."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from complaints import services as svc
from delivery.handoff.deadlines import WITA
from partners import selectors

pytestmark = pytest.mark.django_db
DAY = dt.datetime(2026, 3, 10, 9, 0, tzinfo=WITA)
PERIOD = {"start": "2026-03", "end": "2026-03"}


def complaint(ref, category, *, answer_after_hours=None, at=DAY):
    c = svc.complaint_open(
        client="192.0.2.1", category=category, text="Ada masalah.", contact_phone="081234567890", now=at
    ).complaint
    if answer_after_hours is not None:
        actor = ref["users"]["pos.layanan"] if c.agency == "pos" else ref["users"]["imigrasi"]
        svc.complaint_reply_by_staff(
            complaint_id=c.pk,
            actor=actor,
            text="Kami tangani.",
            now=at + dt.timedelta(hours=answer_after_hours),
        )
    return c


@pytest.fixture
def data(ref):
    complaint(ref, "late", answer_after_hours=2)
    complaint(ref, "late", answer_after_hours=4)
    complaint(ref, "late", answer_after_hours=30)  # answered too late
    complaint(ref, "passport_data")  # never answered, 24 hours long over
    complaint(ref, "payment", answer_after_hours=1, at=dt.datetime(2026, 4, 2, 9, tzinfo=WITA))  # outside
    return ref


def test_the_figures_per_category(data):
    board = selectors.dashboard(period=selectors.Period(dt.date(2026, 3, 1), dt.date(2026, 3, 1)))
    rows = {c.category: c for c in board.complaints}
    late = rows["late"]
    assert (late.count, late.answered, late.median_hours, late.mean_hours, late.breaches) == (
        3,
        3,
        4.0,
        12.0,
        1,
    )
    data_row = rows["passport_data"]
    assert (data_row.count, data_row.answered, data_row.median_hours, data_row.breaches) == (1, 0, None, 1)
    total = rows[""]
    assert (total.count, total.answered, total.breaches) == (4, 3, 2)
    assert "payment" not in rows


def test_the_page_exports_and_api_show_the_same_table(data, client):
    client.force_login(data["users"]["manajer.pos"])
    html = client.get("/partners/dashboard/", PERIOD).content.decode()
    table = html[html.index('id="complaints"') :]
    table = table[: table.index("</table>")]
    assert "Pengantaran terlambat</th><td>3</td><td>3</td><td>4,0</td><td>12,0</td><td>1</td>" in table
    assert "Semua pengaduan</th><td>4</td><td>3</td>" in table

    rows = list(
        csv.reader(
            io.StringIO(
                client.get(
                    "/partners/dashboard/export.csv", {**PERIOD, "table": "complaints"}
                ).content.decode()
            )
        )
    )
    assert rows[1] == ["Pengantaran terlambat", "3", "3", "4.0", "12.0", "1"]

    book = load_workbook(io.BytesIO(client.get("/partners/dashboard/export.xlsx", PERIOD).content))
    sheet = list(book["Pengaduan"].iter_rows(values_only=True))
    assert sheet[1] == ("Pengantaran terlambat", 3, 3, 4.0, 12.0, 1)

    api = client.get("/api/v1/partners/dashboard/", PERIOD).json()["complaints"]
    assert api[0] == {
        "category": "late",
        "label": "Pengantaran terlambat",
        "count": 3,
        "answered": 3,
        "median_hours_to_first_response": 4.0,
        "mean_hours_to_first_response": 12.0,
        "breaches_of_24_hours": 1,
    }


def test_the_query_count_does_not_grow_with_complaints(data, client):
    client.force_login(data["users"]["manajer.pos"])

    def queries():
        client.get("/partners/dashboard/", PERIOD)  # the session's first request notes its activity
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/partners/dashboard/", PERIOD).status_code == 200
        return len(captured)

    before = queries()
    for n in range(30):
        complaint(data, ["late", "booking", "other"][n % 3], answer_after_hours=n % 40)
    assert queries() == before
