"""Who may do what in the delivery service: the role groups and the page guard every view uses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeGuard

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts.choices import Role
from core.exceptions import NotAllowed
from delivery.choices import FINAL_STATUSES

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from delivery.models import Batch, DeliveryOrder

IMIGRASI = (Role.IMIGRASI_OFFICER,)
POS = (Role.POS_SERVICE_OFFICER,)
SUPERVISORS = (Role.AGENCY_MANAGER, Role.ADMINISTRATOR)
# The problems queue: the agencies' managers (their own office) and the administrator.
PROBLEM_READERS = frozenset({Role.AGENCY_MANAGER, Role.ADMINISTRATOR})
# Who may unlock a locked delivery code: the dispatcher of the order's Pos office (and the
# administrator), after checking the applicant by phone.
CODE_UNLOCKERS = frozenset({Role.POS_DISPATCHER, Role.ADMINISTRATOR})
# Lost or damaged passports: everyone who handles the passport on its way reports; Imigrasi decides.
LOST_CASE_REPORTERS = frozenset(
    {Role.IMIGRASI_OFFICER, Role.POS_SERVICE_OFFICER, Role.POS_DISPATCHER, Role.COURIER, Role.AGENCY_MANAGER}
)
LOST_CASE_DECIDERS = frozenset({Role.IMIGRASI_OFFICER})
LOST_CASE_READERS = LOST_CASE_REPORTERS | {Role.ADMINISTRATOR}

View = Callable[..., HttpResponseBase]


def roles(*allowed: str) -> Callable[[View], View]:
    """A page for these roles only: anyone else is sent home with a message (logged out: to log in)."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if getattr(request.user, "role", None) not in allowed:
                messages.error(request, _("Your role may not open this page."))
                return redirect("home")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def require_role(actor: User | None, *roles: str) -> None:
    if actor is None or actor.role not in roles or actor.office_id is None:
        raise NotAllowed(_("Your role may not do this."), code="wrong_role")


# Plain answers to "may this user do this (to this object)?", asked by pages, API views, services and
# selectors alike. Querysets still scope by office; these name the role part of that scoping.

# Who may put orders on a courier's run: the dispatcher, and the service section at step 6.
COURIER_ASSIGNERS = frozenset({Role.POS_DISPATCHER, Role.POS_SERVICE_OFFICER})
# Who may book delivery at all (any door), and who of them only for their own office.
BOOKERS = frozenset({Role.APPLICANT, Role.POS_SERVICE_OFFICER, Role.IMIGRASI_OFFICER, Role.TRAVEL_AGENCY})
OWN_OFFICE_BOOKERS = frozenset({Role.POS_SERVICE_OFFICER, Role.IMIGRASI_OFFICER})
# Who sees the group bookings touching their office's orders.
GROUP_OFFICE_READERS = frozenset(
    {Role.POS_SERVICE_OFFICER, Role.POS_DISPATCHER, Role.AGENCY_MANAGER, Role.IMIGRASI_OFFICER}
)
# Who may read the van standby log (and whose office scopes it), on the pages and over the API alike.
VAN_LOG_READERS = frozenset({Role.POS_SERVICE_OFFICER, Role.AGENCY_MANAGER, Role.ADMINISTRATOR})


def is_administrator(user: User) -> bool:
    """The administrator sees every office's rows."""
    return user.role == Role.ADMINISTRATOR


def is_applicant(user: User) -> bool:
    return user.role == Role.APPLICANT


def is_logged_in_applicant(user: User | AnonymousUser | None) -> TypeGuard[User]:
    return user is not None and user.is_authenticated and user.role == Role.APPLICANT


def is_imigrasi_officer(user: User) -> bool:
    return user.role == Role.IMIGRASI_OFFICER


def is_pos_service_officer(user: User) -> bool:
    return user.role == Role.POS_SERVICE_OFFICER


def is_travel_agency(user: User) -> bool:
    return user.role == Role.TRAVEL_AGENCY


def is_courier(user: User) -> bool:
    return user.role == Role.COURIER


def is_office_dispatcher(user: User) -> bool:
    """The Pos delivery dispatcher of an office (the courier board)."""
    return user.role == Role.POS_DISPATCHER and user.office_id is not None


def may_assign_couriers(user: User) -> bool:
    return user.role in COURIER_ASSIGNERS


def require_courier_assigner(actor: User) -> None:
    if not may_assign_couriers(actor):
        raise NotAllowed(_("Your role may not assign couriers."))


def may_assign_courier_to(user: User, order: DeliveryOrder) -> bool:
    """May this user put this order on a courier's run (its Pos office's dispatcher or service section)?"""
    return may_assign_couriers(user) and order.pos_office_id == user.office_id


def may_unlock_codes(user: User) -> bool:
    return user.role in CODE_UNLOCKERS


def may_book_delivery(actor: User) -> bool:
    return actor.role in BOOKERS


def books_for_own_office_only(actor: User) -> bool:
    return actor.role in OWN_OFFICE_BOOKERS


def may_open_group_bookings(user: User) -> bool:
    """The group booking pages: the travel agencies (and the administrator)."""
    return user.role in (Role.TRAVEL_AGENCY, Role.ADMINISTRATOR)


def may_book_groups(actor: User) -> bool:
    """Booking a group: a travel agency with an office address."""
    return actor.role == Role.TRAVEL_AGENCY and actor.office is not None


def sees_office_groups(user: User) -> bool:
    return user.role in GROUP_OFFICE_READERS


def may_acknowledge_batch(user: User, batch: Batch) -> bool:
    """The receiving Pos office's service officer acknowledges a batch (while it is in handover)."""
    return user.role == Role.POS_SERVICE_OFFICER and user.office_id == batch.pos_office_id


def may_read_manifests(user: User) -> bool:
    """The counter officers of both sides and the supervisors read dossier manifests (of their office)."""
    return user.role in (Role.POS_SERVICE_OFFICER, Role.IMIGRASI_OFFICER, *SUPERVISORS)


def may_read_van_log(user: User) -> bool:
    return user.role in VAN_LOG_READERS


def may_record_van_standby(user: User) -> bool:
    return user.role == Role.POS_SERVICE_OFFICER


def may_read_problems(user: User) -> bool:
    return user.role in PROBLEM_READERS


def may_see_lost_case_page(user: User | AnonymousUser, order: DeliveryOrder) -> bool:
    """Whether the order page links to its lost passport case: staff who handle the passport on its
    way while the delivery goes on (to report it), and after that only where a case exists."""
    if getattr(user, "role", None) not in LOST_CASE_READERS:
        return False
    return order.status not in FINAL_STATUSES or order.lost_cases.exists()
