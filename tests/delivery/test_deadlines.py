import datetime as dt

import pytest
from django.test import override_settings

from delivery.choices import DeliveryStatus as S
from delivery.handoff import transitions as t
from delivery.handoff.deadlines import WITA, add_days, deadline_after
from delivery.problems.services import deadline_sweep
from tests.factories import make_order


def wita(*args):
    return dt.datetime(*args, tzinfo=WITA)


def test_calendar_days_count_weekends():
    friday = wita(2026, 11, 20, 10, 0)
    assert add_days(friday, 3, kind="calendar") == wita(2026, 11, 23, 10, 0)


def test_working_days_skip_the_weekend():
    friday = wita(2026, 11, 20, 10, 0)
    assert add_days(friday, 3, kind="working") == wita(2026, 11, 25, 10, 0)


@override_settings(DELIVERY_HOLIDAYS=["2026-12-25"])
def test_working_days_skip_holidays():
    wednesday = wita(2026, 12, 23, 9, 0)
    # Thu 24, (Fri 25 holiday), (Sat, Sun), Mon 28
    assert add_days(wednesday, 2, kind="working") == wita(2026, 12, 28, 9, 0)


@override_settings(DELIVERY_DEADLINE_DAYS_KIND="calendar")
def test_each_step_gets_the_deadline_of_the_sop():
    handed = wita(2026, 11, 20, 10, 0)
    assert deadline_after(S.DOSSIER_HANDED, at=handed, current_deadline=None) == wita(2026, 11, 23, 10, 0)
    assert deadline_after(S.PASSPORT_READY, at=handed, current_deadline=handed) == handed
    assert deadline_after(S.RECEIVED_BY_POS, at=handed, current_deadline=None) == wita(
        2026, 11, 20, 23, 59, 59
    )
    assert deadline_after(S.WITH_DELIVERY_SECTION, at=handed, current_deadline=None) == wita(
        2026, 11, 21, 10, 0
    )
    assert deadline_after(S.DELIVERED, at=handed, current_deadline=handed) is None


@override_settings(DELIVERY_DEADLINE_DAYS_KIND="working")
def test_the_setting_switches_the_handoff_clock_to_working_days(ref):
    order = make_order(ref, S.BOOKED)
    friday = wita(2026, 11, 20, 10, 0)
    result = t.delivery_order_hand_dossier(order_id=order.pk, actor=ref["users"]["pos.layanan"], at=friday)
    assert result.order.deadline_at == wita(2026, 11, 25, 10, 0)
    assert result.event.deadline_at == wita(2026, 11, 25, 10, 0)


@override_settings(DELIVERY_DEADLINE_DAYS_KIND="calendar")
def test_a_breach_is_flagged_once_and_a_later_move_clears_it(ref):
    order = make_order(ref, S.BOOKED)
    handed = wita(2026, 11, 20, 10, 0)
    t.delivery_order_hand_dossier(order_id=order.pk, actor=ref["users"]["pos.layanan"], at=handed)

    assert deadline_sweep(now=wita(2026, 11, 23, 9, 59)) == 0  # on time
    assert deadline_sweep(now=wita(2026, 11, 23, 10, 1)) == 1  # breached
    assert deadline_sweep(now=wita(2026, 11, 23, 11, 0)) == 0  # not flagged twice
    order.refresh_from_db()
    assert order.deadline_breached_at == wita(2026, 11, 23, 10, 1)

    t.delivery_order_mark_ready(order_id=order.pk, actor=ref["users"]["imigrasi"])
    order.refresh_from_db()
    assert order.deadline_at == wita(2026, 11, 23, 10, 0)  # step 5's clock still runs


@pytest.mark.parametrize("final", [S.DELIVERED, S.CANCELLED])
def test_finished_orders_are_never_flagged(ref, final):
    order = make_order(ref, final)
    assert order.deadline_at is None
    assert deadline_sweep(now=wita(2030, 1, 1, 0, 0)) == 0


@override_settings(DELIVERY_DEADLINE_DAYS_KIND="calendar")
def test_the_move_that_ends_a_step_records_whether_it_was_on_time(ref):
    order = make_order(ref, S.BOOKED)
    handed = wita(2026, 11, 20, 10, 0)
    pos, imigrasi = ref["users"]["pos.layanan"], ref["users"]["imigrasi"]
    first = t.delivery_order_hand_dossier(order_id=order.pk, actor=pos, at=handed)
    t.delivery_order_mark_ready(order_id=order.pk, actor=imigrasi, at=wita(2026, 11, 22, 9, 0))
    late = t.delivery_order_receive_at_pos(order_id=order.pk, actor=pos, at=wita(2026, 11, 23, 10, 5))
    same_day = t.delivery_order_hand_to_delivery(order_id=order.pk, actor=pos, at=wita(2026, 11, 23, 15, 0))

    assert first.event.leg_on_time is None  # booking had no deadline
    assert late.event.leg_on_time is False  # 3 days ended at 10:00 on the 23rd
    assert same_day.event.leg_on_time is True
