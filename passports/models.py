from django.db import models
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedCharField
from core.models import TimeStampedModel
from passports.choices import BillingCodeStatus, PaymentPoint
from passports.validators import (
    validate_billing_code,
    validate_nik,
    validate_ntpn,
    validate_phone,
    validate_sim,
)


class PassportType(TimeStampedModel):
    """A row of the official fee table (PNBP)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_id = models.CharField(_("name (Indonesian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    pages = models.PositiveSmallIntegerField(_("pages"))
    fee = models.PositiveIntegerField(_("fee (Rp)"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("passport type")
        verbose_name_plural = _("passport types (fee table)")
        ordering = ["pages", "fee", "code"]

    def __str__(self) -> str:
        return self.name_id


class Applicant(TimeStampedModel):
    user = models.OneToOneField(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="applicant"
    )
    full_name = models.CharField(_("full name"), max_length=200)
    birth_place = models.CharField(_("place of birth"), max_length=100)
    birth_date = models.DateField(_("date of birth"))
    address = models.CharField(_("address"), max_length=300)
    # Encrypted at rest; ``nik`` reads and writes the plain NIK, ``nik_hash`` serves look-ups.
    nik = EncryptedCharField(_("NIK (KTP)"), hash_field="nik_hash", blank=True, validators=[validate_nik])
    # NULL, not "", for applicants without a NIK: the look-up index stays free of empty values.
    nik_hash = models.CharField(max_length=64, null=True, blank=True, editable=False, db_index=True)  # noqa: DJ001
    sim_number = models.CharField(_("SIM number"), max_length=14, blank=True, validators=[validate_sim])
    phone = models.CharField(_("phone"), max_length=16, validators=[validate_phone])
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(_("language"), max_length=5, default="id")
    # Set when the retention rule removed the personal data (delivery/privacy/services.py).
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(nik="", sim_number="") | models.Q(anonymised_at__isnull=False),
                name="applicant_has_nik_or_sim",
            )
        ]

    def __str__(self) -> str:
        return self.full_name


class PassportApplication(TimeStampedModel):
    applicant = models.ForeignKey(
        Applicant, on_delete=models.PROTECT, related_name="applications", verbose_name=_("applicant")
    )
    office = models.ForeignKey("organisations.Office", on_delete=models.PROTECT, related_name="applications")
    passport_type = models.ForeignKey(PassportType, on_delete=models.PROTECT)
    fee_amount = models.PositiveIntegerField(_("fee (Rp)"))
    is_minor = models.BooleanField(_("minor"), default=False)
    requirements = models.JSONField(_("requirements checked"), default=dict, blank=True)
    created_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The counter form's one-time key: submitting the same form twice records one application.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("passport application")
        verbose_name_plural = _("passport applications")

    def __str__(self) -> str:
        return f"{self.applicant} / {self.passport_type.code}"


class BillingCode(TimeStampedModel):
    """A code of the state revenue system MPN G-2 for the passport fee."""

    application = models.OneToOneField(
        PassportApplication, on_delete=models.PROTECT, related_name="billing_code"
    )
    code = models.CharField(_("billing code"), max_length=15, unique=True, validators=[validate_billing_code])
    amount = models.PositiveIntegerField(_("amount (Rp)"))
    status = models.CharField(
        _("status"), max_length=10, choices=BillingCodeStatus.choices, default=BillingCodeStatus.ISSUED
    )
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("billing code")
        verbose_name_plural = _("billing codes")

    def __str__(self) -> str:
        return self.code


class Payment(TimeStampedModel):
    """A confirmed payment of a billing code (the BPN carries its NTPN)."""

    billing_code = models.OneToOneField(BillingCode, on_delete=models.PROTECT, related_name="payment")
    payment_point = models.CharField(_("payment point"), max_length=10, choices=PaymentPoint.choices)
    ntpn = models.CharField(_("NTPN"), max_length=16, unique=True, validators=[validate_ntpn])
    amount = models.PositiveIntegerField(_("amount (Rp)"))
    paid_at = models.DateTimeField(_("paid at"))

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_positive")]

    def __str__(self) -> str:
        return self.ntpn


class PaymentRequest(TimeStampedModel):
    """One request to MPN G-2 to settle a billing code; the confirmation arrives later.

    One per billing code, so a double click or the back button never asks twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for MPN G-2")
        CONFIRMED = "confirmed", _("Confirmed")
        FAILED = "failed", _("Refused")

    billing_code = models.OneToOneField(BillingCode, on_delete=models.PROTECT, related_name="payment_request")
    payment_point = models.CharField(_("payment point"), max_length=10, choices=PaymentPoint.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)
    requested_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("payment request")
        verbose_name_plural = _("payment requests")

    def __str__(self) -> str:
        return f"{self.billing_code_id}: {self.status}"


class SandboxSettlementChange(models.Model):
    """The MPN G-2 sandbox only: a change to one day's settlement report, so that the tests and the
    demo can show the differences a real report may have (an NTPN left out, another amount, an NTPN
    the portal never recorded). A real connection has no such table."""

    class Action(models.TextChoices):
        DROP = "drop", _("Leave the NTPN out")
        ALTER = "alter", _("Report another amount")
        ADD = "add", _("Report an NTPN the portal does not know")

    day = models.DateField(_("day"))
    ntpn = models.CharField(_("NTPN"), max_length=16)
    action = models.CharField(_("change"), max_length=8, choices=Action.choices)
    amount = models.PositiveIntegerField(_("amount (Rp)"), null=True, blank=True)
    billing_code = models.CharField(_("billing code"), max_length=15, blank=True)

    class Meta:
        verbose_name = _("sandbox settlement change")
        verbose_name_plural = _("sandbox settlement changes")
        constraints = [models.UniqueConstraint(fields=["day", "ntpn"], name="sandbox_settlement_change_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.action} {self.ntpn}"
