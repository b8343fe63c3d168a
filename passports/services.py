"""Applications, billing codes and payments (steps 1 to 3 of the SOP)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.exceptions import DomainError, InvalidTransition, NotFound, ValidationFailed
from core.fields import ascii_digits
from core.lookups import lookup_failed, lookup_refuse_if_locked, lookup_subject
from core.outbox import task_enqueue
from core.utils import model_text_check
from ledger.choices import Channel, MovementKind, Revenue
from ledger.services import movement_record
from organisations.models import Office
from passports.choices import BillingCodeStatus, PaymentPoint
from passports.gateways import get_gateway
from passports.models import Applicant, BillingCode, PassportApplication, PassportType, Payment
from passports.permissions import require_application_recorder, require_payment_taker

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from passports.models import PaymentRequest

BILLING_CODE_VALID_FOR = dt.timedelta(days=7)

M = TypeVar("M", bound=Model)


def _validated(instance: M, *, exclude: list[str] | None = None) -> M:
    model_text_check(instance)
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise ValidationFailed(_("Please correct the marked fields."), fields=error.message_dict) from error
    return instance


def applicant_create(
    *,
    full_name: str,
    birth_place: str,
    birth_date: dt.date,
    address: str,
    phone: str,
    nik: str = "",
    sim_number: str = "",
    email: str = "",
    language: str = "id",
    user: User | None = None,
) -> Applicant:
    if not nik and not sim_number:
        raise ValidationFailed(
            _("Enter a NIK (KTP) or a SIM number."), fields={"nik": [_("Enter a NIK or a SIM number.")]}
        )
    applicant = Applicant(
        full_name=full_name,
        birth_place=birth_place,
        birth_date=birth_date,
        address=address,
        phone=phone,
        nik=nik,
        sim_number=sim_number,
        email=email,
        language=language,
        user=user,
    )
    _validated(applicant, exclude=["user"])
    applicant.save()
    return applicant


def passport_application_record(
    *,
    applicant: Applicant,
    office: Office,
    passport_type: PassportType,
    is_minor: bool = False,
    requirements: dict[str, bool] | None = None,
    actor: User | None = None,
) -> PassportApplication:
    return PassportApplication.objects.create(
        applicant=applicant,
        office=office,
        passport_type=passport_type,
        fee_amount=passport_type.fee,
        is_minor=is_minor,
        requirements=requirements or {},
        created_by=actor,
    )


def billing_code_issue(*, application: PassportApplication, at: dt.datetime | None = None) -> BillingCode:
    """Step 2: a 15-digit MPN G-2 code for the official fee, valid for a week."""
    now = at or timezone.now()
    gateway = get_gateway()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return BillingCode.objects.create(
                    application=application,
                    code=gateway.new_billing_code(),
                    amount=application.fee_amount,
                    expires_at=now + BILLING_CODE_VALID_FOR,
                )
        except IntegrityError:
            if BillingCode.objects.filter(application=application).exists():
                raise InvalidTransition(_("This application already has a billing code.")) from None
    raise InvalidTransition(_("Could not issue a unique billing code; try again."))


def payment_confirm(
    *,
    billing_code_id: int,
    ntpn: str,
    amount: int,
    payment_point: str = PaymentPoint.POS,
    at: dt.datetime | None = None,
    channel: str | None = None,
) -> Payment:
    """Record MPN G-2's confirmation of a billing code, and its row in the ledger (state revenue,
    by NTPN, on the Imigrasi office's statement). A second confirmation changes nothing.
    ``channel``: where the applicant paid (the Pos counter or the bank by default, by the payment
    point; "online" for a payment made on the portal)."""
    now = at or timezone.now()
    with transaction.atomic():
        code = BillingCode.objects.select_for_update().select_related("application").get(pk=billing_code_id)
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
        movement_record(
            kind=MovementKind.STATE_FEE,
            revenue=Revenue.STATE,
            amount=amount,
            office_id=code.application.office_id,
            channel=channel or (Channel.BANK if payment_point == PaymentPoint.BANK else Channel.POS_COUNTER),
            reference=ntpn,
            at=now,
            billing_code_id=code.pk,
        )
    return payment


# Step 1: the requirement checklist of the office, item by item (DOMAIN.md).
REQUIREMENTS_ADULT = [
    ("ktp", _("KTP (identity card)")),
    ("kk", _("Family card (KK)")),
    ("civil_document", _("Birth certificate, diploma, marriage book or baptism letter")),
]
REQUIREMENTS_MINOR = [
    ("parent_ktp", _("A parent's KTP")),
    ("kk", _("Family card (KK)")),
    ("birth_certificate", _("Birth certificate")),
    ("parents_marriage", _("Parents' marriage certificate")),
    ("parents_guarantee", _("Parents' guarantee letter")),
    ("parent_passport", _("A parent's passport")),
]


def requirements_for(*, is_minor: bool) -> list[tuple[str, _StrPromise]]:
    return REQUIREMENTS_MINOR if is_minor else REQUIREMENTS_ADULT


def counter_application_register(
    *,
    actor: User,
    full_name: str,
    birth_place: str,
    birth_date: dt.date,
    address: str,
    phone: str,
    passport_type: PassportType,
    is_minor: bool,
    requirements: list[str],
    nik: str = "",
    sim_number: str = "",
    email: str = "",
    at: dt.datetime | None = None,
    submission_key: uuid.UUID | None = None,
) -> BillingCode:
    """Steps 1 and 2 at the Imigrasi counter: record the application and issue its billing code.

    The code is only issued when every requirement of the checklist has been seen. The same
    ``submission_key`` (a double click, the back button) returns the code issued the first time.
    """
    require_application_recorder(actor)
    if not passport_type.active:
        raise ValidationFailed(_("This passport type is no longer issued."))
    needed = [key for key, _label in requirements_for(is_minor=is_minor)]
    missing = [key for key in needed if key not in requirements]
    if missing:
        raise ValidationFailed(
            _("Every requirement must be checked before a billing code is issued."),
            fields={"requirements": [_("Missing: %(items)s") % {"items": ", ".join(missing)}]},
        )
    if submission_key is not None:
        earlier = BillingCode.objects.filter(application__submission_key=submission_key).first()
        if earlier is not None:
            return earlier
    try:
        with transaction.atomic():
            applicant = applicant_create(
                full_name=full_name,
                birth_place=birth_place,
                birth_date=birth_date,
                address=address,
                phone=phone,
                nik=nik,
                sim_number=sim_number,
                email=email,
            )
            office = actor.office
            assert office is not None  # require_application_recorder refused an officer without one
            application = passport_application_record(
                applicant=applicant,
                office=office,
                passport_type=passport_type,
                is_minor=is_minor,
                requirements={key: True for key in needed},
                actor=actor,
            )
            if submission_key is not None:
                PassportApplication.objects.filter(pk=application.pk).update(submission_key=submission_key)
            return billing_code_issue(application=application, at=at)
    except IntegrityError:
        earlier = BillingCode.objects.filter(application__submission_key=submission_key).first()
        if submission_key is None or earlier is None:
            raise
        return earlier  # the same form submitted twice at the same moment


def payment_request_open(
    *, billing_code: str, actor: User, payment_point: str = PaymentPoint.POS, at: dt.datetime | None = None
) -> PaymentRequest:
    """Step 3 at the Pos counter: ask MPN G-2 to settle a billing code.

    The answer arrives asynchronously (``payment_request_settle`` in a Celery task). Asking again
    for the same code returns the same request instead of paying twice.
    """
    from passports.models import PaymentRequest

    now = at or timezone.now()
    require_payment_taker(actor)
    code = (billing_code or "").strip().replace(" ", "")
    if len(code) != 15 or not code.isdigit():
        raise ValidationFailed(
            _("A billing code has exactly 15 digits."),
            fields={"billing_code": [_("A billing code has exactly 15 digits.")]},
        )
    with transaction.atomic():
        billing = BillingCode.objects.select_for_update().filter(code=code).first()
        if billing is None:
            raise NotFound(
                _("No billing code %(code)s is known.") % {"code": code}, code="unknown_billing_code"
            )
        existing = PaymentRequest.objects.filter(billing_code=billing).first()
        if existing is not None and existing.status != PaymentRequest.Status.FAILED:
            if billing.status == BillingCodeStatus.PAID:
                raise InvalidTransition(_("This billing code has already been paid."), code="already_paid")
            return existing
        if billing.status == BillingCodeStatus.PAID:
            raise InvalidTransition(_("This billing code has already been paid."), code="already_paid")
        if billing.status == BillingCodeStatus.EXPIRED or billing.expires_at < now:
            raise InvalidTransition(_("This billing code has expired."), code="billing_code_expired")
        if existing is not None:  # a refused request may be tried again
            PaymentRequest.objects.filter(pk=existing.pk).update(
                status=PaymentRequest.Status.PENDING, error="", requested_by=actor, updated_at=now
            )
            request = existing
        else:
            request = PaymentRequest.objects.create(
                billing_code=billing, payment_point=payment_point, requested_by=actor
            )
        task_enqueue("passports.tasks.settle_payment_request", request.pk)
    request.refresh_from_db()
    return request


def payment_request_settle(*, request_id: int) -> str:
    """Ask the gateway about one request and record the payment; a second run changes nothing."""
    from passports.models import PaymentRequest

    with transaction.atomic():
        request = (
            PaymentRequest.objects.select_for_update()
            .select_related("billing_code")
            .filter(pk=request_id)
            .first()
        )
        if request is None or request.status != PaymentRequest.Status.PENDING:
            return request.status if request else "missing"
        billing = request.billing_code
        PaymentRequest.objects.filter(pk=request.pk).update(attempts=request.attempts + 1)
        confirmation = get_gateway().confirm_payment(billing_code=billing.code, amount=billing.amount)
        try:
            with transaction.atomic():
                payment_confirm(
                    billing_code_id=billing.pk,
                    ntpn=confirmation.ntpn,
                    amount=confirmation.amount,
                    payment_point=request.payment_point,
                )
        except DomainError as error:
            PaymentRequest.objects.filter(pk=request.pk).update(
                status=PaymentRequest.Status.FAILED, error=str(error.message)[:300]
            )
            return PaymentRequest.Status.FAILED
        PaymentRequest.objects.filter(pk=request.pk).update(status=PaymentRequest.Status.CONFIRMED)
    return PaymentRequest.Status.CONFIRMED


def application_find_for_booking(
    *, billing_code: str, birth_date: dt.date, client: str, require_paid: bool = False
) -> PassportApplication:
    """The application an applicant (or their travel agency) books delivery for, found by the billing
    code the counter issued plus the applicant's date of birth. A wrong date of birth answers like an
    unknown code, and every miss counts against ``client`` and the code in the portal's lookup lock
    (``core.lookups``), so codes and birth dates cannot be found by guessing."""
    code = (billing_code or "").strip().replace(" ", "")
    if not ascii_digits(code, length=15):
        raise ValidationFailed(
            _("A billing code has exactly 15 digits."),
            fields={"billing_code": [_("A billing code has exactly 15 digits.")]},
        )
    subject = lookup_subject("billing", code)
    lookup_refuse_if_locked(client=client, subject=subject)
    billing = (
        BillingCode.objects.select_related(
            "application__applicant", "application__office", "application__passport_type"
        )
        .filter(code=code, application__applicant__birth_date=birth_date)
        .first()
    )
    if billing is None:
        lookup_failed(client=client, subject=subject)
        raise NotFound(
            _("No billing code matches this date of birth. Check both against your receipt."),
            code="unknown_billing_code",
        )
    # the delivery app's order points here (related name ``delivery_order``): asked without importing it
    if PassportApplication.objects.filter(pk=billing.application_id, delivery_order__isnull=False).exists():
        raise InvalidTransition(_("Delivery is already booked for this passport."), code="already_booked")
    if billing.status == BillingCodeStatus.EXPIRED or (
        billing.status != BillingCodeStatus.PAID and billing.expires_at < timezone.now()
    ):
        raise InvalidTransition(_("This billing code has expired."), code="billing_code_expired")
    if require_paid and billing.status != BillingCodeStatus.PAID:
        raise InvalidTransition(_("The passport fee has not been paid yet."), code="billing_code_unpaid")
    return billing.application
