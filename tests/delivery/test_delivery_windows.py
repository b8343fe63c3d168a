"""Delivery days and windows: the lead time of each area, the free places, the last place taken by
one of two bookings at once, the step-7 deadline at the end of the chosen window, and a new day
after a failed attempt giving the old place back."""

import datetime as dt

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone, translation

from core.exceptions import ValidationFailed
from delivery.booking import windows
from delivery.booking.reschedule import delivery_order_reschedule
from delivery.choices import DeliveryStatus as S
from delivery.counter.booking import counter_delivery_book
from delivery.handoff import transitions as t
from delivery.handoff.deadlines import WITA, add_days
from delivery.models import DeliveryOrder, DeliveryWindow, DeliveryWindowDay
from passports.models import PassportApplication
from tests.delivery.test_concurrency_rounds import ROUNDS, assert_one_winner_per_round, race_rounds
from tests.factories import make_applicant_user, make_order, make_paid_application

FRIDAY = dt.date(2026, 12, 4)


def taken(window: DeliveryWindow, day: dt.date) -> int:
    return (
        DeliveryWindowDay.objects.filter(window=window, day=day).values_list("taken", flat=True).first() or 0
    )


def counter_book(ref, area: str = "makassar", *, day=None, window=None, application=None):
    officer = ref["users"]["pos.layanan"]
    application = application or make_paid_application(ref)
    return counter_delivery_book(
        actor=officer,
        application=application,
        pos_office=officer.office,
        destination_kind="home",
        address="Jl. Penghibur No. 10, Makassar",
        area=ref["areas"][area],
        recipient_phone="081234567890",
        poa_grantee_name="Sri Wahyuni",
        poa_grantee_nippos="995100100",
        poa_grantee_place="PT Pos Indonesia Cabang Makassar",
        fee_received=True,
        delivery_date=day,
        window_id=window.pk if window else None,
    )


def book_last_place(*, actor, application_id: int, window_id: int, day: str) -> None:
    """One clerk booking the last place of a window (run by two processes at once)."""
    window = DeliveryWindow.objects.select_related("area").get(pk=window_id)
    counter_delivery_book(
        actor=actor,
        application=PassportApplication.objects.get(pk=application_id),
        pos_office=actor.office,
        destination_kind="home",
        address="Jl. Penghibur No. 10, Makassar",
        area=window.area,
        recipient_phone="081234567890",
        poa_grantee_name="Sri Wahyuni",
        poa_grantee_nippos="995100100",
        poa_grantee_place="PT Pos Indonesia Cabang Makassar",
        fee_received=True,
        delivery_date=dt.date.fromisoformat(day),
        window_id=window_id,
    )


@override_settings(DELIVERY_HOLIDAYS=["2026-12-25"])
def test_each_area_offers_working_days_from_its_lead_time(ref):
    areas = ref["areas"]
    # booked on a Friday: Makassar from Monday, Maros and Gowa from Tuesday, Watampone from
    # Wednesday, Selayar (the island) from Thursday
    assert windows.first_delivery_day(areas["makassar"], today=FRIDAY) == dt.date(2026, 12, 7)
    assert windows.first_delivery_day(areas["gowa"], today=FRIDAY) == dt.date(2026, 12, 8)
    assert windows.first_delivery_day(areas["watampone"], today=FRIDAY) == dt.date(2026, 12, 9)
    assert windows.first_delivery_day(areas["selayar"], today=FRIDAY) == dt.date(2026, 12, 10)
    days = windows.delivery_days(areas["selayar"], today=dt.date(2026, 12, 21))
    assert dt.date(2026, 12, 25) not in days  # a holiday
    assert all(day.weekday() < 5 for day in days)
    offered = windows.windows_offered(areas["makassar"], today=FRIDAY)
    assert [w.window.label for w in offered[0].windows] == ["08.00\u201312.00", "13.00\u201317.00"]
    assert offered[0].windows[0].free == 40


def test_booking_a_window_takes_a_place_and_a_full_window_is_refused_in_both_languages(ref):
    area = ref["areas"]["makassar"]
    window = DeliveryWindow.objects.get(area=area, starts_at=dt.time(8))
    DeliveryWindow.objects.filter(pk=window.pk).update(capacity=1)
    window.refresh_from_db()
    day = windows.delivery_days(area)[0]

    order = counter_book(ref, day=day, window=window)

    order.refresh_from_db()
    assert (order.delivery_date, order.delivery_window_id) == (day, window.pk)
    assert taken(window, day) == 1
    offered = windows.windows_offered(area)
    assert offered[0].windows[0].free == 0 and offered[0].windows[1].free > 0
    application = make_paid_application(ref)
    with pytest.raises(ValidationFailed) as refused:
        counter_book(ref, day=day, window=window, application=application)
    assert refused.value.code == "window_full"
    assert "penuh" in str(refused.value.message)
    with translation.override("en"):
        assert "full" in str(refused.value.message)
    assert not DeliveryOrder.objects.filter(application=application).exists()
    assert taken(window, day) == 1


