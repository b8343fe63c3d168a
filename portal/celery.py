"""The Celery application; tasks live in each app's ``tasks.py``."""

import os

from celery import Celery, Task
from celery.signals import task_postrun, task_prerun

from core.health import QueueHeartbeat

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Every worker says which queues it takes, for /healthz (core/health.py).
app.steps["worker"].add(QueueHeartbeat)


@task_prerun.connect
def _database_checked(**_: object) -> None:
    """What Django does at the start of a request: a connection that broke (PostgreSQL restarted)
    or is older than ``CONN_MAX_AGE`` is closed, and the next query checks the connection first.
    (The worker keeps its connection between tasks: ``CELERY_DB_REUSE_MAX`` in the settings.)"""
    from django.db import close_old_connections

    close_old_connections()


@task_postrun.connect
def _outbox_done(
    sender: object = None, task: Task | None = None, state: str | None = None, **_: object
) -> None:
    """A task that came from the outbox and succeeded is done. One that failed (the database
    restarting under it) or will be retried is not: the relay publishes it again later."""
    if task is None or state != "SUCCESS":
        return
    request = task.request
    message_id = getattr(request, "outbox_id", None) or (getattr(request, "headers", None) or {}).get(
        "outbox_id"
    )
    if message_id:
        from core.outbox import outbox_mark_done

        outbox_mark_done(message_id=int(message_id))
