"""Between steps 4 and 5: Imigrasi marks printed passports ready for release, recording each
passport's number."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from core.exceptions import ValidationFailed
from delivery.handoff.transitions import delivery_orders_move
from delivery.models import DeliveryOrder
from delivery.permissions import require_role
from passports.validators import validate_passport_number


def passport_number_clean(value: str) -> str:
    """The number as printed in the passport: spaces dropped, letters in capitals."""
    return "".join(value.split()).upper()


def passport_numbers_check(passports: Mapping[int, str]) -> dict[int, str]:
    """Each order's passport number, cleaned; refuses all of them when one is missing, malformed,
    given twice or already recorded for another passport."""
    codes = dict(DeliveryOrder.objects.filter(pk__in=passports).values_list("pk", "code"))
    numbers = {pk: passport_number_clean(value) for pk, value in passports.items()}
    problems: list[str] = []
    seen: dict[str, int] = {}
    for pk, number in numbers.items():
        code = codes.get(pk, str(pk))
        if not number:
            problems.append(str(_("%(code)s: enter the passport number.") % {"code": code}))
            continue
        try:
            validate_passport_number(number)
        except ValidationError:
            problems.append(
                str(
                    _(
                        "%(code)s: %(number)s is not a passport number; it is one or two capital "
                        "letters followed by 7 digits, for example E1234567."
                    )
                    % {"code": code, "number": number}
                )
            )
            continue
        if number in seen:
            problems.append(
                str(
                    _("%(code)s: passport number %(number)s is entered twice.")
                    % {"code": code, "number": number}
                )
            )
        seen[number] = pk
    taken = DeliveryOrder.objects.filter(passport_number__in=seen).exclude(pk__in=numbers)
    for number, other in taken.values_list("passport_number", "code"):
        code = codes.get(seen[number], str(seen[number]))
        problems.append(
            str(
                _("%(code)s: passport number %(number)s is already recorded for %(other)s.")
                % {"code": code, "number": number, "other": other}
            )
        )
    if problems:
        raise ValidationFailed(_("Check the passport numbers."), fields={"passport_numbers": problems})
    return numbers


def passports_mark_ready(*, actor: User, passports: Mapping[int, str], at: dt.datetime | None = None) -> int:
    """Imigrasi marks a stack of printed and signed passports ready at once, with the number of each
    (``passports``: order id to passport number): every chosen dossier moves to "passport ready" with
    its number, or none does. Returns how many were marked."""
    require_role(actor, Role.IMIGRASI_OFFICER)
    if not passports:
        message = _("Choose at least one passport.")
        raise ValidationFailed(message, fields={"orders": [message]})
    numbers = passport_numbers_check(passports)
    with transaction.atomic():
        moved = delivery_orders_move("mark_ready", order_ids=list(numbers), actor=actor, at=at)
        for pk, number in numbers.items():
            DeliveryOrder.objects.filter(pk=pk).update(passport_number=number)
    return len(moved)