def test_a_day_before_the_lead_time_or_another_areas_window_is_not_offered(ref):
    makassar, selayar = ref["areas"]["makassar"], ref["areas"]["selayar"]
    window = DeliveryWindow.objects.filter(area=selayar).first()
    with pytest.raises(ValidationFailed) as early:
        counter_book(ref, "selayar", day=timezone.localdate(), window=window)
    assert early.value.code == "window_not_offered"
    assert "delivery_date" in early.value.fields
    with pytest.raises(ValidationFailed) as other:
        counter_book(ref, "makassar", day=windows.delivery_days(makassar)[0], window=window)
    assert "window" in other.value.fields
    # no choice at all: today's rule, nothing taken
    order = counter_book(ref)
    assert order.delivery_window is None and not DeliveryWindowDay.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_clerks_booking_the_last_place_of_a_window_at_once(tx_ref):
    assert connection.vendor == "postgresql"
    area = tx_ref["areas"]["makassar"]
    DeliveryWindow.objects.filter(area=area).update(capacity=1)
    places = [
        (w, day) for day in windows.delivery_days(area) for w in DeliveryWindow.objects.filter(area=area)
    ]
    pairs = [
        [
            {
                "application_id": make_paid_application(tx_ref).pk,
                "window_id": window.pk,
                "day": day.isoformat(),
            }
            for _ in range(2)
        ]
        for window, day in places[:ROUNDS]
    ]

    results = race_rounds(
        "tests.delivery.test_delivery_windows.book_last_place", pairs, actor="pos.layanan", per_process=True
    )

    assert_one_winner_per_round(results, {"window_full"})
    for window, day in places[:ROUNDS]:
        assert taken(window, day) == 1
        assert DeliveryOrder.objects.filter(delivery_window=window, delivery_date=day).count() == 1


def _with_window(order: DeliveryOrder, day: dt.date, start: int) -> DeliveryWindow:
    """Give an order made along the real handoff a window, as a booking with one would have."""
    window = DeliveryWindow.objects.get(area=order.area, starts_at=dt.time(start))
    windows.window_place_take(window=window, day=day)
    DeliveryOrder.objects.filter(pk=order.pk).update(delivery_date=day, delivery_window=window)
    return window


def test_the_step7_deadline_is_the_end_of_the_chosen_window(ref):
    pos = ref["users"]["pos.layanan"]
    day = windows.delivery_days(ref["areas"]["makassar"])[0]
    order = make_order(ref, S.RECEIVED_BY_POS)
    _with_window(order, day, 13)

    result = t.delivery_order_hand_to_delivery(order_id=order.pk, actor=pos)

    expected = dt.datetime.combine(day, dt.time(17), tzinfo=WITA)
    assert result.order.deadline_at == expected
    assert result.event.deadline_at == expected
    # without a window (older orders, group bookings): the 1-day clock as before
    plain = make_order(ref, S.RECEIVED_BY_POS)
    moved_at = timezone.now()
    result = t.delivery_order_hand_to_delivery(order_id=plain.pk, actor=pos, at=moved_at)
    assert result.order.deadline_at == add_days(moved_at, 1)
    # a window already over when the passport arrives: the 1-day clock, not a deadline in the past
    late = make_order(ref, S.RECEIVED_BY_POS)
    _with_window(late, day, 8)
    after_the_window = dt.datetime.combine(day, dt.time(14), tzinfo=WITA)
    result = t.delivery_order_hand_to_delivery(order_id=late.pk, actor=pos, at=after_the_window)
    assert result.order.deadline_at is not None and result.order.deadline_at > after_the_window


def test_a_new_day_after_a_failed_attempt_takes_the_new_place_and_frees_the_old(ref):
    owner = make_applicant_user()
    order = make_order(ref, S.FAILED_ATTEMPT, owner=owner)
    days = windows.delivery_days(order.area)
    old = _with_window(order, days[0], 8)
    new = DeliveryWindow.objects.get(area=order.area, starts_at=dt.time(13))

    request = delivery_order_reschedule(
        order_id=order.pk, actor=owner, preferred_date=days[1], window_id=new.pk
    )

    order.refresh_from_db()
    assert request.delivery_window == new and request.preferred_date == days[1]
    assert (order.delivery_date, order.delivery_window_id) == (days[1], new.pk)
    assert order.deadline_at == dt.datetime.combine(days[1], dt.time(17), tzinfo=WITA)
    assert taken(old, days[0]) == 0
    assert taken(new, days[1]) == 1
    # sending the form again with the same choice changes nothing
    delivery_order_reschedule(order_id=order.pk, actor=owner, preferred_date=days[1], window_id=new.pk)
    assert taken(new, days[1]) == 1


