"""Numbers of manifests and batches: PREFIX-YYYYMMDD-NNN, the day's next number, safe when two counters number at once."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core.exceptions import ConcurrentChange
from delivery.handoff.deadlines import WITA
from delivery.models import Batch, Manifest

# The numbered rows: a manifest (MNF) or a batch (BTC).
Numbered = TypeVar("Numbered", Manifest, Batch)


def numbered_create(prefix: str, model: type[Numbered], at: dt.datetime, **fields: Any) -> Numbered:
    """Create a manifest or batch numbered ``PREFIX-YYYYMMDD-NNN``, the day's next number. Two
    counters numbering at the same moment both read the same count; the unique number lets one in
    and the other takes a number after it."""
    day = at.astimezone(WITA).strftime("%Y%m%d")
    taken = 0
    for _attempt in range(20):
        count = model.objects.filter(number__startswith=f"{prefix}-{day}-").count()
        serial = max(count, taken) + 1
        number = f"{prefix}-{day}-{serial:03d}"
        try:
            with transaction.atomic():
                return model.objects.create(number=number, **fields)
        except IntegrityError:
            if not model.objects.filter(number=number).exists():
                raise  # another constraint: not ours to retry
            taken = serial
    raise ConcurrentChange(_("Too many hand-overs at the same moment. Try again."))
