"""Proof of delivery: the one-time delivery code, stand-in receivers, signature, photo, location.

The code: when an order reaches the delivery section (or goes out without one), ``delivery_codes_issue``
draws five random digits, adds a Damm check digit and keeps the code encrypted with the personal-data
keys, so the notification task can put it in the applicant's mail. The courier's phone checks only the
check digit (typos) and holds nothing derived from the code; ``delivery_order_deliver_with_proof``
checks it on the server in constant time and marks it used, in the same transaction as the move to
"delivered".

The signed token (``delivery.handoff.tokens``): where the applicant shows the QR code of their order
page instead of reading the code, the courier scans or pastes it; the server verifies the signature,
the order, the attempt and the expiry, and a refused token counts like a wrong code. The proof
records which of the two was used (``ProofOfDelivery.proof_method``).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.exceptions import DomainError, InvalidTransition, NotFound, ValidationFailed
from core.files import base64_decode
from core.images import CheckedImage, image_decode
from delivery.choices import FailureReason, IdType, ProofMethod, ReceiverKind
from delivery.handoff import transitions as t
from delivery.handoff.codes import delivery_code_attempt_record, delivery_code_check, delivery_code_row_open
from delivery.handoff.tokens import WRONG_TOKEN, delivery_token_check
from delivery.models import (
    DeliveryCode,
    DeliveryEvent,
    DeliveryOrder,
    ProofOfDelivery,
)
from delivery.money.door import door_amount_check, door_settle

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

logger = logging.getLogger(__name__)

# A latitude or longitude as the phone sent it: a number, its text, or nothing.
Coordinate = Decimal | float | str | None


# Images: decoded from data URLs (the app sends JSON), checked by content, not by name.


def decode_image(data: str, *, field: str, max_bytes: int, formats: tuple[str, ...]) -> bytes:
    return decode_image_checked(data, field=field, max_bytes=max_bytes, formats=formats)[0]


def decode_image_checked(
    data: str, *, field: str, max_bytes: int, formats: tuple[str, ...]
) -> tuple[bytes, CheckedImage]:
    """The image's bytes, with its format and size; a photo may have ``PHOTO_MAX_PIXELS``, a
    signature ``SIGNATURE_MAX_PIXELS`` (``core.images``)."""
    label = _("The signature") if field == "signature" else _("The photo")
    raw = base64_decode(
        data,
        field=field,
        message=_("%(what)s is not an image.") % {"what": label},
        field_message=_("Not an image."),
    )
    if len(raw) > max_bytes:
        raise ValidationFailed(
            _("%(what)s is too large (at most %(kb)s KB).") % {"what": label, "kb": max_bytes // 1024},
            code="too_large",
            fields={field: [_("Too large.")]},
        )
    max_pixels = settings.SIGNATURE_MAX_PIXELS if field == "signature" else settings.PHOTO_MAX_PIXELS
    return raw, image_decode(raw, field=field, label=label, max_pixels=max_pixels, formats=formats)


def _coordinate(value: Coordinate, *, limit: int, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(
            _("The location is not valid."), fields={field: [_("Not a number.")]}
        ) from None
    if abs(number) > limit:
        raise ValidationFailed(_("The location is not valid."), fields={field: [_("Out of range.")]})
    return number


def _location_text(latitude: Decimal | None, longitude: Decimal | None) -> str:
    return f"{latitude},{longitude}" if latitude is not None and longitude is not None else ""


def _check_device_time(order: DeliveryOrder, device_time: dt.datetime | None) -> None:
    """Refuse an update the phone made before the order's last recorded state."""
    if device_time is None:
        return
    last = DeliveryEvent.objects.filter(order=order).order_by("-occurred_at", "-pk").first()
    if last is None:
        return
    reference = last.device_time or last.occurred_at
    tolerance = dt.timedelta(seconds=settings.COURIER_CLOCK_TOLERANCE_SECONDS)
    if device_time < reference - tolerance:
        raise InvalidTransition(
            _(
                "This update was made on the phone before the order's last change (%(time)s WITA); "
                "it was not applied."
            )
            % {"time": timezone.localtime(reference).strftime("%d-%m-%Y %H:%M")},
            code="stale_update",
        )


def _order_for_courier(*, order_code: str, action: str, actor: User) -> DeliveryOrder:
    order = DeliveryOrder.objects.select_related("application__applicant").filter(code=order_code).first()
    if order is None:
        raise NotFound(_("No such delivery order."))
    t.check_move(action, order, actor)
    return order


