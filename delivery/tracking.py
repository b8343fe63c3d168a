"""Public tracking: who may look, what they see, and the page cache.

A lookup needs the tracking code and the applicant's date of birth. Failed lookups are counted per
client address; past ``TRACKING_MAX_FAILURES`` in ``TRACKING_FAILURE_WINDOW`` the address must wait,
so codes cannot be guessed. A found order's page is cached per language and dropped whenever the
order moves (``tracking_page_forget``, called by the state machine after commit).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.core.cache import cache

from delivery.models import DeliveryOrder


def _failures_key(client: str) -> str:
    return "track:fail:" + hashlib.sha256(client.encode()).hexdigest()[:32]


def tracking_is_blocked(*, client: str) -> bool:
    return (cache.get(_failures_key(client)) or 0) >= settings.TRACKING_MAX_FAILURES


def tracking_record_failure(*, client: str) -> int:
    key = _failures_key(client)
    if cache.add(key, 1, timeout=settings.TRACKING_FAILURE_WINDOW):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=settings.TRACKING_FAILURE_WINDOW)
        return 1


def tracking_find(*, code: str, birth_date: dt.date) -> DeliveryOrder | None:
    return (
        DeliveryOrder.objects.select_related("area")
        .filter(code=code, application__applicant__birth_date=birth_date)
        .first()
    )


def tracking_page_key(*, code: str, birth_date: dt.date, language: str) -> str:
    secret = hashlib.sha256(f"{code}|{birth_date.isoformat()}".encode()).hexdigest()[:40]
    return f"track:page:{language}:{secret}"


def tracking_page_forget(*, code: str, birth_date: dt.date) -> None:
    cache.delete_many(
        [tracking_page_key(code=code, birth_date=birth_date, language=lang) for lang, _ in settings.LANGUAGES]
    )
