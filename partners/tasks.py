"""Thin Celery tasks of the partnership: each calls one service and is safe to run twice."""

from celery import shared_task

from partners import rollups, services


@shared_task(name="partners.tasks.remind_agreement_expiry", time_limit=120)
def remind_agreement_expiry() -> int:
    """Daily: 90 and 30 days before an agreement ends, mail the agency managers (once per step)."""
    return services.agreement_expiry_remind()


@shared_task(name="partners.tasks.roll_up_figures", time_limit=600)
def roll_up_figures() -> int:
    """Every few minutes: count the new handoff events into the dashboard's monthly figures."""
    return rollups.figures_roll_up()


@shared_task(
    name="partners.tasks.send_complaint_receipt",
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    time_limit=60,
    acks_late=True,
)
def send_complaint_receipt(self, complaint_id: int) -> str:
    from partners.complaints import complaint_receipt_notify

    return complaint_receipt_notify(complaint_id=complaint_id)


@shared_task(
    name="partners.tasks.send_complaint_reply",
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    time_limit=60,
    acks_late=True,
)
def send_complaint_reply(self, message_id: int) -> str:
    from partners.complaints import complaint_reply_notify

    return complaint_reply_notify(message_id=message_id)
