"""``Idempotency-Key`` on API POSTs: the same key with the same request gets the same answer and
no second effect; the same key with a different request is refused.

A record is claimed (inserted) before the handler runs, so two identical requests arriving together
cannot both run: the second is told the first is still in progress. A claim left by a crash is
given up after ``STALE_AFTER`` and the request may run again (the state machine refuses a repeat).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import wraps

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.response import Response

from portal.exceptions import DomainError, ValidationFailed
from portal.models import ApiToken, IdempotencyRecord

STALE_AFTER = dt.timedelta(seconds=60)
REPLAY_HEADER = "Idempotent-Replayed"


class KeyInProgress(DomainError):
    status_code = 409
    code = "idempotency_key_in_progress"


class KeyReused(DomainError):
    status_code = 422
    code = "idempotency_key_reused"


def _owner(request) -> str:
    if isinstance(request.auth, ApiToken):
        return f"token:{request.auth.pk}"
    return f"user:{request.user.pk}"


def _fingerprint(request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.get_full_path().encode())
    digest.update(request.body)
    return digest.hexdigest()


def _claim(owner: str, key: str, fingerprint: str) -> tuple[IdempotencyRecord, bool]:
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(owner=owner, key=key, fingerprint=fingerprint), True
    except IntegrityError:
        record = IdempotencyRecord.objects.get(owner=owner, key=key)
        if record.status_code is None and timezone.now() - record.created_at > STALE_AFTER:
            IdempotencyRecord.objects.filter(pk=record.pk, status_code__isnull=True).update(created_at=timezone.now())
            return record, True
        return record, False


def idempotent(handler):
    """Decorate an APIView's ``post``."""

    @wraps(handler)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return handler(self, request, *args, **kwargs)
        if len(key) > 200:
            raise ValidationFailed(fields={"Idempotency-Key": [_("At most 200 characters.")]})
        fingerprint = _fingerprint(request)
        record, claimed = _claim(_owner(request), key, fingerprint)
        if not claimed:
            if record.fingerprint != fingerprint:
                raise KeyReused(_("This Idempotency-Key was already used for a different request."))
            if record.status_code is None:
                raise KeyInProgress(_("A request with this Idempotency-Key is still being processed."))
            return Response(record.body, status=record.status_code, headers={REPLAY_HEADER: "true"})
        try:
            response = handler(self, request, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - turned into the response the client would get
            response = self.handle_exception(exc)
        if response.status_code >= 500:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            return response
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            status_code=response.status_code, body=response.data
        )
        return response

    return wrapper
