"""Who may do what in the partnership: the agency managers (and the administrator) run it.

Pages, API views and services all ask here; a refusal in a service raises ``NotAllowed``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from core.exceptions import NotAllowed
from partners.choices import Party

if TYPE_CHECKING:
    from accounts.models import User

MANAGERS = frozenset({Role.AGENCY_MANAGER, Role.ADMINISTRATOR})
# Who may enter the passports issued each month (besides the administrator): Imigrasi's side only.
UPTAKE_ENTERERS = frozenset({Role.AGENCY_MANAGER, Role.IMIGRASI_OFFICER})

_NOT_A_MANAGER = _("Only the agency managers of Imigrasi and PT Pos may do this.")


def is_manager(user: User) -> bool:
    """May this user open the partnership (pages and API)?"""
    return user.role in MANAGERS


def require_manager(actor: User | None) -> None:
    if actor is None or not is_manager(actor):
        raise NotAllowed(_NOT_A_MANAGER)


def party_of(user: User) -> str:
    """The side an agency manager speaks for, from the kind of their office."""
    kind = user.office.organisation.kind if user.office else ""
    if kind in Party.values:
        return kind
    raise NotAllowed(_NOT_A_MANAGER)


def may_enter_uptake(actor: User) -> bool:
    """May this user enter the passports issued in a month? The administrator, or Imigrasi's side."""
    if actor.role == Role.ADMINISTRATOR:
        return True
    return actor.role in UPTAKE_ENTERERS and party_of(actor) == Party.IMIGRASI


def require_uptake_enterer(actor: User) -> None:
    if not may_enter_uptake(actor):
        raise NotAllowed(_("Only Imigrasi enters the passports issued."))
