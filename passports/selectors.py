"""Reads of the passport side that other apps ask for."""

from __future__ import annotations

from collections.abc import Iterable

from passports.models import BillingCode


def billing_code_offices(codes: Iterable[str]) -> dict[str, int]:
    """The Imigrasi office of each billing code the portal issued (codes it does not know are left
    out)."""
    rows = BillingCode.objects.filter(code__in=list(codes)).values_list("code", "application__office_id")
    return dict(rows)
