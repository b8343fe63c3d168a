"""The handoff state machine: the only code that changes ``DeliveryOrder.status``.

``MOVES`` is the table of allowed moves. Each public function is one step of the SOP for one order;
``delivery_orders_move`` is the same step for a counter's batch. Both go through ``_move_orders``,
which, in one transaction: locks the orders, checks the actor's role and office and each order's
state against the table, changes the state with a conditional UPDATE (so of two concurrent moves
exactly one wins), writes one append-only ``DeliveryEvent`` per order (chained to the order's
previous event, its personal details kept apart: ``delivery.handoff.history``) and schedules the
notifications after commit. A batch moves whole or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from core.exceptions import ConcurrentChange, InvalidTransition, NotAllowed, NotFound
from delivery.choices import DeliveryStatus as S
from delivery.handoff.deadlines import deadline_after, window_end
from delivery.handoff.events import moves_follow_up
from delivery.handoff.history import events_chain, payload_split, personal_details_write
from delivery.models import (
    BatchItem,
    Courier,
    DeliveryEvent,
    DeliveryOrder,
    DeliveryWindowDay,
    GroupBookingItem,
    RefundSituation,
)
from delivery.money.refunds import Refund, refund_for, refund_record


@dataclass(frozen=True, kw_only=True)
class Move:
    """One allowed move of the handoff: from which states to which, by whom, and what it needs.
    Pages, the API and the courier app read what a move needs from here, nowhere else."""

    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    label: object
    # Which of the order's offices the actor must belong to; None for the applicant's own moves.
    office_field: str | None
    # "" no reason is asked; "optional" or "required": the person says why (kept on the event).
    reason: str = ""
    # Only the courier whose run the order is on makes it.
    assigned_courier_only: bool = False
    # Recorded only in the courier app, with its proof (code, signature) or reason code.
    courier_app_only: bool = False
    # Made on a page of its own (e.g. refusing a dossier needs the list of what is missing).
    own_page: str = ""
    # Offered as a button on the order page; False for a move made only as the outcome of another
    # decision (a lost passport case decided "reissue").
    offered: bool = True
    # A group order (booked by a travel agency) moves only once its member signed their own power of
    # attorney, through the personal link or on paper at the counter (``GroupBookingItem``).
    member_signature_first: bool = False


MOVES: dict[str, Move] = {
    "hand_dossier": Move(
        sources=frozenset({S.BOOKED}),
        target=S.DOSSIER_HANDED,
        roles=frozenset({Role.POS_SERVICE_OFFICER}),
        label=_("Hand dossier to Imigrasi"),
        office_field="pos_office",
        member_signature_first=True,
    ),
    "refuse_dossier": Move(
        sources=frozenset({S.DOSSIER_HANDED}),
        target=S.BOOKED,
        roles=frozenset({Role.IMIGRASI_OFFICER}),
        label=_("Refuse the dossier"),
        office_field="imigrasi_office",
        own_page="counter-dossier-refuse",
    ),
    "mark_ready": Move(
        sources=frozenset({S.DOSSIER_HANDED}),
        target=S.PASSPORT_READY,
        roles=frozenset({Role.IMIGRASI_OFFICER}),
        label=_("Mark passport ready"),
        office_field="imigrasi_office",
    ),
    "receive_at_pos": Move(
        sources=frozenset({S.PASSPORT_READY}),
        target=S.RECEIVED_BY_POS,
        roles=frozenset({Role.POS_SERVICE_OFFICER}),
        label=_("Receive passport from Imigrasi"),
        office_field="pos_office",
    ),
    "hand_to_delivery": Move(
        sources=frozenset({S.RECEIVED_BY_POS}),
        target=S.WITH_DELIVERY_SECTION,
        roles=frozenset({Role.POS_SERVICE_OFFICER}),
        label=_("Hand to delivery section"),
        office_field="pos_office",
    ),
    "dispatch": Move(
        sources=frozenset({S.WITH_DELIVERY_SECTION, S.FAILED_ATTEMPT}),
        target=S.OUT_FOR_DELIVERY,
        roles=frozenset({Role.COURIER}),
        label=_("Take out for delivery"),
        office_field="pos_office",
        assigned_courier_only=True,
    ),
    "deliver": Move(
        sources=frozenset({S.OUT_FOR_DELIVERY}),
        target=S.DELIVERED,
        roles=frozenset({Role.COURIER}),
        label=_("Mark delivered"),
        office_field="pos_office",
        assigned_courier_only=True,
        courier_app_only=True,
    ),
    "fail_attempt": Move(
        sources=frozenset({S.OUT_FOR_DELIVERY}),
        target=S.FAILED_ATTEMPT,
        roles=frozenset({Role.COURIER}),
        label=_("Record failed attempt"),
        office_field="pos_office",
        reason="required",
        assigned_courier_only=True,
        courier_app_only=True,
    ),
    # The applicant chose a pickup branch (``delivery.pickup``): the delivery section sends the
    # passport there instead of giving it to a courier.
    "send_to_branch": Move(
        sources=frozenset({S.WITH_DELIVERY_SECTION}),
        target=S.AT_PICKUP_BRANCH,
        roles=frozenset({Role.POS_DISPATCHER}),
        label=_("Send to the pickup branch"),
        office_field="pos_office",
    ),
    # Step 7 at the branch counter: the applicant (or a stand-in) shows the delivery code.
    "collect_at_branch": Move(
        sources=frozenset({S.AT_PICKUP_BRANCH}),
        target=S.DELIVERED,
        roles=frozenset({Role.POS_SERVICE_OFFICER}),
        label=_("Hand over at the branch counter"),
        office_field="pos_office",
        own_page="pickup-handover",
    ),
    # After failed attempts (or when nobody collected it at the branch in time) the passport goes
    # back: the Pos service section acknowledges it first, then the Imigrasi office, where the
    # applicant collects it.
    "return_to_pos": Move(
        sources=frozenset({S.FAILED_ATTEMPT, S.AT_PICKUP_BRANCH}),
        target=S.RETURNED_TO_POS,
        roles=frozenset({Role.POS_SERVICE_OFFICER}),
        label=_("Receive the returned passport"),
        office_field="pos_office",
    ),
    "return_to_office": Move(
        sources=frozenset({S.RETURNED_TO_POS}),
        target=S.RETURNED_TO_OFFICE,
        roles=frozenset({Role.IMIGRASI_OFFICER}),
        label=_("Receive the returned passport at Imigrasi"),
        office_field="imigrasi_office",
    ),
    # The delivery section stops a delivery (the applicant withdrew, Imigrasi recalled the passport).
    "cancel_delivery": Move(
        sources=frozenset(
            {S.WITH_DELIVERY_SECTION, S.OUT_FOR_DELIVERY, S.FAILED_ATTEMPT, S.AT_PICKUP_BRANCH}
        ),
        target=S.CANCELLED,
        roles=frozenset({Role.POS_DISPATCHER}),
        label=_("Stop this delivery"),
        office_field="pos_office",
        reason="required",
    ),
    # Imigrasi's decision on a lost passport case: the passport is cancelled and reissued, so this
    # delivery ends (``delivery.custody.lost``).
    "cancel_lost": Move(
        sources=frozenset(
            {
                S.PASSPORT_READY,
                S.RECEIVED_BY_POS,
                S.WITH_DELIVERY_SECTION,
                S.OUT_FOR_DELIVERY,
                S.FAILED_ATTEMPT,
                S.AT_PICKUP_BRANCH,
                S.RETURNED_TO_POS,
            }
        ),
        target=S.CANCELLED,
        roles=frozenset({Role.IMIGRASI_OFFICER}),
        label=_("Cancel: passport lost in transit, to be reissued"),
        office_field="imigrasi_office",
        reason="required",
        own_page="custody-lost-case",
        offered=False,
    ),
    "cancel": Move(
        sources=frozenset({S.BOOKED, S.DOSSIER_HANDED, S.PASSPORT_READY}),
        target=S.CANCELLED,
        roles=frozenset({Role.APPLICANT}),
        label=_("Cancel delivery"),
        office_field=None,
        reason="optional",
    ),
}

# Moves only the courier assigned to the order may make, and those made only in the courier app.
COURIER_MOVES = frozenset(action for action, move in MOVES.items() if move.assigned_courier_only)
COURIER_APP_MOVES = frozenset(action for action, move in MOVES.items() if move.courier_app_only)


@dataclass(frozen=True)
class MoveResult:
    order: DeliveryOrder
    event: DeliveryEvent


def actor_may(action: str, order: DeliveryOrder, actor: User) -> bool:
    """Whether ``actor`` may make ``action`` on ``order`` in its current state (for showing buttons)."""
    move = MOVES[action]
    try:
        _check_actor(action, move, order, actor)
    except NotAllowed:
        return False
    return order.status in move.sources


def allowed_actions(order: DeliveryOrder, actor: User) -> list[tuple[str, object]]:
    return [
        (action, MOVES[action].label)
        for action in MOVES
        if action not in COURIER_APP_MOVES and MOVES[action].offered and actor_may(action, order, actor)
    ]


def _check_actor(action: str, move: Move, order: DeliveryOrder, actor: User) -> None:
    if actor is None or not actor.is_authenticated or actor.role not in move.roles:
        raise NotAllowed(_("Your role may not do this."), code="wrong_role")
    if move.office_field is None:
        applicant_user_id = order.application.applicant.user_id
        if applicant_user_id is None or applicant_user_id != actor.pk:
            raise NotAllowed(_("This order is not yours."), code="not_owner")
        return
    if actor.office_id is None or actor.office_id != getattr(order, f"{move.office_field}_id"):
        raise NotAllowed(_("This order belongs to another office."), code="wrong_office")
    if action in COURIER_MOVES and not _on_run_of(order, actor):
        raise NotAllowed(_("This order is not on your run."), code="not_your_run")


def _on_run_of(order: DeliveryOrder, actor: User) -> bool:
    """Whether ``order`` is on the run of the courier ``actor``. A move reads the courier with the
    locked order; a page showing buttons reads the actor's courier record once per user object."""
    if order.courier_id is None:
        return False
    if DeliveryOrder.courier.is_cached(order):
        return order.courier is not None and order.courier.user_id == actor.pk
    return courier_id_of(actor) == order.courier_id


