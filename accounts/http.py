"""Requests as the pages and API views behind a login see them: ``request.user`` is a portal user,
never the anonymous one. Annotations only; nothing here is instantiated."""

from __future__ import annotations

from typing import Protocol

from django.http import HttpRequest
from rest_framework.request import Request

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A page's request past ``login_required`` (or a decorator built on it): someone is logged in."""

    user: User


class AuthenticatedRequest(Request):
    """An API request past DRF's ``IsAuthenticated`` (the default permission): someone is logged in."""

    user: User


class LoggedInRequest(Protocol):
    """Any request whose user is logged in, whichever class says so: the two above, or the like
    that a module declares for itself. For helpers that read only ``request.user``."""

    @property
    def user(self) -> User: ...
