"""What /healthz reports: can the portal reach its database and its broker right now."""

from __future__ import annotations

from celery import current_app as app
from django.conf import settings
from django.db import connection


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            row = cursor.fetchone()
            return row is not None and row[0] == 1
    except Exception:  # any driver error means "down"
        return False


def broker_ok() -> bool:
    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            return True
    except Exception:  # any transport error means "down"
        return False
