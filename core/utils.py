from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.db.models import Model


def on_commit(callback: Callable[[], object]) -> None:
    """Run ``callback`` after the surrounding transaction commits (at once outside one).

    For side effects that may be lost (a cache entry to drop): ``robust`` so a failing callback is
    logged instead of breaking a request whose change is already committed. Background work goes
    through ``core.outbox.task_enqueue`` instead, which cannot be lost.
    """
    transaction.on_commit(callback, robust=True)


def model_text_check(instance: Model) -> None:
    """Refuse text a database cannot store (NUL characters) as a field error, before it reaches
    PostgreSQL and becomes a server error."""
    from django.db import models
    from django.utils.translation import gettext_lazy as _

    from core.exceptions import ValidationFailed

    bad = {
        field.name: [_("This text contains a character that is not allowed.")]
        for field in instance._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
        and "\x00" in str(getattr(instance, field.attname, "") or "")
    }
    if bad:
        raise ValidationFailed(_("Please correct the marked fields."), fields=bad)


def write_when_database_back(write: Callable[[], object], *, wait_seconds: float = 30.0) -> object:
    """Run ``write`` (outside a transaction), waiting for the database to come back if it is down.

    For the one write that records something the outside world already saw (a mail the server
    accepted): failing it would make the retry do it a second time, so the worker keeps trying
    while PostgreSQL restarts instead of forgetting what it did.
    """
    import logging
    import time

    from django.db import InterfaceError, OperationalError, connection

    deadline = time.monotonic() + wait_seconds
    delay = 0.2
    while True:
        try:
            return write()
        except (OperationalError, InterfaceError):
            if time.monotonic() >= deadline or connection.in_atomic_block:
                raise
            logging.getLogger(__name__).warning("database.write_waits seconds=%.1f", delay)
            connection.close()  # the next try opens a fresh connection
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
