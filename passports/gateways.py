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


def get_gateway() -> SandboxMpnGateway:
    return import_string(getattr(settings, "MPN_GATEWAY", "passports.gateways.SandboxMpnGateway"))()
