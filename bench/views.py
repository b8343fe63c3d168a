"""The benchmark's ceilings: bare views on the same gunicorn as the portal, each doing only the part
of a request that no engineering on the portal's side can remove (``bench/run.py`` compares the
portal's pages against them). Mounted by ``portal.settings.bench`` only; never in production."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from core.models import OutboxMessage
from delivery.choices import DeliveryStatus as S
from delivery.handoff.history import event_digest
from delivery.models import DeliveryEvent, DeliveryOrder

# The tracking page's one read: the same prepared statement the page behind a tracking link runs.
from delivery.tracking.services import _BY_CODE as TRACKING_READ


def bare(request: HttpRequest) -> HttpResponse:
    """The framework's ceiling: a Django view that returns a constant."""
    return HttpResponse(b"ok", content_type="text/plain")


@require_GET
def tracking_read(request: HttpRequest, code: str) -> HttpResponse:
    """The tracking page's ceiling: its one read (the prepared SELECT by code), the rows as JSON;
    no signed link, no page cache, no template."""
    rows = TRACKING_READ.rows(code=code)
    if not rows:
        return JsonResponse({"error": "not found"}, status=404)
    return JsonResponse({"rows": rows}, encoder=DjangoJSONEncoder)


# The courier whose orders the benchmark moves (the update benchmark's ``kurir``), read once per
# process: the bare writes carry the same actor columns as the courier's own updates.
_actor: dict[str, Any] = {}

# Toggled by the bare writes: a failed attempt, and out again.
_NEXT = {S.OUT_FOR_DELIVERY: S.FAILED_ATTEMPT, S.FAILED_ATTEMPT: S.OUT_FOR_DELIVERY}


def _courier() -> dict[str, Any]:
    if not _actor:
        user = User.objects.select_related("office").get(username="kurir")
        _actor.update(
            id=user.pk,
            role=user.role,
            office_id=user.office_id,
            location=user.office.name if user.office else "",
        )
    return _actor


@csrf_exempt
@require_POST
def update_writes(request: HttpRequest, code: str) -> HttpResponse:
    """The courier update's ceiling: the writes of a move (``delivery.handoff.transitions._move``)
    as one raw-SQL transaction, without authentication, idempotency key or the state machine's
    checks. The order locked (with its last event's chain hash, which the move reads too), a
    conditional UPDATE from the status read, the event row with its chain hash, the outbox row of
    the applicant's notification (``core.outbox.task_enqueue``). The order goes out and back in
    turn (out for delivery <-> failed attempt), so a script may walk its orders any number of times.
    Nothing is published to the broker: the row stays for a relay, which the benchmark does not run.
    """
    actor = _courier()
    orders, events, outbox = (
        DeliveryOrder._meta.db_table,
        DeliveryEvent._meta.db_table,
        OutboxMessage._meta.db_table,
    )
    # Table names from the models; every value is a parameter.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT o.id, o.status, o.deadline_at, (SELECT e.chain_hash FROM {events} e"
            f" WHERE e.order_id = o.id ORDER BY e.id DESC LIMIT 1) FROM {orders} o"
            " WHERE o.code = %s FOR UPDATE OF o",
            [code],
        )
        row = cursor.fetchone()
        if row is None or row[1] not in _NEXT:
            return JsonResponse({"error": "not found"}, status=404)
        order_id, from_status, deadline_at, previous = row
        to_status, now = _NEXT[from_status], timezone.now()
        new_deadline = now + dt.timedelta(days=1)
        cursor.execute(
            f"UPDATE {orders} SET status = %s, status_changed_at = %s, deadline_at = %s,"
            " deadline_breached_at = NULL, updated_at = %s WHERE id = %s AND status = %s",
            [to_status, now, new_deadline, now, order_id, from_status],
        )
        if cursor.rowcount != 1:
            return JsonResponse({"error": "changed meanwhile"}, status=409)
        event = SimpleNamespace(
            order_id=order_id,
            from_status=from_status,
            to_status=to_status,
            actor_id=actor["id"],
            actor_role=actor["role"],
            office_id=actor["office_id"],
            location=actor["location"],
            occurred_at=now,
            device_time=None,
            deadline_at=new_deadline,
            leg_on_time=None if deadline_at is None else now <= deadline_at,
            payload={"reason": "not_at_home"} if to_status == S.FAILED_ATTEMPT else {},
        )
        cursor.execute(
            f"INSERT INTO {events} (order_id, from_status, to_status, actor_id, actor_role, office_id,"
            " location, occurred_at, device_time, deadline_at, leg_on_time, payload, chain_hash)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            [
                order_id,
                from_status,
                to_status,
                event.actor_id,
                event.actor_role,
                event.office_id,
                event.location,
                now,
                None,
                new_deadline,
                event.leg_on_time,
                json.dumps(event.payload),
                event_digest(event, previous or ""),
            ],
        )
        (event_id,) = cursor.fetchone()
        cursor.execute(
            f"INSERT INTO {outbox} (task_name, args, created_at, attempts, last_error)"
            " VALUES (%s, %s, %s, 0, '')",
            ["delivery.tasks.notify_delivery_event", json.dumps([event_id]), now],
        )
    return JsonResponse({"order": code, "status": to_status})
