"""One lock for every public lookup that answers differently for an existing and an unknown code.

Tracking (code + date of birth or NIK digits), the booking lookup (billing code + date of birth),
a complaint's link (ticket + secret) and a complaint naming a tracking code each tell a caller
whether what they typed exists. Each failure is counted twice, for the client address
(``core.middleware.client_ip``, so behind the proxy one visitor never locks out another) and for
the code that was tried (its *subject*, e.g. ``track:AP1234``), in one window of
``LOOKUP_FAILURE_WINDOW`` seconds. A lookup is refused with 429 while either count is exhausted:
``LOOKUP_MAX_FAILURES`` per client stops one address from walking the codes, and
``LOOKUP_MAX_FAILURES_PER_CODE`` per code stops many addresses from guessing one code's secret.
A refused lookup answers the same whether or not the code exists.

The counters live in the cache (Redis in production). While the cache is away the lock cannot
count and lookups go on (known gap, see the README's security notes).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError


class TooManyAttempts(DomainError):
    status_code = 429
    code = "too_many_attempts"


def too_many_attempts() -> TooManyAttempts:
    return TooManyAttempts(_("Too many unsuccessful attempts. Please wait 15 minutes and try again."))


def _key(kind: str, value: str) -> str:
    return f"lookup:fail:{kind}:" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def lookup_keys(*, client: str, subject: str = "") -> list[str]:
    """The counters a lookup reads: the client's, and the code's when one was given."""
    keys = [_key("client", client)]
    if subject:
        keys.append(_key("subject", subject))
    return keys


def lookup_locked_in(found: dict[str, Any], *, client: str, subject: str = "") -> bool:
    """Whether the counters in ``found`` (a ``cache.get_many`` answer that included
    ``lookup_keys``) lock this lookup; lets a caller read its own keys in the same round trip."""
    if (found.get(_key("client", client)) or 0) >= settings.LOOKUP_MAX_FAILURES:
        return True
    return (
        bool(subject) and (found.get(_key("subject", subject)) or 0) >= settings.LOOKUP_MAX_FAILURES_PER_CODE
    )


def lookup_locked(*, client: str, subject: str = "") -> bool:
    keys = lookup_keys(client=client, subject=subject)
    return lookup_locked_in(cache.get_many(keys), client=client, subject=subject)


def lookup_refuse_if_locked(*, client: str, subject: str = "") -> None:
    if lookup_locked(client=client, subject=subject):
        raise too_many_attempts()


def _count(key: str) -> int:
    window = settings.LOOKUP_FAILURE_WINDOW
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def lookup_failed(*, client: str, subject: str = "") -> None:
    """Count one failed lookup for the client and for the code tried."""
    for key in lookup_keys(client=client, subject=subject):
        _count(key)


def lookup_subject(kind: str, code: str) -> str:
    """The subject of a lookup: the kind of code and the code as the service normalises it."""
    return f"{kind}:{(code or '').strip().upper()}"
