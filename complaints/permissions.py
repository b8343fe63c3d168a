"""Who may do what with complaints: the staff of the office a complaint is routed to answer and close it.

Anyone files a complaint (no account needed); the queue and the answers are for the handlers of the
routed office, and for the administrator everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.choices import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from complaints.models import Complaint

# Staff who may see, answer and close the complaints routed to their office.
HANDLER_ROLES = frozenset(
    {
        Role.AGENCY_MANAGER,
        Role.IMIGRASI_OFFICER,
        Role.POS_SERVICE_OFFICER,
        Role.POS_DISPATCHER,
    }
)


def is_complaint_handler(user: User) -> bool:
    """May this user open the complaints queue (pages and API)? A handler role, or the administrator."""
    return user.role in HANDLER_ROLES or user.role == Role.ADMINISTRATOR


def may_see_every_complaint(user: User) -> bool:
    return user.role == Role.ADMINISTRATOR


def complaint_queue_office_id(user: User) -> int | None:
    """The office whose complaints this user handles (None: no queue of their own)."""
    if user.role not in HANDLER_ROLES or user.office_id is None:
        return None
    return user.office_id


def may_answer_complaint(user: User | AnonymousUser, complaint: Complaint) -> bool:
    """May this user answer (and close) this complaint? The routed office's handlers and the administrator."""
    if not user.is_authenticated:
        return False
    if may_see_every_complaint(user):
        return True
    return user.role in HANDLER_ROLES and user.office_id == complaint.office_id
