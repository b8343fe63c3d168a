"""The daily statements as beat starts them: the schedule's entry (20:00 WITA, working days) sent to
a real Celery worker through the real broker, which builds each Pos office's statement from the
ledger; sent again, it builds it again rather than twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from delivery.choices import DeliveryStatus as S
from delivery.handoff.deadlines import WITA, is_working_day
from ledger.choices import StatementStatus
from ledger.models import Movement, Statement
from portal.celery import app
from tests.conftest import wait_for
from tests.factories import make_order

pytestmark = pytest.mark.worker


def _last_working_day_before(day: dt.date) -> dt.date:
    day -= dt.timedelta(days=1)
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


@pytest.mark.django_db(transaction=True)
def test_beats_entry_builds_the_days_statement_on_a_real_worker(tx_ref, celery_worker_process):
    entry = settings.CELERY_BEAT_SCHEDULE["daily-statements"]
    schedule = entry["schedule"]
    assert settings.CELERY_TIMEZONE == "Asia/Makassar"
    assert (schedule.hour, schedule.minute) == ({20}, {0})
    # due at 20:00 WITA after a run the evening before
    now = timezone.now().astimezone(WITA)
    yesterday_evening = (now - dt.timedelta(days=1)).replace(hour=20, minute=0, second=0, microsecond=0)
    assert schedule.is_due(yesterday_evening).is_due == (now >= now.replace(hour=20, minute=0))

    day = _last_working_day_before(timezone.localdate())
    order = make_order(tx_ref, S.BOOKED, at=dt.datetime.combine(day, dt.time(10, 0), tzinfo=WITA))
    pos = tx_ref["offices"]["pos"]

    # what beat sends at 20:00 (the day given, as a re-run for a missed evening does)
    app.send_task(entry["task"], kwargs={"day": day.isoformat()})
    statement = wait_for(lambda: Statement.objects.filter(pos_office=pos, day=day).first(), timeout=30)
    assert statement.status == StatementStatus.OPEN
    rows = Movement.objects.filter(business_day=day)
    assert statement.lines.count() == rows.count() >= 1
    assert statement.lines.filter(billing_code=order.application.billing_code.code).exists()  # its state fee

    # beat's own message carries no day: the worker builds today's, on a working day only
    app.send_task(entry["task"])
    app.send_task(entry["task"], kwargs={"day": day.isoformat()})  # a second run builds it again
    wait_for(lambda: Statement.objects.get(pk=statement.pk).builds == 2, timeout=30)
    today_built = Statement.objects.filter(pos_office=pos, day=timezone.localdate()).exists()
    assert today_built == is_working_day(timezone.localdate())
    assert Statement.objects.filter(pos_office=pos, day=day).count() == 1
