"""The ledger's invariants, for any sequence of what applicants, counters and couriers do with their
orders: bookings paid at the counter, address changes across areas, differences paid online or at
the door, cancellations with their refunds. After every sequence each order's ledger holds what the
applicant paid (its receipt and the courier's app read it), a delivered order has paid exactly its
fee, a cancelled one has had it back, and the day's statement adds up to the ledger's rows of the
day."""

from __future__ import annotations

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core.exceptions import DomainError
from delivery.booking.online import delivery_order_change_address
from delivery.choices import DeliveryStatus as S
from delivery.counter.booking import payment_reconciliation
from delivery.handoff import codes
from delivery.handoff import transitions as t
from delivery.manage.access import applicant_user_ensure
from delivery.money.difference import fee_difference_pay, fee_difference_settle
from delivery.money.door import door_amount_due
from delivery.money.fees import delivery_fee_take
from delivery.money.statements import statement_build, today
from ledger.choices import Revenue
from ledger.models import Movement
from ledger.services import delivery_money_of
from tests.courier.test_proof import deliver
from tests.factories import make_order

pytestmark = pytest.mark.django_db

AREAS = ["makassar", "maros", "pangkep", "selayar"]
# The handoff from booking to the courier's door, one move at a time.
FORWARD = {
    S.BOOKED: "hand_dossier",
    S.DOSSIER_HANDED: "mark_ready",
    S.PASSPORT_READY: "receive_at_pos",
    S.RECEIVED_BY_POS: "hand_to_delivery",
    S.WITH_DELIVERY_SECTION: "dispatch",
}

# One order's life: address changes before release (each perhaps paid online at once, perhaps
# refused by the bank), then the handoff moved on ``how_far`` steps (6: delivered, the difference
# settled at the door), a payment online tried after that, and a cancel tried at the end.
order_plans = st.fixed_dictionaries(
    {
        "changes": st.lists(st.tuples(st.sampled_from(AREAS), st.booleans(), st.booleans()), max_size=3),
        "how_far": st.integers(min_value=0, max_value=6),
        "pay_late": st.booleans(),
        "cancel": st.booleans(),
    }
)


def _pay_online(order, applicant, *, refused: bool) -> int:
    if refused:
        type(order).objects.filter(pk=order.pk).update(recipient_phone="080000000000")
    try:
        payment = fee_difference_pay(order_id=order.pk, actor=applicant)
        return payment.amount if fee_difference_settle(payment_id=payment.pk) == "paid" else 0
    except DomainError:
        return 0
    finally:
        type(order).objects.filter(pk=order.pk).update(recipient_phone="081234567890")


def _forward(ref, order) -> None:
    users = ref["users"]
    action = FORWARD[order.status]
    if action == "dispatch":
        from delivery.courier import dispatch

        dispatch.delivery_order_assign_courier(
            order_id=order.pk, courier=ref["couriers"]["kurir"], actor=users["pos.antaran"]
        )
    actor = {
        "hand_dossier": users["pos.layanan"],
        "mark_ready": users["imigrasi"],
        "receive_at_pos": users["pos.layanan"],
        "hand_to_delivery": users["pos.layanan"],
        "dispatch": ref["couriers"]["kurir"].user,
    }[action]
    t.ACTION_FUNCTIONS[action](order_id=order.pk, actor=actor)


def _run(ref, order, plan) -> int:
    """Do ``plan`` to ``order`` as its people would (a refused step changes nothing); returns what
    the applicant has paid PT Pos by the test's own count."""
    applicant = applicant_user_ensure(order=order)
    paid = order.delivery_fee
    delivery_fee_take(
        order=order,
        amount=paid,
        receipt_number=f"DF-{order.code}",
        actor=ref["users"]["pos.layanan"],
        channel="pos_counter",
    )
    for area_code, pay_now, refused in plan["changes"]:
        area = ref["areas"][area_code]
        delivery_order_change_address(
            order_id=order.pk,
            actor=applicant,
            destination_kind="home",
            address=f"Jl. Pindah No. 1, {area.name}",
            area_id=area.pk,
            expected_fee=area.delivery_fee,
        )
        if pay_now:
            paid += _pay_online(order, applicant, refused=refused)
    for _ in range(min(plan["how_far"], 5)):
        order.refresh_from_db()
        _forward(ref, order)
    order.refresh_from_db()
    if plan["pay_late"]:
        paid += _pay_online(order, applicant, refused=False)  # refused once the courier set out
        order.refresh_from_db()
    if plan["how_far"] == 6:
        due = door_amount_due(order)
        deliver(
            order, order.courier.user, code=codes.delivery_code_reveal(order_id=order.pk), door_amount=due
        )
        paid += due
    if plan["cancel"]:
        try:
            paid -= t.delivery_order_cancel(order_id=order.pk, actor=applicant).event.payload["refund"]
        except DomainError:
            pass  # the passport has left Imigrasi: no cancel
    order.refresh_from_db()
    return paid


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plans=st.lists(order_plans, min_size=1, max_size=3))
def test_every_order_and_the_days_statement_add_up_to_the_ledger(ref, plans):
    for plan in plans:
        order = make_order(ref, S.BOOKED, area="makassar")
        paid = _run(ref, order, plan)

        in_ledger = delivery_money_of(order.pk)
        assert in_ledger == paid, (plan, in_ledger, paid)
        assert payment_reconciliation(order=order)["delivery_paid"] == in_ledger  # what the receipt shows
        if order.status == S.DELIVERED:
            assert in_ledger == order.delivery_fee, plan  # nothing left open after the door
        elif order.status == S.CANCELLED:
            assert in_ledger == 0, plan  # refunded in full before release (the default rule)
        else:
            assert in_ledger + door_amount_due(order) == order.delivery_fee, plan

    statement = statement_build(pos_office_id=ref["offices"]["pos"].pk, day=today())
    rows = Movement.objects.filter(business_day=today()).filter(
        office_id__in=[ref["offices"]["pos"].pk, ref["offices"]["imigrasi"].pk]
    )
    assert statement.total == rows.aggregate(total=Sum("amount"))["total"]
    assert statement.lines.count() == rows.count()
    assert (
        statement.delivery_fees + statement.door_collections + statement.refunds + statement.corrections
        == (rows.filter(revenue=Revenue.POS).aggregate(total=Sum("amount"))["total"])
    )
