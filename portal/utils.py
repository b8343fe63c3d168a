from __future__ import annotations

from collections.abc import Callable

from django.db import transaction


def on_commit(callback: Callable[[], object]) -> None:
    """Run ``callback`` after the surrounding transaction commits (at once outside one).

    For side effects that may be lost (a cache entry to drop): ``robust`` so a failing callback is
    logged instead of breaking a request whose change is already committed. Background work goes
    through ``portal.outbox.task_enqueue`` instead, which cannot be lost.
    """
    transaction.on_commit(callback, robust=True)