def courier_id_of(actor: User) -> int | None:
    """The courier record of ``actor``, read once per user object (one request, one task)."""
    cached: dict[str, int | None] = actor.__dict__
    if "_courier_id" not in cached:
        cached["_courier_id"] = Courier.objects.filter(user=actor).values_list("pk", flat=True).first()
    return cached["_courier_id"]


def _move(
    action: str,
    *,
    order_id: int | None = None,
    order_code: str | None = None,
    actor: User,
    at: dt.datetime | None = None,
    device_time: dt.datetime | None = None,
    location: str = "",
    payload: dict[str, Any] | None = None,
    guard: Callable[[DeliveryOrder], None] | None = None,
) -> MoveResult:
    """Make ``action`` on one order (by id, or by code for the courier's phone), locked.

    ``guard`` is the caller's own last check on the locked order (a phone's stale update), run after
    the state machine's checks and before anything is written."""
    lookup = {"pk": order_id} if order_id is not None else {"code": order_code}
    return _move_orders(
        action,
        lookup=lookup,
        expected=1,
        actor=actor,
        at=at,
        device_time=device_time,
        location=location,
        payload=payload,
        guard=guard,
    )[0]


def delivery_orders_move(
    action: str,
    *,
    order_ids: list[int],
    actor: User,
    at: dt.datetime | None = None,
    payload: dict[str, Any] | None = None,
) -> list[MoveResult]:
    """A counter's batch step (a manifest, a batch acknowledgement, the day's handover): every order
    makes ``action``, or none does. One transaction, one conditional UPDATE per starting state, one
    event row per order, and one notification task per ``NOTIFY_BATCH`` events."""
    ids = sorted(set(order_ids))
    if not ids:
        return []
    return _move_orders(
        action, lookup={"pk__in": ids}, expected=len(ids), actor=actor, at=at, payload=payload
    )


