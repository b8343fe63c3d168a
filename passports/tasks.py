"""Thin Celery tasks: each takes ids, calls one service, and is safe to run twice."""

from celery import Task

from core.tasks import retried_task
from passports import services


@retried_task("passports.tasks.settle_payment_request")
def settle_payment_request(self: Task, request_id: int) -> str:
    return services.payment_request_settle(request_id=request_id)
