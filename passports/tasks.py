"""Thin Celery tasks: each takes ids, calls one service, and is safe to run twice."""

from celery import Task, shared_task

from passports import services


@shared_task(
    name="passports.tasks.settle_payment_request",
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    time_limit=60,
    acks_late=True,
)
def settle_payment_request(self: Task, request_id: int) -> str:
    return services.payment_request_settle(request_id=request_id)
