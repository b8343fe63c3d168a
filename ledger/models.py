"""The ledger: one append-only row per movement of money, for both agencies.

A row is never updated or deleted (the ORM refuses, and triggers make the database refuse: migration
``ledger.0001``); a correction is a reversing row that names the row it reverses. Amounts are whole
rupiah, positive for money in, negative for money out. Rows are written only by
``ledger.services.movement_record`` and ``movement_reverse``, each inside the transaction of the
service that moved the money (a payment confirmed, a booking, a cancel, a collection at the door).
The foreign keys to the domains' tables are named by string: the ledger imports no domain, so every
domain can write to it.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel
from ledger.choices import NEGATIVE_KINDS, POSITIVE_KINDS, Channel, MovementKind, Revenue


class Movement(AppendOnlyModel):
    kind = models.CharField(_("kind"), max_length=20, choices=MovementKind.choices)
    revenue = models.CharField(_("revenue of"), max_length=8, choices=Revenue.choices)
    amount = models.BigIntegerField(_("amount (Rp)"))
    order = models.ForeignKey(
        "delivery.DeliveryOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    group = models.ForeignKey(
        "delivery.GroupBooking", null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    billing_code = models.ForeignKey(
        "passports.BillingCode", null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    # The office whose daily statement the row belongs to: the Imigrasi office for state fees, the
    # Pos office for the delivery fee.
    office = models.ForeignKey("organisations.Office", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    # The external proof: the NTPN, the Pos receipt number, the refund's reference.
    reference = models.CharField(_("reference"), max_length=40)
    actor = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField(_("when"))
    # The working day (WITA) of the statement the row belongs to.
    business_day = models.DateField(_("day"))
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("money movement")
        verbose_name_plural = _("money movements")
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["office", "business_day"], name="movement_office_day")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="movement_not_zero"),
            models.CheckConstraint(
                condition=~Q(kind__in=POSITIVE_KINDS) | Q(amount__gt=0), name="movement_in_is_positive"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=NEGATIVE_KINDS) | Q(amount__lt=0), name="movement_out_is_negative"
            ),
            models.CheckConstraint(
                condition=~Q(kind=MovementKind.REVERSAL) | Q(reverses__isnull=False),
                name="movement_reversal_names_its_row",
            ),
            # An NTPN proves one payment, a billing code is paid once, an order's fee is taken once
            # (a correction reverses it first: the reversal is another kind).
            models.UniqueConstraint(
                fields=["reference"], condition=Q(kind=MovementKind.STATE_FEE), name="movement_ntpn_once"
            ),
            models.UniqueConstraint(
                fields=["billing_code"],
                condition=Q(kind=MovementKind.STATE_FEE),
                name="movement_billing_code_paid_once",
            ),
            models.UniqueConstraint(
                fields=["order"], condition=Q(kind=MovementKind.DELIVERY_FEE), name="movement_fee_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.reference}"
