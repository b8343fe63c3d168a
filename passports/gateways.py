"""Adapter to the state revenue system MPN G-2, which the portal cannot reach from here.

``SandboxMpnGateway`` behaves like the real one: a billing code has 15 digits, a confirmed payment
yields a 16-character NTPN, and the confirmation arrives later (the portal polls or is called back
by a Celery task), never in the same request as the payment.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


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


def get_gateway() -> SandboxMpnGateway:
    gateway: SandboxMpnGateway = import_string(
        getattr(settings, "MPN_GATEWAY", "passports.gateways.SandboxMpnGateway")
    )()
    return gateway
