"""The fee difference of an address change, settled at the door: the courier's run shows it, the
delivery needs the courier to confirm exactly it, and it lands in the ledger with the delivery."""

from __future__ import annotations

import pytest

from core.exceptions import ValidationFailed
from delivery.booking.online import delivery_order_change_address
from delivery.choices import DeliveryStatus as S
from delivery.handoff import codes
from delivery.money.door import door_amount_due
from delivery.money.fees import delivery_fee_take
from ledger.choices import Channel, MovementKind
from ledger.models import Movement
from ledger.services import delivery_money_of
from tests.courier.test_proof import deliver
from tests.factories import make_order, order_move_along


def moved_to(ref, area: str):
    """A Makassar order paid at the counter, moved by its applicant to ``area``, now out for delivery."""
    order = make_order(ref, S.BOOKED, area="makassar")
    delivery_fee_take(
        order=order,
        amount=order.delivery_fee,
        receipt_number=f"DF-{order.code}",
        actor=None,
        channel=Channel.POS_COUNTER,
    )
    new_area = ref["areas"][area]
    delivery_order_change_address(
        order_id=order.pk,
        actor=order.application.applicant.user,
        destination_kind="home",
        address=f"Jl. Pindahan No. 3, {new_area.name}",
        area_id=new_area.pk,
        expected_fee=new_area.delivery_fee,
    )
    return order_move_along(ref, order, S.OUT_FOR_DELIVERY)


def test_a_higher_fee_is_collected_at_the_door_with_the_delivery(ref, client):
    order = moved_to(ref, "selayar")
    due = ref["areas"]["selayar"].delivery_fee - ref["areas"]["makassar"].delivery_fee
    assert due > 0 and door_amount_due(order) == due

    # the courier's run shows the amount to collect
    client.force_login(order.courier.user)
    page = client.get("/courier/").content.decode()
    assert f'name="door_amount" value="{due}"' in page

    # a delivery without the confirmation, or with another amount, is refused and writes nothing
    code = codes.delivery_code_reveal(order_id=order.pk)
    for confirmed in (0, due - 1000):
        with pytest.raises(ValidationFailed) as refused:
            deliver(order, order.courier.user, code=code, door_amount=confirmed)
        assert refused.value.code == "door_amount"
    order.refresh_from_db()
    assert order.status == S.OUT_FOR_DELIVERY

    deliver(order, order.courier.user, code=code, door_amount=due)
    collected = Movement.objects.get(order=order, kind=MovementKind.DOOR_COLLECTION)
    assert (collected.amount, collected.channel) == (due, Channel.DOOR)
    assert delivery_money_of(order.pk) == order.delivery_fee == ref["areas"]["selayar"].delivery_fee
    assert door_amount_due(order) == 0


def test_a_lower_fee_is_refunded_at_the_door(ref):
    makassar = ref["areas"]["makassar"].delivery_fee
    cheaper = next((code for code, area in ref["areas"].items() if area.delivery_fee < makassar), None)
    if cheaper is None:  # the reference tariff has no cheaper area: make one
        area = ref["areas"]["maros"]
        area.delivery_fee = makassar - 5000
        area.save(update_fields=["delivery_fee"])
        cheaper = "maros"
    order = moved_to(ref, cheaper)
    due = door_amount_due(order)
    assert due < 0
    deliver(order, order.courier.user, code=codes.delivery_code_reveal(order_id=order.pk), door_amount=due)
    refund = Movement.objects.get(order=order, kind=MovementKind.REFUND)
    assert (refund.amount, refund.channel) == (due, Channel.DOOR)


def test_an_order_whose_fee_was_never_taken_here_asks_nothing_at_the_door(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    assert door_amount_due(order) == 0
    deliver(order, order.courier.user, code=codes.delivery_code_reveal(order_id=order.pk))
    order.refresh_from_db()
    assert order.status == S.DELIVERED
