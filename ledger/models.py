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

from core.models import AppendOnlyModel, StateEvent
from ledger.choices import (
    NEGATIVE_KINDS,
    POSITIVE_KINDS,
    Channel,
    DifferenceKind,
    MovementKind,
    Revenue,
    SettlementCheck,
    StatementSection,
    StatementStatus,
)


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


class Statement(models.Model):
    """The daily statement of a Pos office and the Imigrasi office it serves: the ledger rows of one
    working day (WITA), the state fees of the Imigrasi office and the Pos office's delivery money.

    Built and rebuilt from the ledger by ``delivery.money.statements`` (the lines and totals are a
    copy of the rows, replaced whole by a rebuild); approved by a supervisor of each agency. Its
    ``status`` changes only through ``STATEMENT_STATES`` there, each step an event row."""

    pos_office = models.ForeignKey(
        "organisations.Office", verbose_name=_("Pos office"), on_delete=models.PROTECT, related_name="+"
    )
    imigrasi_office = models.ForeignKey(
        "organisations.Office", verbose_name=_("Imigrasi office"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("day"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=StatementStatus.choices,
        default=StatementStatus.OPEN,
        editable=False,
    )
    built_at = models.DateTimeField(_("built at"))
    builds = models.PositiveIntegerField(_("times built"), default=1)
    state_fees = models.BigIntegerField(_("state fees (Rp)"), default=0)
    delivery_fees = models.BigIntegerField(_("delivery fees (Rp)"), default=0)
    door_collections = models.BigIntegerField(_("collected at the door (Rp)"), default=0)
    refunds = models.BigIntegerField(_("refunds (Rp)"), default=0)
    corrections = models.BigIntegerField(_("corrections (Rp)"), default=0)
    # {"pos_counter": 150000, "bank": ...}: the sum of the lines per channel
    by_channel = models.JSONField(_("totals by channel"), default=dict)
    settlement = models.CharField(
        _("state revenue check"),
        max_length=12,
        choices=SettlementCheck.choices,
        default=SettlementCheck.MATCHED,
    )
    pos_approved_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pos_approved_at = models.DateTimeField(_("approved by PT Pos at"), null=True, blank=True)
    imigrasi_approved_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    imigrasi_approved_at = models.DateTimeField(_("approved by Imigrasi at"), null=True, blank=True)

    class Meta:
        verbose_name = _("daily statement")
        verbose_name_plural = _("daily statements")
        ordering = ["-day", "pos_office_id"]
        constraints = [models.UniqueConstraint(fields=["pos_office", "day"], name="statement_once_a_day")]

    def __str__(self) -> str:
        return f"{self.pos_office_id} {self.day}"

    @property
    def total(self) -> int:
        return self.state_fees + self.delivery_fees + self.door_collections + self.refunds + self.corrections

    @property
    def pos_total(self) -> int:
        """PT Pos's money of the day: every line but the state fees (and their corrections)."""
        return sum(v for k, v in self.by_revenue().items() if k == Revenue.POS)

    def by_revenue(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for line in self.lines.all():
            totals[line.revenue] = totals.get(line.revenue, 0) + line.amount
        return totals


class StatementLine(models.Model):
    """One ledger row on a statement, with the order (or billing code) behind it."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    movement = models.ForeignKey(Movement, on_delete=models.PROTECT, related_name="+")
    section = models.CharField(_("section"), max_length=20, choices=StatementSection.choices)
    revenue = models.CharField(_("revenue of"), max_length=8, choices=Revenue.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=MovementKind.choices)
    amount = models.BigIntegerField(_("amount (Rp)"))
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    reference = models.CharField(_("reference"), max_length=40)
    order_code = models.CharField(_("order"), max_length=20, blank=True)
    billing_code = models.CharField(_("billing code"), max_length=20, blank=True)
    occurred_at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["section", "occurred_at", "id"]
        constraints = [models.UniqueConstraint(fields=["statement", "movement"], name="statement_line_once")]

    def __str__(self) -> str:
        return f"{self.section} {self.amount} {self.reference}"


class StatementDifference(models.Model):
    """An NTPN on which the ledger and MPN G-2's settlement report disagree."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="differences")
    kind = models.CharField(_("difference"), max_length=20, choices=DifferenceKind.choices)
    ntpn = models.CharField(_("NTPN"), max_length=40)
    billing_code = models.CharField(_("billing code"), max_length=20, blank=True)
    ledger_amount = models.BigIntegerField(_("in the ledger (Rp)"), null=True, blank=True)
    report_amount = models.BigIntegerField(_("in the report (Rp)"), null=True, blank=True)

    class Meta:
        verbose_name = _("NTPN difference")
        verbose_name_plural = _("NTPN differences")
        ordering = ["kind", "ntpn"]

    def __str__(self) -> str:
        return f"{self.kind} {self.ntpn}"


class StatementEvent(StateEvent):
    """One step of a statement (built, rebuilt, approved by an agency, disputed). Append-only."""

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="events")
    office = models.ForeignKey(
        "organisations.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(StateEvent.Meta):
        verbose_name = _("statement event")
        verbose_name_plural = _("statement events")
