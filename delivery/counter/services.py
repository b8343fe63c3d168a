"""The Pos counter's side of steps 3 and 4, and the van standby log.

Step 3: once MPN G-2 confirmed the state fee, the officer books delivery and takes the delivery
fee, a separate record from the state payment; both reconcile per order. Step 4: the day's
dossiers go to Imigrasi at once, each order moved through ``delivery.handoff.transitions`` and listed on
one manifest.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from core.exceptions import ConcurrentChange, InvalidTransition, NotAllowed, ValidationFailed
from delivery.booking.services import delivery_order_book
from delivery.choices import DeliveryStatus
from delivery.handoff.deadlines import WITA, is_working_day
from delivery.handoff.transitions import delivery_orders_move
from delivery.models import Area, DeliveryFeePayment, DeliveryOrder, Manifest, VanStandby
from organisations.models import Office
from passports.models import PassportApplication

OFFICE_OPENS = dt.time(7, 30)


def _require(actor, *roles) -> None:
    if actor is None or actor.role not in roles or actor.office_id is None:
        raise NotAllowed(_("Your role may not do this."), code="wrong_role")


def _numbered_create(prefix: str, model, at: dt.datetime, **fields):
    """Create a manifest or batch numbered ``PREFIX-YYYYMMDD-NNN``, the day's next number. Two
    counters numbering at the same moment both read the same count; the unique number lets one in
    and the other takes a number after it."""
    day = at.astimezone(WITA).strftime("%Y%m%d")
    taken = 0
    for _attempt in range(20):
        count = model.objects.filter(number__startswith=f"{prefix}-{day}-").count()
        serial = max(count, taken) + 1
        number = f"{prefix}-{day}-{serial:03d}"
        try:
            with transaction.atomic():
                return model.objects.create(number=number, **fields)
        except IntegrityError:
            if not model.objects.filter(number=number).exists():
                raise  # another constraint: not ours to retry
            taken = serial
    raise ConcurrentChange(_("Too many hand-overs at the same moment. Try again."))


def counter_delivery_book(
    *,
    actor,
    application: PassportApplication,
    pos_office: Office,
    destination_kind: str,
    address: str,
    area: Area,
    recipient_phone: str,
    recipient_email: str = "",
    poa_grantee_name: str,
    poa_grantee_nippos: str,
    poa_grantee_place: str,
    fee_received: bool,
    at: dt.datetime | None = None,
) -> DeliveryOrder:
    """Step 3: book delivery, sign the power of attorney to the officer and take the fee."""
    _require(actor, Role.POS_SERVICE_OFFICER, Role.IMIGRASI_OFFICER)
    if not fee_received:
        raise ValidationFailed(
            _("Confirm that the delivery fee was received."),
            fields={"fee_received": [_("Confirm that the delivery fee was received.")]},
        )
    now = at or timezone.now()
    with transaction.atomic():
        existing = DeliveryOrder.objects.filter(application=application).first()
        if existing is not None:
            raise InvalidTransition(
                _("Delivery is already booked for this passport (%(code)s).") % {"code": existing.code},
                code="already_booked",
            )
        order = delivery_order_book(
            application=application,
            pos_office=pos_office,
            destination_kind=destination_kind,
            address=address,
            area=area,
            recipient_phone=recipient_phone,
            recipient_email=recipient_email,
            poa_grantee_name=poa_grantee_name,
            poa_grantee_nippos=poa_grantee_nippos,
            poa_grantee_place=poa_grantee_place,
            actor=actor,
            at=now,
        )
        DeliveryFeePayment.objects.create(
            order=order,
            receipt_number=f"DF-{order.code}",
            amount=order.delivery_fee,
            received_by=actor,
            received_at=now,
        )
    return order


def payment_reconciliation(*, order: DeliveryOrder) -> dict:
    """State fee and delivery fee of one order, side by side."""
    application = order.application
    billing = getattr(application, "billing_code", None)
    payment = getattr(billing, "payment", None) if billing else None
    fee = DeliveryFeePayment.objects.filter(order=order).first()
    return {
        "state_fee": application.fee_amount,
        "state_paid": payment.amount if payment else 0,
        "ntpn": payment.ntpn if payment else "",
        "delivery_fee": order.delivery_fee,
        "delivery_paid": fee.amount if fee else 0,
        "delivery_receipt": fee.receipt_number if fee else "",
        "balanced": bool(
            payment and fee and payment.amount == application.fee_amount and fee.amount == order.delivery_fee
        ),
    }


def manifest_hand_over(*, actor, order_ids: list[int], at: dt.datetime | None = None) -> Manifest:
    """Step 4: hand the selected booked dossiers to Imigrasi with one manifest."""
    _require(actor, Role.POS_SERVICE_OFFICER)
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
        manifest = _numbered_create(
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


def passports_mark_ready(*, actor, order_ids: list[int], at: dt.datetime | None = None) -> int:
    """Imigrasi marks a stack of printed and signed passports ready at once: every chosen dossier
    moves to "passport ready", or none does. Returns how many were marked."""
    _require(actor, Role.IMIGRASI_OFFICER)
    if not order_ids:
        message = _("Choose at least one passport.")
        raise ValidationFailed(message, fields={"orders": [message]})
    return len(delivery_orders_move("mark_ready", order_ids=order_ids, actor=actor, at=at))


def van_standby_record(*, actor, arrived_at: dt.datetime) -> VanStandby:
    """The van's arrival at the office on a working day; lateness counts from 07:30 WITA."""
    _require(actor, Role.POS_SERVICE_OFFICER)
    local = arrived_at.astimezone(WITA)
    if not is_working_day(local.date()):
        raise ValidationFailed(_("The van stands by on working days only."))
    if arrived_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationFailed(_("The arrival time is in the future."))
    opens = dt.datetime.combine(local.date(), OFFICE_OPENS, tzinfo=WITA)
    late = max(0, int((local - opens).total_seconds() // 60))
    with transaction.atomic():
        row, created = VanStandby.objects.get_or_create(
            office_id=actor.office_id,
            day=local.date(),
            defaults={"arrived_at": arrived_at, "minutes_late": late, "recorded_by": actor},
        )
    if not created:
        raise InvalidTransition(_("The van's arrival today was already recorded."), code="already_recorded")
    return row


# The three items of a dossier (step 4), as the study lists them.
DOSSIER_ITEMS = [
    ("bpn", _("Proof of state payment (BPN)")),
    ("ktp_sim", _("Copy of KTP/SIM")),
    ("power_of_attorney", _("Power of attorney")),
]


def dossier_refuse(
    *, actor, order_id: int, missing_items: list[str], reason: str = "", at: dt.datetime | None = None
):
    """Imigrasi refuses a handed-over dossier with a missing item; the order goes back to Pos."""
    from delivery.handoff.transitions import delivery_order_refuse_dossier
    from delivery.models import DossierRefusal

    _require(actor, Role.IMIGRASI_OFFICER)
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


def suggested_courier(order: DeliveryOrder):
    """The first active courier of the order's Pos office who serves its area."""
    from delivery.models import Courier

    qs = Courier.objects.filter(office_id=order.pos_office_id, active=True).order_by("name", "pk")
    return qs.filter(areas=order.area_id).first() or qs.first()


def delivery_section_hand_over(*, actor, assignments: dict[int, int], at: dt.datetime | None = None) -> int:
    """Step 6: the service section hands received passports to the delivery section, each on a
    courier's run, all in one transaction. Returns how many passports were handed over."""
    from delivery.courier.dispatch import delivery_orders_assign_couriers
    from delivery.models import Courier

    _require(actor, Role.POS_SERVICE_OFFICER)
    if not assignments:
        raise ValidationFailed(_("Choose at least one passport."))
    now = at or timezone.now()
    couriers = {c.pk: c for c in Courier.objects.filter(pk__in=set(assignments.values()), active=True)}
    if not all(courier_id in couriers for courier_id in assignments.values()):
        raise ValidationFailed(_("Choose a courier for every passport."))
    with transaction.atomic():
        delivery_orders_assign_couriers(
            assignments={order_id: couriers[courier_id] for order_id, courier_id in assignments.items()},
            actor=actor,
        )
        delivery_orders_move("hand_to_delivery", order_ids=list(assignments), actor=actor, at=now)
    return len(assignments)
