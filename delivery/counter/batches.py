"""Step 5 as a batch: Imigrasi releases ready passports to Pos, Pos acknowledges receipt.

Release (Imigrasi's acknowledgement) creates the batch "in handover" with one surat tugas and
surat kuasa listing every passport. The Pos officer's acknowledgement moves every order of the
batch through ``delivery.handoff.transitions`` (``receive_at_pos``) as one bulk move: all or none.
An order sits in at most one batch (a unique row), so nothing can be released twice or slipped in.
The batch's own state follows ``BATCH_STATES``, each step with its event row.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from core.exceptions import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from core.states import CREATED, StateTable, Transition, state_created, transition_make
from core.webhooks import webhook_emit
from delivery.choices import DeliveryStatus
from delivery.counter.numbers import numbered_create
from delivery.handoff.transitions import delivery_orders_move
from delivery.models import Batch, BatchEvent, BatchItem, BatchStatus, DeliveryOrder
from delivery.permissions import require_role

# A batch's life: released by Imigrasi ("in handover"), acknowledged by Pos ("received").
BATCH_STATES = StateTable(
    model=Batch,
    event_model=BatchEvent,
    event_field="batch",
    transitions=(
        Transition(
            name="release",
            sources=frozenset({CREATED}),
            target=BatchStatus.IN_HANDOVER,
            roles=frozenset({Role.IMIGRASI_OFFICER}),
        ),
        Transition(
            name="acknowledge",
            sources=frozenset({BatchStatus.IN_HANDOVER}),
            target=BatchStatus.RECEIVED,
            roles=frozenset({Role.POS_SERVICE_OFFICER}),
        ),
    ),
)


def batch_release(*, actor: User, codes: list[str], at: dt.datetime | None = None) -> Batch:
    """Imigrasi releases the passports with these tracking codes to Pos as one batch."""
    require_role(actor, Role.IMIGRASI_OFFICER)
    wanted = sorted({code.strip().upper() for code in codes if code and code.strip()})
    if not wanted:
        raise ValidationFailed(
            _("Select or scan at least one passport."),
            fields={"codes": [_("Select or scan at least one passport.")]},
        )
    now = at or timezone.now()
    try:
        with transaction.atomic():
            orders = list(
                DeliveryOrder.objects.select_for_update(of=("self",)).filter(code__in=wanted).order_by("pk")
            )
            found = {order.code for order in orders}
            unknown = [code for code in wanted if code not in found]
            if unknown:
                raise NotFound(
                    _("Unknown tracking code: %(codes)s.") % {"codes": ", ".join(unknown)},
                    code="unknown_order",
                )
            for order in orders:
                if order.imigrasi_office_id != actor.office_id:
                    raise NotAllowed(
                        _("Order %(code)s belongs to another office.") % {"code": order.code},
                        code="wrong_office",
                    )
            already = BatchItem.objects.filter(order__in=orders).select_related("batch", "order")
            for item in already:
                raise InvalidTransition(
                    _("Passport %(code)s was already released in batch %(batch)s.")
                    % {"code": item.order.code, "batch": item.batch.number},
                    code="already_released",
                )
            for order in orders:
                if order.status != DeliveryStatus.PASSPORT_READY:
                    raise InvalidTransition(
                        _("Passport %(code)s is not ready for release (it is “%(status)s”).")
                        % {"code": order.code, "status": order.get_status_display()},
                        code="not_ready",
                    )
            pos_offices = {order.pos_office_id for order in orders}
            if len(pos_offices) != 1:
                raise ValidationFailed(_("A batch goes to one Pos office."))
            batch = numbered_create(
                "BTC",
                Batch,
                now,
                imigrasi_office_id=actor.office_id,
                pos_office_id=pos_offices.pop(),
                released_by=actor,
                released_at=now,
            )
            BatchItem.objects.bulk_create([BatchItem(batch=batch, order=order) for order in orders])
            state_created(BATCH_STATES, "release", obj=batch, actor=actor, at=now)
            webhook_emit(
                event="batch.released",
                payload={
                    "batch": batch.number,
                    "orders": [order.code for order in orders],
                    "released_at": now.isoformat(),
                    "imigrasi_office_id": batch.imigrasi_office_id,
                    "pos_office_id": batch.pos_office_id,
                },
                ordering_key=batch.number,
                office_ids=(batch.imigrasi_office_id, batch.pos_office_id),
            )
    except IntegrityError as error:
        # Two officers released the same passport at once: the unique row let only one through.
        raise InvalidTransition(
            _("One of these passports was released at the same moment by someone else."),
            code="already_released",
        ) from error
    return batch


def batch_acknowledge(*, actor: User, batch_id: int, at: dt.datetime | None = None) -> Batch:
    """The Pos service officer confirms receipt: every passport of the batch is received at once."""
    require_role(actor, Role.POS_SERVICE_OFFICER)
    now = at or timezone.now()
    with transaction.atomic():
        batch = Batch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None:
            raise NotFound(_("No such batch."))
        if batch.pos_office_id != actor.office_id:
            raise NotAllowed(_("This batch was released to another office."), code="wrong_office")
        if batch.status == BatchStatus.RECEIVED:
            raise InvalidTransition(
                _("Batch %(number)s was already acknowledged by %(who)s.")
                % {"number": batch.number, "who": batch.acknowledged_by},
                code="already_acknowledged",
            )
        delivery_orders_move(
            "receive_at_pos",
            order_ids=list(batch.items.values_list("order_id", flat=True)),
            actor=actor,
            at=now,
            payload={"batch": batch.number},
        )
        transition_make(
            BATCH_STATES,
            "acknowledge",
            obj=batch,
            actor=actor,
            at=now,
            changes={"acknowledged_by": actor, "acknowledged_at": now, "updated_at": now},
        )
    batch.refresh_from_db()
    return batch
