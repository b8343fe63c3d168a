"""Every step of an online booking writes one event row (who, role, office, from, to): the
applicant's details and payment, and the payment's answer (the portal's own); a refused step writes
none; of two payment answers for the same booking only one counts."""

import pytest

from accounts.choices import Role
from core.exceptions import ConcurrentChange, InvalidTransition
from core.states import transition_make
from delivery.booking.online import (
    ONLINE_BOOKING_STATES,
    online_booking_pay,
    online_booking_prepare,
    online_booking_settle,
)
from delivery.models import OnlineBooking, OnlineBookingEvent, OnlineBookingStatus
from passports.gateways import SANDBOX_DECLINED_PHONE
from tests.applicant.helpers import data_url, make_billed_application, signature_png
from tests.applicant.test_online_booking import start
from tests.factories import make_applicant_user

pytestmark = pytest.mark.django_db


def steps(booking):
    return list(
        OnlineBookingEvent.objects.filter(booking=booking)
        .order_by("pk")
        .values_list("transition", "from_status", "to_status", "actor__username", "actor_role", "office_id")
    )


def test_a_refused_payment_then_a_changed_and_paid_booking_write_one_event_per_step(ref):
    application = make_billed_application(ref)
    booking = start(application, area_id=ref["areas"]["gowa"].pk, recipient_phone=SANDBOX_DECLINED_PHONE)
    online_booking_pay(token=booking.token)
    online_booking_pay(token=booking.token)  # a second click waits for the same payment: no step
    assert online_booking_settle(booking_id=booking.pk) == "failed"
    start(application, area_id=ref["areas"]["gowa"].pk)
    online_booking_pay(token=booking.token)
    assert online_booking_settle(booking_id=booking.pk) == "booked"

    applicant, portal = Role.APPLICANT, ""
    assert steps(booking) == [
        ("start", "", "awaiting_payment", None, applicant, None),
        ("pay", "awaiting_payment", "paying", None, applicant, None),
        ("refuse", "paying", "failed", None, portal, None),
        ("change", "failed", "awaiting_payment", None, applicant, None),
        ("pay", "awaiting_payment", "paying", None, applicant, None),
        ("book", "paying", "booked", None, portal, None),
    ]
    booking.refresh_from_db()
    assert booking.events.order_by("pk").last().payload == {"order": booking.order.code}


def test_a_logged_in_applicant_is_named_on_the_events(ref):
    user = make_applicant_user()
    application = make_billed_application(ref, owner=user)
    booking = online_booking_prepare(
        application=application,
        destination_kind="home",
        address="Jl. Sultan Hasanuddin No. 8, Makassar",
        area_id=ref["areas"]["makassar"].pk,
        recipient_phone="081355512345",
        recipient_email="daring@example.test",
        signature=data_url(signature_png()),
        actor=user,
    )
    online_booking_pay(token=booking.token, actor=user)
    assert [step[3:5] for step in steps(booking)] == [(user.username, Role.APPLICANT)] * 2


def test_a_booking_being_paid_cannot_be_changed_and_nothing_is_written(ref):
    application = make_billed_application(ref)
    booking = start(application, area_id=ref["areas"]["makassar"].pk)
    online_booking_pay(token=booking.token)
    with pytest.raises(InvalidTransition) as refused:
        start(application, area_id=ref["areas"]["maros"].pk)
    assert refused.value.code == "booking_locked"
    assert "sedang atau sudah dibayar" in str(refused.value.message)
    booking.refresh_from_db()
    assert (booking.status, booking.area) == (OnlineBookingStatus.PAYING, ref["areas"]["makassar"])
    assert [step[0] for step in steps(booking)] == ["start", "pay"]


def test_of_two_payment_answers_at_once_only_one_counts(ref):
    application = make_billed_application(ref)
    booking = start(application, area_id=ref["areas"]["makassar"].pk)
    online_booking_pay(token=booking.token)
    first, second = OnlineBooking.objects.get(pk=booking.pk), OnlineBooking.objects.get(pk=booking.pk)
    transition_make(ONLINE_BOOKING_STATES, "refuse", obj=first, actor=None, changes={"error": "ditolak"})
    with pytest.raises(ConcurrentChange):
        transition_make(ONLINE_BOOKING_STATES, "refuse", obj=second, actor=None, changes={"error": "lagi"})
    booking.refresh_from_db()
    assert (booking.status, booking.error) == (OnlineBookingStatus.FAILED, "ditolak")
    assert [step[0] for step in steps(booking)] == ["start", "pay", "refuse"]
