import os
import signal
import subprocess
import sys
import time

import pytest
from django.core.cache import cache
from django.core.management import call_command

from accounts.choices import Role
from accounts.models import User
from delivery.choices import DeliveryStatus
from delivery.models import DeliveryEvent, DeliveryOrder, SatisfactionRating
from tests.conftest import ROOT, wait_for
from tests.factories import personal_link_in
from tests.portal.test_task_queues import QUEUES


def test_seed_demo_covers_every_state_and_is_idempotent(db, capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    orders = DeliveryOrder.objects.filter(code__startswith="APDEMO")
    events = DeliveryEvent.objects.count()

    assert orders.count() == 32
    # and the walk-in applicant booked at the counter, whose personal link the printout names
    walk_in = DeliveryOrder.objects.get(application__applicant__full_name="Nurul Hidayah (demo)")
    personal_link_in(out, walk_in)
    assert set(orders.values_list("status", flat=True)) == set(DeliveryStatus.values)
    assert orders.filter(deadline_breached_at__isnull=False).count() >= 1
    # a few delivered orders rated, for the dashboard's satisfaction; one left to rate by hand
    ratings = SatisfactionRating.objects.filter(order__code__startswith="APDEMO")
    assert sorted(ratings.values_list("score", flat=True)) == [2, 4, 5, 5]
    assert orders.filter(status=DeliveryStatus.DELIVERED, satisfaction_rating__isnull=True).exists()
    assert {u.role for u in User.objects.all()} == set(Role.values)
    for username in (
        "pemohon",
        "imigrasi",
        "pos.layanan",
        "pos.antaran",
        "kurir",
        "manajer.pos",
        "travel",
        "admin",
    ):
        assert username in out

    call_command("seed_demo")
    assert DeliveryOrder.objects.count() == 33 + 3  # and the demo group's three members
    assert DeliveryEvent.objects.count() == events
    assert SatisfactionRating.objects.count() == 4


def test_the_demos_back_dated_history_mails_nobody_but_a_new_handoff_does(db):
    from core.models import OutboxMessage
    from delivery.handoff import transitions as t

    call_command("seed_demo")
    notify = OutboxMessage.objects.filter(task_name="delivery.tasks.notify_delivery_event")
    assert DeliveryEvent.objects.filter(order__code__startswith="APDEMO").count() > 100
    assert notify.count() == 0

    ready = DeliveryOrder.objects.filter(
        code__startswith="APDEMO", status=DeliveryStatus.PASSPORT_READY
    ).first()
    result = t.delivery_order_receive_at_pos(
        order_id=ready.pk, actor=User.objects.get(username="pos.layanan")
    )
    assert [m.args for m in notify] == [[result.event.pk]]


def test_every_event_of_the_demo_follows_the_table(db):
    from delivery.handoff.transitions import MOVES

    call_command("seed_demo")
    allowed = {(s, m.target) for m in MOVES.values() for s in m.sources} | {("", "booked")}
    pairs = set(DeliveryEvent.objects.values_list("from_status", "to_status"))
    assert pairs <= allowed


@pytest.fixture
def own_cache(settings):
    """A cache no other worker of the suite writes its heartbeat to (the Redis database two after
    this process's broker, which nothing else uses)."""
    server, broker_db = settings.CELERY_BROKER_URL.rsplit("/", 1)
    location = f"{server}/{int(broker_db) + 2}"
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": location}}
    cache.clear()
    yield location
    cache.clear()


def test_healthz_reports_database_broker_and_the_queues_without_a_worker(client, db, own_cache):
    # no worker takes any queue: the portal serves, its background work waits
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "broker": "ok",
        "queues": dict.fromkeys(QUEUES, "no worker"),
    }


