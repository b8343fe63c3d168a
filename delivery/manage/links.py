"""The applicant's personal link: the address every message carries, instead of an account.

A link is ``/m/<token>/`` with the token ``<tracking code>.<time>.<signature>``: the tracking code
it is bound to, when it was made (minutes since 1970 in base 36, five characters until 2084), and 12
characters (72 bits) of an HMAC-SHA256 (Django's ``salted_hmac``, keyed by SECRET_KEY) over the code,
the time, the link's purpose and the order's ``link_version``; a wrong signature counts on the
portal's lookup lock, so 72 bits are far beyond guessing. Short enough for a one-part SMS, it is

- bound to one order and one purpose (a link made to manage a delivery opens nothing else),
- expiring (``MANAGE_LINK_SECONDS`` after it was made, 30 days by default: the whole delivery),
- revocable: raising the order's ``link_version`` (``links_revoke``) makes every link and every
  "manage my delivery" session of the order invalid at once.

A link alone shows what the tracking page shows; before any change the applicant types the
one-time code sent to the phone or mail on file (``delivery.manage.access``).
"""

from __future__ import annotations

import base64
import time

from django.conf import settings
from django.db.models import F
from django.utils.crypto import salted_hmac
from django.utils.http import base36_to_int, int_to_base36

from core.fields import secret_equals
from delivery.models import DeliveryOrder

MANAGE = "manage"
PURPOSES = frozenset({MANAGE})


class LinkExpired(Exception):
    """The link was genuine but is older than its lifetime (``order``: whose it was)."""

    def __init__(self, order: DeliveryOrder) -> None:
        super().__init__(order.code)
        self.order = order


class LinkInvalid(Exception):
    """The link was altered, revoked, made for another purpose or names no order."""


def _signature(*, code: str, made: int, purpose: str, version: int) -> str:
    digest = salted_hmac(
        f"delivery.manage.link.{purpose}", f"{code}|{made}|{version}", algorithm="sha256"
    ).digest()
    return base64.urlsafe_b64encode(digest[:9]).decode("ascii")


def link_token(order: DeliveryOrder, *, purpose: str = MANAGE, now: float | None = None) -> str:
    """The token of the order's personal link for ``purpose``, made now."""
    made = int(now if now is not None else time.time()) // 60
    signature = _signature(code=order.code, made=made, purpose=purpose, version=order.link_version)
    return f"{order.code}.{int_to_base36(made)}.{signature}"


def link_url(order: DeliveryOrder, *, purpose: str = MANAGE) -> str:
    """The full address of the order's personal link, for a message."""
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/m/{link_token(order, purpose=purpose)}/"


def link_order(token: str, *, purpose: str = MANAGE, now: float | None = None) -> DeliveryOrder:
    """The order a personal link is bound to. Raises ``LinkExpired`` for a genuine link past its
    lifetime and ``LinkInvalid`` for anything else that is not a live link for ``purpose``."""
    parts = token.split(".") if isinstance(token, str) and token.isascii() else []
    if len(parts) != 3 or not parts[0] or len(parts[1]) > 8 or purpose not in PURPOSES:
        raise LinkInvalid
    code, made_text, signature = parts
    try:
        made = base36_to_int(made_text)
    except ValueError:
        raise LinkInvalid from None
    order = (
        DeliveryOrder.objects.select_related("area", "delivery_window", "application__applicant")
        .filter(code=code)
        .first()
    )
    if order is None:
        raise LinkInvalid
    expected = _signature(code=code, made=made, purpose=purpose, version=order.link_version)
    if not secret_equals(signature, expected):
        raise LinkInvalid
    if (now if now is not None else time.time()) - made * 60 > settings.MANAGE_LINK_SECONDS:
        raise LinkExpired(order)
    return order


def links_revoke(*, order_id: int) -> None:
    """End every personal link and every "manage my delivery" session of the order."""
    DeliveryOrder.objects.filter(pk=order_id).update(link_version=F("link_version") + 1)
