"""Where each role lands after logging in: its own home page, or the portal's home (the work queue
of the role) for a role without one."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from accounts.choices import Role
from accounts.models import User

# Role → URL name of its home page. A courier works from the courier app on the phone.
ROLE_HOMES: dict[str, str] = {Role.COURIER: "courier-run"}


def home_url_for(user: User | AnonymousUser) -> str:
    name = ROLE_HOMES.get(getattr(user, "role", "") or "", "home") if user.is_authenticated else "home"
    return reverse(name)
