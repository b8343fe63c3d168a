"""Who may do what with passport applications and their payments (steps 1 and 2, and paying at a counter)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from core.exceptions import NotAllowed

if TYPE_CHECKING:
    from accounts.models import User

# Who takes the passport fee at a counter: both agencies' counter staff, for their own office.
PAYMENT_TAKERS = frozenset({Role.POS_SERVICE_OFFICER, Role.IMIGRASI_OFFICER})


def may_record_applications(actor: User) -> bool:
    """Steps 1 and 2: an Imigrasi counter officer with an office."""
    return actor.role == Role.IMIGRASI_OFFICER and actor.office is not None


def require_application_recorder(actor: User) -> None:
    if not may_record_applications(actor):
        raise NotAllowed(_("Only an Imigrasi counter officer records applications."), code="wrong_role")


def may_take_payments(actor: User) -> bool:
    return actor.role in PAYMENT_TAKERS and actor.office is not None


def require_payment_taker(actor: User) -> None:
    if not may_take_payments(actor):
        raise NotAllowed(_("Your role may not take payments."), code="wrong_role")
