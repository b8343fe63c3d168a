"""The signed delivery token: a second, stronger proof of delivery than the six-digit code.

While an order is out for delivery, the applicant's order page shows a QR code carrying a token the
portal signed with Ed25519 (``DELIVERY_TOKEN_SIGNING_KEY``, never derived from SECRET_KEY). The
courier's phone checks the signature offline with the public keys the run page ships, and the order
and the expiry written in the token; the server checks everything again and alone decides, in the
same transaction as the move to "delivered".

The token is ``base64url(payload) "." base64url(signature)``, about 130 characters (a version 7 QR
code, readable by a cheap phone's camera); the payload is ASCII text, five fields separated by "|":
``1|<key id>|<order code>|<attempt>|<expiry>``, where

- the key id is the first 6 characters of the base64url SHA-256 of the raw public key;
- the attempt is the number of times the order went out for delivery: a token of an earlier
  attempt (before a failed attempt) is refused;
- the expiry is the end of the delivery day in WITA (23:59:59 of the day the passport went out), as
  seconds since 1970.

Ed25519 signatures are deterministic: the same order, attempt and day give the same token every
time, so nothing is stored. A token is used once: the delivery it proves marks the order delivered
(and its delivery code used), and a delivered order takes no more proofs.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, TypedDict

import segno
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.exceptions import InvalidTransition, NotFound, ValidationFailed
from delivery.choices import DeliveryStatus as S
from delivery.models import DeliveryEvent, DeliveryOrder
from delivery.permissions import is_applicant

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

TOKEN_VERSION = "1"
TOKEN_MAX_LENGTH = 300

TOKEN_FORGED = _("This QR code was not issued by the portal. Ask the applicant for the delivery code.")
TOKEN_OTHER_ORDER = _("This QR code is for another delivery order.")
TOKEN_OLD_ATTEMPT = _(
    "This QR code is from an earlier delivery attempt. Ask the applicant to open their order page again."
)
TOKEN_EXPIRED = _("This QR code has expired. Ask the applicant to open their order page again.")
WRONG_TOKEN = "wrong_token"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public_raw: bytes) -> str:
    return _b64url(hashlib.sha256(public_raw).digest())[:6]


@lru_cache(maxsize=4)
def _signing_key(setting: str) -> Ed25519PrivateKey:
    try:
        raw = base64.b64decode(setting, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured("DELIVERY_TOKEN_SIGNING_KEY must be 32 raw bytes in base64")
    return Ed25519PrivateKey.from_private_bytes(raw)


def signing_key() -> Ed25519PrivateKey:
    return _signing_key(settings.DELIVERY_TOKEN_SIGNING_KEY or "")


def _public_keys() -> dict[str, bytes]:
    """Every key a token may be signed with, by key id: the current one first."""
    current = _raw_public(signing_key().public_key())
    keys = {key_id(current): current}
    for text in settings.DELIVERY_TOKEN_OLD_PUBLIC_KEYS:
        raw = base64.b64decode(text)
        keys.setdefault(key_id(raw), raw)
    return keys


class PublicKey(TypedDict):
    """A public key as the run page ships it: its id and the raw 32 bytes in base64url."""

    kid: str
    key: str


def delivery_token_public_keys() -> list[PublicKey]:
    return [{"kid": kid, "key": _b64url(raw)} for kid, raw in _public_keys().items()]


def delivery_attempt_number(order: DeliveryOrder) -> int:
    """How many times the order went out for delivery (1 on the first run)."""
    return DeliveryEvent.objects.filter(order=order, to_status=S.OUT_FOR_DELIVERY).count()


def delivery_attempt_numbers(orders: list[DeliveryOrder]) -> dict[str, int]:
    """``delivery_attempt_number`` of each order by its code, in one query (the courier's run page
    checks a token's attempt offline with it)."""
    counts = dict(
        DeliveryEvent.objects.filter(order__in=orders, to_status=S.OUT_FOR_DELIVERY)
        .values("order_id")
        .annotate(n=Count("pk"))
        .values_list("order_id", "n")
    )
    return {order.code: counts.get(order.pk, 0) for order in orders}


def end_of_delivery_day(moment: dt.datetime) -> dt.datetime:
    local = timezone.localtime(moment)
    return local.replace(hour=23, minute=59, second=59, microsecond=0)


@dataclass(frozen=True)
class DeliveryToken:
    token: str
    order_code: str
    attempt: int
    expires_at: dt.datetime


def delivery_token_sign(*, order_code: str, attempt: int, expires_at: dt.datetime) -> str:
    key = signing_key()
    kid = key_id(_raw_public(key.public_key()))
    payload = "|".join([TOKEN_VERSION, kid, order_code, str(attempt), str(int(expires_at.timestamp()))])
    data = payload.encode("ascii")
    return _b64url(data) + "." + _b64url(key.sign(data))


def delivery_token_issue(*, order: DeliveryOrder) -> DeliveryToken | None:
    """The token of the order's current delivery run; None unless the order is out for delivery."""
    if order.status != S.OUT_FOR_DELIVERY:
        return None
    last_out = (
        DeliveryEvent.objects.filter(order=order, to_status=S.OUT_FOR_DELIVERY)
        .order_by("-occurred_at", "-pk")
        .first()
    )
    if last_out is None:
        return None
    attempt = delivery_attempt_number(order)
    expires_at = end_of_delivery_day(last_out.occurred_at)
    token = delivery_token_sign(order_code=order.code, attempt=attempt, expires_at=expires_at)
    return DeliveryToken(token=token, order_code=order.code, attempt=attempt, expires_at=expires_at)


def _refused(message: StrOrPromise) -> ValidationFailed:
    return ValidationFailed(message, code=WRONG_TOKEN, fields={"token": [message]})


def delivery_token_check(*, order: DeliveryOrder, token: str, now: dt.datetime | None = None) -> None:
    """Refuse a token that is not the portal's, is for another order or an earlier attempt, or has
    expired (``ValidationFailed`` with code ``wrong_token``, counted like a wrong delivery code)."""
    text = (token or "").strip()
    try:
        if len(text) > TOKEN_MAX_LENGTH or not text.isascii():
            raise ValueError
        payload_text, signature_text = text.split(".")
        payload = _b64url_decode(payload_text)
        signature = _b64url_decode(signature_text)
        version, kid, order_code, attempt_text, expiry_text = payload.decode("ascii").split("|")
        public = _public_keys().get(kid)
        if version != TOKEN_VERSION or public is None:
            raise ValueError
        Ed25519PublicKey.from_public_bytes(public).verify(signature, payload)
        attempt, expiry = int(attempt_text), int(expiry_text)
    except (ValueError, binascii.Error, UnicodeDecodeError, InvalidSignature):
        raise _refused(TOKEN_FORGED) from None
    if order_code != order.code:
        raise _refused(TOKEN_OTHER_ORDER)
    if attempt != delivery_attempt_number(order):
        raise _refused(TOKEN_OLD_ATTEMPT)
    if (now or timezone.now()).timestamp() > expiry:
        raise _refused(TOKEN_EXPIRED)


def delivery_token_for_applicant(*, order_code: str, actor: User) -> DeliveryToken:
    """The token of the applicant's own order (never anyone else's, staff included) while it is out
    for delivery."""
    order = (
        DeliveryOrder.objects.filter(code=order_code, application__applicant__user=actor).first()
        if actor.is_authenticated and is_applicant(actor)
        else None
    )
    if order is None:
        raise NotFound(_("No such order."), code="unknown_order")
    issued = delivery_token_issue(order=order)
    if issued is None:
        raise InvalidTransition(
            _("The QR code is shown only while the passport is out for delivery."),
            code="not_out_for_delivery",
        )
    return issued


def delivery_token_qr(token: str) -> str:
    """The QR code of a token as a PNG data URL (medium error correction, version 8 at most: big
    modules that a cheap phone's camera reads off a screen)."""
    return str(segno.make(token, error="m", micro=False).png_data_uri(scale=6, border=4))
