"""Pickup at a named Pos branch: the applicant's choice, the delivery section sending the passport
there, the branch counter handing it over against the delivery code, and the branch's hold time."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.choices import Role
from core.exceptions import InvalidTransition, NotAllowed, ValidationFailed
from core.models import OutboxMessage
from delivery.choices import DeliveryStatus as S
from delivery.choices import IdType, ReceiverKind
from delivery.handoff import transitions as t
from delivery.handoff.codes import delivery_code_reveal
from delivery.handoff.deadlines import add_days
from delivery.models import (
    DeliveryCode,
    DeliveryCodeAttempt,
    DeliveryEvent,
    PickupBranch,
    PickupChoice,
    Problem,
    ProblemKind,
    ProofOfDelivery,
)
from delivery.notifications.services import pickup_chosen_notify
from delivery.notifications.sms_texts import event_sms_message, sms_render
from delivery.pickup.services import delivery_order_choose_pickup, delivery_order_hand_over_at_branch
from delivery.problems.services import deadline_sweep
from delivery.tracking.services import tracking_page_linked
from tests.conftest import ROOT, _database_url_for_test_db, sms_for
from tests.delivery.helpers import start_together
from tests.factories import OfficeFactory, UserFactory, make_applicant_user, make_order


def _owner(order):
    return order.application.applicant.user


def chosen(ref, state=S.WITH_DELIVERY_SECTION, branch="panakkukang"):
    order = make_order(ref, state)
    delivery_order_choose_pickup(order_id=order.pk, actor=_owner(order), branch_id=ref["branches"][branch].pk)
    order.refresh_from_db()
    return order


def at_branch(ref, branch="panakkukang"):
    order = chosen(ref, branch=branch)
    t.delivery_order_send_to_branch(order_id=order.pk, actor=ref["users"]["pos.antaran"])
    order.refresh_from_db()
    return order


def hand_over(order, actor, code, **kwargs):
    values = {
        "receiver_kind": ReceiverKind.APPLICANT,
        "id_type": IdType.KTP,
        "id_last_four": "0045",
        **kwargs,
    }
    return delivery_order_hand_over_at_branch(order_code=order.code, actor=actor, code=code, **values)


# The choice


@pytest.mark.django_db
@pytest.mark.parametrize("state", [S.BOOKED, S.PASSPORT_READY, S.RECEIVED_BY_POS, S.WITH_DELIVERY_SECTION])
def test_the_applicant_chooses_a_branch_until_the_courier_sets_out(ref, state):
    order = make_order(ref, state)
    branch = ref["branches"]["daya"]

    choice = delivery_order_choose_pickup(order_id=order.pk, actor=_owner(order), branch_id=branch.pk)

    order.refresh_from_db()
    assert order.pickup_branch == branch
    assert order.status == state  # the choice is no move: the passport goes on as before
    assert order.courier is None  # off the courier's run
    assert (choice.branch, choice.actor, choice.status_at_choice) == (branch, _owner(order), state)
    assert OutboxMessage.objects.filter(task_name="delivery.tasks.notify_pickup_chosen").count() == 1


@pytest.mark.django_db
def test_the_applicant_is_told_where_to_collect(ref):
    order = chosen(ref, branch="sungguminasa")
    pickup_chosen_notify(choice_id=PickupChoice.objects.get(order=order).pk)
    texts = [sms["text"] for sms in sms_for(order.code)]
    assert any("Kantor Pos Sungguminasa" in text for text in texts), texts


@pytest.mark.django_db
def test_once_the_courier_set_out_no_branch_can_be_chosen(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    with pytest.raises(InvalidTransition) as refused:
        delivery_order_choose_pickup(
            order_id=order.pk, actor=_owner(order), branch_id=ref["branches"]["daya"].pk
        )
    assert refused.value.code == "courier_left"
    assert not PickupChoice.objects.filter(order=order).exists()


@pytest.mark.django_db
def test_the_choice_is_for_good_and_only_the_applicants(ref):
    order = chosen(ref)
    with pytest.raises(InvalidTransition) as again:
        delivery_order_choose_pickup(
            order_id=order.pk, actor=_owner(order), branch_id=ref["branches"]["daya"].pk
        )
    assert again.value.code == "pickup_already_chosen"
    other = make_order(ref, S.BOOKED)
    with pytest.raises(NotAllowed):
        delivery_order_choose_pickup(
            order_id=other.pk, actor=make_applicant_user(), branch_id=ref["branches"]["daya"].pk
        )
    assert PickupChoice.objects.filter(order=other).count() == 0


@pytest.mark.django_db
def test_only_a_branch_of_the_orders_pos_office_may_be_chosen(ref):
    order = make_order(ref, S.BOOKED)
    elsewhere = PickupBranch.objects.create(
        pos_office=OfficeFactory(), name="Kantor Pos Parepare", address="Parepare", opening_hours="08-14"
    )
    closed = ref["branches"]["maros"]
    PickupBranch.objects.filter(pk=closed.pk).update(active=False)
    for branch_id in (elsewhere.pk, closed.pk, "x"):
        with pytest.raises(ValidationFailed) as refused:
            delivery_order_choose_pickup(order_id=order.pk, actor=_owner(order), branch_id=branch_id)
        assert "branch" in refused.value.fields
    order.refresh_from_db()
    assert order.pickup_branch is None


@pytest.mark.django_db
def test_after_the_choice_no_day_or_address_can_be_changed(ref):
    from delivery.booking.online import address_change_quote
    from delivery.booking.reschedule import reschedule_allowed

    order = chosen(ref, state=S.BOOKED)
    assert not reschedule_allowed(order)
    with pytest.raises(InvalidTransition) as refused:
        address_change_quote(order=order, actor=_owner(order), area_id=order.area_id)
    assert refused.value.code == "pickup_at_branch"


# The moves


@pytest.mark.django_db
def test_the_delivery_section_sends_it_to_the_branch_which_keeps_it_for_the_hold_time(ref):
    order = chosen(ref)
    result = t.delivery_order_send_to_branch(order_id=order.pk, actor=ref["users"]["pos.antaran"])
    event = result.event
    assert (event.from_status, event.to_status, event.actor_role) == (
        S.WITH_DELIVERY_SECTION,
        S.AT_PICKUP_BRANCH,
        Role.POS_DISPATCHER,
    )
    order.refresh_from_db()
    assert order.status == S.AT_PICKUP_BRANCH
    assert order.deadline_at == add_days(event.occurred_at, settings.DELIVERY_PICKUP_HOLD_DAYS)
    # the applicant's message names the branch and its hours, in one part
    text = sms_render(event_sms_message(event))
    assert "Kantor Pos Makassar Panakkukang" in text
    # and the tracking page says where and what to bring
    page = tracking_page_linked(order.code)
    assert page.waiting_at_branch and page.pickup_branch == "Kantor Pos Makassar Panakkukang"
    assert page.pickup_hours.startswith("Sen-Jum")


@pytest.mark.django_db
def test_a_passport_for_a_branch_does_not_go_out_with_a_courier_and_one_for_the_door_not_to_a_branch(ref):
    order = chosen(ref)
    with pytest.raises(NotAllowed) as refused:
        t.delivery_order_dispatch(order_id=order.pk, actor=ref["couriers"]["kurir"].user)
    assert refused.value.code == "not_your_run"  # the choice took the courier off the run
    home = make_order(ref, S.WITH_DELIVERY_SECTION)
    with pytest.raises(InvalidTransition) as home_refused:
        t.delivery_order_send_to_branch(order_id=home.pk, actor=ref["users"]["pos.antaran"])
    assert home_refused.value.code == "no_pickup_branch"
    assert not DeliveryEvent.objects.filter(to_status=S.AT_PICKUP_BRANCH).exists()


@pytest.mark.django_db
def test_dispatch_is_refused_for_a_branch_order_even_on_the_couriers_run(ref):
    order = make_order(ref, S.WITH_DELIVERY_SECTION)
    delivery_order_choose_pickup(order_id=order.pk, actor=_owner(order), branch_id=ref["branches"]["daya"].pk)
    type(order).objects.filter(pk=order.pk).update(courier=ref["couriers"]["kurir"])
    with pytest.raises(InvalidTransition) as refused:
        t.delivery_order_dispatch(order_id=order.pk, actor=ref["couriers"]["kurir"].user)
    assert refused.value.code == "pickup_at_branch"


@pytest.mark.django_db
def test_only_the_dispatcher_sends_it_to_the_branch(ref):
    order = chosen(ref)
    for user in ("pos.layanan", "imigrasi"):
        with pytest.raises(NotAllowed):
            t.delivery_order_send_to_branch(order_id=order.pk, actor=ref["users"][user])
    outsider = UserFactory(role=Role.POS_DISPATCHER, office=OfficeFactory())
    with pytest.raises(NotAllowed):
        t.delivery_order_send_to_branch(order_id=order.pk, actor=outsider)
    order.refresh_from_db()
    assert order.status == S.WITH_DELIVERY_SECTION


# The branch counter


@pytest.mark.django_db
def test_the_branch_counter_hands_over_against_the_delivery_code(ref):
    order = at_branch(ref)
    clerk = ref["users"]["pos.layanan"]
    code = delivery_code_reveal(order_id=order.pk)

    result = hand_over(order, clerk, code)

    order.refresh_from_db()
    assert order.status == S.DELIVERED  # counted with every delivered passport
    event = result.event
    assert (event.from_status, event.to_status, event.actor_role) == (
        S.AT_PICKUP_BRANCH,
        S.DELIVERED,
        Role.POS_SERVICE_OFFICER,
    )
    assert event.payload["pickup_branch"] == "Kantor Pos Makassar Panakkukang"
    proof = ProofOfDelivery.objects.get(order=order)
    assert (proof.receiver_name, proof.id_type, proof.id_last_four, proof.event_id) == (
        order.application.applicant.full_name,
        IdType.KTP,
        "0045",
        event.pk,
    )
    assert DeliveryCode.objects.get(order=order).used_at is not None
    page = tracking_page_linked(order.code)
    assert page.received_by == order.application.applicant.full_name and not page.waiting_at_branch
    with pytest.raises(InvalidTransition):  # once only
        hand_over(order, clerk, code)


@pytest.mark.django_db
def test_a_wrong_code_at_the_counter_is_counted_and_locks_like_at_the_door(ref):
    order = at_branch(ref)
    clerk = ref["users"]["pos.layanan"]
    code = delivery_code_reveal(order_id=order.pk)
    wrong = "000000" if code != "000000" else "111111"
    for _attempt in range(settings.DELIVERY_CODE_MAX_ATTEMPTS):
        with pytest.raises(ValidationFailed) as refused:
            hand_over(order, clerk, wrong)
        assert refused.value.code == "wrong_code"
    assert DeliveryCodeAttempt.objects.filter(order=order).count() == settings.DELIVERY_CODE_MAX_ATTEMPTS
    assert Problem.objects.filter(order=order, kind=ProblemKind.CODE_LOCKED).exists()
    with pytest.raises(InvalidTransition) as locked:  # now even the right code waits for the dispatcher
        hand_over(order, clerk, code)
    assert locked.value.code == "code_locked"
    order.refresh_from_db()
    assert order.status == S.AT_PICKUP_BRANCH
    assert not ProofOfDelivery.objects.filter(order=order).exists()


@pytest.mark.django_db
def test_a_stand_in_needs_name_relation_and_the_written_authorisation(ref):
    order = at_branch(ref)
    clerk = ref["users"]["pos.layanan"]
    code = delivery_code_reveal(order_id=order.pk)
    with pytest.raises(ValidationFailed) as refused:
        hand_over(order, clerk, code, receiver_kind=ReceiverKind.STAND_IN)
    assert set(refused.value.fields) == {"stand_in_name", "stand_in_relation", "authorisation_seen"}
    hand_over(
        order,
        clerk,
        code,
        receiver_kind=ReceiverKind.STAND_IN,
        stand_in_name="Andi Rahman",
        stand_in_relation="brother",
        authorisation_seen=True,
    )
    proof = ProofOfDelivery.objects.get(order=order)
    assert (proof.receiver_name, proof.relation, proof.authorisation_seen) == ("Andi Rahman", "brother", True)


@pytest.mark.django_db
def test_only_the_service_section_of_the_orders_pos_office_hands_over(ref):
    order = at_branch(ref)
    code = delivery_code_reveal(order_id=order.pk)
    outsider = UserFactory(role=Role.POS_SERVICE_OFFICER, office=OfficeFactory())
    for actor in (ref["users"]["pos.antaran"], ref["couriers"]["kurir"].user, outsider):
        with pytest.raises(NotAllowed):
            hand_over(order, actor, code)
    assert DeliveryCode.objects.get(order=order).used_at is None  # a refused clerk used nothing


@pytest.mark.django_db
def test_not_collected_in_time_it_is_late_for_the_service_section_which_takes_it_back(ref):
    order = at_branch(ref)
    later = order.deadline_at + dt.timedelta(minutes=1)
    deadline_sweep(now=later)
    problems = Problem.objects.filter(order=order)
    assert {p.kind for p in problems} == {ProblemKind.LATE}  # late, not "stalled"
    assert problems.get().responsible_role == Role.POS_SERVICE_OFFICER
    result = t.delivery_order_return_to_pos(order_id=order.pk, actor=ref["users"]["pos.layanan"])
    assert (result.event.from_status, result.event.to_status) == (S.AT_PICKUP_BRANCH, S.RETURNED_TO_POS)


@pytest.mark.django_db
def test_waiting_at_the_branch_within_the_hold_time_is_no_problem(ref):
    order = at_branch(ref)
    deadline_sweep(now=timezone.now() + dt.timedelta(hours=settings.DELIVERY_STALLED_HOURS + 1))
    assert not Problem.objects.filter(order=order).exists()


# Two clerks at once

RACER = r"""
import json, sys, time
import django
django.setup()
from core.exceptions import DomainError
from accounts.models import User
from delivery.pickup.services import delivery_order_hand_over_at_branch
order_code, username, code = sys.argv[1], sys.argv[2], sys.argv[3]
actor = User.objects.select_related("office").get(username=username)
from django.db import connection
connection.ensure_connection()
print("ready", flush=True)
start_at = float(sys.stdin.readline())
time.sleep(max(0.0, start_at - time.time() - 0.005))
while time.time() < start_at:
    pass
