"""API tokens for partner systems: issued in the admin, shown once, stored as a hash, revocable."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.utils import timezone

from accounts.models import ApiToken, User
from core.exceptions import ValidationFailed
from core.fields import secret_equals

LAST_USED_RESOLUTION = dt.timedelta(minutes=1)  # don't write a row on every request


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_issue(*, name: str, user: User, scopes: list[str]) -> tuple[ApiToken, str]:
    """A new token and its key (``prefix.secret``); the key is never shown again."""
    unknown = set(scopes) - set(ApiToken.Scope.values)
    if unknown or not scopes:
        raise ValidationFailed(fields={"scopes": [f"Unknown or missing scopes: {sorted(unknown)}"]})
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name, user=user, scopes=sorted(scopes), prefix=prefix, secret_hash=_hash(secret)
    )
    return token, f"{prefix}.{secret}"


def api_token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_token_authenticate(*, key: str) -> ApiToken | None:
    prefix, _, secret = key.partition(".")
    if not prefix or not secret:
        return None
    token = ApiToken.objects.select_related("user__office__organisation").filter(prefix=prefix).first()
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    if not secret_equals(_hash(secret), token.secret_hash):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
