"""``manage.py relay_outbox [--loop]``: publish the outbox's unsent tasks to the broker.

With ``--loop`` it keeps running (like beat, one per site is enough; two do no harm) and survives
broker and database outages: a failed round is logged and retried after ``--interval`` seconds.
"""

from __future__ import annotations

import logging
import signal
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from core.outbox import outbox_relay

logger = logging.getLogger("core.outbox")


class Command(BaseCommand):
    help = "Publish background tasks written to the outbox while the broker was unreachable."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep relaying until stopped")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between rounds")

    def handle(self, *args: Any, loop: bool = False, interval: float = 2.0, **options: Any) -> None:
        if not loop:
            self.stdout.write(f"{outbox_relay()} sent")
            return
        running = True

        def stop(*_: object) -> None:
            nonlocal running
            running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while running:
            close_old_connections()  # a restarted database gets a fresh connection
            try:
                outbox_relay()
            except Exception:  # noqa: BLE001 - database down: try again next round
                logger.warning("outbox.relay.round_failed", exc_info=True)
            time.sleep(interval)
