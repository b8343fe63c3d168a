"""Step 6 → 7 signed by the courier: the courier takes the passports waiting on their run from the
delivery section, by scanning each tracking code or ticking it.

Each passport taken is the ``dispatch`` move made by the courier (one ``DeliveryEvent`` each, the
courier its actor): that is the courier's acknowledgement of the handover. The whole list is taken
or none of it: a code that is not on the courier's run, or whose passport is not waiting in the
delivery section, is refused by its code and nothing is written. A passport the courier already
took is counted as taken and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from core.exceptions import ValidationFailed
from delivery.choices import DeliveryStatus as S
from delivery.handoff.transitions import MOVES, courier_id_of, delivery_orders_move
from delivery.models import DeliveryOrder
from delivery.permissions import require_role

# At most this many codes in one take (a courier's day is a few dozen passports).
TAKE_MAX = 200
# A scanned code longer than this is not a tracking code; it is shown cut to this length.
CODE_MAX = 12


@dataclass
class TakePlan:
    """What a take would do: the orders to take now (in the order scanned), the codes already out
    with this courier, and the codes refused with their reason."""

    orders: list[DeliveryOrder] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return [order.code for order in self.orders]


@dataclass(frozen=True)
class TakeResult:
    taken: list[str]
    already: list[str]


def tracking_code_normalise(raw: str) -> str:
    """A tracking code as typed or scanned: spaces dropped, upper case. A scanned QR code of the
    public tracking page (``…/track/?code=AP…``) gives its code."""
    text = (raw or "").strip()
    found = re.search(r"[?&]code=([A-Za-z0-9]+)", text)
    if found:
        text = found.group(1)
    return re.sub(r"\s+", "", text).upper()


def tracking_codes_split(text: str) -> list[str]:
    """The codes of a text field: one or more, separated by spaces, commas or new lines."""
    return [part for part in re.split(r"[\s,;]+", text or "") if part]


def _unique_codes(codes: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for raw in codes:
        code = tracking_code_normalise(str(raw))
        if code:
            seen.setdefault(code, None)
    return list(seen)


def courier_passports_take_check(*, actor: User, codes: Iterable[str]) -> TakePlan:
    """The check of a take, writing nothing: for the confirmation page and for the take itself."""
    require_role(actor, Role.COURIER)
    wanted = _unique_codes(codes)
    if not wanted:
        raise ValidationFailed(
            _("Scan or tick at least one passport."), fields={"codes": [_("Scan or tick a passport.")]}
        )
    if len(wanted) > TAKE_MAX:
        raise ValidationFailed(
            _("Take at most %(count)s passports at once.") % {"count": TAKE_MAX},
            fields={"codes": [_("Too many codes.")]},
        )
    courier_id = courier_id_of(actor)
    found = {
        order.code: order
        for order in DeliveryOrder.objects.select_related("area", "application__applicant")
        .annotate(failed=Count("events", filter=Q(events__to_status=S.FAILED_ATTEMPT)))
        .filter(code__in=[code for code in wanted if len(code) <= CODE_MAX])
    }
    sources = MOVES["dispatch"].sources
    plan = TakePlan()
    for code in wanted:
        order = found.get(code)
        shown = code[:CODE_MAX]
        # Unknown, another courier's, another office's: the same answer, so that a courier learns
        # nothing of orders that are not theirs.
        if (
            order is None
            or courier_id is None
            or order.courier_id != courier_id
            or order.pos_office_id != actor.office_id
        ):
            plan.refused.append(str(_("%(code)s is not on your run.") % {"code": shown}))
        elif order.status == S.OUT_FOR_DELIVERY:
            plan.already.append(code)
        elif order.status not in sources:
            plan.refused.append(
                str(
                    _("%(code)s is not waiting in the delivery section: it is “%(status)s”.")
                    % {"code": code, "status": order.get_status_display()}
                )
            )
        elif order.failed >= settings.DELIVERY_MAX_FAILED_ATTEMPTS:  # type: ignore[attr-defined]  # annotated above
            plan.refused.append(
                str(
                    _("%(code)s failed %(count)s times: return it to the Pos service section.")
                    % {"code": code, "count": settings.DELIVERY_MAX_FAILED_ATTEMPTS}
                )
            )
        else:
            plan.orders.append(order)
    return plan


def courier_passports_take(*, actor: User, codes: Iterable[str], at: dt.datetime | None = None) -> TakeResult:
    """The courier takes these passports from the delivery section: every one is taken out for
    delivery (one event each, the courier its actor), or, if one is refused, none is."""
    plan = courier_passports_take_check(actor=actor, codes=codes)
    if plan.refused:
        raise ValidationFailed(
            _("Nothing was taken. Remove these codes and try again: %(codes)s")
            % {"codes": " ".join(plan.refused)},
            code="not_taken",
            fields={"codes": plan.refused},
        )
    if plan.orders:
        # Checked again on the locked orders by the table of moves: a change made meanwhile
        # (the dispatcher moved a passport to another courier) refuses the whole take.
        delivery_orders_move("dispatch", order_ids=[order.pk for order in plan.orders], actor=actor, at=at)
    return TakeResult(taken=plan.codes, already=plan.already)
