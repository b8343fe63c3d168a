"""``Idempotency-Key`` on API POSTs: the same key with the same request gets the same answer and
no second effect; the same key with a different request is refused.

The record row is inserted in the same transaction as the request's effect. A concurrent retry with
the same key waits on the unique index, then replays the stored answer; if the request fails with a
server error, everything rolls back and the key may be used again. Refusals (4xx) are stored too, so
a retried refused request is refused the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any, cast, overload

from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import DomainError, ValidationFailed
from core.middleware import client_ip
from core.models import IdempotencyRecord

MAX_KEY_LENGTH = 200
REPLAY_HEADER = "Idempotent-Replayed"


class KeyReused(DomainError):
    status_code = 422
    code = "idempotency_key_reused"


class _ServerError(Exception):
    """Carries a 5xx answer out of the transaction so that nothing of it is kept."""

    def __init__(self, answer: tuple[int, object]) -> None:
        self.answer = answer


def _owner(request: Request) -> str:
    if getattr(request.auth, "is_api_token", False):
        return f"token:{request.auth.pk}"
    if not request.user.is_authenticated:
        # Anyone may file a complaint: keys of anonymous callers are kept apart per client address.
        client = client_ip(request)
        return "anon:" + hashlib.sha256(client.encode()).hexdigest()[:32]
    return f"user:{request.user.pk}"


def _fingerprint(request: Request) -> str:
    digest = hashlib.sha256()
    for part in (cast(str, request.method).encode(), request.path.encode()):
        digest.update(part)
        digest.update(b"\0")
    if request.content_type.startswith("multipart/"):
        # An upload (an agreement's PDF) may be larger than Django lets a body be read whole
        # (DATA_UPLOAD_MAX_MEMORY_SIZE): hash the parsed fields and the files' content instead.
        for name, values in sorted(cast(QueryDict, request.data).lists()):
            for value in values:
                digest.update(name.encode())
                digest.update(b"\0")
                if isinstance(value, UploadedFile):
                    digest.update((value.name or "").encode())
                    for chunk in value.chunks():
                        digest.update(chunk)
                    value.seek(0)
                else:
                    digest.update(str(value).encode())
                digest.update(b"\0")
    else:
        digest.update(request.body)
        digest.update(b"\0")
    return digest.hexdigest()


def _error_body(error: DomainError) -> dict[str, object]:
    fields = {key: [str(m) for m in value] for key, value in error.fields.items()}
    return {"code": error.code, "message": str(error.message), "fields": fields}


def _claim(*, owner: str, user_id: int | None, key: str, fingerprint: str) -> bool:
    """Insert the key's record unless it exists; whether this request inserted it. One statement,
    no savepoint: a concurrent request with the same key waits here until the first one commits
    (then finds the record) or rolls back (then inserts it)."""
    q = connection.ops.quote_name
    table, owner_column, key_column = q(IdempotencyRecord._meta.db_table), q("owner"), q("key")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({owner_column}, {q('user_id')}, {key_column}, {q('fingerprint')}, "  # noqa: S608
            f"{q('status_code')}, {q('created_at')}) VALUES (%s, %s, %s, %s, 0, %s) "
            f"ON CONFLICT ({owner_column}, {key_column}) DO NOTHING",
            [owner, user_id, key, fingerprint, connection.ops.adapt_datetimefield_value(timezone.now())],
        )
        inserted: bool = cursor.rowcount == 1
        return inserted


def run_once(
    request: Request, *, key: str, run: Callable[[], tuple[int, object]]
) -> tuple[int, object, bool]:
    """Run ``run`` (returning status and JSON body) once per owner and key.

    Returns (status, body, replayed).
    """
    if len(key) > MAX_KEY_LENGTH:
        error: DomainError = ValidationFailed(fields={"Idempotency-Key": [_("At most 200 characters.")]})
        return error.status_code, _error_body(error), False
    owner, fingerprint = _owner(request), _fingerprint(request)
    try:
        with transaction.atomic():
            if _claim(
                owner=owner,
                user_id=request.user.pk if request.user.is_authenticated else None,
                key=key,
                fingerprint=fingerprint,
            ):
                status, body = run()
                if status >= 500:
                    raise _ServerError((status, body))
                IdempotencyRecord.objects.filter(owner=owner, key=key).update(status_code=status, body=body)
                return status, body, False
    except _ServerError as failed:
        status, body = failed.answer
        return status, body, False
    stored = IdempotencyRecord.objects.get(owner=owner, key=key)
    if stored.fingerprint != fingerprint:
        error = KeyReused(_("This Idempotency-Key was already used for a different request."))
        return error.status_code, _error_body(error), False
    return stored.status_code, stored.body, True


# An APIView's handler method: (self, request, *args, **kwargs) -> Response.
_Handler = Callable[..., Response]


@overload
def idempotent(handler: _Handler, *, required: bool = False) -> _Handler: ...
@overload
def idempotent(handler: None = None, *, required: bool = False) -> Callable[[_Handler], _Handler]: ...
def idempotent(
    handler: _Handler | None = None, *, required: bool = False
) -> _Handler | Callable[[_Handler], _Handler]:
    """Decorate an APIView's ``post``; with ``required=True`` a request without a key is refused."""

    def decorate(view_method: _Handler) -> _Handler:
        @wraps(view_method)
        def wrapper(self: APIView, request: Request, *args: Any, **kwargs: Any) -> Response:
            key = request.headers.get("Idempotency-Key", "").strip()
            if not key:
                if required:
                    raise ValidationFailed(
                        _("Every update needs an Idempotency-Key header (at most 200 characters)."),
                        code="idempotency_key_required",
                    )
                return view_method(self, request, *args, **kwargs)

            def run() -> tuple[int, object]:
                try:
                    response = view_method(self, request, *args, **kwargs)
                except Exception as exc:  # noqa: BLE001 - becomes the answer the client gets
                    response = self.handle_exception(exc)
                return response.status_code, response.data

            status, body, replayed = run_once(request, key=key, run=run)
            return Response(body, status=status, headers={REPLAY_HEADER: "true"} if replayed else {})

        wrapper.idempotent = True  # type: ignore[attr-defined]  # the API schema lists its 400 and 422
        return wrapper

    return decorate(handler) if handler is not None else decorate
