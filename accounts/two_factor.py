"""Second factor (TOTP, django-otp) for every staff account.

Staff log in with their password, then the session is "half logged in": ``SecondFactorMiddleware``
lets it reach only the set-up and code pages until a TOTP code is verified in that session
(``django_otp.login`` stores the device in the session). Applicants and travel agencies use the
password alone.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import segno
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.choices import STAFF_ROLES, Role
from accounts.models import User

DEVICE_NAME = "authenticator"


def second_factor_required(user: User | AnonymousUser) -> bool:
    """Staff of both agencies, couriers included, and administrators; not applicants or agencies."""
    if not user.is_authenticated:
        return False
    return user.role in STAFF_ROLES or user.role == Role.ADMINISTRATOR or user.is_staff or user.is_superuser


def totp_device_confirmed(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def totp_setup_start(*, user: User) -> TOTPDevice:
    """The unconfirmed device being set up (one per user; reloading the page keeps the same secret)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def totp_setup_confirm(*, user: User, token: str) -> TOTPDevice | None:
    """Confirm the device being set up with a code from the app; ``None`` if the code is wrong."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
        )
        if device is None or not device.verify_token(token.strip().replace(" ", "")):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        # Any older device is replaced by the new one.
        TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    return device


@dataclass(frozen=True)
class CodeCheck:
    device: TOTPDevice | None
    throttled: bool


def totp_verify(*, user: User, token: str) -> CodeCheck:
    """Check a login code; repeated wrong codes make the device wait longer each time (django-otp)."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk").first()
        )
        if device is None:
            return CodeCheck(device=None, throttled=False)
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            return CodeCheck(device=None, throttled=True)
        ok = device.verify_token(token.strip().replace(" ", ""))
    return CodeCheck(device=device if ok else None, throttled=False)


def totp_secret_text(device: TOTPDevice) -> str:
    """The secret as authenticator apps ask for it: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff")
