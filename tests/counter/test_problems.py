"""Deadline clocks with frozen time: flag once, tell the responsible role once, and a problems queue
that the supervisors of both agencies see."""

import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings

from accounts.choices import Role
from delivery.choices import DeliveryStatus as S
from delivery.handoff import transitions as t
from delivery.handoff.deadlines import WITA
from delivery.models import Problem, ProblemKind
from delivery.problems.selectors import problems_visible_to
from delivery.problems.services import deadline_sweep, problem_notify
from tests.factories import make_order

pytestmark = pytest.mark.django_db


def wita(*args):
    return dt.datetime(*args, tzinfo=WITA)


@override_settings(DELIVERY_DEADLINE_DAYS_KIND="working", DELIVERY_HOLIDAYS=["2026-12-21"])
def test_working_days_over_a_weekend_and_a_holiday_then_flag_and_notify_once(
    ref, django_capture_on_commit_callbacks
):
    # given a dossier handed over on Friday 18 December; Monday 21 is a holiday
    friday = wita(2026, 12, 18, 10, 0)
    order = make_order(ref, S.BOOKED, at=friday - dt.timedelta(hours=1))
    t.delivery_order_hand_dossier(order_id=order.pk, actor=ref["users"]["pos.layanan"], at=friday)
    order.refresh_from_db()
    # Tue 22, Wed 23, Thu 24: three working days
    assert order.deadline_at == wita(2026, 12, 24, 10, 0)

    # on time over the weekend and the holiday
    deadline_sweep(now=wita(2026, 12, 23, 16, 0))
    assert not Problem.objects.filter(kind=ProblemKind.LATE).exists()

    # breached: flagged once, whoever sweeps how often
    with django_capture_on_commit_callbacks() as callbacks:
        deadline_sweep(now=wita(2026, 12, 24, 10, 5))
        deadline_sweep(now=wita(2026, 12, 24, 10, 10))
    late = Problem.objects.get(kind=ProblemKind.LATE)
    assert late.order == order
    assert late.responsible_role == Role.IMIGRASI_OFFICER
    assert late.responsible_office == ref["offices"]["imigrasi"]
    assert late.flagged_at == wita(2026, 12, 24, 10, 5)
    assert len(callbacks) == 1

    # the responsible role is told once, however often the task runs
    assert problem_notify(problem_id=late.pk) == "sent"
    assert problem_notify(problem_id=late.pk) == "already_notified"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["imigrasi@demo.antar-paspor.local"]
    assert order.code in mail.outbox[0].subject and "Tenggat terlewati" in mail.outbox[0].subject


@override_settings(DELIVERY_DEADLINE_DAYS_KIND="calendar")
def test_calendar_days_count_the_weekend(ref):
    friday = wita(2026, 12, 18, 10, 0)
    order = make_order(ref, S.BOOKED, at=friday - dt.timedelta(hours=1))
    t.delivery_order_hand_dossier(order_id=order.pk, actor=ref["users"]["pos.layanan"], at=friday)
    deadline_sweep(now=wita(2026, 12, 21, 9, 59))
    assert not Problem.objects.filter(kind=ProblemKind.LATE).exists()
    deadline_sweep(now=wita(2026, 12, 21, 10, 1))
    assert Problem.objects.filter(kind=ProblemKind.LATE, order=order).count() == 1


@override_settings(DELIVERY_STALLED_HOURS=48)
def test_failed_attempts_and_orders_without_movement_go_on_the_queue(ref):
    now = wita(2026, 12, 10, 12, 0)
    quiet = make_order(ref, S.BOOKED, at=now - dt.timedelta(hours=49))
    recent = make_order(ref, S.BOOKED, at=now - dt.timedelta(hours=47))
    failed = make_order(ref, S.FAILED_ATTEMPT, at=now - dt.timedelta(hours=2))

    deadline_sweep(now=now)

    stalled = Problem.objects.get(kind=ProblemKind.STALLED)
    assert stalled.order == quiet and stalled.responsible_role == Role.POS_SERVICE_OFFICER
    assert not Problem.objects.filter(order=recent).exists()
    failure = Problem.objects.get(kind=ProblemKind.FAILED_ATTEMPT)
    assert failure.order == failed and failure.responsible_role == Role.POS_DISPATCHER


def test_supervisors_of_both_agencies_see_the_queue_and_others_do_not(ref):
    now = wita(2026, 12, 10, 12, 0)
    make_order(ref, S.FAILED_ATTEMPT, at=now - dt.timedelta(hours=2))
    deadline_sweep(now=now)
    users = ref["users"]
    assert problems_visible_to(users["manajer.pos"]).count() == 1
    assert problems_visible_to(users["manajer.imigrasi"]).count() == 1
    assert problems_visible_to(users["pos.layanan"]).count() == 0
    assert problems_visible_to(users["pemohon"]).count() == 0
