"""Adapter to the state revenue system MPN G-2, which the portal cannot reach from here.

``SandboxMpnGateway`` behaves like the real one: a billing code has 15 digits, a confirmed payment
yields a 16-character NTPN, and the confirmation arrives later (the portal polls or is called back
by a Celery task), never in the same request as the payment.

At the end of a day MPN G-2 gives the settlement report: the NTPNs it settled that day with their
amounts and billing codes (``settlement_report``). The sandbox derives it from the payments it
confirmed (the ``Payment`` rows, by their time in WITA), changed by the ``SandboxSettlementChange``
rows that ``settlement_change`` writes, so a test or the demo can leave an NTPN out, report another
amount or report an NTPN the portal never recorded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.module_loading import import_string

from passports.models import Payment, SandboxSettlementChange


class PaymentDeclined(Exception):
    """The payer's bank or wallet refused the online payment; nothing was charged."""


# The sandbox declines online payments from this payer number (as card sandboxes have a card that
# is always declined); every other payment settles.
SANDBOX_DECLINED_PHONE = "080000000000"


@dataclass(frozen=True)
class OnlinePaymentReceipt:
    reference: str
    receipt_number: str
    amount: int


@dataclass(frozen=True)
class PaymentConfirmation:
    billing_code: str
    ntpn: str
    amount: int


@dataclass(frozen=True)
class SettlementLine:
    """One NTPN of MPN G-2's settlement report."""

    ntpn: str
    amount: int
    billing_code: str


class SettlementUnavailable(Exception):
    """MPN G-2 has no settlement report for the day (yet), or could not be reached."""


WITA = ZoneInfo("Asia/Makassar")


class SandboxMpnGateway:
    def new_billing_code(self) -> str:
        # Leading digit not zero so the code never loses a digit in a spreadsheet.
        return str(secrets.randbelow(9) + 1) + "".join(str(secrets.randbelow(10)) for _ in range(14))

    def confirm_payment(self, *, billing_code: str, amount: int) -> PaymentConfirmation:
        """What MPN G-2 answers once the payment has settled (called from a task, not a view)."""
        digest = hashlib.sha256(f"{billing_code}:{amount}:{secrets.token_hex(8)}".encode()).hexdigest()
        ntpn = digest[:16].upper()
        return PaymentConfirmation(billing_code=billing_code, ntpn=ntpn, amount=amount)

    def charge_online(self, *, reference: str, amount: int, payer_phone: str) -> OnlinePaymentReceipt:
        """The applicant pays online, in one charge, what is due (the billing code's fee if unpaid,
        plus the delivery fee). Called from a task; raises ``PaymentDeclined``."""
        if payer_phone == SANDBOX_DECLINED_PHONE:
            raise PaymentDeclined("declined by the payer's bank (sandbox test number)")
        return OnlinePaymentReceipt(
            reference=reference, receipt_number="OL" + secrets.token_hex(6).upper(), amount=amount
        )

    def settlement_report(self, day: dt.date) -> list[SettlementLine]:
        """The NTPNs MPN G-2 settled on ``day`` (WITA), with their amounts and billing codes."""
        start = dt.datetime.combine(day, dt.time.min, tzinfo=WITA)
        payments = Payment.objects.filter(
            paid_at__gte=start, paid_at__lt=start + dt.timedelta(days=1)
        ).select_related("billing_code")
        lines = {p.ntpn: SettlementLine(p.ntpn, int(p.amount), p.billing_code.code) for p in payments}
        for change in SandboxSettlementChange.objects.filter(day=day).order_by("pk"):
            line = lines.get(change.ntpn)
            if change.action == SandboxSettlementChange.Action.DROP:
                lines.pop(change.ntpn, None)
            elif change.action == SandboxSettlementChange.Action.ALTER and line is not None:
                lines[change.ntpn] = SettlementLine(line.ntpn, int(change.amount or 0), line.billing_code)
            elif change.action == SandboxSettlementChange.Action.ADD:
                lines[change.ntpn] = SettlementLine(change.ntpn, int(change.amount or 0), change.billing_code)
        return sorted(lines.values(), key=lambda line: line.ntpn)

    def settlement_change(
        self, *, day: dt.date, ntpn: str, action: str, amount: int | None = None, billing_code: str = ""
    ) -> None:
        """The sandbox only: change ``day``'s report for one NTPN (``drop``, ``alter`` to ``amount``,
        ``add`` with ``amount`` and ``billing_code``); a second change of the same NTPN replaces it."""
        SandboxSettlementChange.objects.update_or_create(
            day=day,
            ntpn=ntpn,
            defaults={"action": action, "amount": amount, "billing_code": billing_code},
        )


def get_gateway() -> SandboxMpnGateway:
    gateway: SandboxMpnGateway = import_string(
        getattr(settings, "MPN_GATEWAY", "passports.gateways.SandboxMpnGateway")
    )()
    return gateway
