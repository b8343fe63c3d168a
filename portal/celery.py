"""The Celery application; tasks live in each app's ``tasks.py``."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Celery's Django fix-up closes the database connection before and after every task unless told to
# reuse it: each task then paid for a new PostgreSQL connection (a backend process forked and its
# caches warmed), more than most of our tasks cost. Connections are kept as a web request keeps
# them, by ``_database_checked`` below; the fix-up only closes them every 2 x this many tasks.
app.conf.update(CELERY_DB_REUSE_MAX=10_000)
app.autodiscover_tasks()


@task_prerun.connect
def _database_checked(**_):
    """What Django does at the start of a request: a connection that broke (PostgreSQL restarted)
    or is older than ``CONN_MAX_AGE`` is closed, and the next query checks the connection first."""
    from django.db import close_old_connections

    close_old_connections()


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
