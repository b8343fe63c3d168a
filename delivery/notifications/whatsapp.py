"""WhatsApp to applicants through one small adapter, chosen by ``settings.WHATSAPP_BACKEND``, shaped
like the WhatsApp Business Cloud API.

- A message is an approved template: its name, a language code and the body parameters
  (``delivery.notifications.sms_texts.whatsapp_template``). The API answers with a message id
  (``wamid.…``) at once; whether the message reached the phone comes later.
- No message goes to a number without the applicant's opt-in (``WhatsAppOptIn``: when and how).
- The delivery statuses (sent, delivered, read, failed) arrive asynchronously at the portal's
  webhook (``POST /api/v1/webhooks/whatsapp/``), signed like Meta's ``X-Hub-Signature-256``: the
  HMAC-SHA256 of the raw body with ``WHATSAPP_APP_SECRET``. ``whatsapp_statuses_receive`` checks the
  signature and updates the ``Notification`` rows; a message that failed (for instance error
  131026, a number without WhatsApp) is sent again as an SMS.

The sandbox backend (the default outside production) writes each message as one line to
``settings.WHATSAPP_LOG_FILE``, returns a wamid-like id (the same for a repeated client reference,
as the provider drops a repeat), and posts the statuses later through a Celery task that signs them
with the app secret and hands them to the same receiving function the webhook calls. A number
ending in ``WHATSAPP_SANDBOX_NO_WHATSAPP_SUFFIX`` has no WhatsApp: its message fails with 131026.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
import logging
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from core.exceptions import NotAllowed, ValidationFailed
from core.fields import secret_equals
from core.outbox import task_enqueue
from delivery.choices import NotificationChannel, NotificationStatus, WhatsAppStatus
from delivery.models import Notification, WhatsAppOptIn

logger = logging.getLogger(__name__)

# The error WhatsApp reports for a message it could not deliver to the number (not on WhatsApp, an
# old app, terms not accepted).
UNDELIVERABLE = 131026

# Which status may follow which: the callbacks may arrive out of order or twice, and a later one never
# takes a message back (read stays read); failed is final.
NEXT_STATUSES: dict[str, frozenset[str]] = {
    "": frozenset(
        {WhatsAppStatus.SENT, WhatsAppStatus.DELIVERED, WhatsAppStatus.READ, WhatsAppStatus.FAILED}
    ),
    WhatsAppStatus.SENT: frozenset({WhatsAppStatus.DELIVERED, WhatsAppStatus.READ, WhatsAppStatus.FAILED}),
    WhatsAppStatus.DELIVERED: frozenset({WhatsAppStatus.READ}),
    WhatsAppStatus.READ: frozenset(),
    WhatsAppStatus.FAILED: frozenset(),
}


class WhatsAppBackend(Protocol):
    """What ``settings.WHATSAPP_BACKEND`` names: hands one template message to the API and returns
    the provider's message id."""

    def send(self, *, to: str, template: str, language: str, params: list[str], reference: str) -> str: ...


def _wamid(reference: str, to: str) -> str:
    return "wamid.SANDBOX" + hashlib.sha256(f"{reference}|{to}".encode()).hexdigest()[:32].upper()


class SandboxWhatsAppBackend:
    """The local stand-in for the Cloud API (see the module's text)."""

    def send(self, *, to: str, template: str, language: str, params: list[str], reference: str) -> str:
        wamid = _wamid(reference, to)
        path = Path(settings.WHATSAPP_LOG_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "ab+") as log:
            fcntl.flock(log, fcntl.LOCK_EX)
            log.seek(0)
            if reference and any(
                json.loads(raw).get("id") == wamid for raw in log.read().splitlines() if raw.strip()
            ):
                return wamid  # a repeat: the provider answers with the same id and sends nothing
            line = {
                "at": dt.datetime.now(dt.UTC).isoformat(),
                "id": wamid,
                "to": to,
                "template": {"name": template, "language": {"code": language}, "parameters": params},
                "reference": reference,
            }
            log.write((json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))
        task_enqueue("delivery.tasks.whatsapp_sandbox_statuses", wamid, to)
        return wamid


def get_whatsapp_backend() -> WhatsAppBackend:
    backend: WhatsAppBackend = import_string(settings.WHATSAPP_BACKEND)()
    return backend


def whatsapp_opted_in(*, applicant_id: int, phone: str) -> bool:
    return WhatsAppOptIn.objects.filter(applicant_id=applicant_id, phone=phone).exists()


def whatsapp_opt_in_record(
    *,
    applicant_id: int,
    phone: str,
    method: str,
    recorded_by_id: int | None = None,
    at: dt.datetime | None = None,
) -> WhatsAppOptIn:
    """Record that the applicant agreed to WhatsApp messages on ``phone`` (when and how)."""
    return WhatsAppOptIn.objects.create(
        applicant_id=applicant_id,
        phone=phone,
        method=method,
        recorded_by_id=recorded_by_id,
        opted_in_at=at or timezone.now(),
    )


