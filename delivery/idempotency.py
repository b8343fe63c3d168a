"""Idempotent requests: the same ``Idempotency-Key`` gets the same answer and no second effect.

The record row is inserted first, in the request's transaction: a concurrent retry with the same key
waits on the unique index and then replays the stored answer. Refusals (4xx) are stored too, so a
retried refused update is refused the same way. An unexpected error rolls the row back, so the phone
may retry.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from delivery.models import IdempotencyRecord
from portal.exceptions import DomainError, ValidationFailed
from portal.models import User

MAX_KEY_LENGTH = 100


def _error_body(error: DomainError) -> dict:
    fields = {key: [str(m) for m in value] for key, value in error.fields.items()}
    return {"code": error.code, "message": str(error.message), "fields": fields}


def idempotent_call(
    *, user: User, key: str | None, endpoint: str, handler: Callable[[], dict]
) -> tuple[int, dict, bool]:
    """Run ``handler`` once per (user, key); returns (status, body, replayed)."""
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        error = ValidationFailed(
            _("Every update needs an Idempotency-Key header (at most 100 characters)."),
            code="idempotency_key_required",
        )
        return error.status_code, _error_body(error), False
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(user=user, key=key, endpoint=endpoint)
        except IntegrityError:
            record = None
        if record is not None:
            try:
                with transaction.atomic():
                    status, body = 200, handler()
            except DomainError as error:
                status, body = error.status_code, _error_body(error)
            IdempotencyRecord.objects.filter(pk=record.pk).update(status_code=status, response=body)
            return status, body, False
    stored = IdempotencyRecord.objects.get(user=user, key=key)
    if stored.endpoint != endpoint:
        error = ValidationFailed(
            _("This Idempotency-Key was already used for another update."), code="idempotency_key_reused"
        )
        return 422, _error_body(error), False
    return stored.status_code, stored.response, True
