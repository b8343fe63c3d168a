"""The daily statement: built from the ledger for a Pos office and the Imigrasi office it serves,
built again until the first approval, approved once by each agency, its NTPNs matched against
MPN G-2's settlement report, and a disputed line on both agencies' problems queue."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

import openpyxl
import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from core.exceptions import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from delivery.choices import DeliveryStatus as S
from delivery.models import Problem, ProblemKind
from delivery.money import statements as st
from delivery.money.fees import delivery_fee_take
from delivery.problems.selectors import problems_visible_to
from ledger.choices import Channel, DifferenceKind, MovementKind, Revenue, SettlementCheck, StatementStatus
from ledger.models import Movement, Statement
from ledger.services import movement_record, movement_reverse
from passports.gateways import get_gateway
from tests.factories import earlier_today, make_order, make_paid_application, second_office_ref


def _fee(order, *, at=None):
    with transaction.atomic():
        delivery_fee_take(
            order=order,
            amount=order.delivery_fee,
            receipt_number=f"DF-{order.code}",
            actor=None,
            channel=Channel.POS_COUNTER,
            at=at,
        )


def _money(ref, kind, amount, *, order=None, channel=Channel.DOOR, reference="X-1"):
    with transaction.atomic():
        return movement_record(
            kind=kind,
            revenue=Revenue.POS,
            amount=amount,
            office_id=ref["offices"]["pos"].pk,
            channel=channel,
            reference=reference,
            order_id=order.pk if order else None,
            at=earlier_today(0.5),
        )


def _day_with_money(ref):
    """Two orders with their state fees and delivery fees, a collection at the door and a refund."""
    at = earlier_today(2)
    first = make_order(ref, S.BOOKED, at=at)
    second = make_order(ref, S.BOOKED, at=at)
    _fee(first, at=at)
    _fee(second, at=at)
    _money(ref, MovementKind.DOOR_COLLECTION, 5000, order=first, reference="DOOR-1")
    _money(
        ref,
        MovementKind.REFUND,
        -second.delivery_fee,
        order=second,
        channel=Channel.POS_COUNTER,
        reference="RF-1",
    )
    return first, second


def _build(ref, day=None):
    return st.statement_build(pos_office_id=ref["offices"]["pos"].pk, day=day or st.today())


def test_a_statement_copies_the_days_rows_of_both_offices_with_the_orders_behind_them(ref):
    first, second = _day_with_money(ref)
    # another office's money and another day's are not on it
    other = second_office_ref(ref)
    make_order(other, S.BOOKED, at=earlier_today(1))
    make_paid_application(ref, at=earlier_today(1) - dt.timedelta(days=3))

    statement = _build(ref)

    state_fee = first.application.billing_code.amount
    assert statement.state_fees == 2 * state_fee
    assert statement.delivery_fees == first.delivery_fee + second.delivery_fee
    assert statement.door_collections == 5000
    assert statement.refunds == -second.delivery_fee
    assert statement.total == 2 * state_fee + first.delivery_fee + 5000
    assert statement.by_channel == {
        "door": 5000,
        "pos_counter": 2 * state_fee + first.delivery_fee,
    }
    lines = {
        (line.kind, line.reference): line.order_code or line.billing_code for line in statement.lines.all()
    }
    assert lines[(MovementKind.STATE_FEE, first.application.billing_code.payment.ntpn)] == (
        first.application.billing_code.code
    )
    assert lines[(MovementKind.DELIVERY_FEE, f"DF-{first.code}")] == first.code
    assert lines[(MovementKind.REFUND, "RF-1")] == second.code
    assert statement.lines.count() == 6
    assert statement.settlement == SettlementCheck.MATCHED
    assert list(statement.events.values_list("transition", "to_status")) == [("build", "open")]


def test_building_again_before_an_approval_gives_the_ledger_as_it_is_now(ref):
    first, _second = _day_with_money(ref)
    statement = _build(ref)
    again = _build(ref)
    assert again.pk == statement.pk
    assert (again.total, again.lines.count(), again.builds) == (statement.total, 6, 2)

    movement_reverse(
        movement_id=Movement.objects.get(reference="DOOR-1").pk, actor=None, reason="counted twice"
    )
    third = _build(ref)
    assert third.corrections == -5000
    assert third.total == statement.total - 5000
    assert list(third.events.values_list("transition", flat=True)) == ["build", "rebuild", "rebuild"]


def test_pos_then_imigrasi_approve_and_each_step_is_an_event(ref):
    _day_with_money(ref)
    statement = _build(ref)
    users = ref["users"]

    st.statement_approve(actor=users["manajer.pos"], statement_id=statement.pk, agency="pos")
    statement.refresh_from_db()
    assert statement.status == StatementStatus.POS_APPROVED
    st.statement_approve(actor=users["manajer.imigrasi"], statement_id=statement.pk, agency="imigrasi")
    statement.refresh_from_db()
    assert statement.status == StatementStatus.APPROVED
    assert statement.pos_approved_by == users["manajer.pos"]
    assert statement.imigrasi_approved_by == users["manajer.imigrasi"]
    events = list(statement.events.values_list("transition", "actor_role", "office_id"))
    assert events[1:] == [
        ("approve_pos", "agency_manager", ref["offices"]["pos"].pk),
        ("approve_imigrasi_second", "agency_manager", ref["offices"]["imigrasi"].pk),
    ]


def test_approvals_refused_twice_from_the_wrong_agency_role_or_office(ref):
    _day_with_money(ref)
    statement = _build(ref)
    users = ref["users"]
    other = second_office_ref(ref)

    st.statement_approve(actor=users["manajer.imigrasi"], statement_id=statement.pk, agency="imigrasi")
    with pytest.raises(InvalidTransition) as twice:
        st.statement_approve(actor=users["manajer.imigrasi"], statement_id=statement.pk, agency="imigrasi")
    assert twice.value.code == "already_approved"
    with pytest.raises(NotAllowed) as wrong_agency:
        st.statement_approve(actor=users["manajer.imigrasi"], statement_id=statement.pk, agency="pos")
    assert wrong_agency.value.code == "wrong_agency"
    with pytest.raises(NotFound):
        st.statement_approve(actor=other["users"]["manajer.pos"], statement_id=statement.pk, agency="pos")
    with pytest.raises(NotAllowed):
        st.statement_approve(actor=users["pos.layanan"], statement_id=statement.pk, agency="pos")
    with pytest.raises(ValidationFailed):
        st.statement_approve(actor=users["manajer.pos"], statement_id=statement.pk, agency="bank")
    statement.refresh_from_db()
    assert statement.status == StatementStatus.IMIGRASI_APPROVED
    assert statement.events.count() == 2


def test_after_the_first_approval_the_statement_is_not_built_again(ref):
    first, _ = _day_with_money(ref)
    statement = _build(ref)
    st.statement_approve(actor=ref["users"]["manajer.pos"], statement_id=statement.pk, agency="pos")
    _money(ref, MovementKind.DOOR_COLLECTION, 7000, order=first, reference="DOOR-2")

    with pytest.raises(InvalidTransition) as refused:
        _build(ref)
    assert refused.value.code == "statement_approved"
    statement.refresh_from_db()
    assert statement.door_collections == 5000
    # the end-of-day run keeps it and says so
    assert st.statements_build_day(day=st.today()) in (
        st.BuildRun(built=0, kept=1),
        st.BuildRun(built=0, kept=0),  # not a working day today: nothing is built
    )


def test_the_end_of_day_run_builds_every_pos_office_on_working_days_only(ref):
    second_office_ref(ref)
    saturday = st.today() - dt.timedelta(days=(st.today().weekday() - 5) % 7 or 7)
    assert saturday.weekday() == 5
    assert st.statements_build_day(day=saturday) == st.BuildRun(built=0, kept=0)
    monday = saturday + dt.timedelta(days=2) - dt.timedelta(days=7)
    assert st.statements_build_day(day=monday) == st.BuildRun(built=2, kept=0)
    assert st.statements_build_day(day=monday) == st.BuildRun(built=2, kept=0)
    assert Statement.objects.filter(day=monday).count() == 2


def test_a_future_day_or_an_unknown_office_is_refused(ref):
    with pytest.raises(ValidationFailed):
        _build(ref, day=st.today() + dt.timedelta(days=1))
    with pytest.raises(NotFound):
        st.statement_build(pos_office_id=ref["offices"]["imigrasi"].pk, day=st.today())


def _ntpn_and_code(order):
    return order.application.billing_code.payment.ntpn, order.application.billing_code.code


def test_the_ntpn_check_finds_each_kind_of_difference(ref):
    first, second = _day_with_money(ref)
    third = make_order(ref, S.BOOKED, at=earlier_today(2))
    gateway = get_gateway()
    day = st.today()
    gateway.settlement_change(day=day, ntpn=_ntpn_and_code(first)[0], action="drop")
    gateway.settlement_change(day=day, ntpn=_ntpn_and_code(second)[0], action="alter", amount=1000)
    gateway.settlement_change(
        day=day, ntpn="ZZZZ000000000001", action="add", amount=350000, billing_code="999999999999999"
    )
    # an NTPN of another Imigrasi office's billing code is that office's, not an extra of this one
    other = second_office_ref(ref)
    make_paid_application(other, at=earlier_today(1))

    statement = _build(ref)

    assert statement.settlement == SettlementCheck.DIFFERENCES
    found = {(d.kind, d.ntpn, d.ledger_amount, d.report_amount) for d in statement.differences.all()}
    fee = first.application.billing_code.amount
    assert found == {
        (DifferenceKind.MISSING_IN_REPORT, _ntpn_and_code(first)[0], fee, None),
        (DifferenceKind.AMOUNT_DIFFERS, _ntpn_and_code(second)[0], fee, 1000),
        (DifferenceKind.EXTRA_IN_REPORT, "ZZZZ000000000001", None, 350000),
    }
    assert _ntpn_and_code(third)[0] not in {d.ntpn for d in statement.differences.all()}


def test_a_reversed_ntpn_still_in_the_report_is_an_amount_difference(ref):
    application = make_paid_application(ref, at=earlier_today(1))
    ntpn = application.billing_code.payment.ntpn
    movement_reverse(movement_id=Movement.objects.get(reference=ntpn).pk, actor=None, reason="test")
    statement = _build(ref)
    (difference,) = statement.differences.all()
    assert (difference.kind, difference.ntpn, difference.ledger_amount, difference.report_amount) == (
        DifferenceKind.AMOUNT_DIFFERS,
        ntpn,
        0,
        application.billing_code.amount,
    )


def test_a_dispute_withdraws_the_approvals_and_goes_on_both_queues(ref):
    first, _ = _day_with_money(ref)
    statement = _build(ref)
    users = ref["users"]
    st.statement_approve(actor=users["manajer.pos"], statement_id=statement.pk, agency="pos")
    line = statement.lines.get(reference="DOOR-1")

    st.statement_dispute(
        actor=users["manajer.imigrasi"],
        statement_id=statement.pk,
        line_id=line.pk,
        reason="No such collection",
    )

    statement.refresh_from_db()
    assert statement.status == StatementStatus.DISPUTED
    assert statement.pos_approved_at is None
    problems = Problem.objects.filter(statement=statement, kind=ProblemKind.STATEMENT_DISPUTED)
    assert {p.responsible_office_id for p in problems} == {
        ref["offices"]["pos"].pk,
        ref["offices"]["imigrasi"].pk,
    }
    for manager in ("manajer.pos", "manajer.imigrasi"):
        assert problems_visible_to(users[manager]).filter(statement=statement).count() == 1
    with pytest.raises(InvalidTransition):
        st.statement_approve(actor=users["manajer.imigrasi"], statement_id=statement.pk, agency="imigrasi")
    # the ledger put right; while the dispute is open the statement is not built again
    movement_reverse(movement_id=line.movement_id, actor=None, reason="no such collection")
    with pytest.raises(InvalidTransition) as refused:
        _build(ref)
    assert refused.value.code == "dispute_open"
    dispute = statement.events.get(transition="dispute")
    # settling it needs a note, a manager of the statement's offices, and happens once
    with pytest.raises(ValidationFailed):
        st.statement_dispute_settle(
            actor=users["manajer.pos"], statement_id=statement.pk, dispute_id=dispute.pk, note=" "
        )
    with pytest.raises(NotAllowed):
        st.statement_dispute_settle(
            actor=users["pos.layanan"], statement_id=statement.pk, dispute_id=dispute.pk, note="x"
        )
    rebuilt = st.statement_dispute_settle(
        actor=users["manajer.pos"],
        statement_id=statement.pk,
        dispute_id=dispute.pk,
        note="Reversed: the collection was recorded on the wrong order.",
    )
    # off both queues, built again from the ledger (without the reversed line), open for both
    assert rebuilt.status == StatementStatus.OPEN
    assert rebuilt.lines.filter(kind=MovementKind.REVERSAL).count() == 1
    for manager in ("manajer.pos", "manajer.imigrasi"):
        assert problems_visible_to(users[manager]).filter(statement=statement).count() == 0
    steps = list(statement.events.order_by("pk").values_list("transition", flat=True))
    assert steps[-3:] == ["dispute", "settle", "rebuild"]
    assert all(p.events.filter(transition="close").count() == 1 for p in problems)
    with pytest.raises(InvalidTransition) as twice:
        st.statement_dispute_settle(
            actor=users["manajer.imigrasi"], statement_id=statement.pk, dispute_id=dispute.pk, note="again"
        )
    assert twice.value.code == "already_settled"
    st.statement_approve(actor=users["manajer.imigrasi"], statement_id=statement.pk, agency="imigrasi")


def test_a_dispute_needs_a_line_of_this_statement_and_a_reason(ref):
    _day_with_money(ref)
    statement = _build(ref)
    manager = ref["users"]["manajer.pos"]
    with pytest.raises(ValidationFailed):
        st.statement_dispute(actor=manager, statement_id=statement.pk, line_id=999999, reason="x")
    with pytest.raises(ValidationFailed):
        st.statement_dispute(
            actor=manager, statement_id=statement.pk, line_id=statement.lines.first().pk, reason=" "
        )
    with pytest.raises(ValidationFailed):
        st.statement_dispute(actor=manager, statement_id=statement.pk, reason="no line")
    statement.refresh_from_db()
    assert statement.status == StatementStatus.OPEN


def test_the_pages_approve_refuse_and_export(ref):
    _day_with_money(ref)
    statement = _build(ref)
    pos, imigrasi = Client(), Client()
    pos.force_login(ref["users"]["manajer.pos"])
    imigrasi.force_login(ref["users"]["manajer.imigrasi"])
    url = f"/money/statements/{statement.pk}/"

    page = pos.get(url)
    assert "Setujui untuk PT Pos" in page.content.decode()
    assert pos.post(url, {"action": "approve", "agency": "pos"}).status_code == 302
    assert pos.post(url, {"action": "approve", "agency": "pos"}).status_code == 409
    assert imigrasi.post(url, {"action": "approve", "agency": "pos"}).status_code == 403
    assert imigrasi.post(url, {"action": "approve", "agency": "imigrasi"}).status_code == 302
    assert pos.post(url, {"action": "dispute", "line": "line-abc", "reason": "x"}).status_code == 200
    statement.refresh_from_db()
    assert statement.status == StatementStatus.APPROVED

    pdf = pos.get(f"{url}pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    with open("/tmp/statement.pdf", "wb") as out:  # kept to be looked at
        out.write(pdf.content)
    # read back: the PDF's text names the total, the spreadsheet holds every line and the totals
    text = subprocess.run(
        ["pdftotext", "-layout", "/tmp/statement.pdf", "-"], capture_output=True, text=True, check=True
    ).stdout
    statement.refresh_from_db()
    assert f"{statement.total:,}".replace(",", ".") in text, text[:2000]
    xlsx = imigrasi.get(f"{url}xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    lines, totals = book.worksheets[0], book.worksheets[1]
    amounts = [row[-1] for row in lines.iter_rows(min_row=2, values_only=True)]
    assert len(amounts) == statement.lines.count() and sum(amounts) == statement.total
    assert statement.total in [row[1] for row in totals.iter_rows(min_row=2, values_only=True)]
    assert pos.post("/money/statements/", {"day": "not a day"}).status_code == 200
    assert (
        pos.post(
            "/money/statements/", {"day": (timezone.localdate() + dt.timedelta(days=3)).isoformat()}
        ).status_code
        == 200
    )
    assert Statement.objects.count() == 1
