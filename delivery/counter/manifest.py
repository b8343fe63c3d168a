"""Step 4, signed on both sides: the day's dossiers go to Imigrasi at once, each order moved
through the handoff and listed on one manifest; Imigrasi acknowledges the dossiers it received (or
refuses one with a missing item), dossier by dossier.

A manifest is "in handover" until every dossier on it is acknowledged or refused, then "received by
Imigrasi" (``MANIFEST_STATES``); each act is one step of the table with its event row. The manifest
row is locked for each act, so two Imigrasi officers acknowledging at once take turns: the second
finds the dossiers already received and changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from core.exceptions import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from core.states import CREATED, StateTable, Transition, state_created, transition_make
from delivery.choices import DeliveryStatus
from delivery.counter.numbers import numbered_create
from delivery.handoff.transitions import delivery_orders_move
from delivery.models import DeliveryOrder, Manifest, ManifestEvent, ManifestItem, ManifestStatus
from delivery.permissions import require_role

_IMIGRASI = frozenset({Role.IMIGRASI_OFFICER})

# A manifest's life: handed over by Pos ("in handover"), its dossiers acknowledged or refused by
# Imigrasi a few at a time; the act that settles the last one makes it "received by Imigrasi".
MANIFEST_STATES = StateTable(
    model=Manifest,
    event_model=ManifestEvent,
    event_field="manifest",
    transitions=(
        Transition(
            name="hand_over",
            sources=frozenset({CREATED}),
            target=ManifestStatus.IN_HANDOVER,
            roles=frozenset({Role.POS_SERVICE_OFFICER}),
        ),
        Transition(
            name="acknowledge",
            sources=frozenset({ManifestStatus.IN_HANDOVER}),
            target=ManifestStatus.IN_HANDOVER,
            roles=_IMIGRASI,
            label=_("Dossiers acknowledged; others still in handover"),
        ),
        Transition(
            name="acknowledge_last",
            sources=frozenset({ManifestStatus.IN_HANDOVER}),
            target=ManifestStatus.RECEIVED,
            roles=_IMIGRASI,
            label=_("Last dossiers acknowledged"),
        ),
        Transition(
            name="refuse_dossier",
            sources=frozenset({ManifestStatus.IN_HANDOVER}),
            target=ManifestStatus.IN_HANDOVER,
            roles=_IMIGRASI,
            label=_("Dossier refused; others still in handover"),
        ),
        Transition(
            name="refuse_last_dossier",
            sources=frozenset({ManifestStatus.IN_HANDOVER}),
            target=ManifestStatus.RECEIVED,
            roles=_IMIGRASI,
            label=_("Last dossier refused"),
        ),
    ),
)


def manifest_hand_over(*, actor: User, order_ids: list[int], at: dt.datetime | None = None) -> Manifest:
    """Step 4: hand the selected booked dossiers to Imigrasi with one manifest."""
    require_role(actor, Role.POS_SERVICE_OFFICER)
    if not order_ids:
        raise ValidationFailed(
            _("Choose at least one dossier."), fields={"orders": [_("Choose at least one dossier.")]}
        )
    now = at or timezone.now()
    with transaction.atomic():
        orders = list(
            DeliveryOrder.objects.select_for_update().filter(pk__in=sorted(set(order_ids))).order_by("pk")
        )
        if len(orders) != len(set(order_ids)):
            raise ValidationFailed(_("One of the chosen dossiers does not exist."))
        for order in orders:
            if order.pos_office_id != actor.office_id:
                raise NotAllowed(
                    _("Order %(code)s belongs to another office.") % {"code": order.code}, code="wrong_office"
                )
            if order.status != DeliveryStatus.BOOKED:
                raise InvalidTransition(
                    _("Order %(code)s was already handed over.") % {"code": order.code},
                    code="already_handed",
                )
        imigrasi_offices = {order.imigrasi_office_id for order in orders}
        if len(imigrasi_offices) != 1:
            raise ValidationFailed(_("A manifest goes to one Imigrasi office."))
        manifest = numbered_create(
            "MNF",
            Manifest,
            now,
            pos_office_id=actor.office_id,
            imigrasi_office_id=imigrasi_offices.pop(),
            handed_by=actor,
            handed_at=now,
        )
        ManifestItem.objects.bulk_create([ManifestItem(manifest=manifest, order=order) for order in orders])
        state_created(
            MANIFEST_STATES, "hand_over", obj=manifest, actor=actor, at=now, payload={"orders": len(orders)}
        )
        delivery_orders_move(
            "hand_dossier",
            order_ids=[order.pk for order in orders],
            actor=actor,
            at=now,
            payload={"manifest": manifest.number},
        )
    return manifest


def dossier_refuse(
    *, actor: User, order_id: int, missing_items: list[str], reason: str = "", at: dt.datetime | None = None
) -> DeliveryOrder:
    """Imigrasi refuses a handed-over dossier with a missing item; the order goes back to Pos."""
    from delivery.handoff.transitions import delivery_order_refuse_dossier
    from delivery.models import DossierRefusal

    require_role(actor, Role.IMIGRASI_OFFICER)
    known = [key for key, _label in DOSSIER_ITEMS]
    missing = [key for key in known if key in set(missing_items)]
    if not missing or len(missing) != len(set(missing_items)):
        raise ValidationFailed(
            _("Tick the item that is missing from the dossier."),
            fields={"missing_items": [_("Tick the item that is missing from the dossier.")]},
        )
    labels = dict(DOSSIER_ITEMS)
    text = "; ".join(str(labels[key]) for key in missing) + (f" – {reason.strip()}" if reason.strip() else "")
    now = at or timezone.now()
    with transaction.atomic():
        result = delivery_order_refuse_dossier(
            order_id=order_id, actor=actor, reason=text[:500], at=now, payload={"missing": missing}
        )
        # After the move, which checked the office: the order is locked, then its manifest.
        item = _open_item_lock(order_id)
        if item is not None and item.received_at is not None:
            raise InvalidTransition(
                _(
                    "Dossier %(code)s was acknowledged as received on manifest %(number)s; "
                    "it can no longer be refused."
                )
                % {"code": item.order.code, "number": item.manifest.number},
                code="already_received",
            )
        DossierRefusal.objects.create(
            order_id=order_id, missing_items=missing, reason=text[:500], refused_by=actor, refused_at=now
        )
        if item is not None:
            ManifestItem.objects.filter(pk=item.pk).update(refused_by=actor, refused_at=now)
            _manifest_step(
                item.manifest,
                "refuse_dossier",
                actor=actor,
                at=now,
                payload={"refused": [item.order.code], "missing": missing},
            )
    return result.order


def _open_item_lock(order_id: int) -> ManifestItem | None:
    """The order's row on the last manifest that carried it, its manifest locked (the order's
    other manifests are settled: it was refused from them), or None for a dossier handed over
    without a manifest (before manifests were kept)."""
    item = (
        ManifestItem.objects.filter(order_id=order_id, refused_at__isnull=True)
        .select_related("manifest", "order")
        .order_by("-manifest__handed_at", "-pk")
        .first()
    )
    if item is None:
        return None
    Manifest.objects.select_for_update().filter(pk=item.manifest_id).first()
    return ManifestItem.objects.select_related("manifest", "order").get(pk=item.pk)


def _manifest_step(
    manifest: Manifest, step: str, *, actor: User, at: dt.datetime, payload: dict[str, object]
) -> None:
    """One act of Imigrasi on the (locked) manifest: its event, and "received" when it settled the
    last dossier still in handover."""
    waiting = ManifestItem.objects.filter(
        manifest=manifest, received_at__isnull=True, refused_at__isnull=True
    ).exists()
    name = (
        step
        if waiting
        else {"acknowledge": "acknowledge_last", "refuse_dossier": "refuse_last_dossier"}[step]
    )
    transition_make(
        MANIFEST_STATES, name, obj=manifest, actor=actor, at=at, changes={"updated_at": at}, payload=payload
    )


def manifest_acknowledge(
    *, actor: User, manifest_id: int, codes: list[str], at: dt.datetime | None = None
) -> list[ManifestItem]:
    """Imigrasi acknowledges the dossiers of the manifest with these tracking codes: each is
    received, by this officer, now. A code not on the manifest (or refused from it) is refused by
    name and nothing is written; a dossier already received is left as it was (acknowledging twice
    changes nothing). Returns the rows it received now (none when all were received before)."""
    require_role(actor, Role.IMIGRASI_OFFICER)
    wanted = list(dict.fromkeys(code.strip().upper() for code in codes if code and code.strip()))
    if not wanted:
        raise ValidationFailed(
            _("Scan or tick at least one dossier."),
            fields={"codes": [_("Scan or tick at least one dossier.")]},
        )
    now = at or timezone.now()
    with transaction.atomic():
        manifest = Manifest.objects.select_for_update().filter(pk=manifest_id).first()
        if manifest is None:
            raise NotFound(_("No such manifest."))
        if manifest.imigrasi_office_id != actor.office_id:
            raise NotAllowed(_("This manifest was handed to another office."), code="wrong_office")
        items = {
            item.order.code: item
            for item in ManifestItem.objects.filter(manifest=manifest).select_related("order")
        }
        unknown = [code for code in wanted if code not in items]
        if unknown:
            raise NotFound(
                _("Not on manifest %(number)s: %(codes)s.")
                % {"number": manifest.number, "codes": ", ".join(unknown)},
                code="not_on_manifest",
            )
        refused = [code for code in wanted if items[code].refused_at is not None]
        if refused:
            raise InvalidTransition(
                _("Dossier refused and sent back to Pos, it cannot be acknowledged: %(codes)s.")
                % {"codes": ", ".join(refused)},
                code="dossier_refused",
            )
        fresh = [items[code] for code in wanted if items[code].received_at is None]
        if not fresh:
            return []
        ManifestItem.objects.filter(pk__in=[item.pk for item in fresh]).update(
            received_by=actor, received_at=now
        )
        for item in fresh:
            item.received_by, item.received_at = actor, now
        _manifest_step(
            manifest,
            "acknowledge",
            actor=actor,
            at=now,
            payload={"received": [item.order.code for item in fresh]},
        )
    return fresh


# The three items of a dossier (step 4), as the study lists them.
DOSSIER_ITEMS = [
    ("bpn", _("Proof of state payment (BPN)")),
    ("ktp_sim", _("Copy of KTP/SIM")),
    ("power_of_attorney", _("Power of attorney")),
]