def test_a_cancelled_order_gives_its_place_back(ref):
    owner = make_applicant_user()
    order = make_order(ref, S.BOOKED, owner=owner)
    day = windows.delivery_days(order.area)[0]
    window = _with_window(order, day, 8)
    assert taken(window, day) == 1

    t.delivery_order_cancel(order_id=order.pk, actor=owner)

    assert taken(window, day) == 0


def test_an_online_booking_whose_window_filled_before_payment_fails_uncharged(ref):
    from delivery.booking.online import online_booking_pay, online_booking_settle, online_booking_start
    from tests.applicant.helpers import BORN, data_url, make_billed_application, signature_png

    area = ref["areas"]["selayar"]
    window = DeliveryWindow.objects.get(area=area)
    day = windows.delivery_days(area)[0]

    def start(application, slot_day, slot_window):
        return online_booking_start(
            billing_code=application.billing_code.code,
            birth_date=BORN,
            destination_kind="home",
            address="Jl. Jend. Sudirman No. 3, Benteng, Selayar",
            area_id=area.pk,
            recipient_phone="081355512345",
            recipient_email="daring@example.test",
            signature=data_url(signature_png()),
            client="192.0.2.1",
            delivery_date=slot_day,
            window_id=slot_window.pk,
        )

    application = make_billed_application(ref)
    booking = start(application, day, window)
    assert (booking.delivery_date, booking.delivery_window) == (day, window)
    assert taken(window, day) == 0  # checked, not taken, until paid
    # meanwhile the counter books the window's last places
    DeliveryWindowDay.objects.create(window=window, day=day, taken=window.capacity)

    online_booking_pay(token=booking.token)
    assert online_booking_settle(booking_id=booking.pk) == "failed"

    booking.refresh_from_db()
    assert "penuh" in booking.error and "Tidak ada yang ditagih" in booking.error
    application.billing_code.refresh_from_db()
    assert application.billing_code.status == "issued"  # nothing charged
    assert not DeliveryOrder.objects.filter(application=application).exists()
    # another day, and it books, taking its place
    other = windows.delivery_days(area)[1]
    again = start(application, other, window)
    online_booking_pay(token=again.token)
    assert online_booking_settle(booking_id=again.pk) == "booked"
    order = DeliveryOrder.objects.get(application=application)
    assert (order.delivery_date, order.delivery_window) == (other, window)
    assert taken(window, other) == 1


def test_the_courier_run_is_grouped_by_window_and_tracking_shows_the_window(ref):
    from delivery.courier.selectors import courier_run
    from delivery.tracking.services import tracking_lookup

    day = windows.delivery_days(ref["areas"]["makassar"])[0]
    afternoon = make_order(ref, S.OUT_FOR_DELIVERY)
    _with_window(afternoon, day, 13)
    morning = make_order(ref, S.OUT_FOR_DELIVERY)
    _with_window(morning, day, 8)
    plain = make_order(ref, S.OUT_FOR_DELIVERY)

    run = courier_run(courier=ref["couriers"]["kurir"])

    headings = [(group.window, group.name) for group in run.groups]
    assert headings == [
        (f"{day:%d-%m-%Y}, 08.00\u201312.00", "Makassar"),
        (f"{day:%d-%m-%Y}, 13.00\u201317.00", "Makassar"),
        ("", "Makassar"),
    ]
    assert [[o.code for o in g.orders] for g in run.groups] == [
        [morning.code],
        [afternoon.code],
        [plain.code],
    ]
    page = tracking_lookup(code=morning.code, birth_date=morning.application.applicant.birth_date)
    assert page is not None and (page.delivery_date, page.delivery_window) == (day, "08.00\u201312.00")
    page = tracking_lookup(code=plain.code, birth_date=plain.application.applicant.birth_date)
    assert page is not None and page.delivery_window == ""


def test_moving_the_delivery_to_another_area_gives_the_window_back(ref):
    from delivery.booking.online import delivery_order_change_address

    owner = make_applicant_user()
    order = make_order(ref, S.BOOKED, owner=owner)
    day = windows.delivery_days(order.area)[0]
    window = _with_window(order, day, 8)

    delivery_order_change_address(
        order_id=order.pk,
        actor=owner,
        destination_kind="home",
        address="Jl. Poros Malino No. 2, Sungguminasa",
        area_id=ref["areas"]["gowa"].pk,
    )

    order.refresh_from_db()
    assert order.area.code == "gowa" and order.delivery_window is None and order.delivery_date is None
    assert taken(window, day) == 0