@dataclass(frozen=True)
class StandIn:
    """A family member or colleague who receives for the applicant: with the applicant's code and a
    photo of the applicant's written authorisation (a data URL)."""

    name: str
    relation: str
    authorisation_photo: str = ""


STAND_IN_NEEDS_AUTHORISATION = _(
    "A stand-in needs the applicant's written authorisation: take a photo of it."
)


def id_last_four_valid(value: str) -> bool:
    """Four ASCII letters or digits (the end of a KTP number, a SIM or a passport number)."""
    return len(value) == 4 and value.isascii() and value.isalnum()


def delivery_order_deliver_with_proof(
    *,
    order_code: str,
    actor: User,
    receiver_kind: str,
    code: str = "",
    token: str = "",
    id_type: str = "",
    id_last_four: str = "",
    stand_in: StandIn | None = None,
    signature: str,
    photo: str = "",
    latitude: Coordinate = None,
    longitude: Coordinate = None,
    device_time: dt.datetime | None = None,
    door_amount: int = 0,
) -> t.MoveResult:
    """Step 7 with its proof (and ``door_amount``, the fee difference the courier confirms having
    collected, or refunded when negative, after an address change): the applicant's code, or the signed token of their QR code (``token``,
    which then stands for the code); the ID the receiver showed (its type and
    last four characters); for a stand-in also the name, the relation and a photo of the applicant's
    written authorisation."""
    try:
        order = _order_for_courier(order_code=order_code, action="deliver", actor=actor)
    except InvalidTransition:
        if DeliveryCode.objects.filter(order__code=order_code, used_at__isnull=False).exists():
            raise InvalidTransition(
                _("This delivery code has already been used."), code="code_used"
            ) from None
        raise
    _check_device_time(order, device_time)
    if receiver_kind not in ReceiverKind.values:
        raise ValidationFailed(
            _("Say who received the passport."), fields={"receiver_kind": [_("Required.")]}
        )
    errors: dict[str, list[StrOrPromise]] = {}
    if id_type not in IdType.values:
        errors["id_type"] = [_("Choose the ID the receiver showed.")]
    id_last_four = (id_last_four or "").strip().upper()
    if not id_last_four_valid(id_last_four):
        errors["id_last_four"] = [_("Enter the last 4 letters or digits of the ID.")]
    if receiver_kind == ReceiverKind.STAND_IN:
        if stand_in is None or not stand_in.name.strip():
            errors["stand_in_name"] = [_("Enter the stand-in's name.")]
        if stand_in is None or not stand_in.relation.strip():
            errors["stand_in_relation"] = [_("Enter the stand-in's relation to the applicant.")]
        if stand_in is None or not stand_in.authorisation_photo:
            errors["authorisation_photo"] = [STAND_IN_NEEDS_AUTHORISATION]
    if list(errors) == ["authorisation_photo"]:
        raise ValidationFailed(STAND_IN_NEEDS_AUTHORISATION, code="authorisation_required", fields=errors)
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    if not signature:
        raise ValidationFailed(
            _("The receiver must sign on the screen."), fields={"signature": [_("Required.")]}
        )
    signature_png = decode_image(
        signature, field="signature", max_bytes=settings.COURIER_SIGNATURE_MAX_BYTES, formats=("PNG",)
    )
    photo_bytes = (
        decode_image(
            photo, field="photo", max_bytes=settings.COURIER_PHOTO_MAX_BYTES, formats=("JPEG", "PNG", "WEBP")
        )
        if photo
        else b""
    )
    authorisation_bytes = (
        decode_image(
            stand_in.authorisation_photo,
            field="authorisation_photo",
            max_bytes=settings.COURIER_PHOTO_MAX_BYTES,
            formats=("JPEG", "PNG", "WEBP"),
        )
        if receiver_kind == ReceiverKind.STAND_IN and stand_in is not None
        else b""
    )
    lat = _coordinate(latitude, limit=90, field="latitude")
    lng = _coordinate(longitude, limit=180, field="longitude")
    applicant = order.application.applicant
    if receiver_kind == ReceiverKind.APPLICANT:
        receiver_name, relation = applicant.full_name, ""
    else:
        assert stand_in is not None  # a stand-in without one was refused above
        receiver_name = stand_in.name.strip()[:200]
        relation = stand_in.relation.strip()[:100]
    try:
        return _deliver(
            order=order,
            door_amount=door_amount,
            actor=actor,
            receiver_kind=receiver_kind,
            code=code,
            token=token.strip(),
            device_time=device_time,
            lat=lat,
            lng=lng,
            receiver_name=receiver_name,
            relation=relation,
            id_type=id_type,
            id_last_four=id_last_four,
            signature_png=signature_png,
            photo_bytes=photo_bytes,
            authorisation_bytes=authorisation_bytes,
        )
    except DomainError as error:
        if error.code in ("wrong_code", WRONG_TOKEN, "code_locked"):
            delivery_code_attempt_record(order=order, actor=actor, wrong=error.code != "code_locked")
        raise


