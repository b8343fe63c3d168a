"""Two processes move one order at the same instant: exactly one wins, the other is told why."""

import json
import os
import subprocess
import sys

import pytest
from django.db import connection

from delivery.choices import DeliveryStatus as S
from delivery.models import DeliveryEvent
from tests.conftest import ROOT, _database_url_for_test_db
from tests.delivery.helpers import start_together
from tests.factories import make_order

RACER = r"""
import json, os, sys, time
import django
django.setup()
from delivery.handoff import transitions as t
from core.exceptions import DomainError
from accounts.models import User
order_id, username, action = int(sys.argv[1]), sys.argv[2], sys.argv[3]
actor = User.objects.select_related("office").get(username=username)
from django.db import connection
connection.ensure_connection()
print("ready", flush=True)
start_at = float(sys.stdin.readline())
time.sleep(max(0.0, start_at - time.time() - 0.005))  # then spin to the exact instant
while time.time() < start_at:
    pass
try:
    t.ACTION_FUNCTIONS[action](order_id=order_id, actor=actor)
    print(json.dumps({"won": True}))
except DomainError as error:
    print(json.dumps({"won": False, "code": error.code, "message": str(error.message)}))
"""


def race(order_id: int, username: str, action: str, runners: int = 2) -> list[dict]:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url_for_test_db(),
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "PYTHONPATH": str(ROOT),
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(order_id), username, action],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(runners)
    ]
    start_together(procs)
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_clerks_receiving_one_passport_at_once_exactly_one_wins(tx_ref, attempt):
    assert connection.vendor == "postgresql"
    order = make_order(tx_ref, S.PASSPORT_READY)

    results = race(order.pk, "pos.layanan", "receive_at_pos")

    winners = [r for r in results if r["won"]]
    losers = [r for r in results if not r["won"]]
    assert len(winners) == 1
    assert len(losers) == 1
    assert losers[0]["code"] in {"invalid_transition", "concurrent_change"}
    assert DeliveryEvent.objects.filter(order=order, to_status=S.RECEIVED_BY_POS).count() == 1
    order.refresh_from_db()
    assert order.status == S.RECEIVED_BY_POS


@pytest.mark.django_db(transaction=True)
def test_a_courier_tapping_delivered_twice_on_two_phones_delivers_once(tx_ref):
    assert connection.vendor == "postgresql"
    order = make_order(tx_ref, S.OUT_FOR_DELIVERY, courier="kurir")

    results = race(order.pk, "kurir", "deliver", runners=3)

    assert sum(r["won"] for r in results) == 1
    assert DeliveryEvent.objects.filter(order=order, to_status=S.DELIVERED).count() == 1
