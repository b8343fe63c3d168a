"""The one-time delivery code: issued when an order reaches the delivery section, shown only to the
applicant, checked at the door by the server alone, locked after too many wrong tries until the
dispatcher unlocks it.

A code is five random digits and one Damm check digit. The Damm check digit catches every single
wrong digit and every swap of two neighbouring digits, so the courier's phone catches typos offline
with no data about the order at all; the 100,000 codes with a right check digit stay equally likely,
and only the server (which keeps the code encrypted with the personal-data keys) can tell which one
is the applicant's. Codes issued before the check digit (``check_digit`` empty) stay valid."""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.crypto import personal_decrypt, personal_encrypt
from core.exceptions import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from core.fields import ascii_digits, secret_equals
from core.outbox import task_enqueue
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


# The Damm algorithm's table: a totally anti-symmetric quasigroup of order 10 (Damm, 2004). The same
# table is in static/courier/run.js.
DAMM_TABLE = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)
CHECK_DAMM = "damm"


def damm_interim(digits: str) -> int:
    interim = 0
    for digit in digits:
        interim = DAMM_TABLE[interim][int(digit)]
    return interim


def damm_check_digit(digits: str) -> str:
    """The digit that makes ``digits`` + it a valid Damm number."""
    return str(damm_interim(digits))


def damm_valid(number: str) -> bool:
    return ascii_digits(number) and damm_interim(number) == 0


def code_new() -> str:
    """Five random digits and their check digit."""
    body = f"{secrets.randbelow(10 ** (CODE_DIGITS - 1)):0{CODE_DIGITS - 1}d}"
    return body + damm_check_digit(body)


def delivery_codes_issue(*, orders: list[DeliveryOrder]) -> set[int]:
    """Give each of these orders its one-time code if it has none (one read and one insert for a
    whole batch); returns the ids of the orders that got a new code."""
    have = set(DeliveryCode.objects.filter(order__in=orders).values_list("order_id", flat=True))
    rows = [
        DeliveryCode(order=order, code_encrypted=personal_encrypt(code_new()), check_digit=CHECK_DAMM)
        for order in orders
        if order.pk not in have
    ]
    DeliveryCode.objects.bulk_create(rows)
    return {row.order_id for row in rows}


def _code_of(row: DeliveryCode) -> str:
    return personal_decrypt(row.code_encrypted) if row.code_encrypted else ""


def delivery_code_reveal(*, order_id: int) -> str | None:
    """The code, decrypted for the applicant's mail (and for tests); None if the order has none."""
    row = DeliveryCode.objects.filter(order_id=order_id).first()
    return (_code_of(row) or None) if row else None


def delivery_code_row_open(*, order: DeliveryOrder) -> DeliveryCode | None:
    """The order's code row, locked for the delivery; refused when used or locked (whatever proves
    the delivery: the code or the signed token, which the same wrong tries lock)."""
    row = DeliveryCode.objects.select_for_update().filter(order=order).first()
    if row is None:
        return None
    if row.used_at is not None:
        raise InvalidTransition(_("This delivery code has already been used."), code="code_used")
    if row.failed_attempts >= settings.DELIVERY_CODE_MAX_ATTEMPTS:
        raise InvalidTransition(CODE_LOCKED_MESSAGE, code="code_locked")
    return row


def delivery_code_check(*, order: DeliveryOrder, code: str) -> DeliveryCode:
    row = delivery_code_row_open(order=order)
    if row is None:
        raise InvalidTransition(
            _("This order has no delivery code; deliver it to a stand-in with a signature."),
            code="no_delivery_code",
        )
    entered = (code or "").strip()
    expected = _code_of(row)
    if not ascii_digits(entered) or not expected or not secret_equals(entered, expected):
        raise ValidationFailed(
            _("The delivery code is wrong. Ask the applicant for the code in their email."),
            code="wrong_code",
            fields={"code": [_("Wrong code.")]},
        )
    return row


def delivery_code_attempt_record(*, order: DeliveryOrder, actor: User, wrong: bool) -> None:
    """Count a refused code (or a refused signed token, counted the same) on the server, in its own transaction (the refused delivery rolled
    back): one attempt row each; a wrong code puts the order on the problems queue and tells the
    applicant; the order goes on the queue again when the code locks."""
    from delivery.problems.services import order_problem_flag

    now = timezone.now()
    with transaction.atomic():
        row = DeliveryCode.objects.select_for_update().filter(order=order).first()
        if row is None:
            return
        if wrong:
            row.failed_attempts += 1
            DeliveryCode.objects.filter(pk=row.pk).update(failed_attempts=row.failed_attempts)
        attempt = DeliveryCodeAttempt.objects.create(
            order=order,
            actor=actor,
            actor_role=actor.role,
            occurred_at=now,
            failed_attempts=row.failed_attempts,
            outcome=DeliveryCodeAttemptOutcome.WRONG if wrong else DeliveryCodeAttemptOutcome.REFUSED_LOCKED,
        )
        if wrong:
            # An alarm, not a typo (the phone caught those): on the problems queue of both agencies
            # at once, and the applicant told by mail and short message after commit.
            order_problem_flag(
                order=order, kind=ProblemKind.CODE_REFUSED, key=f"attempt-{attempt.pk}", now=now
            )
            task_enqueue("delivery.tasks.notify_code_refused", attempt.pk)
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
