"""Step 4: the day's dossiers go to Imigrasi at once, each order moved through the handoff and listed on one manifest; Imigrasi may refuse a dossier."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from core.exceptions import InvalidTransition, NotAllowed, ValidationFailed
from delivery.choices import DeliveryStatus
from delivery.counter.numbers import numbered_create
from delivery.handoff.transitions import delivery_orders_move
from delivery.models import DeliveryOrder, Manifest
from delivery.permissions import require_role


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
        manifest.orders.set(orders)
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
        DossierRefusal.objects.create(
            order_id=order_id, missing_items=missing, reason=text[:500], refused_by=actor, refused_at=now
        )
    return result.order


# The three items of a dossier (step 4), as the study lists them.
DOSSIER_ITEMS = [
    ("bpn", _("Proof of state payment (BPN)")),
    ("ktp_sim", _("Copy of KTP/SIM")),
    ("power_of_attorney", _("Power of attorney")),
]
