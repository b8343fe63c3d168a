"""Address change and cancel by the applicant: allowed until the passport leaves Imigrasi."""

import pytest

from core.exceptions import InvalidTransition, NotAllowed, ValidationFailed
from delivery.booking.online import address_change_quote, delivery_order_change_address
from delivery.choices import DeliveryStatus as S
from delivery.counter.batches import batch_release
from delivery.handoff import transitions as t
from delivery.models import AddressChange, DeliveryEvent
from tests.factories import make_applicant_user, make_order


@pytest.mark.parametrize("state", [S.BOOKED, S.DOSSIER_HANDED, S.PASSPORT_READY])
def test_the_address_changes_before_release_with_the_new_areas_fee(ref, state):
    owner = make_applicant_user()
    order = make_order(ref, state, owner=owner, area="makassar")
    selayar = ref["areas"]["selayar"]
    quote = address_change_quote(order=order, actor=owner, area_id=selayar.pk)
    assert quote.difference == selayar.delivery_fee - ref["areas"]["makassar"].delivery_fee

    change = delivery_order_change_address(
        order_id=order.pk,
        actor=owner,
        destination_kind="office",
        address="Kantor Camat Benteng, Selayar",
        area_id=selayar.pk,
        expected_fee=selayar.delivery_fee,
    )
    order.refresh_from_db()
    assert (order.area, order.delivery_fee, order.destination_kind) == (
        selayar,
        selayar.delivery_fee,
        "office",
    )
    assert change.old_fee == ref["areas"]["makassar"].delivery_fee and change.new_fee == selayar.delivery_fee
    assert AddressChange.objects.filter(order=order).count() == 1
    assert order.status == state  # not a handoff: the state stays


@pytest.mark.parametrize("state", [S.RECEIVED_BY_POS, S.WITH_DELIVERY_SECTION, S.DELIVERED])
def test_after_release_address_change_and_cancel_are_refused_clearly(ref, state):
    owner = make_applicant_user()
    order = make_order(ref, state, owner=owner)
    with pytest.raises(InvalidTransition) as raised:
        delivery_order_change_address(
            order_id=order.pk,
            actor=owner,
            destination_kind="home",
            address="Jl. Baru No. 1, Makassar",
            area_id=order.area_id,
        )
    assert raised.value.code == "already_released"
    with pytest.raises(InvalidTransition):
        t.delivery_order_cancel(order_id=order.pk, actor=owner)
    assert not AddressChange.objects.exists()


def test_a_released_but_not_yet_received_passport_cannot_be_changed(ref):
    owner = make_applicant_user()
    order = make_order(ref, S.PASSPORT_READY, owner=owner)
    batch_release(actor=ref["users"]["imigrasi"], codes=[order.code])
    with pytest.raises(InvalidTransition) as raised:
        delivery_order_change_address(
            order_id=order.pk,
            actor=owner,
            destination_kind="home",
            address="Jl. Baru No. 1, Makassar",
            area_id=order.area_id,
        )
    assert raised.value.code == "already_released"
    with pytest.raises(InvalidTransition) as cancel:
        t.delivery_order_cancel(order_id=order.pk, actor=owner)
    assert cancel.value.code == "already_released"


def test_someone_elses_order_and_bad_input_are_refused(ref):
    order = make_order(ref, S.BOOKED)
    with pytest.raises(NotAllowed):
        delivery_order_change_address(
            order_id=order.pk,
            actor=make_applicant_user(),
            destination_kind="home",
            address="Jl. Baru No. 1, Makassar",
            area_id=order.area_id,
        )
    owner = order.application.applicant.user
    with pytest.raises(ValidationFailed) as raised:
        delivery_order_change_address(
            order_id=order.pk,
            actor=owner,
            destination_kind="home",
            address="Jl. Baru No. 1, Makassar",
            area_id=424242,
        )
    assert "area" in raised.value.fields
    with pytest.raises(InvalidTransition) as changed:
        delivery_order_change_address(
            order_id=order.pk,
            actor=owner,
            destination_kind="home",
            address="Jl. Baru No. 1, Makassar",
            area_id=ref["areas"]["maros"].pk,
            expected_fee=1,
        )
    assert changed.value.code == "fee_changed"
    assert not AddressChange.objects.exists()


def test_cancel_before_release_is_a_move_with_its_event(ref):
    owner = make_applicant_user()
    order = make_order(ref, S.DOSSIER_HANDED, owner=owner)
    result = t.delivery_order_cancel(order_id=order.pk, actor=owner, reason="travel plans changed")
    assert result.order.status == S.CANCELLED
    event = DeliveryEvent.objects.get(order=order, to_status=S.CANCELLED)
    assert event.from_status == S.DOSSIER_HANDED and event.actor == owner
