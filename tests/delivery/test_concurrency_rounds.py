"""Fifteen rounds of the same two actions at the same instant, in two separate processes on
PostgreSQL: two clerks on one order, a courier's two phones, a batch released twice, a batch
acknowledged twice, a payment confirmation arriving twice. Exactly one effect, every round; and two
clerks handing over their own manifests at once: both get through, numbered apart."""

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from django.db import connection

from delivery.choices import DeliveryStatus as S
from delivery.models import BatchItem, DeliveryEvent, Manifest
from ledger.models import Movement
from ledger.services import state_money_of
from passports.models import BillingCode, PassportType, Payment
from passports.services import applicant_create, billing_code_issue, passport_application_record
from tests.conftest import ROOT, _database_url_for_test_db
from tests.delivery.helpers import start_together
from tests.factories import make_applicant_user, make_order

ROUNDS = 15
GAP = 0.2  # seconds between rounds

RUNNER = r"""
import importlib, json, sys, time
import django
django.setup()
from django.db import connection
from core.exceptions import DomainError
from accounts.models import User
spec = json.loads(sys.argv[1])
me = int(sys.argv[2])
module, name = spec["func"].rsplit(".", 1)
func = getattr(importlib.import_module(module), name)
actor = User.objects.select_related("office").get(username=spec["actor"]) if spec.get("actor") else None
connection.ensure_connection()
print("ready", flush=True)
start_at = float(sys.stdin.readline())
results = []
for i, kwargs in enumerate(spec["rounds"]):
    start = start_at + i * spec["gap"]
    time.sleep(max(0.0, start - time.time() - 0.005))  # then spin to the exact instant
    while time.time() < start:
        pass
    if spec["per_process"]:
        kwargs = kwargs[me]
    if actor is not None:
        kwargs["actor"] = actor
    try:
        func(**kwargs)
        results.append({"won": True})
    except DomainError as error:
        results.append({"won": False, "code": error.code, "message": str(error.message)})
print(json.dumps(results))
"""


