"""A group member's own power of attorney.

The agency books the group, but each member authorises the Pos courier to carry their passport
themselves, in one of two ways:

- through their personal link (``/m/<token>/power-of-attorney/`` or its API twin): after the
  one-time code, the member draws their signature (checked by ``signature_png_check``, as online);
- on paper at the Pos counter: the service officer of the order's Pos office ticks that the member
  signed there.

Either way the group item records when, how and by whom, and the order's ``poa_signed_at`` becomes
that moment (the power of attorney's PDF prints it, with the drawn signature). Until a member has
signed, the table of moves refuses to hand their dossier to Imigrasi (``hand_dossier``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from core.exceptions import InvalidTransition, NotAllowed, NotFound
from delivery.booking.online import signature_png_check
from delivery.choices import DeliveryStatus, MemberPoaVia
from delivery.models import DeliveryOrder, GroupBookingItem

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MemberPoa:
    """A group member's power of attorney as the pages and the API show it."""

    group_number: str
    signed_at: dt.datetime | None
    via: str  # MemberPoaVia value, "" while waiting
    via_label: str
    grantee_name: str
    grantee_nippos: str
    grantee_place: str

    @property
    def signed(self) -> bool:
        return self.signed_at is not None


def member_item(order: DeliveryOrder) -> GroupBookingItem | None:
    """The group item of ``order``, or ``None`` for an order not booked in a group."""
    return GroupBookingItem.objects.select_related("group").filter(order_id=order.pk).first()


def member_poa(order: DeliveryOrder) -> MemberPoa | None:
    """The member's power of attorney of a group order; ``None`` for any other order."""
    item = member_item(order)
    if item is None:
        return None
    return MemberPoa(
        group_number=item.group.number,
        signed_at=item.poa_signed_at,
        via=item.poa_signed_via,
        via_label=str(item.get_poa_signed_via_display()) if item.poa_signed_via else "",
        grantee_name=order.poa_grantee_name,
        grantee_nippos=order.poa_grantee_nippos,
        grantee_place=order.poa_grantee_place,
    )


def members_waiting_signature(order_ids: Iterable[int]) -> set[int]:
    """Of these orders, the group orders whose member has not signed yet (one query)."""
    return set(
        GroupBookingItem.objects.filter(order_id__in=list(order_ids), poa_signed_at__isnull=True).values_list(
            "order_id", flat=True
        )
    )


def _locked_item(order_id: int) -> GroupBookingItem:
    item = (
        GroupBookingItem.objects.select_for_update(of=("self",))
        .select_related("order")
        .filter(order_id=order_id)
        .first()
    )
    if item is None:
        raise NotFound(
            _("This delivery was not booked by a travel agency: its power of attorney is already signed."),
            code="not_a_group_order",
        )
    if item.poa_signed_at is not None:
        raise InvalidTransition(_("The power of attorney is already signed."), code="already_signed")
    if item.order.status != DeliveryStatus.BOOKED:
        raise InvalidTransition(
            _("This cannot be done now: the order is “%(status)s”.")
            % {"status": item.order.get_status_display()}
        )
    return item


def _signed(item: GroupBookingItem, *, via: str, by: User | None, at: dt.datetime) -> None:
    item.poa_signed_at = at
    item.poa_signed_via = via
    item.poa_recorded_by = by
    item.save(update_fields=["poa_signed_at", "poa_signed_via", "poa_recorded_by", "poa_signature"])
    DeliveryOrder.objects.filter(pk=item.order_id).update(poa_signed_at=at, updated_at=timezone.now())
    logger.info("delivery.group_member.poa_signed order_id=%s via=%s", item.order_id, via)


def member_poa_sign(
    *, order_id: int, signature: str, actor: User | None, at: dt.datetime | None = None
) -> GroupBookingItem:
    """The member signs their power of attorney on the screen, through their personal link (the
    caller checked the link and the one-time code; ``actor`` is the member's own user)."""
    png = signature_png_check(signature)
    now = at or timezone.now()
    with transaction.atomic():
        item = _locked_item(order_id)
        item.poa_signature.save(f"{item.order.code}.png", ContentFile(png), save=False)
        _signed(item, via=MemberPoaVia.LINK, by=actor, at=now)
    return item


def member_poa_sign_at_counter(
    *, order_id: int, actor: User, at: dt.datetime | None = None
) -> GroupBookingItem:
    """The member signed the paper power of attorney at the Pos counter: the service officer of the
    order's Pos office records it."""
    if actor.role != Role.POS_SERVICE_OFFICER:
        raise NotAllowed(_("Your role may not do this."), code="wrong_role")
    now = at or timezone.now()
    with transaction.atomic():
        item = _locked_item(order_id)
        if actor.office_id is None or actor.office_id != item.order.pos_office_id:
            raise NotAllowed(_("This order belongs to another office."), code="wrong_office")
        _signed(item, via=MemberPoaVia.COUNTER, by=actor, at=now)
    return item
