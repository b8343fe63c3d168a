"""Money on the partnership dashboard: fees collected (state, delivery), refunds, open NTPN
differences and days not yet approved by both agencies, by month, on the page, the exports and the
API."""

import csv
import io

import pytest
from django.db import transaction
from openpyxl import load_workbook
from pypdf import PdfReader

from delivery.choices import DeliveryStatus as S
from delivery.money import statements as st
from delivery.money.fees import delivery_fee_take
from ledger.choices import Channel, MovementKind, Revenue
from ledger.services import movement_record
from passports.gateways import get_gateway
from tests.factories import earlier_today, make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def money(ref):
    """Two orders paid today (state fee and delivery fee), one refunded; today's statement with one
    NTPN left out of the settlement report, approved by PT Pos only."""
    orders = [make_order(ref, S.BOOKED, at=earlier_today(1)) for _ in range(2)]
    with transaction.atomic():
        for order in orders:
            delivery_fee_take(
                order=order,
                amount=order.delivery_fee,
                receipt_number=f"DF-{order.code}",
                actor=None,
                channel=Channel.POS_COUNTER,
            )
        movement_record(
            kind=MovementKind.REFUND,
            revenue=Revenue.POS,
            amount=-orders[1].delivery_fee,
            office_id=ref["offices"]["pos"].pk,
            channel=Channel.POS_COUNTER,
            reference="RF-9",
            order_id=orders[1].pk,
        )
    get_gateway().settlement_change(
        day=st.today(), ntpn=orders[0].application.billing_code.payment.ntpn, action="drop"
    )
    statement = st.statement_build(pos_office_id=ref["offices"]["pos"].pk, day=st.today())
    st.statement_approve(actor=ref["users"]["manajer.pos"], statement_id=statement.pk, agency="pos")
    return orders


def test_the_dashboard_its_exports_and_the_api_show_money_by_month(client, ref, money):
    client.force_login(ref["users"]["manajer.imigrasi"])
    month = f"{st.today():%Y-%m}"
    query = {"start": month, "end": month}
    fee, state = money[0].delivery_fee, money[0].application.billing_code.amount  # both today's (WITA)

    page = client.get("/partners/dashboard/", query).content.decode()
    assert 'id="money"' in page and "table=money" in page

    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/partners/dashboard/export.csv", {**query, "table": "money"}).content.decode()
            )
        )
    )
    expected = [
        month,
        str(2 * state),
        str(money[0].delivery_fee + money[1].delivery_fee),
        str(-money[1].delivery_fee),
        "1",
        "1",
    ]
    assert rows[1] == expected
    assert rows[-1][1:] == expected[1:]

    book = load_workbook(io.BytesIO(client.get("/partners/dashboard/export.xlsx", query).content))
    assert [str(v) for v in list(book["Uang"].iter_rows(values_only=True))[1]] == expected

    pdf = client.get("/partners/dashboard/report.pdf", query)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Uang per bulan" in text

    api = client.get("/api/v1/partners/dashboard/", query).json()["money"]
    assert api["months"] == [
        {
            "month": month,
            "state_fees": 2 * state,
            "delivery_fees": 2 * fee
            if money[1].delivery_fee == fee
            else money[0].delivery_fee + money[1].delivery_fee,
            "refunds": -money[1].delivery_fee,
            "open_differences": 1,
            "days_not_approved": 1,
        }
    ]
