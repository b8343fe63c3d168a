"""Who may do what in the delivery service: the role groups and the page guard every view uses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts.choices import Role
from core.exceptions import NotAllowed

IMIGRASI = (Role.IMIGRASI_OFFICER,)
POS = (Role.POS_SERVICE_OFFICER,)
SUPERVISORS = (Role.AGENCY_MANAGER, Role.ADMINISTRATOR)
# The problems queue: the agencies' managers (their own office) and the administrator.
PROBLEM_READERS = frozenset({Role.AGENCY_MANAGER, Role.ADMINISTRATOR})
# Who may unlock a locked delivery code: the dispatcher of the order's Pos office (and the
# administrator), after checking the applicant by phone.
CODE_UNLOCKERS = frozenset({Role.POS_DISPATCHER, Role.ADMINISTRATOR})

View = Callable[..., HttpResponse]


def roles(*allowed: str) -> Callable[[View], View]:
    """A page for these roles only: anyone else is sent home with a message (logged out: to log in)."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if getattr(request.user, "role", None) not in allowed:
                messages.error(request, _("Your role may not open this page."))
                return redirect("home")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def require_role(actor, *roles) -> None:
    if actor is None or actor.role not in roles or actor.office_id is None:
        raise NotAllowed(_("Your role may not do this."), code="wrong_role")
