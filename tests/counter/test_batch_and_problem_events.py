"""Release batches and problems write one event row per step (who, role, office, from, to); a refused
step writes none; of two concurrent steps from the same state only one wins."""

import datetime as dt
from unittest import mock

import pytest

from accounts.choices import Role
from core.exceptions import ConcurrentChange, InvalidTransition, NotAllowed
from core.states import transition_make
from delivery.choices import DeliveryStatus as S
from delivery.counter.batches import BATCH_STATES, batch_acknowledge, batch_release
from delivery.handoff.deadlines import WITA
from delivery.models import Batch, BatchEvent, BatchStatus, Problem, ProblemEvent, ProblemKind, ProblemStatus
from delivery.problems.services import PROBLEM_STATES, deadline_sweep, problem_notify
from tests.factories import make_order

pytestmark = pytest.mark.django_db

FIELDS = ("transition", "from_status", "to_status", "actor__username", "actor_role", "office_id")


def batch_steps(batch):
    return list(BatchEvent.objects.filter(batch=batch).order_by("pk").values_list(*FIELDS))


def problem_steps(problem):
    return list(ProblemEvent.objects.filter(problem=problem).order_by("pk").values_list(*FIELDS))


# Release batches ---------------------------------------------------------------------------------


def test_release_and_acknowledgement_write_one_batch_event_each(ref):
    order = make_order(ref, S.PASSPORT_READY)
    at = dt.datetime(2026, 12, 10, 9, 0, tzinfo=WITA)
    batch = batch_release(actor=ref["users"]["imigrasi"], codes=[order.code], at=at)
    batch_acknowledge(actor=ref["users"]["pos.layanan"], batch_id=batch.pk, at=at + dt.timedelta(hours=1))

    assert batch_steps(batch) == [
        ("release", "", "in_handover", "imigrasi", Role.IMIGRASI_OFFICER, ref["offices"]["imigrasi"].pk),
        (
            "acknowledge",
            "in_handover",
            "received",
            "pos.layanan",
            Role.POS_SERVICE_OFFICER,
            ref["offices"]["pos"].pk,
        ),
    ]
    assert list(batch.events.values_list("occurred_at", flat=True)) == [at, at + dt.timedelta(hours=1)]


def test_a_refused_acknowledgement_writes_nothing(ref):
    order = make_order(ref, S.PASSPORT_READY)
    batch = batch_release(actor=ref["users"]["imigrasi"], codes=[order.code])
    with pytest.raises(NotAllowed):
        batch_acknowledge(actor=ref["users"]["pos.antaran"], batch_id=batch.pk)
    batch_acknowledge(actor=ref["users"]["pos.layanan"], batch_id=batch.pk)
    with pytest.raises(InvalidTransition, match="sudah dikonfirmasi"):
        batch_acknowledge(actor=ref["users"]["pos.layanan"], batch_id=batch.pk)
    with pytest.raises(NotAllowed):  # the table itself: Imigrasi does not acknowledge
        transition_make(BATCH_STATES, "acknowledge", obj=batch, actor=ref["users"]["imigrasi"])
    assert [step[0] for step in batch_steps(batch)] == ["release", "acknowledge"]


def test_of_two_acknowledgements_at_once_only_one_wins(ref):
    order = make_order(ref, S.PASSPORT_READY)
    batch = batch_release(actor=ref["users"]["imigrasi"], codes=[order.code])
    first, second = Batch.objects.get(pk=batch.pk), Batch.objects.get(pk=batch.pk)
    officer = ref["users"]["pos.layanan"]
    transition_make(
        BATCH_STATES, "acknowledge", obj=first, actor=officer, changes={"acknowledged_by": officer}
    )
    with pytest.raises(ConcurrentChange):
        transition_make(
            BATCH_STATES, "acknowledge", obj=second, actor=officer, changes={"acknowledged_by": officer}
        )
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RECEIVED
    assert [step[0] for step in batch_steps(batch)] == ["release", "acknowledge"]


# Problems ----------------------------------------------------------------------------------------


@pytest.fixture
def problem(ref):
    now = dt.datetime(2026, 12, 10, 12, 0, tzinfo=WITA)
    make_order(ref, S.FAILED_ATTEMPT, at=now - dt.timedelta(hours=2))
    deadline_sweep(now=now)
    return Problem.objects.get(kind=ProblemKind.FAILED_ATTEMPT)


def test_flagging_and_telling_the_responsible_role_write_one_event_each_by_the_portal(ref, problem):
    assert problem_notify(problem_id=problem.pk) == "sent"
    assert problem_notify(problem_id=problem.pk) == "already_notified"  # no step

    problem.refresh_from_db()
    assert problem.status == ProblemStatus.NOTIFIED and problem.notified_at is not None
    assert problem_steps(problem) == [
        ("flag", "", "flagged", None, "", None),
        ("notify", "flagged", "notified", None, "", None),
    ]
    assert problem.events.order_by("pk").first().occurred_at == problem.flagged_at


def test_a_refused_mail_puts_the_problem_back_for_the_retry(ref, problem):
    with mock.patch("delivery.problems.services.send_mail", side_effect=OSError("mail server down")):
        with pytest.raises(OSError):
            problem_notify(problem_id=problem.pk)
    problem.refresh_from_db()
    assert (problem.status, problem.notified_at) == (ProblemStatus.FLAGGED, None)
    assert problem_notify(problem_id=problem.pk) == "sent"
    assert [step[0] for step in problem_steps(problem)] == ["flag", "notify", "notify_failed", "notify"]


def test_a_person_may_not_move_a_problem_and_nothing_is_written(ref, problem):
    with pytest.raises(NotAllowed):
        transition_make(PROBLEM_STATES, "notify", obj=problem, actor=ref["users"]["manajer.pos"])
    with pytest.raises(InvalidTransition):
        transition_make(PROBLEM_STATES, "notify_failed", obj=problem, actor=None)
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.FLAGGED
    assert [step[0] for step in problem_steps(problem)] == ["flag"]


def test_of_two_workers_claiming_the_same_mail_only_one_wins(ref, problem):
    stale = Problem.objects.get(pk=problem.pk)
    assert problem_notify(problem_id=problem.pk) == "sent"
    with pytest.raises(ConcurrentChange):
        transition_make(PROBLEM_STATES, "notify", obj=stale, actor=None)
    # the service itself answers the loser as before
    with mock.patch("delivery.problems.services.Problem.objects.select_related") as read:
        read.return_value.filter.return_value.first.return_value = stale
        assert problem_notify(problem_id=problem.pk) == "already_notified"
    assert [step[0] for step in problem_steps(problem)] == ["flag", "notify"]