def whatsapp_signature(body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value of ``body``: "sha256=" and the HMAC-SHA256 in hex."""
    digest = hmac.new(settings.WHATSAPP_APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def whatsapp_subscription_verify(*, mode: str, token: str, challenge: str) -> str:
    """Meta's check when the webhook is configured: ``hub.mode=subscribe`` with the verify token the
    portal was given (``WHATSAPP_VERIFY_TOKEN``) is answered with ``hub.challenge``."""
    expected = settings.WHATSAPP_VERIFY_TOKEN
    if mode != "subscribe" or not expected or not secret_equals(token, expected):
        raise NotAllowed(_("The verify token of this subscription is not valid."), code="bad_verify_token")
    return challenge[:200]


def whatsapp_statuses_receive(*, body: bytes, signature: str) -> int:
    """The status webhook: check the signature, then apply each status to its ``Notification``
    (a conditional update along ``NEXT_STATUSES``; a repeated or late callback changes nothing). A
    message that failed goes out again as an SMS. Returns how many rows changed. A wrong signature
    raises ``NotAllowed`` and changes nothing; a body that is not the API's shape ``ValidationFailed``."""
    if not settings.WHATSAPP_APP_SECRET or not secret_equals(signature, whatsapp_signature(body)):
        raise NotAllowed(_("The signature of this callback is not valid."), code="bad_signature")
    try:
        payload = json.loads(body)
        statuses = [
            status
            for entry in payload.get("entry", [])
            for change in entry.get("changes", [])
            for status in change.get("value", {}).get("statuses", [])
        ]
    except (ValueError, AttributeError, TypeError) as error:
        raise ValidationFailed(_("This is not a WhatsApp status callback."), code="bad_callback") from error
    changed = 0
    for status in statuses:
        if not isinstance(status, dict):
            continue
        changed += _status_apply(status)
    return changed


def _status_apply(status: dict[str, Any]) -> int:
    wamid, new = str(status.get("id", "")), str(status.get("status", ""))
    if not wamid or new not in WhatsAppStatus.values:
        return 0
    try:
        at = dt.datetime.fromtimestamp(int(status.get("timestamp", 0)), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        at = timezone.now()
    sources = [old for old, targets in NEXT_STATUSES.items() if new in targets]
    errors = status.get("errors") or []
    error = errors[0] if errors and isinstance(errors[0], dict) else {}
    changes: dict[str, Any] = {"delivery_status": new, "delivery_status_at": at}
    if new == WhatsAppStatus.FAILED:
        changes["last_error"] = f"{error.get('code', '')} {error.get('title', '')}".strip()[:500]
    with transaction.atomic():
        changed = Notification.objects.filter(
            provider_message_id=wamid,
            channel=NotificationChannel.WHATSAPP,
            delivery_status__in=sources,
        ).update(**changes)
        if changed and new == WhatsAppStatus.FAILED:
            row = Notification.objects.filter(provider_message_id=wamid).first()
            if row is not None:
                whatsapp_fallback_to_sms(event_id=row.event_id, phone=row.recipient)
    if changed:
        logger.info("delivery.whatsapp.status status=%s", new)
    return changed


def whatsapp_fallback_to_sms(*, event_id: int, phone: str) -> None:
    """WhatsApp did not reach the applicant: the news goes out as an SMS. The event's SMS row, left
    aside when the applicant chose no SMS, is made sendable and the event's notification task runs
    again (it sends only what is not sent yet). Called inside a transaction."""
    revived = Notification.objects.filter(
        event_id=event_id, channel=NotificationChannel.SMS, status=NotificationStatus.SKIPPED
    ).update(status=NotificationStatus.PENDING, recipient=phone)
    if revived:
        task_enqueue("delivery.tasks.notify_delivery_event", event_id)


class MessageNotRecordedYet(OSError):
    """The sandbox's callback came before the sending run recorded the message id: retried (an
    ``OSError``, as the tasks retry) rather than lost."""


def sandbox_statuses_post(*, wamid: str, to: str) -> int:
    """The sandbox's callbacks for one message, posted as the provider does: sent, delivered and
    read, or failed with 131026 for a number without WhatsApp; signed with the app secret and given
    to the receiving function the webhook calls."""
    if not Notification.objects.filter(provider_message_id=wamid).exists():
        raise MessageNotRecordedYet(f"message {wamid} not recorded yet")
    no_whatsapp = bool(settings.WHATSAPP_SANDBOX_NO_WHATSAPP_SUFFIX) and to.endswith(
        settings.WHATSAPP_SANDBOX_NO_WHATSAPP_SUFFIX
    )
    now = int(timezone.now().timestamp())
    if no_whatsapp:
        statuses: list[dict[str, Any]] = [
            {
                "id": wamid,
                "status": "failed",
                "timestamp": str(now),
                "recipient_id": to.lstrip("+"),
                "errors": [{"code": UNDELIVERABLE, "title": "Message undeliverable"}],
            }
        ]
    else:
        statuses = [
            {"id": wamid, "status": name, "timestamp": str(now), "recipient_id": to.lstrip("+")}
            for name in ("sent", "delivered", "read")
        ]
    body = json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "sandbox",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"phone_number_id": settings.WHATSAPP_PHONE_NUMBER_ID},
                                "statuses": statuses,
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()
    return whatsapp_statuses_receive(body=body, signature=whatsapp_signature(body))