def _deliver(
    *,
    order: DeliveryOrder,
    door_amount: int,
    actor: User,
    receiver_kind: str,
    code: str,
    token: str,
    device_time: dt.datetime | None,
    lat: Decimal | None,
    lng: Decimal | None,
    receiver_name: str,
    relation: str,
    id_type: str,
    id_last_four: str,
    signature_png: bytes,
    photo_bytes: bytes,
    authorisation_bytes: bytes,
) -> t.MoveResult:
    with transaction.atomic():
        due = door_amount_check(order, door_amount)
        # The applicant's code (or their signed token) on both paths: a stand-in brings it with the
        # authorisation.
        if token:
            code_row = delivery_code_row_open(order=order)
            delivery_token_check(order=order, token=token)
        else:
            code_row = delivery_code_check(order=order, code=code)
        result = t.delivery_order_deliver(
            order_id=order.pk,
            actor=actor,
            device_time=device_time,
            location=_location_text(lat, lng),
            payload={"receiver_kind": receiver_kind, "receiver_name": receiver_name, "relation": relation},
        )
        if code_row is not None:
            DeliveryCode.objects.filter(pk=code_row.pk).update(used_at=result.event.occurred_at)
        door_settle(
            order=order, amount=due, actor=actor, at=result.event.occurred_at, event_id=result.event.pk
        )
        proof = ProofOfDelivery(
            order=order,
            event=result.event,
            receiver_kind=receiver_kind,
            receiver_name=receiver_name,
            relation=relation,
            id_type=id_type,
            id_last_four=id_last_four,
            authorisation_seen=bool(authorisation_bytes),
            proof_method=ProofMethod.TOKEN if token else ProofMethod.CODE,
            latitude=lat,
            longitude=lng,
        )
        stem = f"{order.code}-{uuid.uuid4().hex[:8]}"
        proof.signature.save(f"{stem}.png", ContentFile(signature_png), save=False)
        if photo_bytes:
            proof.photo.save(f"{stem}.jpg", ContentFile(photo_bytes), save=False)
        if authorisation_bytes:
            proof.authorisation_photo.save(
                f"{stem}-authorisation.jpg", ContentFile(authorisation_bytes), save=False
            )
        proof.save()
    return result


def delivery_order_courier_dispatch(
    *,
    order_code: str,
    actor: User,
    device_time: dt.datetime | None = None,
    latitude: Coordinate = None,
    longitude: Coordinate = None,
) -> t.MoveResult:
    location = _location_text(
        _coordinate(latitude, limit=90, field="latitude"),
        _coordinate(longitude, limit=180, field="longitude"),
    )
    return t.delivery_order_dispatch(
        order_code=order_code,
        actor=actor,
        device_time=device_time,
        location=location,
        guard=lambda order: _check_device_time(order, device_time),
    )


def delivery_order_courier_fail(
    *,
    order_code: str,
    actor: User,
    reason: str,
    note: str = "",
    device_time: dt.datetime | None = None,
    latitude: Coordinate = None,
    longitude: Coordinate = None,
) -> t.MoveResult:
    """A failed attempt with one of the reason codes; "other" needs the courier's words."""
    if reason not in FailureReason.values:
        raise ValidationFailed(_("Choose why the delivery failed."), fields={"reason": [_("Required.")]})
    note = (note or "").strip()[:500]
    if reason == FailureReason.OTHER and not note:
        raise ValidationFailed(_("Describe the other reason."), fields={"note": [_("Required.")]})
    location = _location_text(
        _coordinate(latitude, limit=90, field="latitude"),
        _coordinate(longitude, limit=180, field="longitude"),
    )
    return t.delivery_order_fail_attempt(
        order_code=order_code,
        actor=actor,
        reason=reason,
        note=note,
        device_time=device_time,
        location=location,
        guard=lambda order: _check_device_time(order, device_time),
    )