def test_healthz_shows_which_queues_a_running_worker_takes_and_forgets_a_stopped_one(
    client, db, own_cache, tmp_path
):
    log = tmp_path / "worker.log"
    env = {**os.environ, "CACHE_URL": own_cache, "QUEUE_HEARTBEAT_SECONDS": "1"}
    with open(log, "wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "-Q", "notify,webhooks"]
            + ["--without-gossip", "--without-mingle", "--without-heartbeat", "-n", "health@%h"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        # a worker for two queues: those two are ok, the other three still have none
        wait_for(lambda: client.get("/healthz").json()["queues"]["notify"] == "ok", timeout=30)
        body = client.get("/healthz").json()
        assert body["status"] == "degraded"
        assert body["queues"] == {
            "handoff": "no worker",
            "notify": "ok",
            "webhooks": "ok",
            "reports": "no worker",
            "deadlines": "no worker",
        }
        # it keeps saying so while it runs (its first word lives three beats)
        time.sleep(4)
        assert client.get("/healthz").json()["queues"]["webhooks"] == "ok", log.read_text()
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=15)
    # stopped, it is forgotten within three beats
    wait_for(lambda: client.get("/healthz").json()["queues"]["notify"] == "no worker", timeout=10)
    assert client.get("/healthz").status_code == 200


def test_healthz_is_503_when_the_broker_is_down(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # nothing listens on the discard port
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert response.json()["database"] == "ok"


def test_the_language_link_sets_the_cookie_and_remembers_a_users_choice(ref, client):
    user = ref["users"]["imigrasi"]
    client.force_login(user)
    response = client.get("/lang/en/?next=/orders/")
    assert response.status_code == 302 and response["Location"] == "/orders/"
    assert response.cookies["django_language"].value == "en"
    user.refresh_from_db()
    assert user.language == "en"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x"])
def test_the_language_link_never_redirects_off_site(client, db, target):
    response = client.get(f"/lang/id/?next={target}")
    assert response["Location"] == "/"


def test_an_unknown_language_is_404(client, db):
    assert client.get("/lang/fr/").status_code == 404


def test_every_demo_order_has_its_payments_in_the_ledger(db):
    """The demo's money adds up: each order's state fee by its NTPN and its delivery fee by its Pos
    receipt, and the cancelled one refunded, so no receipt of the demo says Rp 0 for a fee taken."""
    from delivery.counter.booking import payment_reconciliation
    from delivery.models import GroupBookingItem
    from ledger.choices import MovementKind
    from ledger.models import Movement

    call_command("seed_demo")
    # The demo group's members wait for the agency to pay the group's fees at the counter (the group
    # page shows it): their delivery fee is not taken yet, their state fee is.
    awaiting_group_fee = set(
        GroupBookingItem.objects.filter(group__fees_paid_at__isnull=True).values_list("order_id", flat=True)
    )
    for order in DeliveryOrder.objects.select_related("application__billing_code"):
        figures = payment_reconciliation(order=order)
        if order.pk in awaiting_group_fee:
            assert figures["state_paid"] == order.application.fee_amount and figures["delivery_paid"] == 0
            continue
        assert figures["state_paid"] == order.application.fee_amount, order.code
        if order.status == DeliveryStatus.CANCELLED and order.events.filter(actor_role="applicant").exists():
            assert figures["delivery_paid"] == 0, order.code  # refunded in full before release
            assert Movement.objects.filter(order=order, kind=MovementKind.REFUND).exists()
        else:
            assert figures["delivery_paid"] == order.delivery_fee, order.code
    assert Movement.objects.filter(kind=MovementKind.REFUND).exists()
    # one delivery moved to a dearer area: the courier collected the difference at the door
    (door,) = Movement.objects.filter(kind=MovementKind.DOOR_COLLECTION).select_related("order__area")
    assert door.order.code == "APDEMO23" and door.order.area.code == "gowa"
    assert door.amount == door.order.delivery_fee - door.order.address_changes.get().old_fee > 0


def test_the_demo_has_statements_approved_waiting_and_with_an_ntpn_difference(db):
    """The last working days of the Makassar offices: one statement approved by both agencies, one
    waiting for Imigrasi's approval, one whose NTPN the settlement report gives another amount; a
    second run changes none of them."""
    from ledger.choices import DifferenceKind, StatementStatus
    from ledger.models import Statement

    call_command("seed_demo")
    call_command("seed_demo")
    statements = list(Statement.objects.order_by("day"))
    assert [s.status for s in statements] == [
        StatementStatus.APPROVED,
        StatementStatus.POS_APPROVED,
        StatementStatus.OPEN,
    ]
    assert all(s.total > 0 for s in statements)
    assert [d.kind for d in statements[-1].differences.all()] == [DifferenceKind.AMOUNT_DIFFERS]
    assert not statements[0].differences.exists()