try:
    delivery_order_hand_over_at_branch(
        order_code=order_code, actor=actor, code=code, receiver_kind="applicant", id_type="ktp",
        id_last_four="0045",
    )
    print(json.dumps({"won": True}))
except DomainError as error:
    print(json.dumps({"won": False, "code": error.code}))
"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(2))
def test_two_clerks_handing_over_one_passport_at_once_exactly_one_wins(tx_ref, attempt):
    assert connection.vendor == "postgresql"
    order = at_branch(tx_ref)
    UserFactory(username="pos.layanan2", role=Role.POS_SERVICE_OFFICER, office=tx_ref["offices"]["pos"])
    code = delivery_code_reveal(order_id=order.pk)
    env = {
        **os.environ,
        "DATABASE_URL": _database_url_for_test_db(),
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "PYTHONPATH": str(ROOT),
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, order.code, username, code],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for username in ("pos.layanan", "pos.layanan2")
    ]
    start_together(procs)
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))

    assert sum(r["won"] for r in results) == 1, results
    loser = next(r for r in results if not r["won"])
    assert loser["code"] in {"code_used", "invalid_transition", "concurrent_change"}
    assert DeliveryEvent.objects.filter(order=order, to_status=S.DELIVERED).count() == 1
    assert ProofOfDelivery.objects.filter(order=order).count() == 1
    assert not DeliveryCodeAttempt.objects.filter(order=order).exists()  # the loser's code was right
