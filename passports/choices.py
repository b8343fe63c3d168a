from django.db import models
from django.utils.translation import gettext_lazy as _


class BillingCodeStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")  # waiting for payment
    PAID = "paid", _("Paid")  # MPN G-2 confirmed, NTPN known
    EXPIRED = "expired", _("Expired")  # not paid in time; a new code is needed


class PaymentPoint(models.TextChoices):
    POS = "pos", _("PT Pos counter")
    BANK = "bank", _("Bank (BNI)")
