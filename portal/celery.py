"""The Celery application; tasks live in each app's ``tasks.py``."""

import os

from celery import Celery
from celery.signals import task_postrun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_postrun.connect
def _outbox_done(sender=None, task=None, state=None, **_):
    """A task that came from the outbox and succeeded is done. One that failed (the database
    restarting under it) or will be retried is not: the relay publishes it again later."""
    if task is None or state != "SUCCESS":
        return
    request = task.request
    message_id = getattr(request, "outbox_id", None) or (getattr(request, "headers", None) or {}).get("outbox_id")
    if message_id:
        from portal.outbox import outbox_mark_done

        outbox_mark_done(message_id=int(message_id))