def _move_orders(
    action: str,
    *,
    lookup: dict[str, Any],
    expected: int,
    actor: User,
    at: dt.datetime | None = None,
    device_time: dt.datetime | None = None,
    location: str = "",
    payload: dict[str, Any] | None = None,
    guard: Callable[[DeliveryOrder], None] | None = None,
) -> list[MoveResult]:
    """The one place where orders change state: lock them (in id order, so two batches never
    deadlock), check the actor and the table for each, then write."""
    move = MOVES[action]
    now = at or timezone.now()
    with transaction.atomic():
        orders = list(
            DeliveryOrder.objects.select_for_update(of=("self",))
            .select_related("application__applicant", "courier", "delivery_window")
            .filter(**lookup)
            .order_by("pk")
        )
        if len(orders) != expected:
            raise NotFound(
                _("No such delivery order.") if expected == 1 else _("One of these orders does not exist.")
            )
        for order in orders:
            _check_actor(action, move, order, actor)
            if order.status not in move.sources:
                raise InvalidTransition(_not_now_message(order, many=expected > 1))
        _check_destination(action, orders)
        if action == "dispatch":
            _check_attempts_left(orders)
        if action == "cancel":
            _check_not_released(orders)
        if move.member_signature_first:
            _check_members_signed(orders)
        if guard is not None:
            for order in orders:
                guard(order)
        issued: set[int] = set()
        if move.target in (S.WITH_DELIVERY_SECTION, S.OUT_FOR_DELIVERY):
            from delivery.handoff.codes import delivery_codes_issue

            issued = delivery_codes_issue(orders=orders)
        written_at = timezone.now()
        # One conditional UPDATE per (starting state, new deadline): of two concurrent moves of the
        # same order exactly one finds it still in its starting state.
        groups: dict[tuple[str, dt.datetime | None], list[DeliveryOrder]] = {}
        for order in orders:
            deadline = deadline_after(
                move.target,
                at=now,
                current_deadline=order.deadline_at,
                window_deadline=order_window_end(order),
            )
            groups.setdefault((order.status, deadline), []).append(order)
        events = []
        kept_payload, personal = payload_split(payload)
        for (from_status, deadline), members in groups.items():
            changes = {
                "status": move.target,
                "status_changed_at": now,
                "deadline_at": deadline,
                "deadline_breached_at": None,
                "updated_at": written_at,
            }
            changed = DeliveryOrder.objects.filter(
                pk__in=[order.pk for order in members], status=from_status
            ).update(**changes)
            if changed != len(members):
                raise ConcurrentChange(_("Someone else changed this order at the same moment. Reload it."))
            for order in members:
                events.append(
                    DeliveryEvent(
                        order=order,
                        from_status=from_status,
                        to_status=move.target,
                        actor=actor,
                        actor_role=actor.role,
                        office=actor.office,
                        location=actor.office.name if actor.office else "",
                        occurred_at=now,
                        device_time=device_time,
                        deadline_at=deadline,
                        leg_on_time=None if order.deadline_at is None else now <= order.deadline_at,
                        payload={
                            **kept_payload,
                            **({"delivery_code_issued": True} if order.pk in issued else {}),
                        },
                    )
                )
                for field, value in changes.items():  # the row as written, without reading it back
                    setattr(order, field, value)
        events_chain(events)
        DeliveryEvent.objects.bulk_create(events)
        if move.target == S.CANCELLED:
            _window_places_free(orders)
        personal_details_write((event, location, personal) for event in events)
        moves_follow_up([(event.order, event) for event in events])
    return [MoveResult(order=event.order, event=event) for event in events]


