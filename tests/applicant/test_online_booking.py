"""Online booking by the applicant: details and signature, payment, the order, refusals."""

import datetime as dt

import pytest

from core.exceptions import DomainError, InvalidTransition, NotFound, ValidationFailed
from delivery.booking.online import online_booking_pay, online_booking_settle, online_booking_start
from delivery.choices import DeliveryStatus as S
from delivery.models import DeliveryEvent, DeliveryFeePayment, DeliveryOrder, OnlineBooking
from passports.gateways import SANDBOX_DECLINED_PHONE
from tests.applicant.helpers import BORN, data_url, make_billed_application, signature_png


def start(application, **overrides):
    values = dict(
        billing_code=application.billing_code.code,
        birth_date=BORN,
        destination_kind="home",
        address="Jl. Sultan Hasanuddin No. 8, Makassar",
        area_id=None,
        recipient_phone="081355512345",
        recipient_email="daring@example.test",
        signature=data_url(signature_png()),
        client="192.0.2.1",
    )
    values.update(overrides)
    return online_booking_start(**values)


def test_paying_turns_the_booking_into_one_order_with_both_fees(ref, django_capture_on_commit_callbacks):
    # given an application whose billing code is not paid yet
    application = make_billed_application(ref)
    maros = ref["areas"]["maros"]
    booking = start(application, area_id=maros.pk)
    assert booking.delivery_fee == maros.delivery_fee
    assert booking.total == application.fee_amount + maros.delivery_fee
    assert booking.poa_signature.read().startswith(b"\x89PNG")

    # when the applicant pays and the confirmation arrives
    with django_capture_on_commit_callbacks() as callbacks:
        online_booking_pay(token=booking.token)
    assert len(callbacks) == 1  # the settle task, after commit
    assert online_booking_settle(booking_id=booking.pk) == "booked"

    # then one order exists, booked, with the state payment and the delivery fee recorded
    order = DeliveryOrder.objects.get(application=application)
    assert order.status == S.BOOKED and order.area == maros and order.delivery_fee == maros.delivery_fee
    assert DeliveryEvent.objects.filter(order=order, to_status=S.BOOKED).count() == 1
    application.billing_code.refresh_from_db()
    assert application.billing_code.status == "paid"
    assert DeliveryFeePayment.objects.get(order=order).amount == maros.delivery_fee
    booking.refresh_from_db()
    assert booking.order == order and booking.status == "booked"

    # and a second confirmation or a second click changes nothing
    assert online_booking_settle(booking_id=booking.pk) == "booked"
    assert online_booking_pay(token=booking.token).status == "booked"
    assert DeliveryOrder.objects.filter(application=application).count() == 1


def test_a_refused_payment_writes_nothing_and_may_be_tried_again(ref):
    application = make_billed_application(ref)
    booking = start(application, area_id=ref["areas"]["gowa"].pk, recipient_phone=SANDBOX_DECLINED_PHONE)
    online_booking_pay(token=booking.token)
    assert online_booking_settle(booking_id=booking.pk) == "failed"
    booking.refresh_from_db()
    assert booking.status == "failed" and "ditolak oleh bank" in booking.error
    assert not DeliveryOrder.objects.filter(application=application).exists()
    application.billing_code.refresh_from_db()
    assert application.billing_code.status == "issued"

    # the applicant corrects the details (the same row) and pays again
    again = start(application, area_id=ref["areas"]["gowa"].pk)
    assert again.pk == booking.pk
    online_booking_pay(token=again.token)
    assert online_booking_settle(booking_id=again.pk) == "booked"
    assert OnlineBooking.objects.filter(application=application).count() == 1
    assert DeliveryOrder.objects.filter(application=application).count() == 1


def test_an_already_paid_billing_code_only_needs_the_delivery_fee(ref):
    application = make_billed_application(ref, paid=True)
    booking = start(application, area_id=ref["areas"]["makassar"].pk)
    assert booking.state_fee_due == 0
    assert booking.total == ref["areas"]["makassar"].delivery_fee


@pytest.mark.parametrize(
    ("overrides", "error", "field"),
    [
        ({"birth_date": dt.date(1991, 3, 15)}, NotFound, None),
        ({"billing_code": "123"}, ValidationFailed, "billing_code"),
        ({"billing_code": "999999999999999"}, NotFound, None),
        ({"area_id": 987654}, ValidationFailed, "area"),
        ({"signature": ""}, ValidationFailed, "signature"),
        ({"signature": data_url(b"GIF89a not a png at all", "image/gif")}, ValidationFailed, "signature"),
        ({"signature": data_url(b"\x89PNG" + b"0" * (300 * 1024))}, ValidationFailed, "signature"),
        ({"signature": data_url(signature_png(4000, 30))}, ValidationFailed, "signature"),
        ({"recipient_phone": "12345"}, ValidationFailed, "recipient_phone"),
        ({"destination_kind": "moon"}, ValidationFailed, "destination_kind"),
    ],
)
def test_bad_input_is_refused_clearly_and_nothing_is_written(ref, overrides, error, field):
    application = make_billed_application(ref)
    overrides = {"area_id": ref["areas"]["makassar"].pk, **overrides}
    with pytest.raises(error) as raised:
        start(application, **overrides)
    assert str(raised.value.message)
    if field:
        assert field in raised.value.fields
    assert not OnlineBooking.objects.exists()


def test_an_expired_unpaid_billing_code_cannot_be_booked(ref):
    application = make_billed_application(ref)
    application.billing_code.expires_at = application.billing_code.created_at - dt.timedelta(days=1)
    application.billing_code.save()
    with pytest.raises(InvalidTransition):
        start(application, area_id=ref["areas"]["makassar"].pk)


def test_a_booked_application_cannot_be_booked_again(ref):
    application = make_billed_application(ref)
    booking = start(application, area_id=ref["areas"]["makassar"].pk)
    online_booking_pay(token=booking.token)
    online_booking_settle(booking_id=booking.pk)
    with pytest.raises(DomainError) as raised:
        start(application, area_id=ref["areas"]["maros"].pk)
    assert raised.value.code == "already_booked"


def test_guessing_billing_codes_on_the_booking_page_is_stopped(ref):
    from django.test import Client

    application = make_billed_application(ref)
    client = Client()
    for day in range(1, 11):
        response = client.post(
            "/book/", {"billing_code": application.billing_code.code, "birth_date": f"1991-04-{day:02d}"}
        )
        assert response.status_code == 400
        assert "Tidak ada kode billing yang cocok" in response.content.decode()
    blocked = client.post(
        "/book/", {"billing_code": application.billing_code.code, "birth_date": BORN.isoformat()}
    )
    assert blocked.status_code == 429
    assert "Terlalu banyak percobaan" in blocked.content.decode()


def test_a_tariff_changed_while_the_applicant_paid_keeps_the_fee_they_paid(ref):
    """The applicant is charged the fee shown at booking; a new tariff set meanwhile must neither
    refuse the paid booking nor put another fee on its order or in the ledger."""
    from ledger.services import delivery_money_of

    application = make_billed_application(ref)
    maros = ref["areas"]["maros"]
    booking = start(application, area_id=maros.pk)
    quoted = booking.delivery_fee
    online_booking_pay(token=booking.token)
    maros.delivery_fee = quoted + 5000
    maros.save(update_fields=["delivery_fee"])

    assert online_booking_settle(booking_id=booking.pk) == "booked"
    order = DeliveryOrder.objects.get(application=application)
    assert order.delivery_fee == quoted
    assert delivery_money_of(order.pk) == quoted
