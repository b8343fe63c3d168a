"""The invitation to book delivery, printed on the billing-code slip the Imigrasi counter hands out.

The applicant decides whether to have the passport delivered at the counter, when they get the
billing code. The slip (the application page, printed) and the API's answer carry the same
invitation: a link to ``/book/`` with the billing code filled in (never the date of birth: the
booking page asks for it), the delivery fee of the areas, and the trips delivery saves.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from delivery.models import Area

# The query parameter of ``/book/`` that carries the billing code (Indonesian, as on the slip).
BILLING_CODE_PARAMETER = "kode"


@dataclass(frozen=True)
class AreaFee:
    name: str
    fee: int


@dataclass(frozen=True)
class DeliveryInvitation:
    booking_url: str
    fees: list[AreaFee]  # every area with its fee: the area is not known at the counter

    @property
    def fee_min(self) -> int | None:
        return min((f.fee for f in self.fees), default=None)

    @property
    def fee_max(self) -> int | None:
        return max((f.fee for f in self.fees), default=None)


def booking_link(*, billing_code: str) -> str:
    """The public ``/book/`` address with the billing code filled in (a billing code is not personal
    data; the access logs keep the path only)."""
    query = urlencode({BILLING_CODE_PARAMETER: billing_code})
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{reverse('booking-start')}?{query}"


def delivery_invitation(*, billing_code: str) -> DeliveryInvitation:
    """The invitation for one billing code: the booking link and the fee table of the areas."""
    return DeliveryInvitation(
        booking_url=booking_link(billing_code=billing_code),
        fees=[
            AreaFee(name, fee)
            for name, fee in Area.objects.order_by("name").values_list("name", "delivery_fee")
        ],
    )
