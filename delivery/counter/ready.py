"""Between steps 4 and 5: Imigrasi marks printed passports ready for release."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from core.exceptions import ValidationFailed
from delivery.handoff.transitions import delivery_orders_move
from delivery.permissions import require_role


def passports_mark_ready(*, actor: User, order_ids: list[int], at: dt.datetime | None = None) -> int:
    """Imigrasi marks a stack of printed and signed passports ready at once: every chosen dossier
    moves to "passport ready", or none does. Returns how many were marked."""
    require_role(actor, Role.IMIGRASI_OFFICER)
    if not order_ids:
        message = _("Choose at least one passport.")
        raise ValidationFailed(message, fields={"orders": [message]})
    return len(delivery_orders_move("mark_ready", order_ids=order_ids, actor=actor, at=at))
