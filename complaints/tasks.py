"""Their names are kept from the partners app, where they were first defined: outbox rows store them."""

from celery import Task, shared_task


@shared_task(
    name="partners.tasks.send_complaint_receipt",
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    time_limit=60,
    acks_late=True,
)
def send_complaint_receipt(self: Task, complaint_id: int) -> str:
    from complaints.services import complaint_receipt_notify

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
def send_complaint_reply(self: Task, message_id: int) -> str:
    from complaints.services import complaint_reply_notify

    return complaint_reply_notify(message_id=message_id)
