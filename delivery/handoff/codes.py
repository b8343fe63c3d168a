"""The one-time delivery code: issued when an order reaches the delivery section, shown only to the
applicant, checked at the door against the server's secret, locked after too many wrong tries until
the dispatcher unlocks it."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.exceptions import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from core.fields import ascii_digits, secret_equals
from delivery.models import (
    DeliveryCode,
    DeliveryCodeAttempt,
    DeliveryCodeAttemptOutcome,
    DeliveryOrder,
    ProblemKind,
)
from delivery.permissions import CODE_UNLOCKERS

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_LOCKED_MESSAGE = _(
    "Too many wrong codes for this delivery. Call the dispatcher: they check the applicant and unlock the code."
)


def _code_value(*, order_id: int, nonce: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"delivery-code:{order_id}:{nonce}".encode(), hashlib.sha256
    ).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10**CODE_DIGITS:0{CODE_DIGITS}d}"


def code_hash(*, code: str, salt: str, iterations: int) -> str:
    return hashlib.pbkdf2_hmac("sha256", code.encode(), salt.encode(), iterations).hex()


def delivery_codes_issue(*, orders: list[DeliveryOrder]) -> set[int]:
    """Give each of these orders its one-time code if it has none (one read and one insert for a
    whole batch); returns the ids of the orders that got a new code."""
    have = set(DeliveryCode.objects.filter(order__in=orders).values_list("order_id", flat=True))
    iterations = settings.DELIVERY_CODE_ITERATIONS
    rows = []
    for order in orders:
        if order.pk in have:
            continue
        nonce, salt = secrets.token_hex(16), secrets.token_hex(16)
        code = _code_value(order_id=order.pk, nonce=nonce)
        rows.append(
            DeliveryCode(
                order=order,
                nonce=nonce,
                salt=salt,
                iterations=iterations,
                code_hash=code_hash(code=code, salt=salt, iterations=iterations),
            )
        )
    DeliveryCode.objects.bulk_create(rows)
    return {row.order_id for row in rows}


def delivery_code_reveal(*, order_id: int) -> str | None:
    """The code, recomputed for the applicant's mail (and for tests); None if the order has none."""
    row = DeliveryCode.objects.filter(order_id=order_id).first()
    return _code_value(order_id=order_id, nonce=row.nonce) if row else None


def delivery_code_check(*, order: DeliveryOrder, code: str) -> DeliveryCode:
    row = DeliveryCode.objects.select_for_update().filter(order=order).first()
    if row is None:
        raise InvalidTransition(
            _("This order has no delivery code; deliver it to a stand-in with a signature."),
            code="no_delivery_code",
        )
    if row.used_at is not None:
        raise InvalidTransition(_("This delivery code has already been used."), code="code_used")
    if row.failed_attempts >= settings.DELIVERY_CODE_MAX_ATTEMPTS:
        raise InvalidTransition(CODE_LOCKED_MESSAGE, code="code_locked")
    entered = (code or "").strip()
    # The server holds the secret the code is made from, so it compares with the code itself; the
    # salted hash (PBKDF2, ~10 ms) is for the phone's offline check only.
    if not ascii_digits(entered) or not secret_equals(
        entered, _code_value(order_id=order.pk, nonce=row.nonce)
    ):
        raise ValidationFailed(
            _("The delivery code is wrong. Ask the applicant for the code in their email."),
            code="wrong_code",
            fields={"code": [_("Wrong code.")]},
        )
    return row


def delivery_code_attempt_record(*, order: DeliveryOrder, actor: User, wrong: bool) -> None:
    """Count a refused code on the server, in its own transaction (the refused delivery rolled
    back): one attempt row each, and the order on the problems queue when the code locks."""
    from delivery.problems.services import order_problem_flag

    now = timezone.now()
    with transaction.atomic():
        row = DeliveryCode.objects.select_for_update().filter(order=order).first()
        if row is None:
            return
        if wrong:
            row.failed_attempts += 1
            DeliveryCode.objects.filter(pk=row.pk).update(failed_attempts=row.failed_attempts)
        DeliveryCodeAttempt.objects.create(
            order=order,
            actor=actor,
            actor_role=actor.role,
            occurred_at=now,
            failed_attempts=row.failed_attempts,
            outcome=DeliveryCodeAttemptOutcome.WRONG if wrong else DeliveryCodeAttemptOutcome.REFUSED_LOCKED,
        )
        if wrong and row.failed_attempts == settings.DELIVERY_CODE_MAX_ATTEMPTS:
            order_problem_flag(order=order, kind=ProblemKind.CODE_LOCKED, key=now.isoformat(), now=now)
    logger.info("delivery.code.refused order_id=%s attempts=%s", order.pk, row.failed_attempts)


def delivery_code_unlock(*, order_code: str, actor: User) -> int:
    """The dispatcher allows new code tries after checking the applicant; returns the wrong codes
    that had been counted. Recorded as an attempt row with the dispatcher's name."""
    from delivery.handoff.selectors import orders_visible_to

    if actor.role not in CODE_UNLOCKERS:
        raise NotAllowed(_("Only the dispatcher unlocks a delivery code."), code="wrong_role")
    order = orders_visible_to(actor).filter(code=order_code).first()
    if order is None:
        raise NotFound(_("No such order."), code="unknown_order")
    with transaction.atomic():
        row = DeliveryCode.objects.select_for_update().filter(order=order, used_at__isnull=True).first()
        if row is None or row.failed_attempts < settings.DELIVERY_CODE_MAX_ATTEMPTS:
            raise InvalidTransition(_("This delivery code is not locked."), code="code_not_locked")
        had = row.failed_attempts
        DeliveryCode.objects.filter(pk=row.pk).update(failed_attempts=0)
        DeliveryCodeAttempt.objects.create(
            order=order,
            actor=actor,
            actor_role=actor.role,
            occurred_at=timezone.now(),
            failed_attempts=had,
            outcome=DeliveryCodeAttemptOutcome.UNLOCKED,
        )
    logger.info("delivery.code.unlocked order_id=%s", order.pk)
    return had


def delivery_code_locked(order: DeliveryOrder) -> bool:
    return DeliveryCode.objects.filter(
        order=order, used_at__isnull=True, failed_attempts__gte=settings.DELIVERY_CODE_MAX_ATTEMPTS
    ).exists()
