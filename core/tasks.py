from collections.abc import Callable
from typing import Any

from celery import Task, shared_task

from core import webhooks
from core.models import WebhookDelivery


def retried_task(name: str, *, time_limit: int = 60) -> Callable[[Callable[..., Any]], Any]:
    """The portal's task for work that talks to another system (mail, SMS, the payment gateway):
    bound, retried on network errors (``OSError``) five times with backoff, acknowledged only after
    it ran (a worker killed halfway leaves it queued), stopped after ``time_limit`` seconds. Its
    ``name`` is what outbox rows and the schedule store: it never changes when the code moves."""
    decorator: Callable[[Callable[..., Any]], Any] = shared_task(
        name=name,
        bind=True,
        autoretry_for=(OSError,),
        retry_backoff=True,
        max_retries=5,
        time_limit=time_limit,
        acks_late=True,
    )
    return decorator


# Celery ships no type hints: its decorator and bound task are untyped. The time limit is short: one
# call waits at most WEBHOOK_TIMEOUT (5 s) for the receiver, and one that trickles its answer byte by
# byte is cut here rather than holding a process of the webhooks pool.
@shared_task(name="portal.tasks.deliver_webhook", bind=True, max_retries=None, acks_late=True, time_limit=30)  # type: ignore[untyped-decorator]  # celery is untyped
def deliver_webhook(self: Task, delivery_id: int) -> str:
    result = webhooks.webhook_deliver(delivery_id=delivery_id)
    if result in (webhooks.FAILED, webhooks.WAITING):
        attempts = (
            WebhookDelivery.objects.filter(pk=delivery_id).values_list("attempts", flat=True).first() or 1
        )
        countdown = webhooks.retry_delay(attempts) if result == webhooks.FAILED else webhooks.retry_delay(1)
        raise self.retry(countdown=countdown)
    return result


@shared_task(name="portal.tasks.relay_outbox", time_limit=120)  # type: ignore[untyped-decorator]  # celery is untyped
def relay_outbox() -> int:
    """Every minute from beat: the second line behind ``manage.py relay_outbox --loop``."""
    from core.outbox import outbox_prune, outbox_relay

    outbox_prune()
    return outbox_relay()