def _not_now_message(order: DeliveryOrder, *, many: bool) -> str:
    if many:
        return _("Order %(code)s cannot be moved now: it is “%(status)s”.") % {
            "code": order.code,
            "status": order.get_status_display(),
        }
    return _("This cannot be done now: the order is “%(status)s”.") % {"status": order.get_status_display()}


def order_window_end(order: DeliveryOrder) -> dt.datetime | None:
    """The end of the order's chosen delivery window on its day, or ``None`` (today's 1-day rule)."""
    window = order.delivery_window
    return window_end(order.delivery_date, window.ends_at if window is not None else None)


def window_place_release(*, window_id: int | None, day: dt.date | None) -> None:
    """Give a window's place on a day back (a new day was chosen, or the order was cancelled)."""
    if window_id is None or day is None:
        return
    DeliveryWindowDay.objects.filter(window_id=window_id, day=day, taken__gt=0).update(taken=F("taken") - 1)


def _window_places_free(orders: list[DeliveryOrder]) -> None:
    for order in orders:
        window_place_release(window_id=order.delivery_window_id, day=order.delivery_date)


def failed_attempts(order: DeliveryOrder) -> int:
    return DeliveryEvent.objects.filter(order=order, to_status=S.FAILED_ATTEMPT).count()


def _check_attempts_left(orders: list[DeliveryOrder]) -> None:
    limit = settings.DELIVERY_MAX_FAILED_ATTEMPTS
    exhausted = (
        DeliveryEvent.objects.filter(order__in=orders, to_status=S.FAILED_ATTEMPT)
        .values("order_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=limit)
        .exists()
    )
    if exhausted:
        raise InvalidTransition(
            _("Delivery failed %(count)s times: return the passport to the office.") % {"count": limit},
            code="attempts_exhausted",
        )


def check_move(action: str, order: DeliveryOrder, actor: User) -> None:
    """Raise the error ``action`` would raise now, without making it (for checks before a move)."""
    move = MOVES[action]
    _check_actor(action, move, order, actor)
    if order.status not in move.sources:
        raise InvalidTransition(
            _("This cannot be done now: the order is “%(status)s”.") % {"status": order.get_status_display()}
        )
    _check_destination(action, [order])
    if action == "dispatch":
        _check_attempts_left([order])
    if action == "cancel":
        _check_not_released([order])
    if move.member_signature_first:
        _check_members_signed([order])


def _check_destination(action: str, orders: list[DeliveryOrder]) -> None:
    """A passport to be collected at a branch goes there, not out with a courier; one to be
    delivered to the door does not go to a branch."""
    if action == "dispatch":
        waiting = next((order for order in orders if order.pickup_branch_id is not None), None)
        if waiting is not None:
            raise InvalidTransition(
                _("Order %(code)s is to be collected at a Pos branch: send it to the branch.")
                % {"code": waiting.code},
                code="pickup_at_branch",
            )
    if action == "send_to_branch":
        home = next((order for order in orders if order.pickup_branch_id is None), None)
        if home is not None:
            raise InvalidTransition(
                _("Order %(code)s is delivered to the door: its applicant chose no pickup branch.")
                % {"code": home.code},
                code="no_pickup_branch",
            )


def _check_members_signed(orders: list[DeliveryOrder]) -> None:
    """Group orders wait for their member's own power of attorney (one query for a whole batch)."""
    waiting = list(
        GroupBookingItem.objects.filter(order__in=orders, poa_signed_at__isnull=True)
        .order_by("order_id")
        .values_list("order__code", flat=True)[:1]
    )
    if waiting:
        raise InvalidTransition(
            _(
                "Order %(code)s is waiting for the member's signature: the group member signs their "
                "power of attorney through their personal link or on paper at the Pos counter before "
                "the dossier goes to Imigrasi."
            )
            % {"code": waiting[0]},
            code="member_signature_missing",
        )


def _check_not_released(orders: list[DeliveryOrder]) -> None:
    if BatchItem.objects.filter(order__in=orders).exists():
        raise InvalidTransition(
            _("The passport has already been released to Pos; it can no longer be cancelled."),
            code="already_released",
        )


def record_booking_event(*, order: DeliveryOrder, actor: User | None, at: dt.datetime) -> DeliveryEvent:
    """The first event of an order, written by the booking service in its own transaction."""
    event = DeliveryEvent(
        order=order,
        from_status="",
        to_status=S.BOOKED,
        actor=actor,
        actor_role=actor.role if actor else Role.APPLICANT,
        office=actor.office if actor else None,
        location=(actor.office.name if actor and actor.office else ""),
        occurred_at=at,
        deadline_at=order.deadline_at,
    )
    events_chain([event])
    event.save()
    moves_follow_up([(order, event)])
    return event


# One public function per step of the SOP.


def delivery_order_hand_dossier(
    *, order_id: int, actor: User, at: dt.datetime | None = None, payload: dict[str, Any] | None = None
) -> MoveResult:
    """Step 4: Pos hands BPN, KTP/SIM copy and power of attorney to Imigrasi."""
    return _move("hand_dossier", order_id=order_id, actor=actor, at=at, payload=payload)


def delivery_order_refuse_dossier(
    *,
    order_id: int,
    actor: User,
    reason: str,
    at: dt.datetime | None = None,
    payload: dict[str, Any] | None = None,
) -> MoveResult:
    """Imigrasi sends an incomplete dossier back to Pos; the reason goes on the event."""
    return _move(
        "refuse_dossier",
        order_id=order_id,
        actor=actor,
        at=at,
        payload={**(payload or {}), "reason": reason},
    )


def delivery_order_mark_ready(*, order_id: int, actor: User, at: dt.datetime | None = None) -> MoveResult:
    """Imigrasi has printed and signed the passport; it waits for release to Pos."""
    return _move("mark_ready", order_id=order_id, actor=actor, at=at)


def delivery_order_receive_at_pos(
    *, order_id: int, actor: User, at: dt.datetime | None = None, payload: dict[str, Any] | None = None
) -> MoveResult:
    """Step 5: Pos's service section receives the passport with surat kuasa and surat tugas."""
    return _move("receive_at_pos", order_id=order_id, actor=actor, at=at, payload=payload)


def delivery_order_hand_to_delivery(
    *, order_id: int, actor: User, at: dt.datetime | None = None
) -> MoveResult:
    """Step 6: the service section hands the passport to the delivery section, the same day."""
    return _move("hand_to_delivery", order_id=order_id, actor=actor, at=at)


def delivery_order_dispatch(
    *,
    order_id: int | None = None,
    order_code: str | None = None,
    actor: User,
    at: dt.datetime | None = None,
    device_time: dt.datetime | None = None,
    location: str = "",
    guard: Callable[[DeliveryOrder], None] | None = None,
) -> MoveResult:
    """Step 7 begins: the assigned courier takes the passport out."""
    return _move(
        "dispatch",
        order_id=order_id,
        order_code=order_code,
        actor=actor,
        at=at,
        device_time=device_time,
        location=location,
        guard=guard,
    )


def delivery_order_deliver(
    *,
    order_id: int,
    actor: User,
    at: dt.datetime | None = None,
    device_time: dt.datetime | None = None,
    location: str = "",
    payload: dict[str, Any] | None = None,
) -> MoveResult:
    """Step 7: the passport is in the applicant's (or a stand-in's) hands."""
    return _move(
        "deliver",
        order_id=order_id,
        actor=actor,
        at=at,
        device_time=device_time,
        location=location,
        payload=payload,
    )


def delivery_order_fail_attempt(
    *,
    order_id: int | None = None,
    order_code: str | None = None,
    actor: User,
    reason: str,
    note: str = "",
    at: dt.datetime | None = None,
    device_time: dt.datetime | None = None,
    location: str = "",
    guard: Callable[[DeliveryOrder], None] | None = None,
) -> MoveResult:
    """The courier could not deliver; the reason (and the courier's note) goes on the event."""
    payload = {"reason": reason}
    if note:
        payload["note"] = note
    return _move(
        "fail_attempt",
        order_id=order_id,
        order_code=order_code,
        actor=actor,
        at=at,
        device_time=device_time,
        location=location,
        payload=payload,
        guard=guard,
    )


def delivery_order_send_to_branch(*, order_id: int, actor: User, at: dt.datetime | None = None) -> MoveResult:
    """The delivery section sends the passport to the branch the applicant chose; it waits there
    ``DELIVERY_PICKUP_HOLD_DAYS`` (then the service section takes it back)."""
    return _move("send_to_branch", order_id=order_id, actor=actor, at=at)


def delivery_order_collect_at_branch(
    *,
    order_id: int,
    actor: User,
    at: dt.datetime | None = None,
    payload: dict[str, Any] | None = None,
) -> MoveResult:
    """Step 7 at the branch counter: the passport is in the applicant's (or a stand-in's) hands. Made
    with its proof by ``delivery.pickup.services.delivery_order_hand_over_at_branch``."""
    return _move("collect_at_branch", order_id=order_id, actor=actor, at=at, payload=payload)


def delivery_order_return_to_pos(*, order_id: int, actor: User, at: dt.datetime | None = None) -> MoveResult:
    """The Pos service section acknowledges the passport the courier brought back."""
    return _move("return_to_pos", order_id=order_id, actor=actor, at=at)


def delivery_order_return_to_office(
    *, order_id: int, actor: User, at: dt.datetime | None = None
) -> MoveResult:
    """Imigrasi acknowledges the returned passport; the applicant collects it there in person. The
    refund rule for a delivery that failed (``RefundRule``, nothing by default) is on the event and
    in the ledger."""
    return _move_with_refund(
        "return_to_office",
        RefundSituation.RETURNED_AFTER_FAILED_ATTEMPTS,
        order_id=order_id,
        actor=actor,
        at=at,
        payload={},
    )


def delivery_order_cancel_delivery(
    *, order_id: int, actor: User, reason: str = "", at: dt.datetime | None = None
) -> MoveResult:
    """The delivery section stops a delivery that is already on a courier's run."""
    return _move("cancel_delivery", order_id=order_id, actor=actor, at=at, payload={"reason": reason})


def delivery_order_cancel_lost(
    *, order_id: int, actor: User, reason: str, at: dt.datetime | None = None
) -> MoveResult:
    """A lost passport case decided "cancelled and reissued": the delivery ends here."""
    return _move("cancel_lost", order_id=order_id, actor=actor, at=at, payload={"reason": reason})


def delivery_order_cancel(
    *, order_id: int, actor: User, reason: str = "", at: dt.datetime | None = None
) -> MoveResult:
    """The applicant withdraws before the passport leaves Imigrasi; the event records the refund the
    rule gives (``delivery.money.refunds``)."""
    return _move_with_refund(
        "cancel",
        RefundSituation.CANCELLED_BEFORE_RELEASE,
        order_id=order_id,
        actor=actor,
        at=at,
        payload={"reason": reason},
    )


def _move_with_refund(
    action: str,
    situation: str,
    *,
    order_id: int,
    actor: User,
    at: dt.datetime | None,
    payload: dict[str, Any],
) -> MoveResult:
    """A move that ends the delivery with the refund the rule for ``situation`` gives: reckoned on the
    locked order (so it is on the event), and recorded in the ledger in the move's transaction."""
    refunds: list[Refund] = []

    def refund_reckon(order: DeliveryOrder) -> None:
        refunds.append(refund_for(order, situation))
        payload["refund"] = refunds[0].amount

    with transaction.atomic():
        result = _move(action, order_id=order_id, actor=actor, at=at, payload=payload, guard=refund_reckon)
        refund_record(
            order=result.order,
            refund=refunds[0],
            actor=actor,
            at=result.event.occurred_at,
            event_id=result.event.pk,
        )
    return result


ACTION_FUNCTIONS = {
    "hand_dossier": delivery_order_hand_dossier,
    "refuse_dossier": delivery_order_refuse_dossier,
    "mark_ready": delivery_order_mark_ready,
    "receive_at_pos": delivery_order_receive_at_pos,
    "hand_to_delivery": delivery_order_hand_to_delivery,
    "dispatch": delivery_order_dispatch,
    "deliver": delivery_order_deliver,
    "fail_attempt": delivery_order_fail_attempt,
    "send_to_branch": delivery_order_send_to_branch,
    "collect_at_branch": delivery_order_collect_at_branch,
    "return_to_pos": delivery_order_return_to_pos,
    "return_to_office": delivery_order_return_to_office,
    "cancel": delivery_order_cancel,
    "cancel_delivery": delivery_order_cancel_delivery,
    "cancel_lost": delivery_order_cancel_lost,
}
