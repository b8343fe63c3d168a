"""Random input into the services that take what people type: only the portal's own refusals
(DomainError, with a message) come out, never another exception, and a refusal leaves nothing
half-written."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core.exceptions import DomainError
from delivery.booking import services as delivery_services
from delivery.choices import DestinationKind
from delivery.models import DeliveryOrder
from passports import services as passport_services
from passports.models import Applicant, PaymentRequest
from tests.factories import make_paid_application

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
text = st.text(max_size=400)
digits_or_text = st.one_of(text, st.from_regex(r"\A[0-9 ]{0,30}\Z"), st.just(""))
dates = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))


def refused_cleanly(call) -> DomainError | None:
    try:
        call()
    except DomainError as error:
        assert str(error.message)
        return error
    return None


@pytest.mark.django_db
@FUZZ
@given(
    full_name=text,
    birth_place=text,
    birth_date=dates,
    address=text,
    phone=digits_or_text,
    nik=digits_or_text,
    email=text,
)
@example(
    full_name="Andi\x00Nurhayati",
    birth_place="Makassar",
    birth_date=dt.date(1990, 5, 17),
    address="Jl. Uji 1",
    phone="081234567890",
    nik="7371010101900001",
    email="",
)
@example(
    full_name="Andi",
    birth_place="Makassar",
    birth_date=dt.date(1, 1, 1),
    address="Jl. Uji 1",
    phone="081234567890",
    nik="7371010101900002",
    email="a@b.test",
)
def test_applicant_create_refuses_bad_input_with_a_message(
    ref, full_name, birth_place, birth_date, address, phone, nik, email
):
    before = Applicant.objects.count()
    error = refused_cleanly(
        lambda: passport_services.applicant_create(
            full_name=full_name,
            birth_place=birth_place,
            birth_date=birth_date,
            address=address,
            phone=phone,
            nik=nik,
            email=email,
        )
    )
    if error is not None:
        assert Applicant.objects.count() == before


@pytest.mark.django_db
@FUZZ
@given(billing_code=digits_or_text)
def test_payment_request_open_refuses_bad_billing_codes_with_a_message(ref, billing_code):
    before = PaymentRequest.objects.count()
    error = refused_cleanly(
        lambda: passport_services.payment_request_open(
            billing_code=billing_code, actor=ref["users"]["pos.layanan"]
        )
    )
    assert error is not None  # no random code is a known, payable one
    assert PaymentRequest.objects.count() == before


@pytest.mark.django_db
@FUZZ
@given(billing_code=digits_or_text, birth_date=dates)
def test_booking_lookup_refuses_bad_input_with_a_message(ref, billing_code, birth_date):
    assert (
        refused_cleanly(
            lambda: passport_services.application_find_for_booking(
                client="192.0.2.1", billing_code=billing_code, birth_date=birth_date
            )
        )
        is not None
    )


@pytest.mark.django_db
@FUZZ
@given(address=text, phone=digits_or_text, email=text, grantee=text, nippos=digits_or_text)
@example(address="Jl. Uji\x00 1", phone="081234567890", email="", grantee="Sri", nippos="995100100")
def test_delivery_booking_refuses_bad_input_and_writes_nothing(ref, address, phone, email, grantee, nippos):
    application = make_paid_application(ref)
    before = DeliveryOrder.objects.count()
    error = refused_cleanly(
        lambda: delivery_services.delivery_order_book(
            application=application,
            pos_office=ref["offices"]["pos"],
            destination_kind=DestinationKind.HOME,
            address=address,
            area=ref["areas"]["makassar"],
            recipient_phone=phone,
            recipient_email=email,
            poa_grantee_name=grantee,
            poa_grantee_nippos=nippos,
            poa_grantee_place="PT Pos Indonesia Makassar",
            actor=ref["users"]["pos.layanan"],
        )
    )
    if error is not None:
        assert DeliveryOrder.objects.count() == before
