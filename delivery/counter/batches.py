"""Step 5 as a batch: Imigrasi releases ready passports to Pos, Pos acknowledges them one by one.

Release (Imigrasi's acknowledgement) creates the batch "in handover" with one surat tugas and
surat kuasa listing every passport. The Pos officer then acknowledges each passport (scanned or
ticked; several at once is one bulk move of their orders through ``delivery.handoff.transitions``,
``receive_at_pos``), or reports one missing or damaged, which opens a lost passport case
(``delivery.custody.lost.lost_case_open``) while the rest of the batch goes on. Once no passport is
waiting, the batch is "received" (or "received with passports reported").

An order sits in at most one batch (a unique row), so nothing can be released twice or slipped in.
Every act locks the batch row first, so two officers acting on the same passport are served one
after the other: acknowledging a passport already received changes nothing. The batch's state
follows ``BATCH_STATES`` and each passport's ``BATCH_ITEM_STATES``, each step with its event row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

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
from delivery.custody.lost import lost_case_open
from delivery.handoff.transitions import delivery_orders_move
from delivery.models import (
    Batch,
    BatchEvent,
    BatchItem,
    BatchItemEvent,
    BatchItemStatus,
    BatchStatus,
    DeliveryOrder,
    LostPassportCase,
    LostPassportKind,
)
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
        # The last passport waiting is acknowledged or reported: every one received ...
        Transition(
            name="acknowledge",
            sources=frozenset({BatchStatus.IN_HANDOVER}),
            target=BatchStatus.RECEIVED,
            roles=frozenset({Role.POS_SERVICE_OFFICER}),
        ),
        # ... or at least one reported missing or damaged.
        Transition(
            name="acknowledge_with_exceptions",
            sources=frozenset({BatchStatus.IN_HANDOVER}),
            target=BatchStatus.RECEIVED_WITH_EXCEPTIONS,
            roles=frozenset({Role.POS_SERVICE_OFFICER}),
        ),
        # Imigrasi found a passport reported from it: the batch waits for Pos again.
        Transition(
            name="reopen_found",
            sources=frozenset({BatchStatus.RECEIVED_WITH_EXCEPTIONS}),
            target=BatchStatus.IN_HANDOVER,
            roles=frozenset({Role.IMIGRASI_OFFICER}),
        ),
    ),
)

BI = BatchItemStatus
_POS = frozenset({Role.POS_SERVICE_OFFICER})

# A passport's life in a batch: released with it, then received by Pos or reported.
BATCH_ITEM_STATES = StateTable(
    model=BatchItem,
    event_model=BatchItemEvent,
    event_field="item",
    transitions=(
        Transition(
            name="release",
            sources=frozenset({CREATED}),
            target=BI.IN_HANDOVER,
            roles=frozenset({Role.IMIGRASI_OFFICER}),
        ),
        Transition(name="receive", sources=frozenset({BI.IN_HANDOVER}), target=BI.RECEIVED, roles=_POS),
        Transition(
            name="report_missing",
            sources=frozenset({BI.IN_HANDOVER}),
            target=BI.REPORTED_MISSING,
            roles=_POS,
        ),
        Transition(
            name="report_damaged",
            sources=frozenset({BI.IN_HANDOVER}),
            target=BI.REPORTED_DAMAGED,
            roles=_POS,
        ),
        # Its lost passport case decided "found": it waits for the Pos officer's acknowledgement.
        Transition(
            name="found",
            sources=frozenset({BI.REPORTED_MISSING, BI.REPORTED_DAMAGED}),
            target=BI.IN_HANDOVER,
            roles=frozenset({Role.IMIGRASI_OFFICER}),
        ),
    ),
)
_REPORT_STEP: dict[str, str] = {
    LostPassportKind.MISSING: "report_missing",
    LostPassportKind.DAMAGED: "report_damaged",
}


@dataclass(frozen=True)
class ItemReport:
    """One passport of the batch reported instead of acknowledged: missing or damaged, and what
    was found or not found."""

    code: str
    kind: str
    report: str


@dataclass(frozen=True)
class BatchActs:
    """What one acknowledgement did: the batch as written, the passports received now, those that
    were received before (nothing changed for them) and the lost passport cases opened."""

    batch: Batch
    received: list[str]
    unchanged: list[str]
    cases: list[str]


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
            items = BatchItem.objects.bulk_create([BatchItem(batch=batch, order=order) for order in orders])
            state_created(BATCH_STATES, "release", obj=batch, actor=actor, at=now)
            for item in items:
                state_created(BATCH_ITEM_STATES, "release", obj=item, actor=actor, at=now)
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


def _code(raw: str) -> str:
    return (raw or "").strip().upper()


def batch_acknowledge(
    *,
    actor: User,
    batch_id: int,
    codes: Sequence[str] | None = None,
    reports: Sequence[ItemReport] = (),
    at: dt.datetime | None = None,
) -> BatchActs:
    """The Pos service officer acknowledges passports of the batch (``codes``: tracking codes,
    scanned or ticked) and reports others missing or damaged (``reports``), all in one transaction:
    everything asked is done, or nothing. ``codes`` None with no report: every passport still
    waiting (the whole batch at once).

    A code not in the batch is refused by name; a passport received before changes nothing; one
    reported before cannot be received here. Each passport received moves its order
    (``receive_at_pos``); each one reported opens a lost passport case. When no passport is left
    waiting, the batch is received (with exceptions when one was reported)."""
    require_role(actor, Role.POS_SERVICE_OFFICER)
    wanted = sorted({_code(code) for code in codes or () if _code(code)})
    reported = [ItemReport(code=_code(r.code), kind=r.kind, report=(r.report or "").strip()) for r in reports]
    if codes is not None and not wanted and not reported:
        raise ValidationFailed(
            _("Select or scan at least one passport."),
            fields={"codes": [_("Select or scan at least one passport.")]},
        )
    report_codes = [r.code for r in reported]
    if len(set(report_codes)) != len(report_codes) or set(report_codes) & set(wanted):
        raise ValidationFailed(
            _("A passport is either acknowledged or reported, once."),
            fields={"reports": [_("A passport is either acknowledged or reported, once.")]},
        )
    if any(r.kind not in _REPORT_STEP for r in reported):
        raise ValidationFailed(
            _("Say whether the passport is missing or damaged."), fields={"kind": [_("Required.")]}
        )
    if any(not r.report for r in reported):
        raise ValidationFailed(
            _("Say what was found or not found, where and when."), fields={"report": [_("Required.")]}
        )
    now = at or timezone.now()
    with transaction.atomic():
        # The batch row is the lock every act on its passports takes first.
        batch = Batch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None:
            raise NotFound(_("No such batch."))
        if batch.pos_office_id != actor.office_id:
            raise NotAllowed(_("This batch was released to another office."), code="wrong_office")
        items = {item.order.code: item for item in batch.items.select_related("order", "acted_by")}
        if codes is None and not reported:
            wanted = sorted(code for code, item in items.items() if item.status == BI.IN_HANDOVER)
            if not wanted:
                raise InvalidTransition(
                    _("Batch %(number)s was already acknowledged by %(who)s.")
                    % {"number": batch.number, "who": batch.acknowledged_by},
                    code="already_acknowledged",
                )
        unknown = [code for code in [*wanted, *report_codes] if code not in items]
        if unknown:
            raise NotFound(
                _("%(codes)s is not in batch %(number)s.")
                % {"codes": ", ".join(unknown), "number": batch.number},
                code="not_in_batch",
            )
        for code in [*wanted, *report_codes]:
            item = items[code]
            if item.status in (BI.REPORTED_MISSING, BI.REPORTED_DAMAGED):
                raise InvalidTransition(
                    _("Passport %(code)s was reported “%(state)s” by %(who)s; it is not received here.")
                    % {"code": code, "state": item.get_status_display(), "who": item.acted_by},
                    code="already_reported",
                )
        for r in reported:
            if items[r.code].status == BI.RECEIVED:
                raise InvalidTransition(
                    _("Passport %(code)s was already received by %(who)s; report it from its order page.")
                    % {"code": r.code, "who": items[r.code].acted_by},
                    code="already_received",
                )
        unchanged = [code for code in wanted if items[code].status == BI.RECEIVED]
        receiving = [items[code] for code in wanted if items[code].status == BI.IN_HANDOVER]
        cases = []
        for r in reported:
            # lost_case_open checks the report, locks the order and writes in a savepoint of this
            # transaction; its notice to the applicant goes after the commit (the outbox).
            case = lost_case_open(actor=actor, order_code=r.code, kind=r.kind, report=r.report, at=now)
            item = items[r.code]
            transition_make(
                BATCH_ITEM_STATES,
                _REPORT_STEP[r.kind],
                obj=item,
                actor=actor,
                at=now,
                changes={"acted_by": actor, "acted_at": now, "lost_case": case},
                payload={"batch": batch.number, "case": case.number},
            )
            cases.append(case.number)
        delivery_orders_move(
            "receive_at_pos",
            order_ids=[item.order_id for item in receiving],
            actor=actor,
            at=now,
            payload={"batch": batch.number},
        )
        for item in receiving:
            transition_make(
                BATCH_ITEM_STATES,
                "receive",
                obj=item,
                actor=actor,
                at=now,
                changes={"acted_by": actor, "acted_at": now},
                payload={"batch": batch.number},
            )
        statuses = {item.status for item in items.values()}
        if batch.status == BatchStatus.IN_HANDOVER and BI.IN_HANDOVER not in statuses:
            transition_make(
                BATCH_STATES,
                "acknowledge" if statuses == {BI.RECEIVED} else "acknowledge_with_exceptions",
                obj=batch,
                actor=actor,
                at=now,
                changes={"acknowledged_by": actor, "acknowledged_at": now, "updated_at": now},
            )
    batch.refresh_from_db()
    return BatchActs(
        batch=batch, received=[item.order.code for item in receiving], unchanged=unchanged, cases=cases
    )


def batch_item_found(*, case: LostPassportCase, actor: User, at: dt.datetime, **_signal: object) -> None:
    """A lost passport case opened from a batch and decided "found" (``delivery.custody.lost``
    sends ``lost_passport_found`` inside the decision's transaction): the passport waits in its
    batch for the Pos officer again, and a batch that had ended with passports reported is in
    handover again. A case opened elsewhere changes nothing here."""
    item = (
        BatchItem.objects.select_for_update()
        .filter(lost_case=case, status__in=(BI.REPORTED_MISSING, BI.REPORTED_DAMAGED))
        .first()
    )
    if item is None:
        return
    batch = Batch.objects.select_for_update().get(pk=item.batch_id)
    transition_make(BATCH_ITEM_STATES, "found", obj=item, actor=actor, at=at, changes={"acted_at": at})
    if batch.status == BatchStatus.RECEIVED_WITH_EXCEPTIONS:
        transition_make(BATCH_STATES, "reopen_found", obj=batch, actor=actor, at=at)
