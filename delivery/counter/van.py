"""The van standby log: when the Pos van waited at the Imigrasi office."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from core.exceptions import InvalidTransition, ValidationFailed
from delivery.handoff.deadlines import WITA, is_working_day
from delivery.models import VanStandby
from delivery.permissions import require_role


def van_standby_record(*, actor: User, arrived_at: dt.datetime) -> VanStandby:
    """The van's arrival at the office on a working day; lateness counts from 07:30 WITA."""
    require_role(actor, Role.POS_SERVICE_OFFICER)
    assert actor.office_id is not None  # require_role refuses a user without an office
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


OFFICE_OPENS = dt.time(7, 30)
