import datetime as dt

import pytest
from django.utils import timezone

from core.exceptions import InvalidTransition, ValidationFailed
from passports import services
from passports.choices import BillingCodeStatus
from passports.gateways import get_gateway
from passports.models import Payment
from tests.factories import make_paid_application


def new_application(ref):
    applicant = services.applicant_create(
        full_name="Nurul Hikmah",
        birth_place="Maros",
        birth_date=dt.date(1991, 3, 4),
        address="Jl. Poros Maros No. 2",
        phone="081355500011",
        nik="7371010101910001",
    )
    from passports.models import PassportType

    return services.passport_application_record(
        applicant=applicant,
        office=ref["offices"]["imigrasi"],
        passport_type=PassportType.objects.get(code="elektronik-48"),
    )


def test_a_billing_code_has_15_digits_and_the_official_fee(ref):
    application = new_application(ref)
    code = services.billing_code_issue(application=application)
    assert len(code.code) == 15 and code.code.isdigit()
    assert code.amount == 600_000
    assert code.status == BillingCodeStatus.ISSUED


def test_one_application_gets_one_billing_code(ref):
    application = new_application(ref)
    services.billing_code_issue(application=application)
    with pytest.raises(InvalidTransition):
        services.billing_code_issue(application=application)


def test_payment_yields_a_16_character_ntpn_and_a_second_confirmation_changes_nothing(ref):
    application = new_application(ref)
    code = services.billing_code_issue(application=application)
    confirmation = get_gateway().confirm_payment(billing_code=code.code, amount=code.amount)
    assert len(confirmation.ntpn) == 16

    first = services.payment_confirm(billing_code_id=code.pk, ntpn=confirmation.ntpn, amount=code.amount)
    again = services.payment_confirm(billing_code_id=code.pk, ntpn="ABCDEF0123456789", amount=code.amount)

    assert again.pk == first.pk and again.ntpn == confirmation.ntpn
    assert Payment.objects.filter(billing_code=code).count() == 1
    code.refresh_from_db()
    assert code.status == BillingCodeStatus.PAID


def test_an_expired_billing_code_cannot_be_paid(ref):
    application = new_application(ref)
    code = services.billing_code_issue(application=application, at=timezone.now() - dt.timedelta(days=8))
    with pytest.raises(InvalidTransition) as refused:
        services.payment_confirm(billing_code_id=code.pk, ntpn="ABCDEF0123456789", amount=code.amount)
    assert refused.value.code == "billing_code_expired"
    assert str(refused.value.message) == "Kode billing ini sudah kedaluwarsa."
    assert not Payment.objects.exists()


def test_an_amount_other_than_the_official_fee_is_refused(ref):
    application = new_application(ref)
    code = services.billing_code_issue(application=application)
    with pytest.raises(ValidationFailed):
        services.payment_confirm(billing_code_id=code.pk, ntpn="ABCDEF0123456789", amount=1)
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("nik", "737101"), ("nik", "73710101019100AB"), ("phone", "12345"), ("phone", "+1555123456")],
)
def test_malformed_identifiers_are_refused_with_a_field_error(db, field, value):
    data = dict(
        full_name="Ahmad Fauzi",
        birth_place="Gowa",
        birth_date=dt.date(1980, 1, 1),
        address="Jl. Gowa 1",
        phone="081234567890",
        nik="7371010101800001",
    )
    data[field] = value
    with pytest.raises(ValidationFailed) as refused:
        services.applicant_create(**data)
    assert field in refused.value.fields


def test_an_applicant_needs_a_nik_or_a_sim(db):
    with pytest.raises(ValidationFailed) as refused:
        services.applicant_create(
            full_name="X", birth_place="Y", birth_date=dt.date(1980, 1, 1), address="Z", phone="081234567890"
        )
    assert "nik" in refused.value.fields


def test_booking_needs_a_paid_billing_code(ref):
    from delivery.booking.services import delivery_order_book
    from delivery.models import DeliveryOrder

    application = new_application(ref)
    services.billing_code_issue(application=application)
    with pytest.raises(InvalidTransition) as refused:
        delivery_order_book(
            application=application,
            pos_office=ref["offices"]["pos"],
            destination_kind="home",
            address="Jl. A 1",
            area=ref["areas"]["maros"],
            recipient_phone="081234567890",
            poa_grantee_name="Sri",
            poa_grantee_nippos="995100100",
            poa_grantee_place="Makassar",
        )
    assert refused.value.code == "billing_code_unpaid"
    assert not DeliveryOrder.objects.exists()


def test_booking_twice_for_one_passport_is_refused(ref):
    from delivery.booking.services import delivery_order_book

    application = make_paid_application(ref)
    kwargs = dict(
        application=application,
        pos_office=ref["offices"]["pos"],
        destination_kind="home",
        address="Jl. A 1",
        area=ref["areas"]["maros"],
        recipient_phone="081234567890",
        poa_grantee_name="Sri",
        poa_grantee_nippos="995100100",
        poa_grantee_place="Makassar",
    )
    order = delivery_order_book(**kwargs)
    assert order.delivery_fee == ref["areas"]["maros"].delivery_fee
    with pytest.raises(InvalidTransition) as refused:
        delivery_order_book(**kwargs)
    assert refused.value.code == "already_booked"


def test_booking_with_a_bad_phone_is_refused_and_writes_nothing(ref):
    from delivery.booking.services import delivery_order_book
    from delivery.models import DeliveryEvent, DeliveryOrder

    application = make_paid_application(ref)
    with pytest.raises(ValidationFailed) as refused:
        delivery_order_book(
            application=application,
            pos_office=ref["offices"]["pos"],
            destination_kind="home",
            address="Jl. A 1",
            area=ref["areas"]["maros"],
            recipient_phone="0411",
            poa_grantee_name="Sri",
            poa_grantee_nippos="995100100",
            poa_grantee_place="Makassar",
        )
    assert "recipient_phone" in refused.value.fields
    assert not DeliveryOrder.objects.exists() and not DeliveryEvent.objects.exists()
