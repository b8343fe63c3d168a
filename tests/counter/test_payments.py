"""Steps 1 to 3 at the counters: billing code, asynchronous MPN G-2 payment, delivery fee."""

import datetime as dt

import pytest
from django.utils import timezone

from core.exceptions import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from delivery.choices import DestinationKind
from delivery.counter.booking import counter_delivery_book, payment_reconciliation
from delivery.counter.van import van_standby_record
from delivery.handoff.deadlines import WITA
from delivery.models import DeliveryFeePayment, DeliveryOrder, VanStandby
from passports import services as ps
from passports.choices import BillingCodeStatus
from passports.models import BillingCode, PassportType, Payment, PaymentRequest

pytestmark = pytest.mark.django_db


def register(ref, **overrides):
    data = dict(
        actor=ref["users"]["imigrasi"],
        full_name="Andi Baso",
        birth_place="Makassar",
        birth_date=dt.date(1990, 1, 2),
        address="Jl. Uji 1, Makassar",
        phone="081234567890",
        nik="7371000000000099",
        passport_type=PassportType.objects.get(code="elektronik-48"),
        is_minor=False,
        requirements=["ktp", "kk", "civil_document"],
    )
    data.update(overrides)
    return ps.counter_application_register(**data)


def test_a_billing_code_is_issued_only_when_every_requirement_is_checked(ref):
    with pytest.raises(ValidationFailed) as refused:
        register(ref, requirements=["ktp", "kk"])
    assert "civil_document" in str(refused.value.fields["requirements"][0])
    assert not BillingCode.objects.exists()
    billing = register(ref)
    assert len(billing.code) == 15 and billing.code.isdigit()
    assert billing.amount == 600_000
    assert billing.application.requirements == {"ktp": True, "kk": True, "civil_document": True}


def test_a_minor_needs_the_parents_documents(ref):
    with pytest.raises(ValidationFailed):
        register(ref, is_minor=True)
    billing = register(ref, is_minor=True, requirements=[k for k, _ in ps.REQUIREMENTS_MINOR])
    assert billing.application.is_minor


def test_only_the_imigrasi_officer_issues_billing_codes(ref):
    with pytest.raises(NotAllowed):
        register(ref, actor=ref["users"]["pos.layanan"])


def test_payment_is_confirmed_by_the_task_and_asking_twice_changes_nothing(
    ref, django_capture_on_commit_callbacks
):
    billing = register(ref)
    pos = ref["users"]["pos.layanan"]
    with django_capture_on_commit_callbacks() as callbacks:
        request = ps.payment_request_open(billing_code=billing.code, actor=pos)
    assert request.status == PaymentRequest.Status.PENDING
    assert len(callbacks) == 1  # the settlement task, after commit
    again = ps.payment_request_open(billing_code=f" {billing.code} ", actor=pos)
    assert again.pk == request.pk
    # what the worker runs; a second run is harmless
    assert ps.payment_request_settle(request_id=request.pk) == PaymentRequest.Status.CONFIRMED
    assert ps.payment_request_settle(request_id=request.pk) == PaymentRequest.Status.CONFIRMED
    assert Payment.objects.filter(billing_code=billing).count() == 1
    billing.refresh_from_db()
    assert billing.status == BillingCodeStatus.PAID
    with pytest.raises(InvalidTransition) as refused:
        ps.payment_request_open(billing_code=billing.code, actor=pos)
    assert refused.value.code == "already_paid"


def test_unknown_malformed_and_expired_billing_codes_are_refused(ref):
    pos = ref["users"]["pos.layanan"]
    with pytest.raises(NotFound):
        ps.payment_request_open(billing_code="999999999999999", actor=pos)
    with pytest.raises(ValidationFailed):
        ps.payment_request_open(billing_code="12345", actor=pos)
    billing = register(ref)
    BillingCode.objects.filter(pk=billing.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(InvalidTransition) as refused:
        ps.payment_request_open(billing_code=billing.code, actor=pos)
    assert refused.value.code == "billing_code_expired"
    assert not PaymentRequest.objects.exists()


def paid_application(ref):
    billing = register(ref)
    request = ps.payment_request_open(billing_code=billing.code, actor=ref["users"]["pos.layanan"])
    ps.payment_request_settle(request_id=request.pk)
    return billing.application


def book(ref, application, **overrides):
    data = dict(
        actor=ref["users"]["pos.layanan"],
        application=application,
        pos_office=ref["offices"]["pos"],
        destination_kind=DestinationKind.OFFICE,
        address="Jl. Kantor 2, Maros",
        area=ref["areas"]["maros"],
        recipient_phone="081234567890",
        poa_grantee_name="Sri Wahyuni",
        poa_grantee_nippos="995100100",
        poa_grantee_place="PT Pos Indonesia Cabang Makassar",
        fee_received=True,
    )
    data.update(overrides)
    return counter_delivery_book(**data)


def test_booking_keeps_the_delivery_fee_apart_and_reconciles_per_order(ref):
    application = paid_application(ref)
    order = book(ref, application)
    fee = DeliveryFeePayment.objects.get(order=order)
    assert fee.amount == ref["areas"]["maros"].delivery_fee
    money = payment_reconciliation(order=order)
    assert money["state_paid"] == 600_000 and money["delivery_paid"] == fee.amount
    assert money["balanced"] is True
    with pytest.raises(InvalidTransition) as refused:
        book(ref, application)
    assert refused.value.code == "already_booked"
    assert DeliveryOrder.objects.count() == 1 and DeliveryFeePayment.objects.count() == 1


def test_booking_without_the_fee_or_before_payment_is_refused(ref):
    application = paid_application(ref)
    with pytest.raises(ValidationFailed):
        book(ref, application, fee_received=False)
    unpaid = register(ref, nik="7371000000000098").application
    with pytest.raises(InvalidTransition):
        book(ref, unpaid)
    assert not DeliveryOrder.objects.exists() and not DeliveryFeePayment.objects.exists()


def test_the_van_standby_log_counts_lateness_from_half_past_seven(ref):
    pos = ref["users"]["pos.layanan"]
    monday = dt.datetime(2026, 11, 16, 8, 5, tzinfo=WITA)
    row = van_standby_record(actor=pos, arrived_at=monday)
    assert row.minutes_late == 35
    with pytest.raises(InvalidTransition):
        van_standby_record(actor=pos, arrived_at=monday + dt.timedelta(minutes=1))
    on_time = van_standby_record(actor=pos, arrived_at=dt.datetime(2026, 11, 17, 7, 20, tzinfo=WITA))
    assert on_time.minutes_late == 0
    with pytest.raises(ValidationFailed):  # a Sunday
        van_standby_record(actor=pos, arrived_at=dt.datetime(2026, 11, 15, 7, 20, tzinfo=WITA))
    assert VanStandby.objects.count() == 2


def test_the_same_application_form_submitted_twice_records_one_application(ref):
    import uuid

    from passports.models import PassportApplication

    key = uuid.uuid4()
    first = register(ref, submission_key=key)
    again = register(ref, submission_key=key)
    assert again.pk == first.pk
    assert PassportApplication.objects.count() == 1
