"""Signed webhooks for partner systems.

``webhook_emit`` writes one WebhookDelivery per matching subscription in the caller's transaction
(so an event and its webhooks commit or roll back together) and enqueues the sending after commit.
``webhook_deliver`` sends one delivery: JSON body, HMAC-SHA256 over ``timestamp.body`` in
``X-Antar-Signature``; every attempt is logged. Deliveries with the same ordering key (an order's
code) go out strictly in order: a later one waits while an earlier one is pending. After
``WEBHOOK_MAX_FAILURES`` failures in a row the subscription is switched off and its owner is told.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from core.outbox import task_enqueue

logger = logging.getLogger(__name__)

SENT, WAITING, FAILED, GONE = "sent", "waiting", "failed", "gone"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


ACTIVE_KEY = "webhooks:active"
ACTIVE_CACHE_SECONDS = 60


def _active_subscriptions() -> list[tuple[int, tuple[str, ...], int | None, bool]]:
    """(id, events, owner's office, owner sees every office) of each active subscription.

    Every handoff asks and subscriptions change rarely, so the list is read through the cache; each
    change of a subscription or of a user forgets it (``webhook_subscriptions_changed``), and it
    expires after ``ACTIVE_CACHE_SECONDS`` in any case."""
    rows: list[tuple[int, tuple[str, ...], int | None, bool]] | None = cache.get(ACTIVE_KEY)
    if rows is None:
        rows = [
            (
                subscription.pk,
                tuple(subscription.events),
                subscription.owner.office_id,
                subscription.owner.is_superuser,
            )
            for subscription in WebhookSubscription.objects.filter(active=True)
            .select_related("owner")
            .order_by("pk")
        ]
        cache.set(ACTIVE_KEY, rows, timeout=ACTIVE_CACHE_SECONDS)
    return rows


def webhook_subscriptions_changed(**_: object) -> None:
    """Forget the cached list now and again after commit (a reader between the two may have cached
    what was there before the change)."""
    cache.delete(ACTIVE_KEY)
    transaction.on_commit(lambda: cache.delete(ACTIVE_KEY))


def webhook_emit(
    *, event: str, payload: dict[str, Any], ordering_key: str = "", office_ids: tuple[int, ...] = ()
) -> list[int]:
    """Queue ``event`` for every active subscription that wants it and may see these offices."""
    return webhooks_emit(event=event, messages=[(payload, ordering_key, office_ids)])


def webhooks_emit(*, event: str, messages: list[tuple[dict[str, Any], str, tuple[int, ...]]]) -> list[int]:
    """``webhook_emit`` for several messages of one kind, (payload, ordering key, office ids) each,
    as a batch step makes them: the subscriptions are read once."""
    wanting = [row for row in _active_subscriptions() if event in row[1]]
    created = []
    for payload, ordering_key, office_ids in messages:
        for subscription_id, _events, owner_office_id, sees_all in wanting:
            if office_ids and not sees_all and owner_office_id not in office_ids:
                continue
            delivery = WebhookDelivery.objects.create(
                subscription_id=subscription_id, event=event, payload=payload, ordering_key=ordering_key
            )
            created.append(delivery.pk)
    for delivery_id in created:
        task_enqueue("portal.tasks.deliver_webhook", delivery_id)
    return created


def _body(delivery: WebhookDelivery) -> bytes:
    return json.dumps(
        {
            "id": delivery.pk,
            "event": delivery.event,
            "created_at": delivery.created_at.isoformat(),
            "data": delivery.payload,
        },
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


def webhook_deliver(*, delivery_id: int) -> str:
    """Send one delivery, holding its row locked so two workers never send it twice."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            exists = WebhookDelivery.objects.filter(pk=delivery_id).exists()
            return WAITING if exists else GONE
        return _deliver_locked(delivery)


def _deliver_locked(delivery: WebhookDelivery) -> str:
    if delivery.status != WebhookDelivery.Status.PENDING:
        return delivery.status
    subscription = delivery.subscription
    if not subscription.active:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=WebhookDelivery.Status.ABANDONED)
        return WebhookDelivery.Status.ABANDONED
    if (
        delivery.ordering_key
        and WebhookDelivery.objects.filter(
            subscription=subscription,
            ordering_key=delivery.ordering_key,
            status=WebhookDelivery.Status.PENDING,
            pk__lt=delivery.pk,
        ).exists()
    ):
        return WAITING
    body = _body(delivery)
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "antar-paspor-webhooks/1",
            "X-Antar-Event": delivery.event,
            "X-Antar-Delivery": str(delivery.pk),
            "X-Antar-Timestamp": timestamp,
            "X-Antar-Signature": sign(subscription.secret, timestamp, body),
        },
    )
    started = time.monotonic()
    status_code, error = None, ""
    try:
        with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT) as response:
            status_code = response.status
    except urllib.error.HTTPError as http_error:
        status_code, error = http_error.code, f"HTTP {http_error.code}"
    except (OSError, ValueError) as network_error:
        error = str(network_error)[:300] or network_error.__class__.__name__
    elapsed_ms = int((time.monotonic() - started) * 1000)
    WebhookAttempt.objects.create(
        delivery=delivery, status_code=status_code, response_ms=elapsed_ms, error=error
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=F("attempts") + 1)
    if status_code is not None and 200 <= status_code < 300:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.SENT, sent_at=timezone.now()
        )
        WebhookSubscription.objects.filter(pk=subscription.pk).update(consecutive_failures=0)
        _release_next(delivery)
        return SENT
    _record_failure(subscription, reason=error)
    return FAILED


def _release_next(delivery: WebhookDelivery) -> None:
    """Send the next delivery of the same order now instead of at its next retry."""
    if not delivery.ordering_key:
        return
    following = (
        WebhookDelivery.objects.filter(
            subscription_id=delivery.subscription_id,
            ordering_key=delivery.ordering_key,
            status=WebhookDelivery.Status.PENDING,
            pk__gt=delivery.pk,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    if following:
        task_enqueue("portal.tasks.deliver_webhook", following)


def _record_failure(subscription: WebhookSubscription, *, reason: str) -> None:
    with transaction.atomic():
        WebhookSubscription.objects.filter(pk=subscription.pk).update(
            consecutive_failures=F("consecutive_failures") + 1
        )
        subscription.refresh_from_db()
        if subscription.consecutive_failures < settings.WEBHOOK_MAX_FAILURES or not subscription.active:
            return
        switched_off = WebhookSubscription.objects.filter(pk=subscription.pk, active=True).update(
            active=False,
            disabled_reason=f"{subscription.consecutive_failures} failures in a row: {reason}"[:300],
        )
        WebhookDelivery.objects.filter(
            subscription=subscription, status=WebhookDelivery.Status.PENDING
        ).update(status=WebhookDelivery.Status.ABANDONED)
        webhook_subscriptions_changed()
    if switched_off and subscription.owner.email:
        send_mail(
            "antar-paspor: webhook switched off",
            f"The webhook {subscription.url} failed {subscription.consecutive_failures} times in a row "
            f"and has been switched off. Last error: {reason}. Fix the receiver and switch it on again "
            "in the portal's admin.",
            None,
            [subscription.owner.email],
        )
    logger.warning("webhooks.subscription.disabled subscription_id=%s", subscription.pk)


def retry_delay(attempts: int) -> float:
    """Exponential backoff: base, 2x base, 4x base, ... at most an hour."""
    delay: float = min(settings.WEBHOOK_BACKOFF_BASE * (2 ** max(attempts - 1, 0)), 3600.0)
    return delay
