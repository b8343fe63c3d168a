"""The base of the API's public endpoints (DRF's views import the authentication module, so this
cannot live there)."""

from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from accounts.authentication import TokenScopePermission


class PublicApi(APIView):
    """Open to anyone (applicants have no token); partner tokens need ``read_tracking``."""

    permission_classes = [AllowAny, TokenScopePermission]
    required_scopes = {"GET": "read_tracking", "POST": "read_tracking"}
