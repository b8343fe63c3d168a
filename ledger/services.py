"""Writing the ledger and reading it: the only code that creates ``Movement`` rows.

``movement_record`` must run inside the transaction of the service that moved the money, so the
row and the change stand or fall together. Bad amounts are refused before anything is written:
zero, the wrong sign for the kind, a second NTPN, a billing code paid twice, an order's fee taken
twice (each a ``ValidationFailed`` with the field, which the pages and the API show).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.exceptions import InvalidTransition, NotFound, ValidationFailed
from ledger.choices import NEGATIVE_KINDS, POSITIVE_KINDS, MovementKind, Revenue
from ledger.models import Movement

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

WITA = ZoneInfo("Asia/Makassar")


def business_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(WITA).date()


def movement_record(
    *,
    kind: str,
    revenue: str,
    amount: int,
    office_id: int,
    channel: str,
    reference: str,
    actor: User | None = None,
    at: dt.datetime | None = None,
    order_id: int | None = None,
    group_id: int | None = None,
    billing_code_id: int | None = None,
    note: str = "",
) -> Movement:
    """Write one movement, in the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a money movement is written in the transaction of the change it records")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
        raise ValidationFailed(
            _("An amount is a whole number of rupiah, not zero."), fields={"amount": [_("Not zero.")]}
        )
    if (kind in POSITIVE_KINDS and amount < 0) or (kind in NEGATIVE_KINDS and amount > 0):
        raise ValidationFailed(
            _("This amount has the wrong sign for its kind."), fields={"amount": [_("Wrong sign.")]}
        )
    if not reference.strip():
        raise ValidationFailed(
            _("Every movement needs its reference."), fields={"reference": [_("Required.")]}
        )
    now = at or timezone.now()
    row = Movement(
        kind=kind,
        revenue=revenue,
        amount=amount,
        office_id=office_id,
        channel=channel,
        reference=reference.strip()[:40],
        actor=actor,
        occurred_at=now,
        business_day=business_day(now),
        order_id=order_id,
        group_id=group_id,
        billing_code_id=billing_code_id,
        note=note[:200],
    )
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction survives a refusal
            row.save()
    except IntegrityError:
        raise ValidationFailed(
            _duplicate_message(kind), fields={"reference": [_duplicate_message(kind)]}
        ) from None
    return row


def _duplicate_message(kind: str) -> StrOrPromise:
    if kind == MovementKind.STATE_FEE:
        return _("This NTPN or billing code is already recorded as paid.")
    if kind == MovementKind.DELIVERY_FEE:
        return _("The delivery fee of this order is already recorded.")
    return _("This movement is already recorded.")


def movement_reverse(
    *, movement_id: int, actor: User | None, reason: str, at: dt.datetime | None = None
) -> Movement:
    """The correction of a row: a new row of the opposite amount that names it (once)."""
    with transaction.atomic():
        original = Movement.objects.select_for_update().filter(pk=movement_id).first()
        if original is None:
            raise NotFound(_("No such movement."))
        if original.kind == MovementKind.REVERSAL or Movement.objects.filter(reverses=original).exists():
            raise InvalidTransition(_("This movement is already reversed."), code="already_reversed")
        now = at or timezone.now()
        return Movement.objects.create(
            kind=MovementKind.REVERSAL,
            revenue=original.revenue,
            amount=-original.amount,
            office_id=original.office_id,
            channel=original.channel,
            reference=original.reference,
            actor=actor,
            occurred_at=now,
            business_day=business_day(now),
            order_id=original.order_id,
            group_id=original.group_id,
            billing_code_id=original.billing_code_id,
            reverses=original,
            note=reason[:200],
        )


def delivery_money_of(order_id: int) -> int:
    """What the applicant has paid PT Pos for the order's delivery, net of refunds and reversals."""
    total = Movement.objects.filter(order_id=order_id, revenue=Revenue.POS).aggregate(total=Sum("amount"))
    return int(total["total"] or 0)


def delivery_money_of_orders(order_ids: Iterable[int]) -> dict[int, int]:
    """The same for many orders, in one query."""
    rows = (
        Movement.objects.filter(order_id__in=list(order_ids), revenue=Revenue.POS)
        .values("order_id")
        .annotate(total=Sum("amount"))
    )
    return {row["order_id"]: int(row["total"]) for row in rows}


def state_money_of(billing_code_id: int) -> int:
    """The state fee paid on a billing code, net of reversals."""
    total = Movement.objects.filter(billing_code_id=billing_code_id, revenue=Revenue.STATE).aggregate(
        total=Sum("amount")
    )
    return int(total["total"] or 0)
