"""Texts the notifications share: who received the passport, and the lines of a mail."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext

from delivery.choices import DeliveryStatus, FailureReason
from delivery.handoff import transitions as t
from delivery.handoff.codes import delivery_code_reveal
from delivery.handoff.history import personal_details
from delivery.manage.links import link_url
from delivery.models import (
    DeliveryEvent,
    DeliveryOrder,
)


def mail_lines(event: DeliveryEvent) -> list[str]:
    """Extra lines for the applicant's mail about ``event`` (called inside the mail's language)."""
    lines: list[str] = []
    order = event.order
    if event.payload.get("delivery_code_issued"):
        code = delivery_code_reveal(order_id=order.pk)
        if code:
            lines += [
                "",
                gettext("Your one-time delivery code: %(code)s") % {"code": code},
                gettext("Show it to the courier only when you have the passport in your hands."),
            ]
    if event.to_status == DeliveryStatus.OUT_FOR_DELIVERY:
        # Instead of reading the code, the applicant can show the signed QR code on the delivery's
        # page (after the one-time code, or logged in).
        lines += [
            "",
            gettext("At the door you can show the courier the QR code on your delivery page: %(url)s")
            % {"url": link_url(order)},
        ]
    if event.to_status == DeliveryStatus.FAILED_ATTEMPT:
        reason = event.payload.get("reason", "")
        label = FailureReason(reason).label if reason in FailureReason.values else reason
        lines += ["", gettext("Reason: %(reason)s") % {"reason": label}]
        note = personal_details(event).get("note")
        if note:
            lines.append(gettext("Courier's note: %(note)s") % {"note": note})
        if t.failed_attempts(order) >= settings.DELIVERY_MAX_FAILED_ATTEMPTS:
            lines.append(
                gettext(
                    "The passport now goes back to the Imigrasi office; we will tell you when "
                    "you can collect it there."
                )
            )
        else:
            lines.append(
                gettext("Choose another day or another address in the same area here: %(url)s")
                % {"url": link_url(order)}
            )
    if event.to_status == DeliveryStatus.AT_PICKUP_BRANCH and order.pickup_branch is not None:
        lines += ["", *pickup_branch_lines(order)]
    if event.to_status == DeliveryStatus.RETURNED_TO_OFFICE:
        office = order.imigrasi_office
        lines += [
            "",
            gettext("Collect your passport in person at %(office)s, %(address)s.")
            % {"office": office.name, "address": office.address},
            gettext(
                "Bring your ID card (KTP) and your tracking code. Office hours: Mon-Thu 07:30-16:00, "
                "Fri 07:30-16:30 WITA."
            ),
        ]
    return lines


def pickup_branch_lines(order: DeliveryOrder) -> list[str]:
    """Where and when the applicant collects the passport at the branch they chose."""
    branch = order.pickup_branch
    if branch is None:
        return []
    return [
        gettext("Collect your passport at %(branch)s, %(address)s.")
        % {"branch": branch.name, "address": branch.address},
        gettext("Opening hours: %(hours)s.") % {"hours": branch.opening_hours},
        gettext(
            "Bring your delivery code and your ID card (KTP). A stand-in brings your code, your written "
            "authorisation and their own ID."
        ),
        gettext(
            "The branch keeps your passport for %(days)s days; after that it goes back to the Imigrasi office."
        )
        % {"days": settings.DELIVERY_PICKUP_HOLD_DAYS},
    ]
