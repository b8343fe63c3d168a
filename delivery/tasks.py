"""Thin Celery tasks: each takes ids, calls one service, and is safe to run twice."""

from celery import Task, shared_task

from core.tasks import retried_task
from delivery.notifications import services as notifications
from delivery.problems import services as problems


@retried_task("delivery.tasks.notify_delivery_event")
def notify_delivery_event(self: Task, event_id: int) -> str:
    return notifications.delivery_event_notify(event_id=event_id)


@retried_task("delivery.tasks.notify_delivery_events", time_limit=300)
def notify_delivery_events(self: Task, event_ids: list[int]) -> int:
    return len(notifications.delivery_events_notify(event_ids=event_ids))


@shared_task(name="delivery.tasks.sweep_deadlines", time_limit=120)
def sweep_deadlines() -> int:
    return problems.deadline_sweep()


@retried_task("delivery.tasks.notify_code_refused")
def notify_code_refused(self: Task, attempt_id: int) -> str:
    return notifications.code_refused_notify(attempt_id=attempt_id)


@retried_task("delivery.tasks.notify_pickup_chosen")
def notify_pickup_chosen(self: Task, choice_id: int) -> str:
    return notifications.pickup_chosen_notify(choice_id=choice_id)


@retried_task("delivery.tasks.notify_problem")
def notify_problem(self: Task, problem_id: int) -> str:
    from delivery.problems.services import problem_notify

    return problem_notify(problem_id=problem_id)


@retried_task("delivery.tasks.settle_online_booking")
def settle_online_booking(self: Task, booking_id: int) -> str:
    from delivery.booking.online import online_booking_settle

    return online_booking_settle(booking_id=booking_id)


@retried_task("delivery.tasks.settle_fee_difference")
def settle_fee_difference(self: Task, payment_id: int) -> str:
    from delivery.money.difference import fee_difference_settle

    return fee_difference_settle(payment_id=payment_id)


@retried_task("delivery.tasks.mail_online_booking_documents", time_limit=120)
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


@retried_task("delivery.tasks.notify_lost_passport")
def notify_lost_passport(self: Task, event_id: int) -> str:
    from delivery.custody.lost import lost_case_applicant_notify

    return lost_case_applicant_notify(event_id=event_id)


@retried_task("delivery.tasks.whatsapp_sandbox_statuses")
def whatsapp_sandbox_statuses(self: Task, wamid: str, to: str) -> int:
    """The WhatsApp sandbox posts its status callbacks for one message (idempotent: a repeated
    status changes nothing)."""
    from delivery.notifications.whatsapp import sandbox_statuses_post

    return sandbox_statuses_post(wamid=wamid, to=to)


@retried_task("delivery.tasks.send_manage_code")
def send_manage_code(self: Task, code_id: int) -> str:
    """The one-time code of "manage my delivery", by SMS (and mail with an address on file)."""
    from delivery.manage.access import manage_code_send

    return manage_code_send(code_id=code_id)


@retried_task("delivery.tasks.send_manage_link")
def send_manage_link(self: Task, order_id: int, minute: int) -> str:
    """A fresh personal link by SMS, asked for on an expired link's page."""
    from delivery.manage.access import link_send

    return link_send(order_id=order_id, minute=minute)


@shared_task(name="delivery.tasks.build_statements", acks_late=True, time_limit=600)
def build_statements(day: str | None = None) -> int:
    """End of each working day (beat, 20:00 WITA): every Pos office's statement of the day, from the
    ledger. Idempotent: built again until approved, an approved one is kept."""
    import datetime as dt

    from delivery.money.statements import statements_build_day

    run = statements_build_day(day=dt.date.fromisoformat(day) if day else None)
    return run.built


@shared_task(name="delivery.tasks.create_event_partitions", time_limit=300)
def create_event_partitions() -> int:
    """Daily (beat): the event table's partitions of this month and the next three (PostgreSQL).
    Idempotent: months that have theirs are skipped."""
    from delivery.handoff.partitions import event_partitions_create

    return len(event_partitions_create())
