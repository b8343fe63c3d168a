"""Request types for views that only logged-in users reach (``login_required`` or a role check
before them): ``request.user`` is a portal ``User``, never ``AnonymousUser``."""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.request import Request

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User


class AuthenticatedRequest(Request):
    user: User
