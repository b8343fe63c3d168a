from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions

from accounts.models import ApiToken, User
from accounts.tokens import api_token_authenticate

# DRF's views import this module (its default authentication and permission classes): their types only.
if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

UserModel = get_user_model()


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <prefix>.<secret>``; the request acts as the token's account."""

    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode(errors="replace").split()
        if not header or header[0] != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed token header."))
        token = api_token_authenticate(key=header[1])
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class TokenScopePermission(permissions.BasePermission):
    """A token may call a view only if it holds the view's scope for that method.

    Views declare ``required_scopes = {"GET": "read_tracking", "POST": "write_handoff"}``; a view
    that declares none is closed to tokens.
    """

    message = _("This token's scopes do not allow this call.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not isinstance(request.auth, ApiToken):
            return True
        scopes = getattr(view, "required_scopes", {})
        method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
        needed = scopes.get(method)
        return needed is not None and needed in request.auth.scopes


class OfficeModelBackend(ModelBackend):
    """Django's password backend; the user of a session comes with their office in the same query
    (every handoff records the office, every page shows it)."""

    def get_user(self, user_id: int | str) -> User | None:
        user = UserModel._default_manager.select_related("office__organisation").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
