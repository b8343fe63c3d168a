"""The ledger: every rupiah that moves is one append-only row, written with the change that moved it.

The database itself refuses to change or remove a row; a correction is a reversing row; the amounts
that cannot be right (zero, the wrong sign, an NTPN or a billing code paid twice, an order's fee taken
twice, a fee that is not the tariff) are refused without leaving anything half-written."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from core.exceptions import DomainError, ValidationFailed
from delivery.choices import DeliveryStatus as S
from delivery.counter.booking import payment_reconciliation
from delivery.handoff import transitions as t
from delivery.models import DeliveryFeePayment, RefundRule
from delivery.money.fees import delivery_fee_take
from ledger.choices import Channel, MovementKind, Revenue
from ledger.models import Movement
from ledger.services import delivery_money_of, movement_record, movement_reverse
from passports import services as passport_services
from tests.applicant.helpers import make_billed_application
from tests.factories import make_order


def test_a_confirmed_payment_is_a_state_fee_row_by_ntpn(ref):
    application = make_billed_application(ref, paid=True)
    row = Movement.objects.get(billing_code__application=application)
    assert (row.kind, row.revenue, row.amount, row.office_id) == (
        MovementKind.STATE_FEE,
        Revenue.STATE,
        application.billing_code.amount,
        application.office_id,
    )
    assert row.reference == application.billing_code.payment.ntpn


def test_the_same_ntpn_for_another_billing_code_is_refused_and_nothing_is_written(ref):
    paid = make_billed_application(ref, paid=True)
    other = make_billed_application(ref)
    with pytest.raises(DomainError):
        passport_services.payment_confirm(
            billing_code_id=other.billing_code.pk,
            ntpn=paid.billing_code.payment.ntpn,
            amount=other.billing_code.amount,
        )
    other.billing_code.refresh_from_db()
    assert other.billing_code.status == "issued"
    assert not Movement.objects.filter(billing_code=other.billing_code).exists()


def test_the_database_refuses_to_change_or_remove_a_row(ref):
    order = make_order(ref, S.BOOKED)
    with transaction.atomic():
        delivery_fee_take(
            order=order,
            amount=order.delivery_fee,
            receipt_number="DF-1",
            actor=None,
            channel=Channel.POS_COUNTER,
        )
    row = Movement.objects.get(order=order)
    for statement in (
        "UPDATE ledger_movement SET amount = 1 WHERE id = %s",
        "DELETE FROM ledger_movement WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [row.pk])
    with pytest.raises(ValidationError):
        row.save()


@pytest.mark.parametrize(
    ("kind", "amount"),
    [
        (MovementKind.DELIVERY_FEE, 0),
        (MovementKind.DELIVERY_FEE, -5000),
        (MovementKind.REFUND, 5000),
        (MovementKind.DELIVERY_FEE, 1.5),
    ],
)
def test_impossible_amounts_are_refused(ref, kind, amount):
    order = make_order(ref, S.BOOKED)
    with pytest.raises(ValidationFailed), transaction.atomic():
        movement_record(
            kind=kind,
            revenue=Revenue.POS,
            amount=amount,
            office_id=order.pos_office_id,
            channel=Channel.POS_COUNTER,
            reference="X-1",
            order_id=order.pk,
        )
    assert not Movement.objects.filter(order=order).exists()


@pytest.mark.django_db(transaction=True)
def test_a_row_is_written_only_inside_the_change_that_moved_the_money(tx_ref):
    order = make_order(tx_ref, S.BOOKED)
    assert not connection.in_atomic_block
    with pytest.raises(RuntimeError):
        movement_record(
            kind=MovementKind.DELIVERY_FEE,
            revenue=Revenue.POS,
            amount=order.delivery_fee,
            office_id=order.pos_office_id,
            channel=Channel.POS_COUNTER,
            reference="X-2",
            order_id=order.pk,
        )
    assert not Movement.objects.filter(order=order).exists()


def test_a_fee_is_taken_once_and_at_the_tariff(ref):
    order = make_order(ref, S.BOOKED)
    with pytest.raises(ValidationFailed):
        delivery_fee_take(
            order=order,
            amount=order.delivery_fee + 1000,
            receipt_number="DF-2",
            actor=None,
            channel=Channel.POS_COUNTER,
        )
    delivery_fee_take(
        order=order, amount=order.delivery_fee, receipt_number="DF-3", actor=None, channel=Channel.POS_COUNTER
    )
    with pytest.raises(DomainError):
        delivery_fee_take(
            order=order,
            amount=order.delivery_fee,
            receipt_number="DF-4",
            actor=None,
            channel=Channel.POS_COUNTER,
        )
    assert DeliveryFeePayment.objects.filter(order=order).count() == 1
    assert delivery_money_of(order.pk) == order.delivery_fee


def test_a_correction_reverses_a_row_once(ref):
    order = make_order(ref, S.BOOKED)
    delivery_fee_take(
        order=order, amount=order.delivery_fee, receipt_number="DF-5", actor=None, channel=Channel.POS_COUNTER
    )
    fee = Movement.objects.get(order=order, kind=MovementKind.DELIVERY_FEE)
    reversal = movement_reverse(movement_id=fee.pk, actor=ref["users"]["manajer.pos"], reason="typed twice")
    assert reversal.amount == -fee.amount and reversal.reverses == fee
    assert delivery_money_of(order.pk) == 0
    with pytest.raises(DomainError):
        movement_reverse(movement_id=fee.pk, actor=None, reason="again")


def test_the_receipt_reads_what_the_ledger_holds(ref):
    order = make_order(ref, S.BOOKED)
    assert payment_reconciliation(order=order)["delivery_paid"] == 0
    assert not payment_reconciliation(order=order)["balanced"]
    delivery_fee_take(
        order=order, amount=order.delivery_fee, receipt_number="DF-6", actor=None, channel=Channel.POS_COUNTER
    )
    figures = payment_reconciliation(order=order)
    assert figures["delivery_paid"] == order.delivery_fee and figures["balanced"]


def test_a_cancel_refunds_by_the_rule_set_in_the_admin(ref):
    order = make_order(ref, S.BOOKED)
    delivery_fee_take(
        order=order, amount=order.delivery_fee, receipt_number="DF-7", actor=None, channel=Channel.POS_COUNTER
    )
    RefundRule.objects.update_or_create(situation="cancelled_before_release", defaults={"percent": 50})
    result = t.delivery_order_cancel(order_id=order.pk, actor=order.application.applicant.user)
    assert result.event.payload["refund"] == order.delivery_fee // 2
    refund = Movement.objects.get(order=order, kind=MovementKind.REFUND)
    assert refund.amount == -(order.delivery_fee // 2) and refund.channel == Channel.POS_COUNTER


def test_a_passport_returned_after_failed_attempts_refunds_nothing_by_default(ref):
    order = make_order(ref, S.RETURNED_TO_OFFICE)
    event = order.events.get(to_status=S.RETURNED_TO_OFFICE)
    assert event.payload["refund"] == 0
    assert not Movement.objects.filter(order=order, kind=MovementKind.REFUND).exists()
