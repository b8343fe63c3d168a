"""Their names are kept from the partners app, where they were first defined: outbox rows store them."""

from celery import Task

from core.tasks import retried_task


@retried_task("partners.tasks.send_complaint_receipt")
def send_complaint_receipt(self: Task, complaint_id: int) -> str:
    from complaints.services import complaint_receipt_notify

    return complaint_receipt_notify(complaint_id=complaint_id)


@retried_task("partners.tasks.send_complaint_reply")
def send_complaint_reply(self: Task, message_id: int) -> str:
    from complaints.services import complaint_reply_notify

    return complaint_reply_notify(message_id=message_id)
