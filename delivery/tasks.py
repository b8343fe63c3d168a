"""Thin Celery tasks: each takes ids, calls one service, and is safe to run twice."""

from celery import Task, shared_task

from delivery.notifications import services as notifications
from delivery.problems import services as problems


@shared_task(
    name="delivery.tasks.notify_delivery_event",
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    time_limit=60,
    acks_late=True,
)
def notify_delivery_event(self: Task, event_id: int) -> str:
    return notifications.delivery_event_notify(event_id=event_id)


@shared_task(
    name="delivery.tasks.notify_delivery_events",
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    time_limit=300,
    acks_late=True,
)
def notify_delivery_events(self: Task, event_ids: list[int]) -> int:
    return len(notifications.delivery_events_notify(event_ids=event_ids))


@shared_task(name="delivery.tasks.sweep_deadlines", time_limit=120)
def sweep_deadlines() -> int:
    return problems.deadline_sweep()


@shared_task(
    name="delivery.tasks.notify_code_refused",
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    time_limit=60,
    acks_late=True,
)
def notify_code_refused(self: Task, attempt_id: int) -> str:
    return notifications.code_refused_notify(attempt_id=attempt_id)


@shared_task(
    name="delivery.tasks.notify_problem",
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    time_limit=60,
    acks_late=True,
)
def notify_problem(self: Task, problem_id: int) -> str:
    from delivery.problems.services import problem_notify

    return problem_notify(problem_id=problem_id)


@shared_task(
    name="delivery.tasks.settle_online_booking",
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    time_limit=60,
    acks_late=True,
)
def settle_online_booking(self: Task, booking_id: int) -> str:
    from delivery.booking.online import online_booking_settle

    return online_booking_settle(booking_id=booking_id)


@shared_task(
    name="delivery.tasks.mail_online_booking_documents",
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    time_limit=120,
    acks_late=True,
)
def mail_online_booking_documents(self: Task, booking_id: int) -> str:
    from delivery.booking.online import online_booking_mail_documents

    return online_booking_mail_documents(booking_id=booking_id)


# Its name is kept from the module it was first defined in: outbox rows and the schedule store it.
@shared_task(name="portal.tasks.personal_data_retention", acks_late=True, time_limit=1800)
def personal_data_retention() -> int:
    """Daily (beat): anonymise closed orders past the retention period. Idempotent: done applicants
    are skipped."""
    from delivery.privacy.services import personal_data_retention_run

    return personal_data_retention_run()


@shared_task(
    name="delivery.tasks.notify_lost_passport",
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    time_limit=60,
    acks_late=True,
)
def notify_lost_passport(self: Task, event_id: int) -> str:
    from delivery.custody.lost import lost_case_applicant_notify

    return lost_case_applicant_notify(event_id=event_id)
