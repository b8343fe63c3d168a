"""The fee difference of an address change paid online from "manage my delivery": the payment's
answer comes later, lands in the ledger once, and leaves the courier nothing to collect; a refused
payment, a courier who already set out or a changed amount charges nothing."""

from __future__ import annotations

import pytest
from django.test import override_settings

from core.exceptions import InvalidTransition
from core.models import OutboxMessage
from delivery.booking.online import delivery_order_change_address
from delivery.choices import DeliveryStatus as S
from delivery.handoff import transitions as t
from delivery.models import FeeDifferenceEvent, FeeDifferencePayment, FeeDifferenceStatus
from delivery.money.difference import fee_difference_pay, fee_difference_settle
from delivery.money.door import door_amount_due
from delivery.money.fees import delivery_fee_take
from ledger.choices import Channel, MovementKind
from ledger.models import Movement
from ledger.services import delivery_money_of
from passports.gateways import SANDBOX_DECLINED_PHONE
from tests.api.test_manage_api import _session
from tests.applicant.test_manage_link import _open_manage, without_account
from tests.factories import make_order, order_move_along

pytestmark = pytest.mark.django_db


def moved_to_selayar(ref, state: str = S.BOOKED):
    """A Makassar order paid at the counter, moved by its applicant to Selayar (a dearer area)."""
    order = without_account(make_order(ref, S.BOOKED, area="makassar"))
    delivery_fee_take(
        order=order,
        amount=order.delivery_fee,
        receipt_number=f"DF-{order.code}",
        actor=None,
        channel="pos_counter",
    )
    selayar = ref["areas"]["selayar"]
    delivery_order_change_address(
        order_id=order.pk,
        actor=_applicant(order),
        destination_kind="home",
        address="Jl. Pelabuhan No. 3, Benteng, Selayar",
        area_id=selayar.pk,
        expected_fee=selayar.delivery_fee,
    )
    if state != S.BOOKED:
        order = order_move_along(ref, order, state)
    order.refresh_from_db()
    return order


def _difference(ref) -> int:
    return ref["areas"]["selayar"].delivery_fee - ref["areas"]["makassar"].delivery_fee


def _applicant(order):
    from delivery.manage.access import applicant_user_ensure

    return applicant_user_ensure(order=order)


def test_paid_online_the_difference_is_in_the_ledger_once_and_nothing_is_left_for_the_door(ref):
    order = moved_to_selayar(ref)
    due = _difference(ref)
    assert due > 0 and door_amount_due(order) == due

    payment = fee_difference_pay(order_id=order.pk, actor=_applicant(order))
    assert (payment.status, payment.amount) == (FeeDifferenceStatus.PAYING, due)
    # a second press waits for the same payment: one row, one task
    assert fee_difference_pay(order_id=order.pk, actor=_applicant(order)).pk == payment.pk
    assert OutboxMessage.objects.filter(task_name="delivery.tasks.settle_fee_difference").count() == 1
    assert door_amount_due(order) == due  # nothing is paid until the payment system answers

    assert fee_difference_settle(payment_id=payment.pk) == FeeDifferenceStatus.PAID
    assert (
        fee_difference_settle(payment_id=payment.pk) == FeeDifferenceStatus.PAID
    )  # a second run: nothing more
    row = Movement.objects.get(order=order, kind=MovementKind.FEE_DIFFERENCE)
    payment.refresh_from_db()
    assert (row.amount, row.channel, row.reference) == (due, Channel.ONLINE, payment.receipt_number)
    assert delivery_money_of(order.pk) == ref["areas"]["selayar"].delivery_fee
    assert door_amount_due(order) == 0
    steps = list(FeeDifferenceEvent.objects.filter(payment=payment).values_list("transition", "to_status"))
    assert steps == [("pay", "paying"), ("confirm", "paid")]
    # and there is nothing more to pay
    with pytest.raises(InvalidTransition) as refused:
        fee_difference_pay(order_id=order.pk, actor=_applicant(order))
    assert refused.value.code == "nothing_to_pay"


