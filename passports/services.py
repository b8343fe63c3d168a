"""Applications, billing codes and payments (steps 1 to 3 of the SOP)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import Office
from passports.choices import BillingCodeStatus, PaymentPoint
from passports.gateways import get_gateway
from passports.models import Applicant, BillingCode, PassportApplication, PassportType, Payment
from portal.exceptions import InvalidTransition, ValidationFailed

BILLING_CODE_VALID_FOR = dt.timedelta(days=7)


def _validated(instance, *, exclude=None):
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise ValidationFailed(_("Please correct the marked fields."), fields=error.message_dict)
    return instance


def applicant_create(
    *, full_name: str, birth_place: str, birth_date: dt.date, address: str, phone: str,
    nik: str = "", sim_number: str = "", email: str = "", language: str = "id", user=None,
) -> Applicant:
    if not nik and not sim_number:
        raise ValidationFailed(
            _("Enter a NIK (KTP) or a SIM number."), fields={"nik": [_("Enter a NIK or a SIM number.")]}
        )
    applicant = Applicant(
        full_name=full_name, birth_place=birth_place, birth_date=birth_date, address=address,
        phone=phone, nik=nik, sim_number=sim_number, email=email, language=language, user=user,
    )
    _validated(applicant, exclude=["user"])
    applicant.save()
    return applicant


def passport_application_record(
    *, applicant: Applicant, office: Office, passport_type: PassportType, is_minor: bool = False,
    requirements: dict | None = None, actor=None,
) -> PassportApplication:
    return PassportApplication.objects.create(
        applicant=applicant, office=office, passport_type=passport_type,
        fee_amount=passport_type.fee, is_minor=is_minor, requirements=requirements or {},
        created_by=actor,
    )


def billing_code_issue(
    *, application: PassportApplication, at: dt.datetime | None = None
) -> BillingCode:
    """Step 2: a 15-digit MPN G-2 code for the official fee, valid for a week."""
    now = at or timezone.now()
    gateway = get_gateway()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return BillingCode.objects.create(
                    application=application, code=gateway.new_billing_code(),
                    amount=application.fee_amount, expires_at=now + BILLING_CODE_VALID_FOR,
                )
        except IntegrityError:
            if BillingCode.objects.filter(application=application).exists():
                raise InvalidTransition(_("This application already has a billing code."))
    raise InvalidTransition(_("Could not issue a unique billing code; try again."))


def payment_confirm(
    *, billing_code_id: int, ntpn: str, amount: int, payment_point: str = PaymentPoint.POS,
    at: dt.datetime | None = None,
) -> Payment:
    """Record MPN G-2's confirmation of a billing code. A second confirmation changes nothing."""
    now = at or timezone.now()
    with transaction.atomic():
        code = BillingCode.objects.select_for_update().get(pk=billing_code_id)
        existing = Payment.objects.filter(billing_code=code).first()
        if existing is not None:
            return existing
        if code.status == BillingCodeStatus.EXPIRED or code.expires_at < now:
            raise InvalidTransition(_("This billing code has expired."), code="billing_code_expired")
        if amount != code.amount:
            raise ValidationFailed(_("The amount paid does not equal the official fee."))
        payment = Payment(
            billing_code=code, ntpn=ntpn, amount=amount, payment_point=payment_point, paid_at=now
        )
        _validated(payment, exclude=["billing_code"])
        payment.save()
        BillingCode.objects.filter(pk=code.pk, status=BillingCodeStatus.ISSUED).update(
            status=BillingCodeStatus.PAID, updated_at=now
        )
    return payment
