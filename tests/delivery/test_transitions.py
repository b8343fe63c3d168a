"""Every move of the handoff: each allowed source state, a forbidden state, a wrong role, another
office; the event row is asserted, not just the status."""

import pytest

from accounts.choices import Role
from core.exceptions import InvalidTransition, NotAllowed
from delivery.choices import DeliveryStatus as S
from delivery.handoff import transitions as t
from delivery.models import DeliveryEvent
from tests.factories import OfficeFactory, UserFactory, make_order, pickup_choose

# The state an order must be driven to before each (action, source) pair can be tried.
CASES = [(action, source) for action, move in t.MOVES.items() for source in sorted(move.sources)]


def actor_for(action, order, ref):
    users = ref["users"]
    if action in t.COURIER_MOVES:
        return order.courier.user if order.courier else ref["couriers"]["kurir"].user
    if action == "cancel":
        return order.application.applicant.user
    role = sorted(t.MOVES[action].roles)[0]
    return next(u for u in users.values() if u.role == role)


def order_for(ref, action, source):
    """An order in ``source`` that ``action`` may move: a passport for a branch for "send_to_branch"."""
    order = make_order(ref, source)
    if action == "send_to_branch":
        pickup_choose(ref, order)
    return order


def call(action, order, actor):
    extra = {"reason": "not_at_home"} if action in ("fail_attempt", "refuse_dossier", "cancel_lost") else {}
    return t.ACTION_FUNCTIONS[action](order_id=order.pk, actor=actor, **extra)


@pytest.mark.parametrize(("action", "source"), CASES)
def test_allowed_move_changes_state_and_writes_one_event(ref, action, source):
    # given an order in an allowed source state
    order = order_for(ref, action, source)
    if action == "dispatch" and order.courier is None:
        pytest.fail("orders at the dispatch step have a courier in the factory")
    actor = actor_for(action, order, ref)
    events_before = order.events.count()

    # when the right role of the right office makes the move
    result = call(action, order, actor)

    # then the state moved and exactly one event records who, in which role, where, from and to
    move = t.MOVES[action]
    assert result.order.status == move.target
    assert order.events.count() == events_before + 1
    event = order.events.latest("occurred_at", "id")
    assert (event.from_status, event.to_status) == (source, move.target)
    assert event.actor == actor
    assert event.actor_role == actor.role
    assert event.office == actor.office
    assert event.occurred_at == result.order.status_changed_at


@pytest.mark.parametrize("action", list(t.MOVES))
def test_move_from_a_forbidden_state_is_refused_and_writes_nothing(ref, action):
    move = t.MOVES[action]
    forbidden = next(s for s in [S.DELIVERED, S.BOOKED, S.CANCELLED] if s not in move.sources)
    order = make_order(ref, forbidden)
    actor = actor_for(action, order, ref)
    events_before = DeliveryEvent.objects.filter(order=order).count()

    with pytest.raises((InvalidTransition, NotAllowed)):
        call(action, order, actor)

    order.refresh_from_db()
    assert order.status == forbidden
    assert DeliveryEvent.objects.filter(order=order).count() == events_before


@pytest.mark.parametrize("action", list(t.MOVES))
def test_move_by_a_wrong_role_is_refused(ref, action):
    source = sorted(t.MOVES[action].sources)[0]
    order = order_for(ref, action, source)
    wrong = next(u for u in ref["users"].values() if u.role not in t.MOVES[action].roles)

    with pytest.raises(NotAllowed) as refused:
        call(action, order, wrong)

    assert refused.value.code in {"wrong_role", "not_owner"}
    order.refresh_from_db()
    assert order.status == source


@pytest.mark.parametrize("action", [a for a, m in t.MOVES.items() if m.office_field is not None])
def test_staff_of_another_office_are_refused(ref, action):
    source = sorted(t.MOVES[action].sources)[0]
    order = order_for(ref, action, source)
    role = sorted(t.MOVES[action].roles)[0]
    outsider = UserFactory(role=role, office=OfficeFactory())

    with pytest.raises(NotAllowed) as refused:
        call(action, order, outsider)

    assert refused.value.code == "wrong_office"
    order.refresh_from_db()
    assert order.status == source


def test_only_the_assigned_courier_may_deliver(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY, courier="kurir")
    other_courier = ref["couriers"]["kurir2"].user

    with pytest.raises(NotAllowed) as refused:
        t.delivery_order_deliver(order_id=order.pk, actor=other_courier)

    assert refused.value.code == "not_your_run"


def test_an_applicant_cannot_cancel_someone_elses_order(ref):
    order = make_order(ref, S.BOOKED)
    stranger = UserFactory(role=Role.APPLICANT)

    with pytest.raises(NotAllowed) as refused:
        t.delivery_order_cancel(order_id=order.pk, actor=stranger)

    assert refused.value.code == "not_owner"


def test_failed_attempt_records_the_reason_and_can_be_retried(ref):
    order = make_order(ref, S.FAILED_ATTEMPT)
    failed = order.events.get(to_status=S.FAILED_ATTEMPT)
    assert failed.payload == {"reason": "not_at_home"}

    result = t.delivery_order_dispatch(order_id=order.pk, actor=order.courier.user)

    assert result.order.status == S.OUT_FOR_DELIVERY


def test_events_are_append_only(ref):
    order = make_order(ref, S.BOOKED)
    event = order.events.get()
    event.location = "changed"
    with pytest.raises(Exception, match="append-only"):
        event.save()
    with pytest.raises(Exception, match="append-only"):
        event.delete()


def test_the_buttons_offered_are_the_moves_the_actor_may_make(ref):
    order = make_order(ref, S.PASSPORT_READY)
    pos = ref["users"]["pos.layanan"]
    imigrasi = ref["users"]["imigrasi"]

    assert [a for a, _label in t.allowed_actions(order, pos)] == ["receive_at_pos"]
    assert t.allowed_actions(order, imigrasi) == []
    assert [a for a, _ in t.allowed_actions(order, order.application.applicant.user)] == ["cancel"]
