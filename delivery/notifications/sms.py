"""SMS / WhatsApp to applicants through one small adapter, chosen by ``settings.SMS_BACKEND``.

Every message carries a client reference, the same on every attempt at that message. A real gateway
is another class with the same ``send`` method that passes it as the provider's client reference
(``client_ref``, ``clientMessageId``...), by which the provider drops a message it already took: a
retry after a worker died, or after an answer was lost, reaches the applicant once.

The default backend appends each message as one line to ``settings.SMS_LOG_FILE`` under the var
dir, so `make run` and the tests can read what an applicant would have received, and behaves as a
provider does with a reference it already took: it does not write the message again.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
from pathlib import Path
from typing import IO, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class LogFileSmsBackend:
    # Per log file: its inode, how far this process has read it, and the references in that part.
    # Each process reads only what was written since its last message, so a send stays cheap on a
    # long log; a file removed or cut short is read again from its start.
    _taken: dict[str, tuple[int, int, set[str]]] = {}

    def send(self, *, to: str, text: str, reference: str = "") -> None:
        path = Path(settings.SMS_LOG_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"at": dt.datetime.now(dt.UTC).isoformat(), "to": to, "text": text, "reference": reference},
            ensure_ascii=False,
        )
        with open(path, "ab+") as log:
            fcntl.flock(log, fcntl.LOCK_EX)  # the check and the write as one, across processes
            if reference and reference in self._references(log, str(path)):
                logger.info("sms.repeat_dropped reference=%s", reference)
                return
            log.write((line + "\n").encode("utf-8"))

    @classmethod
    def _references(cls, log: IO[bytes], key: str) -> set[str]:
        stat = os.fstat(log.fileno())
        inode, offset, taken = cls._taken.get(key, (-1, 0, set()))
        if inode != stat.st_ino or offset > stat.st_size:
            offset, taken = 0, set()
        log.seek(offset)
        chunk = log.read()
        end = chunk.rfind(b"\n") + 1  # a line cut off by a killed writer is not a message
        for raw in chunk[:end].splitlines():
            try:
                reference = json.loads(raw).get("reference")
            except ValueError:
                continue
            if reference:
                taken.add(reference)
        cls._taken[key] = (stat.st_ino, offset + end, taken)
        return taken


class SmsBackend(Protocol):
    """What ``settings.SMS_BACKEND`` names: a class whose instances hand a message to a gateway."""

    def send(self, *, to: str, text: str, reference: str = "") -> None: ...


def get_sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    return backend


def sms_send(*, to: str, text: str, reference: str = "") -> None:
    """Hand one short message to the gateway. ``reference`` is the message's stable client
    reference; a gateway that already took a message with it drops the repeat."""
    get_sms_backend().send(to=to, text=text, reference=reference)
