from __future__ import annotations

from collections.abc import Callable

from django.db import transaction


def on_commit(callback: Callable[[], object]) -> None:
    """Run ``callback`` after the surrounding transaction commits (at once outside one).

    Every task that follows a write is enqueued through here, so a rolled-back write sends nothing.
    """
    transaction.on_commit(callback)
