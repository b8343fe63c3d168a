"""Outbox rows and the beat schedule store task *names*; moving a module must not change them."""

from django.conf import settings

from portal.celery import app

# The tasks that mail, text, or ask the payment gateway: a network error retries them, and a worker
# killed halfway leaves them queued (tests/faults/test_worker_killed.py kills one).
RETRIED = {
    "delivery.tasks.notify_delivery_event",
    "delivery.tasks.notify_delivery_events",
    "delivery.tasks.notify_problem",
    "delivery.tasks.notify_lost_passport",
    "delivery.tasks.notify_code_refused",
    "delivery.tasks.notify_pickup_chosen",
    "delivery.tasks.send_manage_code",
    "delivery.tasks.send_manage_link",
    "delivery.tasks.settle_online_booking",
    "delivery.tasks.settle_fee_difference",
    "delivery.tasks.mail_online_booking_documents",
    "partners.tasks.send_complaint_receipt",
    "partners.tasks.send_complaint_reply",
    "passports.tasks.settle_payment_request",
}

# Every name an outbox row or the schedule may hold in a database today. A name leaves this list only
# with a migration that rewrites the rows that carry it.
STORED_TASK_NAMES = RETRIED | {
    "delivery.tasks.sweep_deadlines",
    "delivery.tasks.build_statements",
    "delivery.tasks.create_event_partitions",
    "partners.tasks.remind_agreement_expiry",
    "partners.tasks.roll_up_figures",
    "portal.tasks.deliver_webhook",
    "portal.tasks.personal_data_retention",
    "portal.tasks.relay_outbox",
}


def test_every_stored_task_name_still_names_a_task():
    app.loader.import_default_modules()
    assert STORED_TASK_NAMES - set(app.tasks) == set()


def test_every_scheduled_task_exists():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled - set(app.tasks) == set()


def test_tasks_that_talk_to_other_systems_retry_and_survive_a_killed_worker():
    app.loader.import_default_modules()
    for name in RETRIED:
        task = app.tasks[name]
        assert task.acks_late, name
        assert OSError in task.autoretry_for, name
        assert task.max_retries == 5, name
        assert task.time_limit >= 60, name
