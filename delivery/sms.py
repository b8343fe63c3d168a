"""SMS / WhatsApp to applicants through one small adapter, chosen by ``settings.SMS_BACKEND``.

The default backend appends each message as one line to ``settings.SMS_LOG_FILE`` under the var
dir, so `make run` and the tests can read what an applicant would have received; a real gateway is
another class with the same ``send`` method.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string


class LogFileSmsBackend:
    def send(self, *, to: str, text: str) -> None:
        path = Path(settings.SMS_LOG_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"at": dt.datetime.now(dt.UTC).isoformat(), "to": to, "text": text},
                          ensure_ascii=False)
        with open(path, "a", encoding="utf-8") as out:
            fcntl.flock(out, fcntl.LOCK_EX)
            out.write(line + "\n")


def get_sms_backend():
    return import_string(settings.SMS_BACKEND)()


def sms_send(*, to: str, text: str) -> None:
    get_sms_backend().send(to=to, text=text)