def race_rounds(
    func: str, rounds: list, *, actor: str | None = None, per_process: bool = False
) -> list[list[dict]]:
    """Two processes make the same call per round at the same instant (with ``per_process``, each
    round is a pair: the first process's arguments and the second's); returns both results per round."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url_for_test_db(),
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "PYTHONPATH": str(ROOT),
    }
    spec = {"func": func, "actor": actor, "rounds": rounds, "gap": GAP, "per_process": per_process}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RUNNER, json.dumps(spec), str(me)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for me in range(2)
    ]
    start_together(procs)
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outputs.append(json.loads(out.strip().splitlines()[-1]))
    return [list(pair) for pair in zip(*outputs, strict=True)]


def assert_one_winner_per_round(results: list[list[dict]], codes: set[str]) -> None:
    for pair in results:
        assert sorted(r["won"] for r in pair) == [False, True], pair
        loser = next(r for r in pair if not r["won"])
        assert loser["code"] in codes and loser["message"], loser


@pytest.mark.django_db(transaction=True)
def test_two_clerks_handing_one_passport_to_the_delivery_section_at_once(tx_ref):
    assert connection.vendor == "postgresql"
    orders = [make_order(tx_ref, S.RECEIVED_BY_POS) for _ in range(ROUNDS)]

    results = race_rounds(
        "delivery.handoff.transitions.delivery_order_hand_to_delivery",
        [{"order_id": o.pk} for o in orders],
        actor="pos.layanan",
    )

    assert_one_winner_per_round(results, {"invalid_transition", "concurrent_change"})
    for order in orders:
        assert DeliveryEvent.objects.filter(order=order, to_status=S.WITH_DELIVERY_SECTION).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_courier_recording_a_failed_attempt_on_two_phones_at_once(tx_ref):
    assert connection.vendor == "postgresql"
    orders = [make_order(tx_ref, S.OUT_FOR_DELIVERY, courier="kurir") for _ in range(ROUNDS)]

    results = race_rounds(
        "delivery.handoff.transitions.delivery_order_fail_attempt",
        [{"order_id": o.pk, "reason": "not_at_home"} for o in orders],
        actor="kurir",
    )

    assert_one_winner_per_round(results, {"invalid_transition", "concurrent_change"})
    for order in orders:
        assert DeliveryEvent.objects.filter(order=order, to_status=S.FAILED_ATTEMPT).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_batch_released_twice_and_acknowledged_twice_at_once(tx_ref):
    assert connection.vendor == "postgresql"
    orders = [make_order(tx_ref, S.PASSPORT_READY) for _ in range(ROUNDS)]

    released = race_rounds(
        "delivery.counter.batches.batch_release", [{"codes": [o.code]} for o in orders], actor="imigrasi"
    )

    assert_one_winner_per_round(released, {"invalid_transition", "concurrent_change", "already_released"})
    for order in orders:
        assert BatchItem.objects.filter(order=order).count() == 1

    # the Pos clerks acknowledge each batch twice at once: received once
    batches = [BatchItem.objects.get(order=o).batch_id for o in orders]
    acknowledged = race_rounds(
        "delivery.counter.batches.batch_acknowledge", [{"batch_id": b} for b in batches], actor="pos.layanan"
    )

    assert_one_winner_per_round(
        acknowledged, {"invalid_transition", "concurrent_change", "already_acknowledged"}
    )
    for order in orders:
        assert DeliveryEvent.objects.filter(order=order, to_status=S.RECEIVED_BY_POS).count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_passport_of_a_batch_scanned_on_two_counters_at_once_is_received_once(tx_ref):
    assert connection.vendor == "postgresql"
    from delivery.counter.batches import batch_release
    from delivery.models import BatchItemEvent

    imigrasi = tx_ref["users"]["imigrasi"]
    pairs = []
    for _ in range(ROUNDS):
        a, b = make_order(tx_ref, S.PASSPORT_READY), make_order(tx_ref, S.PASSPORT_READY)
        batch = batch_release(actor=imigrasi, codes=[a.code, b.code])
        pairs.append({"batch_id": batch.pk, "codes": [a.code]})

    results = race_rounds("delivery.counter.batches.batch_acknowledge", pairs, actor="pos.layanan")

    # both counters are answered (the second: nothing changed), the passport is received once
    assert all(r["won"] for pair in results for r in pair), results
    for kwargs in pairs:
        code = kwargs["codes"][0]
        assert DeliveryEvent.objects.filter(order__code=code, to_status=S.RECEIVED_BY_POS).count() == 1
        assert BatchItemEvent.objects.filter(item__order__code=code, transition="receive").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_clerks_handing_over_their_own_manifests_at_once_both_get_through_numbered_apart(tx_ref):
    assert connection.vendor == "postgresql"
    pairs = [[{"order_ids": [make_order(tx_ref, S.BOOKED).pk]} for _ in range(2)] for _ in range(ROUNDS)]

    results = race_rounds(
        "delivery.counter.manifest.manifest_hand_over", pairs, actor="pos.layanan", per_process=True
    )

    assert all(r["won"] for pair in results for r in pair), results
    numbers = list(Manifest.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 2 * ROUNDS
    for pair in pairs:
        for kwargs in pair:
            assert (
                DeliveryEvent.objects.filter(
                    order_id=kwargs["order_ids"][0], to_status=S.DOSSIER_HANDED
                ).count()
                == 1
            )


@pytest.mark.django_db(transaction=True)
def test_a_payment_confirmation_arriving_twice_at_once_records_one_payment(tx_ref):
    assert connection.vendor == "postgresql"
    billing_ids = []
    for n in range(ROUNDS):
        applicant = applicant_create(
            full_name=f"Pembayar Serentak {n}",
            birth_place="Makassar",
            birth_date=dt.date(1991, 2, 3),
            address="Jl. Uji, Makassar",
            phone="081234567890",
            nik=f"73719{n:011d}",
            email=f"serentak{n}@example.test",
            user=make_applicant_user(),
        )
        application = passport_application_record(
            applicant=applicant,
            office=tx_ref["offices"]["imigrasi"],
            passport_type=PassportType.objects.get(code="biasa-48"),
        )
        billing_ids.append(billing_code_issue(application=application).pk)
    amounts = dict(BillingCode.objects.filter(pk__in=billing_ids).values_list("pk", "amount"))

    results = race_rounds(
        "passports.services.payment_confirm",
        [
            {"billing_code_id": pk, "ntpn": f"NTPN{n:012d}", "amount": amounts[pk]}
            for n, pk in enumerate(billing_ids)
        ],
    )

    # a second confirmation is either refused or answered with the first payment: never a second row
    for pk in billing_ids:
        assert Payment.objects.filter(billing_code_id=pk).count() == 1
        # and one state-fee row in the ledger: the second payment wrote no money either
        assert Movement.objects.filter(billing_code_id=pk).count() == 1
        assert state_money_of(pk) == amounts[pk]
    assert all(any(r["won"] for r in pair) for pair in results)
