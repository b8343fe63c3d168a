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
