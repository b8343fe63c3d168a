from django.db import models
from django.utils.translation import gettext_lazy as _


class MovementKind(models.TextChoices):
    STATE_FEE = "state_fee", _("Passport fee paid (state revenue, NTPN)")
    DELIVERY_FEE = "delivery_fee", _("Delivery fee paid")
    FEE_DIFFERENCE = "fee_difference", _("Delivery fee difference paid")
    DOOR_COLLECTION = "door_collection", _("Collected at the door")
    REFUND = "refund", _("Refund")
    REVERSAL = "reversal", _("Reversal of an earlier row")


class Revenue(models.TextChoices):
    """Whose money a row is: the state's (PNBP, through MPN G-2) or PT Pos's (the delivery fee)."""

    STATE = "state", _("State revenue (PNBP)")
    POS = "pos", _("PT Pos delivery fee")


class Channel(models.TextChoices):
    POS_COUNTER = "pos_counter", _("Pos counter")
    BANK = "bank", _("Bank")
    ONLINE = "online", _("Online")
    DOOR = "door", _("At the door (courier)")


# The sign each kind may take: money in is positive, money out (a refund) negative; a difference
# and a reversal go either way.
POSITIVE_KINDS = (MovementKind.STATE_FEE, MovementKind.DELIVERY_FEE)
NEGATIVE_KINDS = (MovementKind.REFUND,)


class StatementStatus(models.TextChoices):
    OPEN = "open", _("Waiting for both approvals")  # built (or rebuilt), nobody approved yet
    POS_APPROVED = "pos_approved", _("Approved by PT Pos, waiting for Imigrasi")
    IMIGRASI_APPROVED = "imigrasi_approved", _("Approved by Imigrasi, waiting for PT Pos")
    APPROVED = "approved", _("Approved by both agencies")  # final
    DISPUTED = "disputed", _("Disputed")  # a line disputed; approvals withdrawn; rebuilt when settled


class StatementSection(models.TextChoices):
    STATE_FEE = "state_fee", _("State fees (by NTPN)")
    DELIVERY_FEE = "delivery_fee", _("Delivery fees")
    DOOR_COLLECTION = "door_collection", _("Collected at the door")
    REFUND = "refund", _("Refunds")
    CORRECTION = "correction", _("Corrections (reversals)")


class DifferenceKind(models.TextChoices):
    MISSING_IN_REPORT = "missing_in_report", _("In the ledger, missing in MPN G-2's settlement report")
    EXTRA_IN_REPORT = "extra_in_report", _("In MPN G-2's settlement report, missing in the ledger")
    AMOUNT_DIFFERS = "amount_differs", _("Amounts differ")


class SettlementCheck(models.TextChoices):
    MATCHED = "matched", _("Every NTPN matches")
    DIFFERENCES = "differences", _("Differences found")
    UNAVAILABLE = "unavailable", _("Settlement report not available")


class Agency(models.TextChoices):
    """The two agencies that approve a statement."""

    POS = "pos", _("PT Pos")
    IMIGRASI = "imigrasi", _("Imigrasi")