def test_a_refused_payment_charges_nothing_and_may_be_paid_again(ref):
    order = moved_to_selayar(ref)
    type(order).objects.filter(pk=order.pk).update(recipient_phone=SANDBOX_DECLINED_PHONE)
    payment = fee_difference_pay(order_id=order.pk, actor=_applicant(order))
    assert fee_difference_settle(payment_id=payment.pk) == FeeDifferenceStatus.FAILED
    payment.refresh_from_db()
    assert "Pembayaran ditolak" in payment.failure  # in the applicant's language
    assert not Movement.objects.filter(order=order, kind=MovementKind.FEE_DIFFERENCE).exists()
    again = fee_difference_pay(order_id=order.pk, actor=_applicant(order))
    assert again.pk != payment.pk and again.status == FeeDifferenceStatus.PAYING


def test_once_the_courier_set_out_the_difference_is_for_the_door(ref):
    order = moved_to_selayar(ref, S.OUT_FOR_DELIVERY)
    with pytest.raises(InvalidTransition) as refused:
        fee_difference_pay(order_id=order.pk, actor=_applicant(order))
    assert refused.value.code == "courier_left"
    assert not FeeDifferencePayment.objects.filter(order=order).exists()


def test_a_courier_setting_out_before_the_answer_stops_the_charge(ref):
    order = moved_to_selayar(ref, S.WITH_DELIVERY_SECTION)
    payment = fee_difference_pay(order_id=order.pk, actor=_applicant(order))
    # the courier sets out before the payment system answers
    t.ACTION_FUNCTIONS["dispatch"](order_id=order.pk, actor=ref["couriers"]["kurir"].user)
    order.refresh_from_db()
    assert order.status == S.OUT_FOR_DELIVERY
    assert fee_difference_settle(payment_id=payment.pk) == FeeDifferenceStatus.FAILED
    assert not Movement.objects.filter(order=order, kind=MovementKind.FEE_DIFFERENCE).exists()
    assert door_amount_due(order) == _difference(ref)  # the courier collects it


@override_settings(LANGUAGE_CODE="en")
def test_the_manage_page_confirms_the_amount_then_shows_the_payment(ref, client):
    order = moved_to_selayar(ref)
    _open_manage(client, order)
    home = client.get(f"/manage/{order.code}/").content.decode()
    due = f"Rp {_difference(ref):,}".replace(",", ".")
    assert f"{due} is still open" in home
    confirm = client.get(f"/manage/{order.code}/pay-difference/").content.decode()
    assert f"To pay: {due}" in confirm and "Pay at the door instead" in confirm
    assert not FeeDifferencePayment.objects.filter(order=order).exists()  # nothing before the button

    client.post(f"/manage/{order.code}/pay-difference/")
    home = client.get(f"/manage/{order.code}/").content.decode()
    assert f"Your payment of {due} is in progress" in home
    fee_difference_settle(payment_id=FeeDifferencePayment.objects.get(order=order).pk)
    home = client.get(f"/manage/{order.code}/").content.decode()
    assert f"Paid online: {due}" in home and "The courier has nothing to collect." in home
    assert "Pay the difference online" not in home


def test_the_api_pays_and_reports_the_payment(ref):
    order = moved_to_selayar(ref)
    api = _session(order)
    overview = api.get("/api/v1/manage/order/").json()
    assert overview["fee_difference_to_pay"] == _difference(ref)
    assert overview["fee_difference_payment"] is None
    asked = api.post("/api/v1/manage/order/fee-difference/")
    assert asked.status_code == 202, asked.content
    assert asked.json()["fee_difference_payment"]["status"] == "paying"
    fee_difference_settle(payment_id=FeeDifferencePayment.objects.get(order=order).pk)
    done = api.get("/api/v1/manage/order/").json()
    assert done["fee_difference_to_pay"] == 0
    assert done["fee_difference_payment"]["status"] == "paid"
    again = api.post("/api/v1/manage/order/fee-difference/")
    assert again.status_code == 409 and again.json()["code"] == "nothing_to_pay", again.content


def test_only_the_applicant_pays_their_difference(ref):
    from core.exceptions import NotAllowed

    order = moved_to_selayar(ref)
    with pytest.raises(NotAllowed):
        fee_difference_pay(order_id=order.pk, actor=ref["users"]["pos.layanan"])
    assert not FeeDifferencePayment.objects.filter(order=order).exists()
