"""The outbox after commit and in the relay: a publication that worked writes nothing more, one that
failed is noted and relayed within seconds, and anything not done is published again later."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from core import outbox
from core.models import OutboxMessage
from portal.celery import app

TASK = "delivery.tasks.notify_delivery_event"


@pytest.fixture
def broker_queue_emptied():
    yield
    app.control.purge()  # nothing this test published reaches a later test's worker
    outbox._broker_down_until = 0.0


@pytest.mark.django_db
def test_a_publication_after_commit_that_worked_writes_nothing_more(
    django_capture_on_commit_callbacks, broker_queue_emptied
):
    # when a change enqueues a task and commits
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.task_enqueue(TASK, 1)

    # then the row is as it was written: the worker will mark it done
    row = OutboxMessage.objects.get(pk=message.pk)
    assert (row.sent_at, row.attempts, row.last_error, row.done_at) == (None, 0, "", None)


@pytest.mark.django_db
def test_a_publication_skipped_while_the_broker_is_down_is_noted_for_the_relay(
    django_capture_on_commit_callbacks, broker_queue_emptied
):
    # given this process found the broker unreachable a moment ago
    outbox._broker_down_until = float("inf")

    # when a change enqueues a task
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.task_enqueue(TASK, 1)

    # then the row says why it waits, and the relay sends it after the grace period
    row = OutboxMessage.objects.get(pk=message.pk)
    assert row.last_error == outbox.BROKER_DOWN and row.sent_at is None
    outbox._broker_down_until = 0.0
    assert outbox.outbox_relay(now=timezone.now() + outbox.RELAY_GRACE) == 1
    assert OutboxMessage.objects.get(pk=message.pk).sent_at is not None


@pytest.mark.django_db
@override_settings(OUTBOX_REDELIVER_AFTER=900)
def test_the_relay_sends_failed_publications_soon_and_anything_not_done_after_the_redelivery_time(
    broker_queue_emptied,
):
    now = timezone.now()

    def row(name, *, age_s, last_error="", sent_age_s=None, done=False):
        message = OutboxMessage.objects.create(task_name=TASK, args=[name])
        OutboxMessage.objects.filter(pk=message.pk).update(
            created_at=now - dt.timedelta(seconds=age_s),
            last_error=last_error,
            sent_at=None if sent_age_s is None else now - dt.timedelta(seconds=sent_age_s),
            done_at=now if done else None,
        )
        return name

    # given rows in every state
    row("published a second ago, queued", age_s=1)
    row("published ten minutes ago, still queued", age_s=600)
    failed = row("failed ten seconds ago", age_s=10, last_error="Connection refused")
    row("failed a second ago", age_s=1, last_error="Connection refused")
    lost = row("published 20 minutes ago, never done", age_s=1200)
    resent = row("relayed 20 minutes ago, never done", age_s=1500, sent_age_s=1200)
    row("relayed a minute ago", age_s=1500, sent_age_s=60)
    row("done", age_s=1200, done=True)

    # when the relay runs
    sent = outbox.outbox_relay(now=now)

    # then exactly the failed one past its grace and the two lost ones went out, and are marked sent
    published = {
        args[0] for args in OutboxMessage.objects.filter(sent_at__gte=now).values_list("args", flat=True)
    }
    assert published == {failed, lost, resent}
    assert sent == 3
