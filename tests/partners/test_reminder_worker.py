"""The beat task's work, run by a real Celery worker: one expiry reminder per step, however often."""

import datetime as dt
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from django.utils import timezone

from demo.partnership import partnership_demo_load
from partners.models import AgreementReminder
from partners.tasks import remind_agreement_expiry
from tests.conftest import wait_for

pytestmark = pytest.mark.worker


@pytest.mark.django_db(transaction=True)
def test_the_worker_mails_the_expiry_reminder_once(tx_ref, celery_worker_process, smtp_sink):
    agreement = partnership_demo_load()
    agreement.valid_until = timezone.localdate() + dt.timedelta(days=20)
    agreement.save()

    def reminders():
        return [
            m
            for m in smtp_sink.messages
            if "manajer.pos@demo.antar-paspor.local" in m.rcpt_tos
            and "berakhir" in str(make_header(decode_header(message_from_bytes(m.content)["Subject"])))
        ]

    def runs_done() -> int:
        log = celery_worker_process.log_path.read_text()
        return sum("remind_agreement_expiry" in line and "succeeded" in line for line in log.splitlines())

    before = runs_done()
    remind_agreement_expiry.delay()
    wait_for(lambda: len(reminders()) == 1, timeout=30)
    remind_agreement_expiry.delay()  # the next day's beat, or a retry
    wait_for(lambda: runs_done() == before + 2, timeout=30)

    assert list(AgreementReminder.objects.values_list("days_before", flat=True)) == [30]
    assert len(reminders()) == 1
