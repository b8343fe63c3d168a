"""Pickup at a named PT Pos branch instead of home delivery.

1. ``delivery_order_choose_pickup``: the applicant (through "manage my delivery" or its API) picks
   one of the branches of the order's Pos office, until the courier sets out (the rule of another
   day, ``delivery.booking.reschedule.BEFORE_DISPATCH``). The choice is for good: it is recorded on
   the order and in its own ``PickupChoice`` row, the delivery day and window are given back, the
   courier is taken off, and the applicant gets a message (task ``notify_pickup_chosen``). The
   delivery fee stays: carrying the passport to the branch is the delivery it paid for.
2. The delivery section sends the passport to the branch (the move ``send_to_branch``). It waits
   there ``DELIVERY_PICKUP_HOLD_DAYS``; past that the order is late and the service section takes it
   back (``return_to_pos``, then the Imigrasi office, as after failed attempts).
3. ``delivery_order_hand_over_at_branch``: the clerk at the branch counter checks the applicant's
   delivery code (``delivery.handoff.codes``: a wrong one is counted and locks it like at the door)
   and the ID shown; the move ``collect_at_branch`` ends the order "delivered", with its proof of
   who received it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.exceptions import DomainError, InvalidTransition, NotAllowed, NotFound, ValidationFailed
from core.outbox import task_enqueue
from core.utils import on_commit
from delivery.booking.reschedule import BEFORE_DISPATCH
from delivery.booking.windows import window_place_release
from delivery.choices import IdType, ProofMethod, ReceiverKind
from delivery.courier.proof import id_last_four_valid
from delivery.handoff import transitions as t
from delivery.handoff.codes import delivery_code_attempt_record, delivery_code_check
from delivery.handoff.events import notifications_wanted
from delivery.models import DeliveryCode, DeliveryOrder, PickupBranch, PickupChoice, ProofOfDelivery
from delivery.money.door import door_amount_due
from delivery.tracking.services import tracking_pages_forget

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

logger = logging.getLogger(__name__)


def pickup_branches(order: DeliveryOrder) -> list[PickupBranch]:
    """The branches of the order's Pos office that hand out passports."""
    return list(PickupBranch.objects.filter(pos_office_id=order.pos_office_id, active=True).order_by("name"))


def pickup_choice_check(order: DeliveryOrder, actor: User) -> None:
    """Raise why the applicant may not choose a branch now (nothing if they may)."""
    if order.application.applicant.user_id is None or order.application.applicant.user_id != actor.pk:
        raise NotAllowed(_("This order is not yours."), code="not_owner")
    if order.pickup_branch_id is not None:
        raise InvalidTransition(
            _("You already chose to collect your passport at a Pos branch."), code="pickup_already_chosen"
        )
    if order.status not in BEFORE_DISPATCH:
        raise InvalidTransition(
            _("A pickup branch can be chosen only before the courier sets out."), code="courier_left"
        )
    if door_amount_due(order) != 0:
        raise InvalidTransition(
            _(
                "Your address change left a fee difference open; it is settled with the courier at the "
                "door, so this delivery cannot move to a branch. Contact the Pos office if needed."
            ),
            code="fee_difference_open",
        )
    if not PickupBranch.objects.filter(pos_office_id=order.pos_office_id, active=True).exists():
        raise InvalidTransition(_("No Pos branch hands out passports for this office."), code="no_branches")


def pickup_choice_allowed(order: DeliveryOrder, actor: User) -> bool:
    try:
        pickup_choice_check(order, actor)
    except DomainError:
        return False
    return True


def delivery_order_choose_pickup(*, order_id: int, actor: User, branch_id: int | str) -> PickupChoice:
    """The applicant collects the passport at ``branch_id`` instead of home delivery, for good."""
    try:
        branch_pk = int(branch_id)
    except (TypeError, ValueError):
        branch_pk = 0
    with transaction.atomic():
        order = (
            DeliveryOrder.objects.select_for_update(of=("self",))
            .select_related("application__applicant")
            .filter(pk=order_id)
            .first()
        )
        if order is None:
            raise NotFound(_("No such delivery order."))
        pickup_choice_check(order, actor)
        branch = PickupBranch.objects.filter(
            pk=branch_pk, pos_office_id=order.pos_office_id, active=True
        ).first()
        if branch is None:
            message = _("Choose one of the Pos branches listed.")
            raise ValidationFailed(message, fields={"branch": [message]})
        now = timezone.now()
        choice = PickupChoice.objects.create(
            order=order,
            branch=branch,
            actor=actor,
            occurred_at=now,
            status_at_choice=order.status,
            old_delivery_date=order.delivery_date,
            old_delivery_window_id=order.delivery_window_id,
        )
        # The courier no longer comes: the window's place is given back, the run loses the order.
        window_place_release(window_id=order.delivery_window_id, day=order.delivery_date)
        changed = DeliveryOrder.objects.filter(
            pk=order.pk, status__in=BEFORE_DISPATCH, pickup_branch__isnull=True
        ).update(
            pickup_branch=branch,
            courier=None,
            delivery_window=None,
            delivery_date=None,
            updated_at=now,
        )
        if changed != 1:
            raise InvalidTransition(
                _("A pickup branch can be chosen only before the courier sets out."), code="courier_left"
            )
        if notifications_wanted():
            task_enqueue("delivery.tasks.notify_pickup_chosen", choice.pk)
        codes = [order.code]
        on_commit(lambda: tracking_pages_forget(codes))
    logger.info("delivery.pickup.chosen order_id=%s branch_id=%s", order.pk, branch.pk)
    return choice


def delivery_order_hand_over_at_branch(
    *,
    order_code: str,
    actor: User,
    code: str,
    receiver_kind: str,
    id_type: str,
    id_last_four: str,
    stand_in_name: str = "",
    stand_in_relation: str = "",
    authorisation_seen: bool = False,
) -> t.MoveResult:
    """Step 7 at the branch counter: the applicant's delivery code (a stand-in brings it with the
    applicant's written authorisation), the ID shown; the proof records who received it."""
    order = (
        DeliveryOrder.objects.select_related("application__applicant", "pickup_branch")
        .filter(code=(order_code or "").strip().upper())
        .first()
    )
    if order is None:
        raise NotFound(_("No such delivery order."))
    t.check_move("collect_at_branch", order, actor)
    errors: dict[str, list[StrOrPromise]] = {}
    if receiver_kind not in ReceiverKind.values:
        errors["receiver_kind"] = [_("Say who received the passport.")]
    if id_type not in IdType.values:
        errors["id_type"] = [_("Choose the ID the receiver showed.")]
    id_last_four = (id_last_four or "").strip().upper()
    if not id_last_four_valid(id_last_four):
        errors["id_last_four"] = [_("Enter the last 4 letters or digits of the ID.")]
    stand_in_name, stand_in_relation = (stand_in_name or "").strip(), (stand_in_relation or "").strip()
    if receiver_kind == ReceiverKind.STAND_IN:
        if not stand_in_name:
            errors["stand_in_name"] = [_("Enter the stand-in's name.")]
        if not stand_in_relation:
            errors["stand_in_relation"] = [_("Enter the stand-in's relation to the applicant.")]
        if not authorisation_seen:
            errors["authorisation_seen"] = [_("A stand-in needs the applicant's written authorisation.")]
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    if receiver_kind == ReceiverKind.APPLICANT:
        receiver_name, relation = order.application.applicant.full_name, ""
    else:
        receiver_name, relation = stand_in_name[:200], stand_in_relation[:100]
    branch = order.pickup_branch
    try:
        with transaction.atomic():
            code_row = delivery_code_check(order=order, code=code)
            result = t.delivery_order_collect_at_branch(
                order_id=order.pk,
                actor=actor,
                payload={
                    "receiver_kind": receiver_kind,
                    "receiver_name": receiver_name,
                    "relation": relation,
                    "pickup_branch": branch.name if branch is not None else "",
                },
            )
            DeliveryCode.objects.filter(pk=code_row.pk).update(used_at=result.event.occurred_at)
            ProofOfDelivery.objects.create(
                order=order,
                event=result.event,
                receiver_kind=receiver_kind,
                receiver_name=receiver_name,
                relation=relation,
                id_type=id_type,
                id_last_four=id_last_four,
                authorisation_seen=authorisation_seen and receiver_kind == ReceiverKind.STAND_IN,
                proof_method=ProofMethod.CODE,
            )
    except DomainError as error:
        if error.code in ("wrong_code", "code_locked"):
            delivery_code_attempt_record(order=order, actor=actor, wrong=error.code == "wrong_code")
        raise
    logger.info("delivery.pickup.collected order_id=%s", order.pk)
    return result
